"""Key findings of a JSNA, generated from the published results, never typed by hand.

:func:`key_findings` reads a frame of published results (the columns of
:func:`jsna.store.results.published_results`) and the indicator definitions,
and returns sentences with their numbers and 95% confidence intervals, of six
kinds:

``worse_and_worsening``
    The JSNA area is significantly worse than England and its recent trend
    is getting worse.
``worse``
    Worse than England, and not getting worse.
``gap``
    The best and the worst small area (ward, MSOA, GP practice, locality ...)
    of an area type, with their intervals and whether they overlap.
``deprivation_gap``
    The most and the least deprived decile (or quintile) of a deprivation
    breakdown, with the slope index of inequality when every quantile has a
    value, an interval and a population.
``change``
    Since the previous edition (``previous`` results): the latest value moved
    beyond both confidence intervals, or the comparison with England changed.
``better``
    Better than England: the area's strengths.

Rules: counts (method ``count``) give no findings; projected rows (period ``2030 (projected)``)
are never used; only the latest period of each indicator is used, and a suppressed
latest cell gives no finding (never an older period instead); polarity
decides "better" and "worse" (an indicator with ``no_judgement`` has no
better/worse finding, and its gaps run from the highest to the lowest); a
value without limits is never called significant. Ids such as
``worse_and_worsening/smoking/E08000009`` depend only on the kind, the
indicator and the area (or area type), so an analyst's pin, order, note or
hide in ``jsna.yml`` (``findings:``) follows the finding from one edition to
the next; edits naming no current finding are returned as warnings.

Order: pinned findings first (by ``order``, then as generated), then by
``score``: a base per kind (worse and worsening 500, worse 400, gaps whose
intervals do not overlap 300, changes 200, better 100; 50 for gaps whose
intervals overlap or are unknown, gaps of indicators without polarity
(demography), and England's deprivation gaps, national context) plus up to 100 for the size of the difference relative to the
benchmark (or the previous value, or the middle small area).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from jsna.content.indicators import Indicator
from jsna.content.project import ProjectConfig
from jsna.errors import JsnaError
from jsna.stats import StatsInputError, sii

from .finding_text import (
    DIRECTIONS,
    PHRASES,
    Figures,
    change_sentence,
    finite,
    in_brackets,
    inline,
    lower_first,
    overlap_clause,
    plain_figure,
    plural_of,
    sii_sentence,
    trend_clause,
)
from .projection import is_projected

__all__ = [
    "KINDS",
    "Finding",
    "FindingsResult",
    "deprivation_rank",
    "key_findings",
]

KINDS = ("worse_and_worsening", "worse", "gap", "deprivation_gap", "change", "better")
"""Kinds of finding, in the order of their base scores."""

BASE_SCORE = {
    "worse_and_worsening": 500.0,
    "worse": 400.0,
    "gap": 300.0,
    "deprivation_gap": 300.0,
    "change": 200.0,
    "better": 100.0,
}
WEAK_GAP_SCORE = 50.0
"""Base score of a gap whose confidence intervals overlap (or are not known)."""

MIN_SMALL_AREAS = 3
"""A gap needs at least this many small areas with a published value."""

SII_REPETITIONS = 10_000
SII_SEED = 20_250_401
"""Fixed seed: the slope index of inequality's limits are the same on every run."""

REQUIRED = ("indicator_id", "area_code", "area_type", "period", "value")
_TEXT_DEFAULTS = {
    "area_name": "",
    "sex": "persons",
    "age": "all ages",
    "breakdown_type": "",
    "breakdown": "",
    "trend": "",
    "fit": "exact",
}
_NUMBER_COLUMNS = ("value", "lower_95", "upper_95", "denominator")
_USED = {*REQUIRED, *_TEXT_DEFAULTS, *_NUMBER_COLUMNS, "period_start", "suppressed"}
_JUDGED = {"worse": "worse", "worst": "worse", "better": "better", "best": "better"}


@dataclass(frozen=True)
class Finding:
    """One key finding: a sentence and the figures it was written from."""

    id: str
    """Stable id: kind/indicator/area code (gaps: kind/indicator/area type)."""
    kind: str
    """One of :data:`KINDS`."""
    indicator_id: str
    area_code: str
    """The area the finding is about (for a small-area gap, the JSNA area)."""
    sentence: str
    """The generated sentence, with numbers and 95% confidence intervals."""
    score: float
    """Higher first (after pinned findings); see the module docstring."""
    period: str
    area_type: str = ""
    label: str = ""
    """Name of what ``value`` belongs to (area, small area or deprivation decile)."""
    value: float | None = None
    lower_95: float | None = None
    upper_95: float | None = None
    benchmark: float | None = None
    """England's value for the same period, when compared."""
    comparison: str = ""
    """Comparison with England (worse, similar, better, ...), when compared."""
    trend: str = ""
    """Recent trend as published (getting worse, no significant change, ...)."""
    other_label: str = ""
    """What the second figure is: the best small area, the least deprived decile or
    "previous edition"."""
    other_value: float | None = None
    other_lower_95: float | None = None
    other_upper_95: float | None = None
    other_period: str = ""
    intervals_overlap: bool | None = None
    """Gaps and changes: whether the two 95% intervals overlap (None: not known)."""
    sii: float | None = None
    sii_lower_95: float | None = None
    sii_upper_95: float | None = None
    pinned: bool = False
    order: int | None = None
    note: str = ""
    """The analyst's note from jsna.yml, shown after the sentence."""

    @property
    def text(self) -> str:
        """The sentence followed by the analyst's note."""
        return f"{self.sentence} {self.note}".strip() if self.note else self.sentence

    def as_record(self) -> dict[str, Any]:
        """The finding as a flat dict (for CSV and JSON), with ``text``."""
        record = asdict(self)
        record["text"] = self.text
        return record


@dataclass(frozen=True)
class FindingsResult:
    """The findings in reading order, and what the analyst's edits could not apply to."""

    findings: tuple[Finding, ...]
    unknown_edits: tuple[str, ...] = ()
    """One warning per edit in jsna.yml whose id names no current finding."""
    hidden: tuple[str, ...] = ()
    """Ids of findings hidden by jsna.yml."""

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)


# ---------------------------------------------------------------- formatting


def _magnitude(difference: float, reference: float) -> float:
    """0 to 100 for the size of ``difference`` relative to ``reference``."""
    if not finite(difference, reference):
        return 0.0
    scale = abs(reference) if reference else 1.0
    ratio = abs(difference) / scale
    return round(100.0 * ratio / (1.0 + ratio), 6)


def _optional(value: object) -> float | None:
    """A finite number as a float, anything else (None, NaN, text) as None."""
    return float(value) if finite(value) else None  # type: ignore[arg-type]


# ---------------------------------------------------------------- preparing


def _prepare(results: pd.DataFrame, indicators: Mapping[str, Indicator]) -> pd.DataFrame:
    """The latest rows of every series of known indicators, text gaps filled, periods ordered.

    A series is an indicator, area, sex, age and breakdown type; only the rows
    of its latest period can be the latest of any selection made later, so
    the rest is dropped first (the results of a whole JSNA are mostly history).
    """
    missing = [name for name in REQUIRED if name not in results.columns]
    if missing:
        raise JsnaError(
            "key findings: the results have no column " + ", ".join(repr(m) for m in missing)
        )
    wanted = [
        name
        for name in results.columns
        if name in _USED or str(name).startswith("compared_with_") or str(name).endswith("_value")
    ]
    frame = results.loc[results["indicator_id"].isin(list(indicators)), wanted]
    frame = frame.loc[~is_projected(frame)]  # projections are not observed periods
    frame["_order"] = _period_order(frame)
    for name, default in _TEXT_DEFAULTS.items():
        if name not in frame.columns:
            frame[name] = default
    series = ["indicator_id", "area_code", "area_type", "sex", "age", "breakdown_type"]
    latest = frame.groupby(series, sort=False, dropna=False)["_order"].transform("max")
    frame = pd.DataFrame(frame.loc[frame["_order"].to_numpy() == latest.to_numpy()].copy())
    for name, default in _TEXT_DEFAULTS.items():
        frame[name] = frame[name].fillna(default).astype(str)
    for name in ("indicator_id", "area_code", "area_type", "period"):
        frame[name] = frame[name].astype(str)
    for name in _NUMBER_COLUMNS:
        frame[name] = (
            pd.to_numeric(frame[name], errors="coerce") if name in frame.columns else np.nan
        )
    suppressed = frame["suppressed"] if "suppressed" in frame.columns else False
    frame["_usable"] = ~pd.Series(suppressed, index=frame.index).fillna(False).astype(bool)
    frame["_usable"] &= frame["value"].notna()
    preferred = {key: _total_labels(indicator) for key, indicator in indicators.items()}
    sexes = frame["indicator_id"].map({k: v[0] for k, v in preferred.items()})
    ages = frame["indicator_id"].map({k: v[1] for k, v in preferred.items()})
    frame["_total"] = (frame["sex"] == sexes) & (frame["age"] == ages)
    frame["_preference"] = 2 * (~frame["_total"]).astype(int) + (
        frame["breakdown_type"] != ""
    ).astype(int)
    return frame


def _period_order(frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    """A number per row ordering the periods: period_start, else the first year written."""
    if "period_start" in frame.columns:
        order = pd.to_numeric(frame["period_start"], errors="coerce").to_numpy(dtype=np.float64)
    else:
        codes, uniques = pd.factorize(frame["period"].astype(str))
        years = pd.Series(uniques).str.extract(r"(\d{4})")[0]
        first = pd.to_numeric(years, errors="coerce").to_numpy(dtype=np.float64)
        order = first[codes] if len(first) else np.zeros(0)
    return np.asarray(np.nan_to_num(order, nan=-1.0), dtype=np.float64)


def _total_labels(indicator: Indicator) -> tuple[str, str]:
    """Sex and age of the indicator's total (persons and all ages when several are summed)."""
    selection = indicator.numerator or indicator.value
    if selection is None:
        return "persons", "all ages"
    sex = selection.sex if isinstance(selection.sex, str) else "persons"
    age = selection.age if isinstance(selection.age, str) and selection.age != "bands" else None
    return sex, age or "all ages"


def _headline(frame: pd.DataFrame) -> pd.DataFrame:
    """One total row per indicator, area and period: no category, the total's sex and age."""
    totals = frame.loc[(frame["breakdown"] == "") & frame["_total"]]
    keys = ["indicator_id", "area_code", "area_type", "period"]
    ordered = totals.sort_values([*keys, "_preference", "sex", "age", "breakdown_type"])
    return ordered.drop_duplicates(keys, keep="first")


def _latest(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """The rows of the latest period of each group (suppressed rows included)."""
    ordered = frame.sort_values([*keys, "_order", "period"])
    last = ordered.drop_duplicates(list(keys), keep="last")[[*keys, "period"]]
    return frame.merge(last, on=[*keys, "period"], how="inner")


# ---------------------------------------------------------------- area findings


def _judgement(label: object, polarity: str) -> str:
    """ "worse", "better", "similar" or "" from a comparison label and the polarity."""
    text = str(label).strip().lower() if isinstance(label, str) else ""
    if text in _JUDGED:
        return _JUDGED[text]
    if text == "similar":
        return "similar"
    if text in ("higher", "lower") and polarity in DIRECTIONS:
        good_high = polarity == "high_is_good"
        return "better" if (text == "higher") == good_high else "worse"
    return ""


def _trend(label: object, polarity: str) -> tuple[str, str]:
    """(assessment, direction) of a trend marker: ("worse", "increasing") ..."""
    text = str(label).strip().lower() if isinstance(label, str) else ""
    if text == "no significant change":
        return "no change", ""
    if polarity not in DIRECTIONS:
        return "", ""
    worsening, improving = DIRECTIONS[polarity]
    if text in ("getting worse", worsening):
        return "worse", worsening
    if text in ("getting better", improving):
        return "better", improving
    return "", ""


def _area_findings(
    latest: pd.DataFrame, indicators: Mapping[str, Indicator], config: ProjectConfig
) -> list[Finding]:
    """Worse and worsening, worse, better: the JSNA area against England."""
    england = config.comparators[0]
    compared, bench = f"compared_with_{england.id}", f"{england.id}_value"
    if compared not in latest.columns:
        return []
    rows = latest.loc[latest["_usable"]]
    found: list[Finding] = []
    for row in rows.to_dict("records"):
        indicator = indicators[row["indicator_id"]]
        judgement = _judgement(row[compared], indicator.polarity)
        benchmark = _optional(row.get(bench))
        if judgement not in ("worse", "better") or benchmark is None:
            continue
        assessment, direction = _trend(row["trend"], indicator.polarity)
        kind = judgement
        if judgement == "worse" and assessment == "worse":
            kind = "worse_and_worsening"
        value, lower, upper = row["value"], _optional(row["lower_95"]), _optional(row["upper_95"])
        name = row["area_name"] or config.area.name
        sentence = (
            f"{indicator.title} in {name} in {row['period']} "
            f"({in_brackets(value, lower, upper, indicator, row['fit'])}) is {judgement} than "
            f"{england.name} ({plain_figure(benchmark, indicator)})"
            + trend_clause(assessment, direction, judgement)
            + "."
        )
        found.append(
            Finding(
                id=f"{kind}/{indicator.id}/{row['area_code']}",
                kind=kind,
                indicator_id=indicator.id,
                area_code=row["area_code"],
                sentence=sentence,
                score=BASE_SCORE[kind] + _magnitude(value - benchmark, benchmark),
                period=row["period"],
                area_type=row["area_type"],
                label=name,
                value=float(value),
                lower_95=lower,
                upper_95=upper,
                benchmark=benchmark,
                comparison=str(row[compared]),
                trend=row["trend"],
            )
        )
    return found


# ---------------------------------------------------------------- small-area gaps


def _overlap(
    lower: float | None, upper: float | None, other_lower: float | None, other_upper: float | None
) -> bool | None:
    """Whether two 95% intervals overlap; None when a limit is missing."""
    if lower is None or upper is None or other_lower is None or other_upper is None:
        return None
    return bool(lower <= other_upper and other_lower <= upper)


def _small_area_gaps(
    headline: pd.DataFrame,
    indicators: Mapping[str, Indicator],
    config: ProjectConfig,
    within: Collection[str] | None,
) -> list[Finding]:
    """The best and the worst small area of each indicator and area type (latest period)."""
    excluded = {config.area.code, *(c for comp in config.comparators for c in comp.codes)}
    keep = (headline["area_type"] != config.area.area_type) & ~headline["area_code"].isin(excluded)
    if within is not None:
        keep &= headline["area_code"].isin(list(within))
    small = headline.loc[keep]
    if small.empty:
        return []
    keys = ["indicator_id", "area_type"]
    latest = _latest(small, keys)
    usable = latest.loc[latest["_usable"]]
    published = latest.groupby(keys)["area_code"].nunique()
    counts = usable.groupby(keys)["value"].transform("size")
    usable = usable.loc[counts >= MIN_SMALL_AREAS]
    ordered = usable.sort_values([*keys, "value", "area_code"])
    columns = ["area_code", "area_name", "period", "value", "lower_95", "upper_95", "fit"]
    grouped = ordered.groupby(keys, sort=True)
    ends = grouped.head(1)[[*keys, *columns]].merge(
        grouped.tail(1)[[*keys, *columns]], on=keys, suffixes=("_low", "_high")
    )
    summary = grouped["value"].agg(["median", "size"]).join(published.rename("published"))
    ends = ends.merge(summary.reset_index(), on=keys)
    found: list[Finding] = []
    for record in ends.to_dict("records"):
        key = (str(record["indicator_id"]), str(record["area_type"]))
        indicator = indicators[key[0]]
        low = {"area_type": key[1], **{name: record[f"{name}_low"] for name in columns}}
        high = {"area_type": key[1], **{name: record[f"{name}_high"] for name in columns}}
        if indicator.polarity == "high_is_good":
            worst, best, words = low, high, ("worst", "best")
        elif indicator.polarity == "low_is_good":
            worst, best, words = high, low, ("worst", "best")
        else:
            worst, best, words = high, low, ("highest", "lowest")
        first, second = _figures(worst), _figures(best)
        overlap = _overlap(first[1], first[2], second[1], second[2])
        name_first = worst["area_name"] or worst["area_code"]
        name_second = best["area_name"] or best["area_code"]
        areas = f"{config.area.name}'s {record['published']} {plural_of(key[1], config)}"
        if record["size"] != record["published"]:
            areas = f"{record['size']} of {areas} with a published figure"
        sentence = (
            f"{indicator.title} in {worst['period']} ranges across {areas} from {name_first} "
            f"({in_brackets(*first, indicator, worst['fit'])}), the {words[0]}, to "
            f"{name_second} ({in_brackets(*second, indicator, best['fit'])}), the {words[1]}; "
            f"{overlap_clause(overlap, indicator)}."
        )
        judged = indicator.polarity in DIRECTIONS  # health outcomes before demography
        base = BASE_SCORE["gap"] if overlap is False and judged else WEAK_GAP_SCORE
        found.append(
            _pair_finding(
                f"gap/{indicator.id}/{key[1]}",
                indicator,
                config.area.code,
                sentence,
                base + _magnitude(first[0] - second[0], float(record["median"])),
                (worst, best),
                (str(name_first), str(name_second)),
                overlap,
            )
        )
    return _one_leading_gap(found, config)


def _one_leading_gap(found: list[Finding], config: ProjectConfig) -> list[Finding]:
    """One gap per indicator keeps the gap score: the first area type of jsna.yml's
    ``area_types`` whose intervals do not overlap; the indicator's other gaps rank with
    the weak ones (an analyst can still pin them)."""
    position = {area_type: number for number, area_type in enumerate(config.area_types)}
    leading: dict[str, str] = {}
    strong = [f for f in found if f.score >= BASE_SCORE["gap"]]
    for finding in sorted(
        strong,
        key=lambda f: (position.get(f.area_type, len(position)), f.area_type),
    ):
        leading.setdefault(finding.indicator_id, finding.id)
    demoted = WEAK_GAP_SCORE - BASE_SCORE["gap"]
    return [
        f
        if f.score < BASE_SCORE["gap"] or leading[f.indicator_id] == f.id
        else replace(f, score=f.score + demoted)
        for f in found
    ]


# ---------------------------------------------------------------- deprivation gaps

_DECILES = {
    "most": 1,
    "second most": 2,
    "third most": 3,
    "third more": 3,
    "fourth more": 4,
    "fifth more": 5,
    "fifth less": 6,
    "fourth less": 7,
    "third less": 8,
    "second least": 9,
    "least": 10,
}
_QUINTILES = {"most": 1, "second most": 2, "average": 3, "middle": 3, "second least": 4, "least": 5}
_QUANTILE_LABEL = re.compile(
    r"^\s*(?P<position>most|least|average|middle|(?:second|third|fourth|fifth) (?:most|more|less|least))"
    r"\s+deprived\s+(?P<size>decile|quintile)\b",
    re.IGNORECASE,
)


_NUMBERED = re.compile(r"^\s*(?:(?P<word>decile|quintile)\s*)?(?P<rank>\d{1,2})\s*$", re.IGNORECASE)
_SIZES = {"decile": 10, "quintile": 5}


def deprivation_rank(label: str, breakdown_type: str = "") -> tuple[int, int] | None:
    """(rank, number of quantiles) of a deprivation category, 1 the most deprived.

    Understands the Fingertips labels ("Most deprived decile (IMD2019)",
    "Second most deprived decile", "Fifth less deprived decile", "Least
    deprived quintile", "Average deprived quintile" ...) and numbered
    categories ("1" to "10", "Decile 3") when the label or the breakdown type
    says decile or quintile (IMD numbering: 1 is the most deprived); None
    otherwise.
    """
    match = _QUANTILE_LABEL.match(label)
    if match is not None:
        position = match["position"].lower()
        table = _DECILES if match["size"].lower() == "decile" else _QUINTILES
        if position not in table:
            return None
        return table[position], len(set(table.values()))
    numbered = _NUMBERED.match(label)
    if numbered is None:
        return None
    word = (numbered["word"] or "").lower()
    if not word:
        kinds = [kind for kind in _SIZES if kind in breakdown_type.lower()]
        if len(kinds) != 1:
            return None
        word = kinds[0]
    rank = int(numbered["rank"])
    return (rank, _SIZES[word]) if 1 <= rank <= _SIZES[word] else None


def _quantile_name(label: str, breakdown_type: str, rank: int, size: int) -> str:
    """How a sentence names a category: "the most deprived decile (IMD2019)", "IMD 2025
    national decile 1 (the most deprived)"."""
    if _NUMBERED.match(label) is None:
        return "the " + lower_first(label)
    end = "most" if rank == 1 else "least"
    word = "decile" if size == 10 else "quintile"
    named = breakdown_type if word in breakdown_type.lower() else word
    return f"{named} {rank} (the {end} deprived)"


def _quantile_area_types(config: ProjectConfig) -> dict[str, str]:
    """Custom area types that group the JSNA area's neighbourhoods by deprivation decile or
    quintile (e.g. imd25_decile, "IMD 2025 national decile"): type -> name."""
    return {
        custom.type: custom.name
        for custom in config.geographies.custom_areas
        if re.search(r"decile|quintile", custom.name, re.IGNORECASE)
    }


def _as_breakdowns(headline: pd.DataFrame, config: ProjectConfig) -> pd.DataFrame:
    """Rows of the quantile area types as a deprivation breakdown of the JSNA area."""
    types = _quantile_area_types(config)
    rows = headline.loc[headline["area_type"].isin(list(types))]
    named = rows["area_name"].where(rows["area_name"] != "", rows["area_code"])
    return rows.assign(
        breakdown_type=rows["area_type"].map(types),
        breakdown=named,
        area_code=config.area.code,
        area_type=config.area.area_type,
        _quantiles=True,
    )


def _sii_of(
    rows: pd.DataFrame, size: int, indicator: Indicator
) -> tuple[float, float, float] | None:
    """Slope index of inequality with its 95% limits, when every quantile can be used."""
    needed = ["value", "lower_95", "upper_95", "denominator"]
    if len(rows) != size or rows[needed].isna().any().any() or (rows["denominator"] <= 0).any():
        return None
    frame = rows[["_rank", *needed]].copy()
    value_type, multiplier = 0, 1.0
    if indicator.method == "proportion":
        value_type, multiplier = 2, indicator.multiplier
        for name in ("value", "lower_95", "upper_95"):
            frame[name] = frame[name] / indicator.multiplier
    elif indicator.method in ("crude_rate", "dsr", "isr"):
        value_type = 1
    try:
        fitted = sii(
            frame,
            "_rank",
            "denominator",
            "value",
            lower_cl="lower_95",
            upper_cl="upper_95",
            value_type=value_type,
            multiplier=multiplier,
            repetitions=SII_REPETITIONS,
            seed=SII_SEED,
        )
    except StatsInputError:
        return None
    found = fitted.iloc[0]
    figures = (found["sii"], found["sii_lower_95"], found["sii_upper_95"])
    if not finite(*figures):
        return None
    return float(figures[0]), float(figures[1]), float(figures[2])


def _quantile_groups(
    frame: pd.DataFrame, places: Collection[str]
) -> dict[tuple[str, str, str, int], pd.DataFrame]:
    """Latest deprivation rows by (indicator, area, breakdown type, number of quantiles).

    Only the total's sex and age; one breakdown per indicator and area, the one
    whose most and least deprived ends are both published (deciles before
    quintiles, then the last type by name, e.g. IMD2019 after IMD2015).
    """
    marked = (
        frame["_quantiles"].fillna(False).astype(bool) if "_quantiles" in frame.columns else False
    )
    candidates = frame.loc[
        frame["area_code"].isin(list(places))
        & (frame["breakdown_type"].str.contains("depriv|imd", case=False) | marked)
        & (frame["breakdown"] != "")
    ]
    if candidates.empty:
        return {}
    pairs = candidates[["breakdown", "breakdown_type"]].drop_duplicates()
    found_ranks = [deprivation_rank(b, t) or (0, 0) for b, t in pairs.itertuples(index=False)]
    pairs["_rank"] = [rank for rank, _ in found_ranks]
    pairs["_size"] = [size for _, size in found_ranks]
    candidates = candidates.merge(pairs, on=["breakdown", "breakdown_type"], how="inner")
    candidates = candidates.loc[candidates["_rank"] > 0]
    keys = ["indicator_id", "area_code", "breakdown_type", "_size"]
    candidates = candidates.sort_values([*keys, "_preference", "sex", "age"])
    chosen = candidates.drop_duplicates(keys, keep="first")[[*keys, "sex", "age"]]
    candidates = candidates.merge(chosen, on=[*keys, "sex", "age"], how="inner")
    groups: dict[tuple[str, str, str, int], pd.DataFrame] = {}
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for group_key, rows in _latest(candidates, keys).groupby(keys, sort=True):
        indicator_id, area_code, breakdown_type, size = (str(part) for part in group_key)
        key = (indicator_id, area_code, breakdown_type, int(size))
        groups[key] = rows
        ends = rows.loc[rows["_rank"].isin([1, key[3]])]
        if ends["_usable"].sum() == 2 and len(ends) == 2:
            best[key[:2]] = max(best.get(key[:2], (0, "")), (key[3], breakdown_type))
    return {key: rows for key, rows in groups.items() if best.get(key[:2]) == (key[3], key[2])}


def _deprivation_gaps(
    frame: pd.DataFrame, indicators: Mapping[str, Indicator], config: ProjectConfig
) -> list[Finding]:
    """Most against least deprived quantile, for the JSNA area and England."""
    england = config.comparators[0]
    places = {config.area.code: config.area.name}
    if not england.is_group:
        places[england.codes[0]] = england.name
    found: list[Finding] = []
    for (indicator_id, area_code, breakdown_type, size), rows in _quantile_groups(
        frame, places
    ).items():
        indicator = indicators[indicator_id]
        most = rows.loc[rows["_rank"] == 1].iloc[0]
        least = rows.loc[rows["_rank"] == size].iloc[0]
        first, second = _figures(most), _figures(least)
        overlap = _overlap(first[1], first[2], second[1], second[2])
        sii_figures = _sii_of(rows.loc[rows["_usable"]], size, indicator)
        sentence = (
            f"{indicator.title} in {places[area_code]} in {most['period']} is "
            f"{inline(*first, indicator)} in "
            f"{_quantile_name(most['breakdown'], breakdown_type, 1, size)} and "
            f"{inline(*second, indicator)} in "
            f"{_quantile_name(least['breakdown'], breakdown_type, size, size)}; "
            f"{overlap_clause(overlap, indicator)}."
            + (sii_sentence(sii_figures, indicator) if sii_figures else "")
        )
        local = area_code == config.area.code
        base = BASE_SCORE["deprivation_gap"] if overlap is False and local else WEAK_GAP_SCORE
        found.append(
            _pair_finding(
                f"deprivation_gap/{indicator.id}/{area_code}",
                indicator,
                area_code,
                sentence,
                base + _magnitude(first[0] - second[0], second[0]),
                (most, least),
                (str(most["breakdown"]), str(least["breakdown"])),
                overlap,
                sii=sii_figures[0] if sii_figures else None,
                sii_lower_95=sii_figures[1] if sii_figures else None,
                sii_upper_95=sii_figures[2] if sii_figures else None,
            )
        )
    return found


def _figures(row: Mapping[Any, Any] | pd.Series) -> Figures:
    """(value, lower_95, upper_95) of a usable row."""
    return float(row["value"]), _optional(row["lower_95"]), _optional(row["upper_95"])


def _pair_finding(
    ident: str,
    indicator: Indicator,
    area_code: str,
    sentence: str,
    score: float,
    rows: tuple[Mapping[Any, Any] | pd.Series, Mapping[Any, Any] | pd.Series],
    labels: tuple[str, str],
    overlap: bool | None,
    **extra: Any,
) -> Finding:
    """A finding about two figures (a gap): the first in ``value``, the second in ``other_*``."""
    first, second = _figures(rows[0]), _figures(rows[1])
    return Finding(
        id=ident,
        kind=ident.split("/", 1)[0],
        indicator_id=indicator.id,
        area_code=area_code,
        sentence=sentence,
        score=score,
        period=str(rows[0]["period"]),
        area_type=str(rows[0]["area_type"]) if "area_type" in rows[0] else "",
        label=labels[0],
        value=first[0],
        lower_95=first[1],
        upper_95=first[2],
        other_label=labels[1],
        other_value=second[0],
        other_lower_95=second[1],
        other_upper_95=second[2],
        other_period=str(rows[1]["period"]),
        intervals_overlap=overlap,
        **extra,
    )


# ---------------------------------------------------------------- changes


def _changes(
    latest: pd.DataFrame,
    previous_latest: pd.DataFrame,
    indicators: Mapping[str, Indicator],
    config: ProjectConfig,
) -> list[Finding]:
    """The JSNA area's latest figures against those of the previous edition."""
    england = config.comparators[0]
    compared, bench = f"compared_with_{england.id}", f"{england.id}_value"
    now = latest.loc[latest["_usable"]]
    before = previous_latest.loc[previous_latest["_usable"]]
    columns = ["period", "value", "lower_95", "upper_95", compared]
    taken = before[["indicator_id", *(c for c in columns if c in before.columns)]]
    taken = taken.rename(columns={c: f"{c}_before" for c in columns})
    pairs = now.merge(taken, on="indicator_id", how="inner")
    found: list[Finding] = []
    for row in pairs.to_dict("records"):
        indicator = indicators[row["indicator_id"]]
        current = _figures(row)
        before_figures = (
            float(row["value_before"]),
            _optional(row["lower_95_before"]),
            _optional(row["upper_95_before"]),
        )
        value, lower, upper = current
        old, old_lower, old_upper = before_figures
        moved = (
            lower is not None
            and upper is not None
            and old_lower is not None
            and old_upper is not None
            and not (old_lower <= value <= old_upper)
            and not (lower <= old <= upper)
        )
        judged_now = _judgement(row.get(compared), indicator.polarity)
        judged_before = _judgement(row.get(f"{compared}_before"), indicator.polarity)
        switched = bool(judged_now and judged_before and judged_now != judged_before)
        if not (moved or switched):
            continue
        name = row["area_name"] or config.area.name
        sentence = change_sentence(
            indicator,
            name,
            (current, before_figures),
            (row["period"], row["period_before"]),
            moved=moved,
        )
        if switched:
            sentence += (
                f" It was {PHRASES[judged_before]} {england.name} and is now {judged_now}"
                + ("." if judged_now != "similar" else " to it.")
            )
        found.append(
            Finding(
                id=f"change/{indicator.id}/{row['area_code']}",
                kind="change",
                indicator_id=indicator.id,
                area_code=row["area_code"],
                sentence=sentence,
                score=BASE_SCORE["change"] + _magnitude(value - old, old),
                period=row["period"],
                area_type=row["area_type"],
                label=name,
                value=value,
                lower_95=lower,
                upper_95=upper,
                benchmark=_optional(row.get(bench)),
                comparison=str(row.get(compared, "") or ""),
                trend=row["trend"],
                other_label="previous edition",
                other_value=old,
                other_lower_95=old_lower,
                other_upper_95=old_upper,
                other_period=row["period_before"],
                intervals_overlap=_overlap(lower, upper, old_lower, old_upper),
            )
        )
    return found


# ---------------------------------------------------------------- edits and order


def _apply_edits(found: list[Finding], config: ProjectConfig) -> FindingsResult:
    """Hide, pin, order and annotate as jsna.yml says; sort; list edits of unknown ids."""
    by_id = {finding.id: finding for finding in found}
    edits = {edit.id: edit for edit in config.findings}
    unknown = tuple(
        f"jsna.yml: findings: no current finding has id {edit_id!r} "
        "(the edit is ignored; 'jsna findings' lists the ids)"
        for edit_id in dict.fromkeys(edit.id for edit in config.findings)
        if edit_id not in by_id
    )
    kept: list[Finding] = []
    hidden: list[str] = []
    for finding in found:
        edit = edits.get(finding.id)
        if edit is None:
            kept.append(finding)
        elif edit.hide:
            hidden.append(finding.id)
        else:
            kept.append(replace(finding, pinned=edit.pin, order=edit.order, note=edit.note))
    kept.sort(key=lambda f: (-f.score, f.id))
    pinned = [f for f in kept if f.pinned]
    pinned.sort(key=lambda f: (f.order is None, f.order if f.order is not None else 0))
    rest = [f for f in kept if not f.pinned]
    return FindingsResult(tuple(pinned + rest), unknown, tuple(sorted(hidden)))


def key_findings(
    results: pd.DataFrame,
    indicators: Mapping[str, Indicator],
    config: ProjectConfig,
    *,
    previous: pd.DataFrame | None = None,
    within: Collection[str] | None = None,
    limit: int | None = None,
) -> FindingsResult:
    """The key findings of the JSNA, in reading order, with the analyst's edits applied.

    ``results`` are published results (columns of
    :func:`jsna.store.results.published_results`: indicator_id, area_code,
    area_name, area_type, period, sex, age, breakdown_type, breakdown,
    value, lower_95, upper_95, ``compared_with_<comparator>``,
    ``<comparator>_value``, trend, suppressed ...); rows of indicators not in
    ``indicators`` are ignored. ``previous`` are the published results of the
    previous edition, in the same shape (for the ``change`` findings).
    ``within`` are the codes of the areas inside (or overlapping) the JSNA
    area, from the store's memberships: small-area gaps use only these
    (default: every area of the results but the JSNA area, the comparators
    and areas of the JSNA area's type).
    ``limit`` keeps at most that many findings, never dropping a pinned one.
    Indicators of method ``count`` (sizes such as a population or a number of
    pharmacies, not rates) give no findings.

    Pure: reads nothing but its arguments; the same inputs give the same
    findings, sentences and order.
    """
    indicators = {key: ind for key, ind in indicators.items() if ind.method != "count"}
    frame = _prepare(results, indicators)
    headline = _headline(frame)
    area_latest = _latest(headline.loc[headline["area_code"] == config.area.code], ["indicator_id"])
    found = _area_findings(area_latest, indicators, config)
    quantiles = headline["area_type"].isin(list(_quantile_area_types(config)))
    found += _small_area_gaps(headline.loc[~quantiles], indicators, config, within)
    grouped = _as_breakdowns(headline, config)
    if not grouped.empty:
        frame = pd.concat([frame, grouped], ignore_index=True)
    found += _deprivation_gaps(frame, indicators, config)
    if previous is not None:
        before = _headline(_prepare(previous, indicators))
        before_latest = _latest(
            before.loc[before["area_code"] == config.area.code], ["indicator_id"]
        )
        found += _changes(area_latest, before_latest, indicators, config)
    outcome = _apply_edits(found, config)
    if limit is not None:
        pinned = [f for f in outcome.findings if f.pinned]
        rest = [f for f in outcome.findings if not f.pinned]
        kept = pinned + rest[: max(limit - len(pinned), 0)]
        outcome = replace(outcome, findings=tuple(kept))
    return outcome
