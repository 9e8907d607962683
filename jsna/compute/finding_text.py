"""How key findings are written: numbers for people, units, intervals, names and words.

Numbers have thousands separators and the indicator's decimals, halves
rounded away from zero; "%" is written against every number, other units
("per 100,000", "years") after the main value only; a value without limits
is a "published value"; best-fit and apportioned figures say they are
estimates. Used by :mod:`jsna.compute.findings`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from jsna.content.indicators import Indicator
from jsna.content.project import ProjectConfig
from jsna.stats.trends import POINTS

__all__ = [
    "DIRECTIONS",
    "FITS",
    "PHRASES",
    "Figures",
    "attached_unit",
    "change_sentence",
    "change_word",
    "finite",
    "format_number",
    "in_brackets",
    "inline",
    "interval_text",
    "lower_first",
    "main_figure",
    "overlap_clause",
    "plain_figure",
    "plural_of",
    "sii_sentence",
    "trend_clause",
]

Figures = tuple[float, float | None, float | None]
"""A value with its 95% limits (None when not known)."""


FITS = {"best_fit": "best-fit estimate", "apportioned": "apportioned estimate"}
"""How a figure not built exactly from its area's members is described."""


_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


DIRECTIONS = {
    "high_is_good": ("decreasing", "increasing"),
    "low_is_good": ("increasing", "decreasing"),
}
"""(getting worse, getting better) as a direction of the values, by polarity."""


def format_number(value: float, decimals: int) -> str:
    """A number for people: halves rounded away from zero (as Fingertips and Excel round
    the number as written), thousands separators, fixed decimals, no negative zero."""
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    text = f"{exact:,.{decimals}f}"
    return text[1:] if re.fullmatch(r"-0[.0]*", text) else text


def attached_unit(indicator: Indicator) -> str:
    """The unit written against every number ("%"), or nothing."""
    return indicator.unit if indicator.unit in ("%", "‰") else ""


def main_figure(value: float, indicator: Indicator) -> str:
    """The main figure with its unit: 5.6%, 123.4 per 100,000, 79.1 years."""
    number = format_number(value, indicator.decimals)
    unit = indicator.unit
    if not unit:
        return number
    return number + unit if attached_unit(indicator) else f"{number} {unit}"


def plain_figure(value: float, indicator: Indicator) -> str:
    """A limit or a benchmark: the number, with "%" but no word unit."""
    return format_number(value, indicator.decimals) + attached_unit(indicator)


def finite(*values: object) -> bool:
    """Whether every value is a finite number (not None, not NaN)."""
    return all(isinstance(v, float | int) and np.isfinite(v) for v in values)


def interval_text(lower: float | None, upper: float | None, indicator: Indicator) -> str:
    """ "95% CI a to b", "published value", or "" (a count, exactly known)."""
    if finite(lower, upper):
        assert lower is not None
        assert upper is not None
        ci = f"95% CI {plain_figure(lower, indicator)} to {plain_figure(upper, indicator)}"
        return f"{ci}, as published" if indicator.method == "value_only" else ci
    if indicator.method == "value_only":
        return "published value"
    if indicator.method == "count":
        return ""
    return "no confidence interval"


def in_brackets(
    value: float, lower: float | None, upper: float | None, ind: Indicator, fit: str = "exact"
) -> str:
    """ "5.6%, 95% CI 5.4% to 5.8%": the figure as it goes in brackets (with how it was
    built when not exactly from its area's members: "best-fit estimate")."""
    parts = [main_figure(value, ind), interval_text(lower, upper, ind), FITS.get(fit, "")]
    return ", ".join(part for part in parts if part)


def inline(value: float, lower: float | None, upper: float | None, ind: Indicator) -> str:
    """ "5.6% (95% CI 5.4% to 5.8%)": the figure inside a sentence."""
    qualifier = interval_text(lower, upper, ind)
    return f"{main_figure(value, ind)} ({qualifier})" if qualifier else main_figure(value, ind)


def plural_of(area_type: str, config: ProjectConfig) -> str:
    """How a sentence names many areas of a type: wards, MSOAs, GP practices, localities."""
    for custom in config.geographies.custom_areas:
        if custom.type == area_type:
            name = custom.name
            if len(name) > 1 and not name[1].isupper():
                name = name[0].lower() + name[1:]
            if name.endswith("s"):
                return name
            if name.endswith("y") and not name.endswith(("ay", "ey", "oy", "uy")):
                return name[:-1] + "ies"
            return name + "s"
    stem = re.sub(r"\d+$", "", area_type)
    return _STANDARD_PLURALS.get(stem, area_type)


_STANDARD_PLURALS = {
    "ward": "wards",
    "msoa": "MSOAs",
    "lsoa": "LSOAs",
    "oa": "output areas",
    "gp_practice": "GP practices",
    "pcn": "primary care networks",
    "ltla": "local authorities",
    "utla": "local authorities",
    "lad": "local authorities",
    "icb": "integrated care boards",
    "sub_icb": "sub-ICB locations",
}


def trend_clause(assessment: str, direction: str, judgement: str) -> str:
    """The end of a comparison sentence about the recent trend."""
    periods = f"over the last {_WORDS.get(POINTS, str(POINTS))} periods"
    if assessment == "no change":
        return f", with no significant change {periods}"
    if assessment == judgement:
        return f" and has been {direction} {periods}"
    if assessment:
        return f", although it has been {direction} (getting {assessment}) {periods}"
    return ""


def overlap_clause(overlap: bool | None, indicator: Indicator) -> str:
    """The end of a gap sentence: whether the two 95% intervals overlap, honestly."""
    if overlap is None:
        if indicator.method == "value_only":
            return "these are published values without confidence intervals"
        return "without confidence intervals for both, the gap cannot be tested"
    if overlap:
        return "their confidence intervals overlap, so the gap may be due to chance"
    return "their confidence intervals do not overlap"


def sii_sentence(figures: tuple[float, float, float], indicator: Indicator) -> str:
    """The SII sentence: " The slope index of inequality (...) is -5.8 percentage points (...)."."""
    value, lower, upper = figures
    if indicator.unit == "%":
        main = f"{format_number(value, indicator.decimals)} percentage points"
    else:
        main = main_figure(value, indicator)
    limits = (
        f"{format_number(lower, indicator.decimals)} to {format_number(upper, indicator.decimals)}"
    )
    return (
        " The slope index of inequality (the modelled difference from the most to the "
        f"least deprived) is {main} (95% CI {limits})."
    )


def lower_first(text: str) -> str:
    """ "Most deprived decile" -> "most deprived decile"; "IMD decile" stays."""
    return text[:1].lower() + text[1:] if len(text) > 1 and not text[1].isupper() else text


PHRASES = {"worse": "worse than", "better": "better than", "similar": "similar to"}


def change_sentence(
    indicator: Indicator,
    name: str,
    figures: tuple[Figures, Figures],
    periods: tuple[str, str],
    *,
    moved: bool,
) -> str:
    """ "X in Trafford is 18.0% (...) in 2023, up from 15.0% (...) in 2022 in the previous
    edition, a worsening beyond the confidence intervals." (or "revised" for one period)."""
    (now, before), (period, period_before) = figures, periods
    way = "up" if now[0] > before[0] else "down" if now[0] < before[0] else ""
    now_text, old_text = inline(*now, indicator), inline(*before, indicator)
    if period == period_before:
        middle = f"revised {way} from {old_text}" if way else f"unchanged at {old_text}"
        sentence = f"{indicator.title} in {name} in {period} is now {now_text}, {middle}"
    else:
        middle = f"{way} from" if way else "the same as"
        sentence = (
            f"{indicator.title} in {name} is {now_text} in {period}, {middle} {old_text} "
            f"in {period_before}"
        )
    sentence += " in the previous edition"
    if moved:
        difference = now[0] - before[0]
        sentence += f", {change_word(difference, indicator)} beyond the confidence intervals"
    return sentence + "."


def change_word(difference: float, indicator: Indicator) -> str:
    """ "an improvement" or "a worsening" by polarity; "a change" without polarity."""
    if indicator.polarity not in DIRECTIONS:
        return "a change"
    better = (difference > 0) == (indicator.polarity == "high_is_good")
    return "an improvement" if better else "a worsening"
