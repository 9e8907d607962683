"""Figures from published results: Vega-Lite charts, maps, tables and headlines.

Builders read a :class:`~jsna.figures.context.FigureContext` and return
:class:`~jsna.figures.model.Figure` objects (spec, summary, table, data) that
the static site, the PDFs and the web app all draw from.
"""
