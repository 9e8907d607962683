"""Colours that colour-blind readers can tell apart, and the shared ``highlight`` emphasis.

Comparison words (``better``, ``similar``, ``worse``; ``higher``, ``lower``
when an indicator has no polarity; ``not compared``) map to colours that
differ in lightness as well as hue (dark blue, pale gold, orange; dark and
pale purple), after the Okabe-Ito and Fingertips colour-blind palettes. Colour
is never the only carrier: every chart also says the word in its tooltip,
legend and table.

:func:`add_highlight` declares the top-level variable parameter
``highlight`` (value ``null``) that a page's script sets to an area code;
:func:`emphasis_encoding` gives marks a stroke when ``datum.area_code ===
highlight`` (thick) or when the row is the figure's own area (thinner), so
one area stands out across every chart of a page.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CATEGORICAL",
    "COMPARISON_COLOURS",
    "COMPARISON_ORDER",
    "HIGHLIGHT_PARAM",
    "HIGHLIGHT_TEST",
    "INK",
    "MUTED",
    "add_highlight",
    "comparison_colour",
    "comparison_scale",
    "emphasis_encoding",
    "sequential_scale",
]

INK = "#0b0c0c"
"""Text and emphasis strokes (GOV.UK text colour)."""

MUTED = "#505a5f"
"""Benchmark rules, secondary lines and labels (GOV.UK secondary text)."""

COMPARISON_COLOURS: dict[str, str] = {
    "best": "#08306b",
    "better": "#2166ac",
    "similar": "#f2c744",
    "worse": "#d55e00",
    "worst": "#8c2d04",
    "higher": "#54278f",
    "lower": "#bcbddc",
    "not compared": "#c8c8c8",
}
"""Comparison word -> fill colour (blue good, orange bad, gold similar, purples no judgement)."""

COMPARISON_ORDER: tuple[str, ...] = (
    "best",
    "better",
    "similar",
    "worse",
    "worst",
    "higher",
    "lower",
    "not compared",
)
"""Order of the words in legends and counts."""

CATEGORICAL: tuple[str, ...] = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#000000",
    "#f0e442",
)
"""Okabe-Ito colours for categories without an order (sexes, series, facility types)."""

SEQUENTIAL_SCHEME = "viridis"
"""Vega scheme for choropleths: perceptually even, readable in greyscale and by colour-blind
readers."""

HIGHLIGHT_PARAM: dict[str, Any] = {"name": "highlight", "value": None}
"""The top-level variable parameter a page's script sets to the chosen area code."""

HIGHLIGHT_TEST = "highlight != null && datum.area_code === highlight"
"""Vega expression: this mark is the highlighted area."""


def comparison_colour(word: str) -> str:
    """Colour of a comparison word; blank or unknown words read as ``not compared``."""
    return COMPARISON_COLOURS.get(word or "not compared", COMPARISON_COLOURS["not compared"])


def comparison_scale(words: list[str] | tuple[str, ...] | None = None) -> dict[str, Any]:
    """A Vega-Lite colour scale for the comparison ``words`` (default: all), in legend order.

    Only the words given appear in the legend, so a chart with no "worse"
    area does not list one.
    """
    present = set(COMPARISON_ORDER if words is None else words)
    domain = [word for word in COMPARISON_ORDER if word in present]
    return {"domain": domain, "range": [COMPARISON_COLOURS[word] for word in domain]}


def sequential_scale(polarity: str | None = None) -> dict[str, Any]:
    """A Vega-Lite scale for a choropleth: dark = high, reversed when high is bad.

    With ``low_is_good`` the darkest colour is the highest (worst) value; with
    ``high_is_good`` the darkest is the lowest (worst), so dark always draws
    the eye to where need is greatest. Without polarity dark is high.
    """
    return {"scheme": SEQUENTIAL_SCHEME, "reverse": polarity != "high_is_good"}


def add_highlight(spec: dict[str, Any]) -> dict[str, Any]:
    """Declare the top-level ``highlight`` parameter on ``spec`` (in place; returned)."""
    params = [p for p in spec.get("params", []) if p.get("name") != "highlight"]
    spec["params"] = [dict(HIGHLIGHT_PARAM), *params]
    return spec


def emphasis_encoding(
    focus_code: str | None = None, *, base_stroke: str | None = None
) -> dict[str, Any]:
    """``stroke``/``strokeWidth`` channels: thick for ``highlight``, thinner for ``focus_code``.

    ``focus_code`` is the figure's own area (the JSNA area, or the area of a
    profile page); ``base_stroke`` outlines every other mark (e.g. white
    between map polygons), with width 0.5, otherwise they have no stroke.
    """
    tests: list[dict[str, Any]] = [{"test": HIGHLIGHT_TEST, "value": INK}]
    widths: list[dict[str, Any]] = [{"test": HIGHLIGHT_TEST, "value": 3}]
    if focus_code is not None:
        focus = f"datum.area_code === {_js_string(focus_code)}"
        tests.append({"test": focus, "value": INK})
        widths.append({"test": focus, "value": 1.5})
    stroke: dict[str, Any] = {"condition": tests}
    stroke["value"] = base_stroke if base_stroke is not None else None
    width: dict[str, Any] = {"condition": widths, "value": 0.5 if base_stroke else 0}
    return {"stroke": stroke, "strokeWidth": width}


def _js_string(text: str) -> str:
    """``text`` as a single-quoted Vega expression string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
