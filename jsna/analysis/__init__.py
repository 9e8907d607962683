"""Analyses of need built on the store: unmet and future need, access, uptake, money, priorities.

Each module computes one analysis from store data and project files, as plain
data frames; ``jsna.figures`` draws them and the analysis blocks of
:mod:`jsna.content.blocks` place them in chapters. Generic maths (regression,
nearest neighbours) lives in :mod:`jsna.stats`.
"""
