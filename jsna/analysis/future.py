"""Future need: projected population by age and sex, growth models, and projected cases.

Three analyses, each a plain data frame for :mod:`jsna.figures.future`:

**Population projection of the JSNA area** (:func:`area_projection`)

- *Official*: the counts of a declared projection source (the ONS
  subnational population projections) for the JSNA area, by year, sex and
  age band, as published.
- *Trend* (when the project declares no projection): each sex and age band
  of the past counts of the ``trend_sources`` (censuses, mid-year estimates)
  is projected by its own straight line (least squares on the year,
  :mod:`jsna.stats.regression`), with a 95% prediction interval; negative
  projections are set to 0. Where two sources give the same year, sex and
  band the first source listed wins. A straight line carries past growth
  on unchanged: it knows nothing of births, deaths, migration or new homes.

**Small areas** (:func:`small_area_projection`), the *ratio method*: each
small area (ward) keeps, in every later year, its base-year share of the
JSNA area's population in each sex and age band::

    P(ward, sex, band, year) = P(JSNA, sex, band, year)
                               x P0(ward, sex, band) / sum over wards P0(ward, sex, band)

so the wards add up to the area projection. Shares are constant: new
housing, regeneration or a care home opening are not seen. Areas made of
wards (localities) are sums of their wards (weights of the store's
memberships).

**Growth models** (:func:`growth_models`): a straight line through each
area's published counts over time (GP list sizes, populations), with the
slope's 95% confidence interval, R², and the line at the target year with a
95% prediction interval (floored at 0). A fit is flagged as *poor* when it has fewer than
``min_points`` periods or an R² below ``min_r_squared`` (the rule is named in
the warning).

**Projected cases** (:func:`projected_cases`): projected population of each
sex and age band x the age-specific prevalence rate of that band (per
``rate_per``) from a declared rates source. Bands without a rate are left out
and named. When the rates carry 95% limits, the cases and the change get
limits too (the population is taken as exact).

Age groups: single years (``37``), groups (``65-69``), open tops (``90+``)
are read; aggregates that contain other groups of the same source
(``all ages``, ``65+`` beside single years) are dropped, so nobody is counted
twice. A group that straddles a band boundary is an error naming both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, select
from sqlalchemy.orm import aliased

from jsna.content.blocks.future import band_limits
from jsna.errors import ContentError
from jsna.stats.regression import decimal_years, linear_fits, predict_linear
from jsna.store.areas import areas_within
from jsna.store.schema import area, area_membership, dataset_version, observation

__all__ = [
    "GROWTH_COLUMNS",
    "AreaProjection",
    "age_limits",
    "area_projection",
    "growth_models",
    "into_bands",
    "projected_cases",
    "read_counts",
    "small_area_projection",
    "trend_projection",
]

_OPEN = 200
_AGE = re.compile(r"^\s*(\d{1,3})\s*(?:(-)\s*(\d{1,3})|(\+))?\s*$")
_SEXES = ("female", "male")


def age_limits(labels: pd.Series) -> pd.DataFrame:
    """``low`` and ``high`` age of each label (``37``, ``65-69``, ``90+``); NaN for others
    (``all ages``)."""
    parts = labels.astype(str).str.extract(_AGE)
    low = pd.to_numeric(parts[0], errors="coerce")
    high = pd.to_numeric(parts[2], errors="coerce")
    high = high.where(parts[1].notna(), np.where(parts[3].notna(), _OPEN, low))
    return pd.DataFrame({"low": low, "high": high.astype(float)}, index=labels.index)


def _finest(ages: pd.Series) -> pd.Series:
    """Whether each age label is one of the source's finest groups (contains no other group)."""
    limits = age_limits(pd.Series(ages.unique()))
    limits["label"] = ages.unique()
    limits = limits.dropna(subset=["low"])
    low = limits["low"].to_numpy()
    high = limits["high"].to_numpy()
    inside = (low[None, :] >= low[:, None]) & (high[None, :] <= high[:, None])
    contains_other = inside.sum(axis=1) > 1
    finest = set(limits.loc[~contains_other, "label"])
    return ages.isin(finest)


def into_bands(frame: pd.DataFrame, bands: Sequence[str], what: str) -> pd.DataFrame:
    """``frame`` (``age``, ``count`` and key columns) summed into ``bands`` over its finest
    age groups; column ``band`` replaces ``age``. ``what`` names the data in errors."""
    if frame.empty:
        return frame.drop(columns="age").assign(band=pd.Series(dtype=object))
    rows = frame[_finest(frame["age"])]
    limits = age_limits(rows["age"])
    edges = [band_limits(b) for b in bands]
    lows = np.array([e[0] for e in edges])
    highs = np.array([e[1] for e in edges])
    position = np.searchsorted(lows, limits["low"].to_numpy(), side="right") - 1
    fits = (position >= 0) & (limits["high"].to_numpy() <= highs[np.clip(position, 0, None)])
    # ages wholly outside the bands (under the first, over a closed last) are left out
    outside = (limits["high"].to_numpy() < lows[0]) | (limits["low"].to_numpy() > highs[-1])
    bad = ~fits & ~outside
    if bad.any():
        label = str(rows["age"].to_numpy()[bad][0])
        band = bands[int(np.clip(position[bad][0], 0, len(bands) - 1))]
        raise ContentError(
            [
                f"{what}: age group {label!r} does not fit in age band {band!r}: "
                "choose bands made of whole age groups of the data"
            ]
        )
    rows = rows[fits].assign(band=np.asarray(bands, dtype=object)[position[fits]])
    keys = [c for c in rows.columns if c not in ("age", "count", "band")]
    out = rows.groupby([*keys, "band"], sort=False, dropna=False)["count"].sum().reset_index()
    order = {b: i for i, b in enumerate(bands)}
    return (
        out.assign(_o=out["band"].map(order))
        .sort_values([*keys, "_o"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def read_counts(
    connection: Connection,
    source_id: str,
    *,
    area_codes: Sequence[str] | None = None,
    area_type: str | None = None,
) -> pd.DataFrame:
    """Counts of a source's current version: ``area_code``, ``area_name``, ``area_type``,
    ``year`` (period start), ``sex``, ``age``, ``count`` (numerator, else value)."""
    query = (
        select(
            area.c.code.label("area_code"),
            area.c.name.label("area_name"),
            observation.c.area_type,
            observation.c.period_start.label("year"),
            observation.c.sex,
            observation.c.age,
            observation.c.numerator,
            observation.c.value,
        )
        .join(area, area.c.id == observation.c.area_id)
        .join(dataset_version, dataset_version.c.id == observation.c.version_id)
        .where(dataset_version.c.source_id == source_id, dataset_version.c.is_current.is_(True))
        .where(observation.c.breakdown_type == "")
    )
    if area_type is not None:
        query = query.where(observation.c.area_type == area_type)
    if area_codes is not None:
        query = query.where(area.c.code.in_(list(area_codes)))
    result = connection.execute(query)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    numerator = pd.to_numeric(frame["numerator"], errors="coerce")
    frame["count"] = numerator.fillna(pd.to_numeric(frame["value"], errors="coerce"))
    frame["year"] = frame["year"].astype(int)
    return frame.drop(columns=["numerator", "value"]).dropna(subset=["count"])


def _by_sex(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows for women and men where the data split ages by sex, else rows for persons."""
    split = frame[frame["sex"].isin(_SEXES)]
    if age_limits(split["age"])["low"].notna().any():
        return split
    return frame[frame["sex"] == "persons"]


@dataclass(frozen=True)
class AreaProjection:
    """The projected population of the JSNA area by year, sex and age band."""

    area_code: str
    area_name: str
    method: str
    """``official`` or ``trend``."""
    bands: tuple[str, ...]
    frame: pd.DataFrame
    """``year``, ``sex``, ``band``, ``population``, ``lower_95``, ``upper_95`` (trend only)."""
    observed: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Trend method: the past counts fitted (``year``, ``sex``, ``band``, ``population``)."""
    fits: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Trend method: one row per sex and band (``n``, ``slope``, ``r_squared`` ...)."""
    sources: tuple[str, ...] = ()

    def totals(self, year: int, bands: Sequence[str] | None = None) -> float:
        """People in ``bands`` (default: all) in ``year``, both sexes."""
        rows = self.frame[self.frame["year"] == year]
        if bands is not None:
            rows = rows[rows["band"].isin(list(bands))]
        return float(rows["population"].sum())

    def by_band(self, years: Sequence[int]) -> pd.DataFrame:
        """Both sexes: ``year``, ``band``, ``population``, limits (summed)."""
        rows = self.frame[self.frame["year"].isin(list(years))]
        out = rows.groupby(["year", "band"], sort=False)[
            ["population", "lower_95", "upper_95"]
        ].sum(min_count=1)
        return out.reset_index()


def area_projection(
    connection: Connection,
    *,
    area_code: str,
    area_name: str,
    bands: Sequence[str],
    projection: str | None,
    trend_sources: Sequence[str] = (),
    trend_from: int | None = None,
    until: int = 2035,
) -> AreaProjection:
    """The JSNA area's population by year, sex and band: the official projection if given
    (all its years), else :func:`trend_projection` from the first past year to ``until``."""
    if projection is None:
        return trend_projection(
            connection,
            area_code=area_code,
            area_name=area_name,
            bands=bands,
            sources=trend_sources,
            trend_from=trend_from,
            until=until,
        )
    counts = read_counts(connection, projection, area_codes=[area_code])
    if counts.empty:
        raise ContentError([f"{projection}: no projected counts for {area_name} ({area_code})"])
    counts = _by_sex(counts)[["year", "sex", "age", "count"]]
    banded = into_bands(counts, bands, f"source {projection}")
    frame = banded.rename(columns={"count": "population"}).assign(lower_95=np.nan, upper_95=np.nan)
    return AreaProjection(area_code, area_name, "official", tuple(bands), frame)


def trend_projection(
    connection: Connection,
    *,
    area_code: str,
    area_name: str,
    bands: Sequence[str],
    sources: Sequence[str],
    trend_from: int | None,
    until: int,
) -> AreaProjection:
    """Straight-line projection of each sex and band of past counts (see the module docstring)."""
    parts = []
    for rank, source_id in enumerate(sources):
        counts = read_counts(connection, source_id, area_codes=[area_code])
        if counts.empty:
            continue
        counts = _by_sex(counts)[["year", "sex", "age", "count"]]
        parts.append(into_bands(counts, bands, f"source {source_id}").assign(_rank=rank))
    if not parts:
        raise ContentError(
            [f"trend_sources {', '.join(sources)}: no past counts for {area_name} ({area_code})"]
        )
    past = pd.concat(parts, ignore_index=True)
    # one sex split for all sources: persons when any source lacks ages by sex
    if (past["sex"] == "persons").any() and past["sex"].isin(_SEXES).any():
        split = past[past["sex"].isin(_SEXES)]
        persons = split.groupby(["year", "band", "_rank"], sort=False)["count"].sum().reset_index()
        past = pd.concat(
            [past[past["sex"] == "persons"], persons.assign(sex="persons")], ignore_index=True
        )
    past = past.sort_values("_rank").drop_duplicates(["year", "sex", "band"]).drop(columns="_rank")
    if trend_from is not None:
        past = past[past["year"] >= trend_from]
    past = past.rename(columns={"count": "population"})
    past["x"] = past["year"] + 0.5
    fits = linear_fits(past, "x", "population", by=["sex", "band"])
    years = range(int(past["year"].min()), until + 1)
    grid = pd.MultiIndex.from_product(
        [fits.index.get_level_values(0).unique(), list(bands), list(years)],
        names=["sex", "band", "year"],
    ).to_frame(index=False)
    grid = grid.merge(fits.reset_index(), on=["sex", "band"], how="inner")
    line = predict_linear(grid, grid["year"].to_numpy(dtype=np.float64) + 0.5)
    frame = grid[["year", "sex", "band"]].assign(
        population=line["value"].clip(lower=0).to_numpy(),
        lower_95=line["lower_95"].clip(lower=0).to_numpy(),
        upper_95=line["upper_95"].clip(lower=0).to_numpy(),
    )
    order = {b: i for i, b in enumerate(bands)}
    frame = (
        frame.assign(_o=frame["band"].map(order))
        .sort_values(["year", "sex", "_o"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    return AreaProjection(
        area_code,
        area_name,
        "trend",
        tuple(bands),
        frame,
        observed=past.drop(columns="x").reset_index(drop=True),
        fits=fits.reset_index(),
        sources=tuple(sources),
    )


def _membership(connection: Connection, child_type: str, parent_type: str) -> pd.DataFrame:
    """``child``, ``parent``, ``parent_name``, ``weight`` of every membership between two types."""
    child, parent = aliased(area), aliased(area)
    query = (
        select(
            child.c.code.label("child"),
            parent.c.code.label("parent"),
            parent.c.name.label("parent_name"),
            area_membership.c.weight,
        )
        .select_from(area_membership)
        .join(
            child, and_(child.c.id == area_membership.c.child_id, child.c.area_type == child_type)
        )
        .join(
            parent,
            and_(parent.c.id == area_membership.c.parent_id, parent.c.area_type == parent_type),
        )
    )
    result = connection.execute(query)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def small_area_projection(
    connection: Connection,
    projected: AreaProjection,
    *,
    base: str,
    area_type: str,
    jsna_area_type: str,
) -> tuple[pd.DataFrame, int]:
    """Ratio-method projection of small areas (see the module docstring), and the base year.

    Columns: ``area_code``, ``area_name``, ``year``, ``sex``, ``band``, ``base`` (base-year
    count), ``share``, ``population``.
    """
    within = areas_within(connection, projected.area_code, jsna_area_type)
    counts = read_counts(connection, base)
    counts = counts[counts["area_code"].isin(within)]
    if counts.empty:
        raise ContentError([f"base {base}: no small-area counts inside {projected.area_name}"])
    base_type = str(counts["area_type"].iloc[0])
    base_year = int(counts["year"].max())
    counts = counts[counts["year"] == base_year]
    sexes = set(projected.frame["sex"])
    if sexes == {"persons"}:
        counts = counts[counts["sex"] == "persons"]
        if counts.empty:
            raise ContentError([f"base {base}: no counts for persons"])
    else:
        counts = counts[counts["sex"].isin(_SEXES)]
    banded = into_bands(
        counts[["area_code", "area_name", "sex", "age", "count"]],
        projected.bands,
        f"source {base}",
    ).rename(columns={"count": "base"})
    # shares among all the base areas of the JSNA area, then summed into bigger areas
    totals = banded.groupby(["sex", "band"])["base"].transform("sum")
    banded["share"] = np.where(totals > 0, banded["base"] / totals, 0.0)
    if area_type != base_type:
        links = _membership(connection, base_type, area_type)
        if links.empty:
            raise ContentError(
                [f"area_type {area_type}: no areas of that type are made of {base_type} areas"]
            )
        banded = banded.merge(links, left_on="area_code", right_on="child", how="inner")
        weight = banded["weight"].astype(float)
        banded["base"] = banded["base"] * weight
        banded["share"] = banded["share"] * weight
        banded = (
            banded.groupby(["parent", "parent_name", "sex", "band"], sort=False)[["base", "share"]]
            .sum()
            .reset_index()
            .rename(columns={"parent": "area_code", "parent_name": "area_name"})
        )
    out = banded.merge(
        projected.frame[["year", "sex", "band", "population"]], on=["sex", "band"], how="inner"
    )
    out["population"] = out["share"] * out["population"]
    return (
        out[["area_code", "area_name", "year", "sex", "band", "base", "share", "population"]],
        base_year,
    )


GROWTH_COLUMNS = (
    "area_code",
    "area_name",
    "n",
    "first_period",
    "last_period",
    "first_value",
    "last_value",
    "slope",
    "slope_lower_95",
    "slope_upper_95",
    "r_squared",
    "projected",
    "lower_95",
    "upper_95",
    "warning",
    "xbar",
    "ybar",
    "sxx",
    "sse",
)
"""Columns of :func:`growth_models` (the last four let :func:`predict_linear` draw the line)."""


def growth_models(
    rows: pd.DataFrame,
    *,
    target_year: int,
    from_year: int | None = None,
    min_points: int = 4,
    min_r_squared: float = 0.7,
) -> pd.DataFrame:
    """One straight-line fit per area of published counts (``area_code``, ``area_name``,
    ``period``, ``period_start``, ``value``); see the module docstring.

    Columns: ``area_code``, ``area_name``, ``n``, ``first_period``, ``last_period``,
    ``first_value``, ``last_value``, ``slope``, ``slope_lower_95``, ``slope_upper_95``,
    ``r_squared``, ``projected``, ``lower_95``, ``upper_95``, ``warning`` ("" when the fit is
    fine), ordered by area name.
    """
    data = rows[np.isfinite(pd.to_numeric(rows["value"], errors="coerce"))].copy()
    data["x"] = decimal_years(data["period"], data["period_start"])
    if from_year is not None:
        data = data[data["x"] >= from_year]
    data = data.sort_values(["area_code", "x"])
    if data.empty:
        return pd.DataFrame(columns=list(GROWTH_COLUMNS))
    fits = linear_fits(data, "x", "value", by=["area_code"])
    ends = data.groupby("area_code", sort=False).agg(
        area_name=("area_name", "first"),
        first_period=("period", "first"),
        last_period=("period", "last"),
        first_value=("value", "first"),
        last_value=("value", "last"),
    )
    line = predict_linear(fits, target_year + 0.5)
    out = ends.join(fits).join(line.rename(columns={"value": "projected"}))
    n = out["n"].to_numpy()
    r2 = out["r_squared"].to_numpy(dtype=np.float64)
    warning = np.where(
        n < 2,
        "no fit: a single period",
        np.where(
            n < min_points,
            f"poor fit: fewer than {min_points} periods (",
            np.where(
                np.isfinite(r2) & (r2 < min_r_squared),
                f"poor fit: R² below {min_r_squared:g} (R² ",
                "",
            ),
        ),
    ).astype(object)
    few = (n >= 2) & (n < min_points)
    warning[few] = [f"{w}{int(k)})" for w, k in zip(warning[few], n[few], strict=True)]
    weak = (n >= min_points) & np.isfinite(r2) & (r2 < min_r_squared)
    warning[weak] = [f"{w}{v:.2f})" for w, v in zip(warning[weak], r2[weak], strict=True)]
    out["warning"] = warning
    out.loc[out["n"] < 2, ["slope", "projected"]] = np.nan
    # counts and percentages cannot fall below 0: the line and its interval stop there
    out[["projected", "lower_95", "upper_95"]] = out[["projected", "lower_95", "upper_95"]].clip(
        lower=0
    )
    out = out.reset_index().sort_values("area_name").reset_index(drop=True)
    return out[list(GROWTH_COLUMNS)]


def read_rates(
    connection: Connection, source_id: str, measure: str, *, by_sex: bool
) -> pd.DataFrame:
    """Age-specific rates of one measure of a source: ``sex``, ``age``, ``rate``, ``lower``,
    ``upper`` (limits NaN when the source has none); persons only unless ``by_sex``."""
    query = (
        select(
            observation.c.sex,
            observation.c.age,
            observation.c.value,
            observation.c.lower_95,
            observation.c.upper_95,
        )
        .join(dataset_version, dataset_version.c.id == observation.c.version_id)
        .where(
            dataset_version.c.source_id == source_id,
            dataset_version.c.is_current.is_(True),
            observation.c.indicator_id == measure,
        )
    )
    result = connection.execute(query)
    frame = pd.DataFrame(result.fetchall(), columns=["sex", "age", "rate", "lower", "upper"])
    if frame.empty:
        raise ContentError([f"rates {source_id}: no rates of measure {measure!r}"])
    for name in ("rate", "lower", "upper"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    wanted = list(_SEXES) if by_sex else ["persons"]
    frame = frame[frame["sex"].isin(wanted)]
    if frame.empty:
        raise ContentError(
            [f"rates {source_id}: no rates of measure {measure!r} for {' or '.join(wanted)}"]
        )
    return frame[_finest(frame["age"])].reset_index(drop=True)


def projected_cases(
    projected: AreaProjection, rates: pd.DataFrame, years: Sequence[int], *, rate_per: float
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Cases by year, sex and rate band: population x rate / ``rate_per``.

    ``projected`` must be banded by the rates' age groups (its bands are the
    rates' bands plus any ages outside them). Returns the frame (``year``,
    ``sex``, ``band``, ``population``, ``rate``, ``cases``, ``cases_lower``,
    ``cases_upper``) and the bands left out for want of a rate.
    """
    frame = projected.frame[projected.frame["year"].isin(list(years))]
    people = frame[["year", "sex", "band", "population"]]
    if set(rates["sex"]) == {"persons"}:
        people = people.groupby(["year", "band"], sort=False)["population"].sum().reset_index()
        people["sex"] = "persons"
    table = people.merge(rates.rename(columns={"age": "band"}), on=["sex", "band"], how="inner")
    no_rate = table["rate"].isna()
    missing = tuple(
        dict.fromkeys(
            f"{s} {b}" if s != "persons" else b
            for s, b in zip(table.loc[no_rate, "sex"], table.loc[no_rate, "band"], strict=True)
        )
    )
    table = table[~no_rate].copy()
    table["cases"] = table["population"] * table["rate"] / rate_per
    table["cases_lower"] = table["population"] * table["lower"] / rate_per
    table["cases_upper"] = table["population"] * table["upper"] / rate_per
    return (
        table[
            ["year", "sex", "band", "population", "rate", "cases", "cases_lower", "cases_upper"]
        ].reset_index(drop=True),
        missing,
    )
