"""Expected prevalence and unmet need: expected cases, service gaps, what-if moves, diagnosis gaps.

Expected cases (:func:`expected_cases`)
    population by single year of age and sex x prevalence rates by age band
    and sex (percent). Every single year falls in at most one band of the
    rates (``16-24``, ``75+``, ``16-64``); ages outside every band add
    nothing. A band whose rate is missing (a survey table's "-") counts as 0
    and is listed in ``bands_without_rate``, so the expected number is then
    a lower estimate.

    Uncertainty: when every rate used has a 95% interval, its standard error
    is (upper - lower) / (2 x 1.96); the population is taken as exact and the
    bands as independent, so Var(E) = sum over bands of (n_band x se_band)^2
    and the interval is E +/- 1.96 sqrt(Var(E)), floored at 0 (normal
    approximation). Populations are summed to the areas shown *before* the
    rates are applied: one rate's error is shared by every area, so summing
    the areas' variances instead would understate it. Without intervals the
    limits are missing (never zero width).

Service gaps (:func:`service_gaps`)
    gap = expected - capacity (people expected beyond the places there are),
    unmet = expected - observed (people expected but not known to services),
    capacity per 100 expected cases, and a rank (1 = largest gap).

What if (:func:`reallocate`)
    moves of capacity between areas; a pure function of the capacity and the
    moves, so the same figures can be drawn for any reallocation.

Diagnosis gap (:func:`diagnosis_gap`)
    expected = list of the age group x reference prevalence; observed = the
    register; diagnosis ratio = observed / expected with 95% limits of a
    Poisson count (exact below 10, Byars from 10 up; the expected count is
    taken as exact, as for an indirectly standardised ratio); gap =
    expected - observed, its limits from the same count limits.

The readers (:func:`read_measure` ...) take rows of one source's current
version from the store.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from jsna.content.blocks.need import DiagnosisGapBlock, UnmetNeedBlock
from jsna.errors import StoreError
from jsna.stats import DisclosureRules, StatsInputError, suppress
from jsna.stats.isr import observed_over_expected
from jsna.store.schema import area, area_membership, dataset_version, observation

__all__ = [
    "TOTAL",
    "GapResult",
    "Move",
    "NeedResult",
    "age_band_of",
    "ages_covered",
    "counts_by",
    "diagnosis_gap",
    "diagnosis_gaps",
    "expected_cases",
    "members_of",
    "read_measure",
    "reallocate",
    "reference_rate",
    "service_gaps",
    "sum_to",
    "suppress_registers",
    "unmet_need",
    "with_capacity",
]

Z95 = 1.959963984540054
_BAND = re.compile(r"^(\d+)\s*(?:-\s*(\d+)|\+)$")
_SINGLE = re.compile(r"^(\d+)(\+?)$")


# --- reading the store ---------------------------------------------------------------------


def read_measure(
    connection: Connection,
    source_id: str,
    measure: str,
    area_type: str | None = None,
    *,
    areas: Collection[str] | None = None,
    age: str | None = None,
) -> pd.DataFrame:
    """Rows of one measure of a source's current version(s) (of one ``age`` if given).

    Columns: ``area_code``, ``area_name``, ``area_type``, ``period``, ``sex``,
    ``age``, ``numerator``, ``denominator``, ``value``, ``lower_95``,
    ``upper_95`` (figures as floats, NaN when missing).
    """
    query = (
        select(
            area.c.code.label("area_code"),
            area.c.name.label("area_name"),
            observation.c.area_type,
            observation.c.period,
            observation.c.sex,
            observation.c.age,
            observation.c.numerator,
            observation.c.denominator,
            observation.c.value,
            observation.c.lower_95,
            observation.c.upper_95,
        )
        .join(area, area.c.id == observation.c.area_id)
        .join(dataset_version, dataset_version.c.id == observation.c.version_id)
        .where(
            dataset_version.c.source_id == source_id,
            dataset_version.c.is_current.is_(True),
            observation.c.indicator_id == measure,
        )
    )
    if area_type is not None:
        query = query.where(observation.c.area_type == area_type)
    if areas is not None:
        query = query.where(area.c.code.in_(sorted(set(areas))))
    if age is not None:
        query = query.where(observation.c.age == age)
    result = connection.execute(query)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for name in ("numerator", "denominator", "value", "lower_95", "upper_95"):
        frame[name] = pd.to_numeric(frame[name]).astype(float)
    return frame


def members_of(connection: Connection, parent_type: str, child_type: str) -> pd.DataFrame:
    """Membership of ``child_type`` areas in ``parent_type`` areas: ``child``, ``parent``,
    ``parent_name`` (a locality's wards)."""
    parent = area.alias("parent")
    child = area.alias("child")
    query = (
        select(
            child.c.code.label("child"),
            parent.c.code.label("parent"),
            parent.c.name.label("parent_name"),
        )
        .select_from(area_membership)
        .join(parent, parent.c.id == area_membership.c.parent_id)
        .join(child, child.c.id == area_membership.c.child_id)
        .where(parent.c.area_type == parent_type, child.c.area_type == child_type)
        .order_by(parent.c.code, child.c.code)
    )
    result = connection.execute(query)
    return pd.DataFrame(result.fetchall(), columns=["child", "parent", "parent_name"])


# --- expected cases ------------------------------------------------------------------------


def _band_bounds(band: str) -> tuple[int, float]:
    match = _BAND.match(band.strip())
    if match is None:
        raise StatsInputError(
            f"rates: age band {band!r} is not 'low-high' or 'low+' (e.g. '16-24', '75+')"
        )
    low = int(match.group(1))
    high = float(match.group(2)) if match.group(2) else np.inf
    if high < low:
        raise StatsInputError(f"rates: age band {band!r} ends before it starts")
    return low, high


def age_band_of(ages: Iterable[str], bands: Iterable[str]) -> dict[str, str]:
    """Single year of age (``"45"``, open ``"90+"``) -> the band holding it; others absent.

    Bands must not overlap (``16-24`` and ``16-64`` together is an error).
    Labels that are not single years (``all ages``, ``16-64``) are skipped.
    An open top year (``90+``) belongs only to an open band (``75+``) that
    starts at or below it: a closed band never holds it.
    """
    bounds = {band: _band_bounds(band) for band in dict.fromkeys(bands)}
    ordered = sorted(bounds.items(), key=lambda item: item[1])
    for (first, (_, high)), (second, (low, _)) in itertools.pairwise(ordered):
        if low <= high:
            raise StatsInputError(f"rates: age bands {first!r} and {second!r} overlap")
    out: dict[str, str] = {}
    for age in dict.fromkeys(ages):
        match = _SINGLE.match(str(age))
        if match is None:
            continue
        year, open_ended = int(match.group(1)), bool(match.group(2))
        for band, (low, high) in ordered:
            if low <= year <= high and (not open_ended or high == np.inf):
                out[str(age)] = band
                break
    return out


def _rates(rates: pd.DataFrame, by_sex: bool) -> pd.DataFrame:
    """Band rates (percent) of the sexes used, without the all-ages summary rows."""
    frame = rates[rates["age"].astype(str).map(lambda a: _BAND.match(a.strip()) is not None)]
    sexes = ["female", "male"] if by_sex else ["persons"]
    frame = frame[frame["sex"].isin(sexes)]
    if frame.empty:
        raise StatsInputError(
            f"rates: no rates by age band for {' and '.join(sexes)} (by_sex is {by_sex})"
        )
    duplicated = frame.duplicated(["sex", "age"])
    if duplicated.any():
        row = frame[duplicated].iloc[0]
        raise StatsInputError(f"rates: two rates for {row['sex']} aged {row['age']}")
    return frame


def expected_cases(
    population: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    by_sex: bool = True,
) -> pd.DataFrame:
    """Expected cases per area: population by single year and sex x rates by band and sex.

    ``population``: ``area_code``, ``sex``, ``age`` (single years), ``count``.
    ``rates``: ``sex``, ``age`` (bands), ``value`` (percent), optional
    ``lower_95``/``upper_95`` (percent). Returns one row per area (in order
    of first appearance): ``area_code``, ``people`` (in the rates' bands),
    ``expected``, ``lower_95``, ``upper_95``, ``per_1000`` (expected per
    1,000 people in the bands), ``bands_without_rate`` (e.g. ``"65-74, 75+"``).
    """
    used = _rates(rates, by_sex)
    band_of = age_band_of(population["age"].astype(str), used["age"].astype(str))
    pop = population.copy()
    pop["band"] = pop["age"].astype(str).map(band_of)
    sexes = set(used["sex"])
    pop = pop[pop["band"].notna() & pop["sex"].isin(sexes)]
    counts = pd.to_numeric(pop["count"], errors="coerce")
    if (counts < 0).any():
        raise StatsInputError("population: count must be >= 0")
    pop = pop.assign(count=counts.fillna(0.0))
    order = pd.Index(population["area_code"].drop_duplicates())
    grouped = pop.groupby(["area_code", "sex", "band"], sort=False)["count"].sum().reset_index()
    table = used.rename(columns={"age": "band"}).copy()
    for name in ("value", "lower_95", "upper_95"):
        table[name] = pd.to_numeric(table.get(name), errors="coerce").astype(float)
    merged = grouped.merge(table[["sex", "band", "value", "lower_95", "upper_95"]], how="left")
    rate = merged["value"].fillna(0.0).to_numpy() / 100.0
    se = (merged["upper_95"] - merged["lower_95"]).to_numpy() / (2 * Z95 * 100.0)
    n = merged["count"].to_numpy(dtype=float)
    merged["expected"] = n * rate
    merged["variance"] = (n * se) ** 2
    sums = merged.groupby("area_code", sort=False)[["count", "expected", "variance"]].sum(
        min_count=1
    )
    sums = sums.reindex(order)
    has_ci = bool(table.loc[table["value"].notna(), ["lower_95", "upper_95"]].notna().all().all())
    missing = _missing_bands(table)
    out = pd.DataFrame({"area_code": order})
    out["people"] = sums["count"].fillna(0.0).to_numpy()
    out["expected"] = sums["expected"].fillna(0.0).to_numpy()
    if has_ci:
        half = Z95 * np.sqrt(sums["variance"].fillna(0.0).to_numpy())
        out["lower_95"] = np.maximum(out["expected"] - half, 0.0)
        out["upper_95"] = out["expected"] + half
    else:
        out["lower_95"] = np.nan
        out["upper_95"] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        out["per_1000"] = np.where(
            out["people"] > 0, out["expected"] / out["people"] * 1000, np.nan
        )
    out["bands_without_rate"] = missing
    return out


def ages_covered(bands: Iterable[str]) -> str:
    """The ages the bands span in words: ``16 and over``, ``16 to 64``."""
    bounds = [_band_bounds(b) for b in bands]
    if not bounds:
        return "of any age"
    low = min(b[0] for b in bounds)
    high = max(b[1] for b in bounds)
    return f"{low} and over" if high == np.inf else f"{low} to {int(high)}"


def _missing_bands(table: pd.DataFrame) -> str:
    """``"males 16-24, 75+; females 75+"`` (bands without a rate, by sex), or ``""``."""
    words = {"female": "females", "male": "males", "persons": "people"}
    parts = []
    for sex in ("male", "female", "persons"):
        bands = table.loc[(table["sex"] == sex) & table["value"].isna(), "band"]
        if len(bands):
            ordered = sorted(set(bands), key=lambda b: _band_bounds(b)[0])
            parts.append(f"{words[sex]} {', '.join(ordered)}")
    return "; ".join(parts)


def sum_to(population: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Population rows summed from member areas to their parents (``members``: child, parent,
    parent_name); the result's ``area_code`` is the parent's."""
    joined = population.merge(members, left_on="area_code", right_on="child", how="inner")
    summed = joined.groupby(["parent", "parent_name", "sex", "age"], sort=False)["count"].sum()
    out = summed.reset_index().rename(columns={"parent": "area_code", "parent_name": "area_name"})
    return out


# --- services, gaps and reallocation -------------------------------------------------------


def service_gaps(
    expected: pd.DataFrame,
    capacity: pd.Series | None = None,
    observed: pd.Series | None = None,
) -> pd.DataFrame:
    """``expected`` (from :func:`expected_cases`) with capacity, observed, gap, unmet and rank.

    ``capacity`` and ``observed`` are Series by area code (absent areas: NaN).
    ``gap`` = expected - capacity; ``unmet`` = expected - observed;
    ``capacity_per_100`` = capacity per 100 expected cases; ``rank`` = 1 for
    the largest gap (else the most expected cases), ties sharing the lower rank.
    """
    out = expected.copy()
    codes = out["area_code"]
    out["capacity"] = (
        codes.map(capacity).astype(float).to_numpy() if capacity is not None else np.nan
    )
    out["observed"] = (
        codes.map(observed).astype(float).to_numpy() if observed is not None else np.nan
    )
    out["gap"] = out["expected"] - out["capacity"]
    out["unmet"] = out["expected"] - out["observed"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["capacity_per_100"] = np.where(
            out["expected"] > 0, out["capacity"] / out["expected"] * 100, np.nan
        )
    key = out["gap"] if out["gap"].notna().any() else out["expected"]
    out["rank"] = key.rank(ascending=False, method="min").astype("Int64")
    return out


@dataclass(frozen=True)
class Move:
    """Move ``amount`` of capacity from one area to another."""

    source: str
    target: str
    amount: float


def reallocate(capacity: pd.Series, moves: Sequence[Move]) -> pd.Series:
    """Capacity by area after ``moves``, applied in order (a pure function).

    Rules (each broken rule raises :class:`StatsInputError` naming the move):
    areas must be in ``capacity``, differ, and the amount must be a finite
    number > 0 no larger than what the giving area holds at that point.
    """
    after = capacity.astype(float).copy()
    for number, move in enumerate(moves, start=1):
        where = f"move {number}"
        for name in (move.source, move.target):
            if name not in after.index:
                known = ", ".join(map(str, after.index))
                raise StatsInputError(f"{where}: unknown area {name!r} (known: {known})")
        if move.source == move.target:
            raise StatsInputError(f"{where}: from and to are the same area ({move.source})")
        amount = float(move.amount)
        if not np.isfinite(amount) or amount <= 0:
            raise StatsInputError(f"{where}: amount must be a number above 0 (got {move.amount})")
        held = float(after[move.source])
        if amount > held:
            raise StatsInputError(f"{where}: {move.source} has {held:g} to give, not {amount:g}")
        after[move.source] = held - amount
        after[move.target] = float(after[move.target]) + amount
    return after


# --- diagnosis gap -------------------------------------------------------------------------


def reference_rate(
    register: pd.DataFrame, population: pd.DataFrame, *, areas: Collection[str] | None = None
) -> tuple[float, float, float]:
    """(rate, register sum, list sum) over the areas present in both frames (or ``areas``).

    ``register``: ``area_code``, ``numerator``; ``population``: ``area_code``,
    ``count``. Areas missing from either frame are left out of both sums.
    """
    reg = register.groupby("area_code")["numerator"].sum(min_count=1).dropna()
    pop = population.groupby("area_code")["count"].sum(min_count=1).dropna()
    common = reg.index.intersection(pop.index)
    if areas is not None:
        common = common.intersection(pd.Index(sorted(set(areas))))
    events, people = float(reg[common].sum()), float(pop[common].sum())
    if people <= 0:
        raise StatsInputError("reference: no list to compute a reference rate from")
    return events / people, events, people


def diagnosis_gap(observed: pd.Series, population: pd.Series, rate: float) -> pd.DataFrame:
    """Observed register against expected cases per area (index: area code).

    ``observed``: register counts; ``population``: list size of the age group
    the ``rate`` (a proportion, 0 to 1) applies to. Returns ``area_code``,
    ``observed``, ``population``, ``expected``, ``ratio`` (observed /
    expected), ``ratio_lower_95``, ``ratio_upper_95``, ``gap`` (expected -
    observed), ``gap_lower_95``, ``gap_upper_95``, ``method``. Areas with no
    list get NaN expected and ratio.
    """
    if not np.isfinite(rate) or rate < 0 or rate > 1:
        raise StatsInputError(f"rate must be a proportion from 0 to 1 (got {rate})")
    codes = population.index.union(observed.index)
    obs = observed.reindex(codes).astype(float)
    pop = population.reindex(codes).astype(float)
    if (obs < 0).any() or (pop < 0).any():
        raise StatsInputError("observed and population must be >= 0")
    expected = (pop * rate).to_numpy()
    counts = obs.fillna(0.0).to_numpy()
    ratio, lower, upper = observed_over_expected(counts, expected, 1.0, 0.95)
    present = obs.notna().to_numpy()
    out = pd.DataFrame({"area_code": codes})
    out["observed"] = obs.to_numpy()
    out["population"] = pop.to_numpy()
    out["expected"] = expected
    out["ratio"] = np.where(present, ratio, np.nan)
    out["ratio_lower_95"] = np.where(present, lower, np.nan)
    out["ratio_upper_95"] = np.where(present, upper, np.nan)
    out["gap"] = out["expected"] - out["observed"]
    out["gap_lower_95"] = out["expected"] - out["ratio_upper_95"] * out["expected"]
    out["gap_upper_95"] = out["expected"] - out["ratio_lower_95"] * out["expected"]
    out["method"] = np.where(counts < 10, "Exact", "Byars")
    return out


_HIDDEN = (
    "observed",
    "ratio",
    "ratio_lower_95",
    "ratio_upper_95",
    "gap",
    "gap_lower_95",
    "gap_upper_95",
)


def suppress_registers(
    gaps: pd.DataFrame, rules: DisclosureRules, *, total_code: str | None = None
) -> pd.DataFrame:
    """Disclosure control of :func:`diagnosis_gap` rows: small registers (and small lists)
    hidden, with everything a register could be worked back from.

    With ``total_code`` (a row summing all others), a single hidden practice is
    protected by hiding another (secondary suppression). Adds ``suppressed``
    and ``suppression_reason``.
    """
    frame = gaps.reset_index(drop=True)
    blank_rules = DisclosureRules(
        max_suppressed_count=rules.max_suppressed_count,
        suppress_zero=rules.suppress_zero,
        min_denominator=rules.min_denominator,
        columns_to_blank=_HIDDEN[1:],
    )
    relations = None
    if total_code is not None and (frame["area_code"] == total_code).any():
        total = int(np.flatnonzero(frame["area_code"].to_numpy() == total_code)[0])
        members = [i for i in frame.index if i != total and pd.notna(frame.at[i, "observed"])]
        relations = pd.DataFrame({"total": total, "member": members, "relation": "practices"})
    out = suppress(
        frame,
        "observed",
        denominator="population",
        relations=relations,
        rules=blank_rules,
        label="area_code",
        check_totals=False,
    )
    return out


# --- from a block to its frames ------------------------------------------------------------


@dataclass(frozen=True)
class NeedResult:
    """What an ``unmet_need`` block shows: one row per area, and how it was made."""

    frame: pd.DataFrame
    """:func:`service_gaps` columns plus ``area_name``."""
    area_type: str
    period: str
    """Period of the population (``2024``)."""
    rates_cover: str
    """The ages the rates' bands span, e.g. ``16 and over``."""
    has_interval: bool


def unmet_need(
    connection: Connection,
    block: UnmetNeedBlock,
    *,
    capacity: pd.Series | None = None,
    read: Callable[..., pd.DataFrame] = read_measure,
) -> NeedResult:
    """Expected cases, services and gaps of an ``unmet_need`` block, by its areas.

    ``capacity`` overrides the block's capacity (a what-if reallocation);
    ``read`` reads a source's measure (:func:`read_measure`, or a cached one).
    """
    pop_ref = block.population
    population = read(connection, pop_ref.source, pop_ref.measure, pop_ref.area_type)
    if population.empty:
        raise StoreError(
            f"no {pop_ref.measure} rows of source {pop_ref.source} at {pop_ref.area_type}: "
            "run jsna ingest"
        )
    period = str(population["period"].max())
    population = population[population["period"] == period]
    counts = population["numerator"].fillna(population["value"])
    frame = population.assign(count=counts)[["area_code", "area_name", "sex", "age", "count"]]
    kind = block.area_type or pop_ref.area_type
    if kind != pop_ref.area_type:
        members = members_of(connection, kind, pop_ref.area_type)
        if members.empty:
            raise StoreError(f"no {pop_ref.area_type} areas are members of any {kind} area")
        frame = sum_to(frame, members)
    names = frame.drop_duplicates("area_code").set_index("area_code")["area_name"]
    rates = read(connection, block.rates.source, block.rates.measure)
    if rates.empty:
        raise StoreError(
            f"no {block.rates.measure} rows of source {block.rates.source}: run jsna ingest"
        )
    expected = expected_cases(frame, rates, by_sex=block.rates.by_sex)
    services = {}
    for name, ref in (("capacity", block.capacity), ("observed", block.observed)):
        if ref is not None:
            rows = read(connection, ref.source, ref.measure, kind)
            services[name] = pd.Series(counts_by(rows), dtype=float)
    if capacity is not None:
        services["capacity"] = capacity.astype(float)
    gaps = service_gaps(expected, services.get("capacity"), services.get("observed"))
    gaps.insert(1, "area_name", gaps["area_code"].map(names).fillna(gaps["area_code"]))
    cover = ages_covered(a for a in rates["age"].astype(str) if _BAND.match(a.strip()))
    return NeedResult(
        frame=gaps,
        area_type=kind,
        period=period,
        rates_cover=cover,
        has_interval=bool(gaps["lower_95"].notna().any()),
    )


def with_capacity(result: NeedResult, capacity: pd.Series) -> NeedResult:
    """``result`` with its capacity replaced (a what-if reallocation): gaps and ranks again."""
    keep = ["area_code", "people", "expected", "lower_95", "upper_95", "per_1000"]
    keep.append("bands_without_rate")
    frame = result.frame
    observed = frame.set_index("area_code")["observed"]
    gaps = service_gaps(frame[keep], capacity, observed if observed.notna().any() else None)
    gaps.insert(1, "area_name", frame["area_name"].to_numpy())
    return replace(result, frame=gaps)


@dataclass(frozen=True)
class GapResult:
    """What a ``diagnosis_gap`` block shows: one row per practice (and a total row)."""

    frame: pd.DataFrame
    """:func:`diagnosis_gap` columns, ``area_name``, ``suppressed``, ``suppression_reason``;
    the last row is the total (``area_code`` ``TOTAL``)."""
    rate: float
    """Reference prevalence (proportion)."""
    reference: str
    """Where it comes from, in words."""
    period: str


TOTAL = "TOTAL"
"""``area_code`` of the total row of :class:`GapResult`."""


def diagnosis_gaps(
    connection: Connection,
    block: DiagnosisGapBlock,
    areas: Collection[str],
    rules: DisclosureRules,
    *,
    total_name: str = "All practices shown",
    read: Callable[..., pd.DataFrame] = read_measure,
) -> GapResult:
    """Register against expected cases for the practices ``areas`` (e.g. the JSNA's own)."""
    kind = block.area_type
    register = read(connection, block.diagnosed.source, block.diagnosed.measure, kind)
    lists = read(connection, block.population.source, block.population.measure, kind, age=block.age)
    if register.empty or lists.empty:
        missing = block.diagnosed if register.empty else block.population
        raise StoreError(
            f"no {missing.measure} rows of source {missing.source}"
            + ("" if register.empty else f" for age {block.age}")
            + ": run jsna ingest"
        )
    period = str(register["period"].max())
    register = register[register["period"] == period]
    lists = lists.assign(count=lists["numerator"].fillna(lists["value"]))
    ref = block.reference
    if ref is None:
        rate, events, people = reference_rate(register, lists)
        ages = "of all ages" if block.age == "all ages" else "aged " + block.age
        reference = (
            f"England ({events:,.0f} on the registers of all practices, of {people:,.0f} "
            f"patients {ages})"
        )
    else:
        rows = read(connection, ref.source, ref.measure)
        if ref.area is not None:
            rows = rows[rows["area_code"] == ref.area]
        if ref.age is not None:
            rows = rows[rows["age"] == ref.age]
        if rows.empty:
            raise StoreError(f"no reference rows of {ref.measure} ({ref.source}, {ref.area})")
        events, people = float(rows["numerator"].sum()), float(rows["denominator"].sum())
        if people <= 0:
            raise StoreError(f"reference {ref.measure} ({ref.source}) has no denominator")
        rate = events / people
        reference = f"{rows['area_name'].iloc[0]} ({ref.source})"
    local = sorted(set(areas))
    mine = register[register["area_code"].isin(local)]
    pops = lists[lists["area_code"].isin(local)]
    observed = mine.groupby("area_code")["numerator"].sum(min_count=1)
    population = pops.groupby("area_code")["count"].sum(min_count=1)
    observed = observed.reindex(population.index.union(observed.index))
    gaps = diagnosis_gap(observed, population, rate)
    names = pd.concat([register, lists]).drop_duplicates("area_code")
    names = names.set_index("area_code")["area_name"]
    gaps.insert(1, "area_name", gaps["area_code"].map(names).fillna(gaps["area_code"]))
    total = diagnosis_gap(
        pd.Series({TOTAL: observed.sum(min_count=1)}),
        pd.Series({TOTAL: population.sum(min_count=1)}),
        rate,
    )
    total.insert(1, "area_name", total_name)
    both = pd.concat([gaps, total], ignore_index=True)
    return GapResult(
        frame=suppress_registers(both, rules, total_code=TOTAL),
        rate=rate,
        reference=reference,
        period=period,
    )


def counts_by(frame: pd.DataFrame, column: str = "numerator") -> Mapping[str, float]:
    """Area code -> summed ``column`` (helper for services read with :func:`read_measure`)."""
    return frame.groupby("area_code")[column].sum(min_count=1).to_dict()
