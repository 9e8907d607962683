"""``compute_project``: every indicator of a project, from the store's observations to results.

For each indicator (skipped when the hash of its inputs is unchanged):

1. select and sum its observations per area, period and breakdown
   (:mod:`.select`), for the total and every breakdown it publishes;
2. for each of its area types, take the data's own rows or roll the smallest
   units up through the memberships (:mod:`.rollup`), recording the fit;
3. compute the statistic once per indicator with :mod:`jsna.stats`
   (:mod:`.methods`), and each comparator's value from its (summed) counts;
4. compare with every comparator, add trend markers and quintiles (:mod:`.judge`);
   then, for an indicator with ``projection``, add one projected row per
   series (:mod:`.projection`), which feeds none of these;
5. publish through :func:`jsna.store.results.publish_results` (primary and
   secondary suppression across the published hierarchy), in one transaction
   with the inputs hash and an ``audit_log`` row.

Results are sorted before they are written, so the same inputs always give
the same rows.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, select

from jsna.content.indicators import Indicator, Selection
from jsna.content.project import Comparator
from jsna.content.project_files import Project
from jsna.errors import JsnaError, StoreError
from jsna.stats import DisclosureRules, StatsInputError
from jsna.store import migrate
from jsna.store.results import publish_results
from jsna.store.schema import area_type, audit_log, compute_state, result

from .inputs import StoreInputs, current_versions_by_source, geography_fingerprint
from .judge import comparator_values, compare, json_objects, quintiles, trends
from .methods import apply_method
from .projection import project_rows
from .relations import relations
from .rollup import Rolled, roll_up
from .select import CELL, select_rows, total_labels

__all__ = ["COMPUTE_VERSION", "ComputeSummary", "Progress", "compute_project", "inputs_hash"]

COMPUTE_VERSION = "1"
"""Bumped when the computation changes, so every indicator is recomputed once."""

Progress = Callable[[str, int, int], None]
"""Called as ``progress(indicator_id, done, total)`` after each indicator."""

KEYS = ["period", "period_start", "sex", "age", "breakdown_type", "breakdown"]
GROUP = ["area_type", "area_code", *KEYS]
SORT = [
    "area_type",
    "area_code",
    "period_start",
    "period",
    "sex",
    "age",
    "breakdown_type",
    "breakdown",
]
BANDED = ("dsr", "isr", "life_expectancy")
FIT_RANK = {"exact": 0, "best_fit": 1, "apportioned": 2}


@dataclass(frozen=True)
class ComputeSummary:
    """What one ``compute_project`` run did."""

    computed: tuple[str, ...]
    """Indicators whose results were (re)computed and published."""
    skipped: tuple[str, ...]
    """Indicators whose inputs had not changed (results kept)."""
    failed: dict[str, str] = field(default_factory=dict)
    """Indicator id -> why it could not be computed (its old results are kept)."""
    warnings: tuple[str, ...] = ()
    """Cells left out, area types no data reaches, trends that could not be computed."""
    result_rows: int = 0
    """Rows published by this run."""
    seconds: float = 0.0
    """Wall-clock time of the run."""


class _IndicatorError(JsnaError):
    """An indicator cannot be computed (no data, unreachable areas ...)."""


def _source_of(indicator: Indicator, selection: Selection) -> str:
    return selection.source or indicator.source


def inputs_hash(
    project: Project, indicator: Indicator, versions: dict[str, list[int]], geography: str
) -> tuple[str, list[int]]:
    """The SHA-256 of everything an indicator's results depend on, and its input versions."""
    used = sorted({v for source in indicator.sources() for v in versions.get(source, [])})
    config = project.config
    payload = {
        "compute": COMPUTE_VERSION,
        "indicator": indicator.model_dump(mode="json"),
        "comparators": [c.model_dump(mode="json") for c in config.comparators],
        "area_types": list(config.area_types),
        "disclosure": config.disclosure.model_dump(mode="json"),
        "versions": used,
        "geography": geography,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest(), used


def _about_people(indicator: Indicator) -> bool:
    """Whether small counts of the indicator are about people (and so suppressed).

    An indicator says ``suppress_small_counts: false`` for counts of places
    or services (pharmacies, libraries).
    """
    return indicator.suppress_small_counts


def _rules(project: Project, indicator: Indicator) -> DisclosureRules:
    rules = project.config.disclosure
    if not _about_people(indicator):
        return DisclosureRules(max_suppressed_count=0, suppress_zero=False, min_denominator=None)
    return DisclosureRules(
        max_suppressed_count=rules.max_suppressed_count,
        suppress_zero=rules.suppress_zero,
        min_denominator=rules.min_denominator,
    )


def _comparators(project: Project, indicator: Indicator) -> list[Comparator]:
    wanted = indicator.comparators
    return [c for c in project.config.comparators if wanted is None or c.id in wanted]


def _cells(inputs: StoreInputs, indicator: Indicator) -> pd.DataFrame:
    """The indicator's selected and summed cells at the data's own area types."""
    method = indicator.method
    bands = method in BANDED
    roles = (
        ["value"]
        if method in ("value_only", "mean")
        else ["numerator", "denominator"]
        if indicator.denominator is not None
        else ["numerator"]
    )
    first = indicator.selections()[roles[0]]
    labels = total_labels(first)
    keys = [*CELL, "band"] if bands else list(CELL)
    parts = []
    for breakdown in [None, *indicator.breakdowns]:
        joined: pd.DataFrame | None = None
        for role in roles:
            selection = indicator.selections()[role]
            frame = inputs.observations(selection.measure, _source_of(indicator, selection))
            if frame.empty:
                raise _IndicatorError(
                    f"no observations of measure {selection.measure!r} in the current version "
                    f"of source {_source_of(indicator, selection)!r} (run 'jsna ingest' first?)"
                )
            rows = select_rows(
                frame,
                selection,
                role,
                breakdown=breakdown,
                bands=bands,
                passthrough=method == "value_only",
                labels=labels,
            )
            if method == "value_only" and rows.duplicated(keys).any():
                twice = rows[rows.duplicated(keys)].iloc[0]
                raise _IndicatorError(
                    f"value selection keeps several rows for one cell ({twice['area_code']}, "
                    f"{twice['period']}, {twice['sex']}, {twice['age']}, "
                    f"{twice['breakdown']}): narrow it with sex, age or categories"
                )
            joined = rows if joined is None else joined.merge(rows, on=keys, how="inner")
        assert joined is not None
        parts.append(joined)
    cells = pd.concat(parts, ignore_index=True)
    if cells.empty:
        raise _IndicatorError("the selections keep no observations (check sex, age, categories)")
    return cells


def _reference(inputs: StoreInputs, project: Project, indicator: Indicator) -> pd.DataFrame | None:
    """Reference events and population by age band (isr), from England's rows."""
    selection = indicator.reference
    if selection is None:
        return None
    frame = inputs.observations(selection.measure, _source_of(indicator, selection))
    england = set(project.config.comparators[0].codes)
    frame = frame[frame["area_code"].isin(england)]
    events = select_rows(frame, selection, "reference", bands=True)
    people = select_rows(
        frame, selection.model_copy(update={"column": "denominator"}), "reference", bands=True
    )
    on = ["period", "band"]
    merged = events.groupby(on)["reference"].sum().rename("x_ref").to_frame()
    merged["n_ref"] = people.groupby(on)["reference"].sum()
    return merged.reset_index()


@dataclass
class _Built:
    rows: pd.DataFrame
    links: list[pd.DataFrame]
    warnings: list[str]


def _area_ids(inputs: StoreInputs, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the ``area_id`` of each (area_type, area_code); unknown areas dropped."""
    index = inputs.area_index()
    keys = pd.MultiIndex.from_arrays(
        [frame["area_type"].astype(object), frame["area_code"].astype(object)]
    )
    found = index.get_indexer(keys)
    frame = frame.drop(columns=[c for c in ("area_id",) if c in frame.columns])
    frame = frame[found >= 0].copy()
    frame["area_id"] = inputs.areas()["area_id"].to_numpy()[found[found >= 0]]
    return frame.reset_index(drop=True)


def _levels(connection: Connection) -> dict[str, int]:
    return {
        str(code): int(level)
        for code, level in connection.execute(select(area_type.c.code, area_type.c.level))
    }


def _comparator_units(
    inputs: StoreInputs,
    cells: pd.DataFrame,
    comparators: list[Comparator],
    done: set[str],
    counts: list[str],
    keys: list[str],
    levels: dict[str, int],
) -> list[pd.DataFrame]:
    """Comparator areas the data does not hold, summed from the smallest units when it can be.

    England from every LSOA through the lookups, a region from its LAs: only
    areas whose every member with data is present are kept (see :mod:`.rollup`).
    """
    codes = {code for comparator in comparators for code in comparator.codes}
    missing = codes - set(cells["area_code"].unique())
    if not missing:
        return []
    areas = inputs.areas()
    types = sorted(set(areas.loc[areas["area_code"].isin(missing), "area_type"]) - done)
    found = []
    for kind in types:
        rolled = roll_up(cells, kind, inputs.graph(), counts, keys, levels)
        if rolled is not None:
            rows = rolled.rows[rolled.rows["area_code"].isin(missing)]
            found.append(rows.drop(columns=["fit", "area_id"], errors="ignore"))
    return found


def _build(
    inputs: StoreInputs, project: Project, indicator: Indicator, levels: dict[str, int]
) -> _Built:
    """The rows to publish for one indicator (before disclosure control)."""
    warnings: list[str] = []
    cells = _cells(inputs, indicator)
    bands = indicator.method in BANDED
    keys = [*KEYS, "band"] if bands else list(KEYS)
    counts = [c for c in ("numerator", "denominator", "value") if c in cells.columns]
    if indicator.method in ("value_only", "mean"):
        counts = [c for c in cells.columns if c not in (*CELL, "band")]
    present = set(cells["area_type"].unique())
    rolled: dict[str, Rolled] = {}
    for target in indicator.geographies:
        if target in present:
            rolled[target] = Rolled(
                cells[cells["area_type"] == target].assign(fit="exact"), target, None
            )
            continue
        if indicator.method in ("value_only", "mean"):
            warnings.append(
                f"{indicator.id}: no {target} rows in the data, and published values "
                "cannot be summed to other areas"
            )
            continue
        done = roll_up(cells, target, inputs.graph(), counts, keys, levels)
        if done is None or done.rows.empty:
            types = ", ".join(sorted(present))
            warnings.append(
                f"{indicator.id}: no data reaches area type {target} (data by {types}; "
                "no memberships lead there)"
            )
            continue
        rolled[target] = done
    if not rolled:
        raise _IndicatorError(
            f"none of its area types ({', '.join(indicator.geographies)}) can be computed "
            f"from the data (by {', '.join(sorted(present))})"
        )
    units = pd.concat(
        [r.rows.drop(columns=["area_id"], errors="ignore") for r in rolled.values()],
        ignore_index=True,
    )
    fits = (
        units.assign(_rank=units["fit"].map(FIT_RANK)).groupby(GROUP, dropna=False)["_rank"].max()
    )
    reference = _reference(inputs, project, indicator)
    computed = apply_method(indicator, units.drop(columns="fit"), GROUP, reference=reference)
    if computed.dropped:
        warnings.append(
            f"{indicator.id}: {computed.dropped} cell(s) left out (missing or zero denominator, "
            "count above denominator, or incomplete age bands)"
        )
    rows = computed.rows.merge(fits.rename("_rank").reset_index(), on=GROUP, how="left")
    rows["fit"] = rows["_rank"].map({v: k for k, v in FIT_RANK.items()}).fillna("exact")
    rows = _area_ids(inputs, rows.drop(columns="_rank"))
    rows = rows.sort_values(SORT, kind="stable").reset_index(drop=True)

    comparators = _comparators(project, indicator)
    pooled = [units.drop(columns="fit")]
    if indicator.method not in ("value_only", "mean"):
        pooled += _comparator_units(inputs, cells, comparators, set(rolled), counts, keys, levels)
    values = comparator_values(
        indicator,
        comparators,
        cells,
        pd.concat(pooled, ignore_index=True),
        bands=bands,
        reference=reference,
    )
    labels, benchmarks = compare(rows, indicator, comparators, values)
    rows["comparison"] = json_objects(labels, numbers=False)
    rows["benchmarks"] = json_objects(benchmarks, numbers=True)
    trend, problem = trends(rows, indicator)
    if problem:
        warnings.append(problem)
    rows["trend"] = trend
    rows["quintile"] = quintiles(rows, indicator)
    rows["indicator_id"] = indicator.id
    if indicator.projection is not None:
        # after comparisons, trends and quintiles: projections never feed them
        projected, problem = project_rows(rows, indicator)
        if problem:
            warnings.append(problem)
        rows = pd.concat([rows, projected], ignore_index=True)
        rows = rows.sort_values(SORT, kind="stable").reset_index(drop=True)

    links = _published_links(inputs, rolled)
    return _Built(rows, links, warnings)


def _published_links(inputs: StoreInputs, rolled: dict[str, Rolled]) -> list[pd.DataFrame]:
    """(child_id, parent_id) pairs between published area types whose parents are exact sums.

    Every pair of published types joined by a chain of exact memberships (a
    PCN of practices, an LA of localities of wards), or built exactly from the
    same smaller units where one's areas partition the other's (clusters and
    the LA both summed from practices), is a relation a reader could subtract
    along.
    """
    types = sorted(rolled)
    if len(types) < 2:
        return []
    graph = inputs.graph()
    ids = inputs.areas().set_index(["area_type", "area_code"])["area_id"]
    found: list[pd.DataFrame] = []
    for child_type in types:
        for parent_type in types:
            if child_type == parent_type:
                continue
            links = graph.exact(child_type, parent_type)
            finer, coarser = rolled[child_type], rolled[parent_type]
            if (
                links is None
                and finer.links is not None
                and coarser.links is not None
                and finer.from_type == coarser.from_type
            ):
                links = graph.nested(finer.from_type, child_type, parent_type)
            if links is None or links.empty:
                continue
            child = pd.MultiIndex.from_frame(links[["child_type", "child_code"]])
            parent = pd.MultiIndex.from_frame(links[["parent_type", "parent_code"]])
            pairs = pd.DataFrame(
                {
                    "child_id": ids.reindex(child).to_numpy(),
                    "parent_id": ids.reindex(parent).to_numpy(),
                }
            ).dropna()
            if not pairs.empty:
                found.append(pairs.astype(np.int64))
    return found


def _publish(
    connection: Connection,
    project: Project,
    indicator: Indicator,
    built: _Built,
    used: list[int],
    digest: str,
    actor: str,
) -> int:
    rows = built.rows
    first = indicator.selections()[
        "value" if indicator.method in ("value_only", "mean") else "numerator"
    ]
    sex, age = total_labels(first)
    found = None
    if project.config.disclosure.secondary and _about_people(indicator):
        found = relations(
            rows, built.links, breakdowns=indicator.breakdowns, total_sex=sex, total_age=age
        )
    columns = [
        "indicator_id",
        "area_id",
        "area_code",
        "area_type",
        "period",
        "period_start",
        "sex",
        "age",
        "breakdown_type",
        "breakdown",
        "numerator",
        "denominator",
        "value",
        "lower_95",
        "upper_95",
        "lower_99_8",
        "upper_99_8",
        "confidence",
        "statistic",
        "method",
        "comparison",
        "benchmarks",
        "trend",
        "quintile",
        "fit",
    ]
    now = datetime.now(UTC)
    published = publish_results(
        connection,
        rows[columns],
        input_versions=used,
        rules=_rules(project, indicator),
        relations=found,
        computed_at=now,
        check_totals=False,
    )
    connection.execute(delete(compute_state).where(compute_state.c.indicator_id == indicator.id))
    connection.execute(
        compute_state.insert().values(
            indicator_id=indicator.id,
            inputs_hash=digest,
            input_versions=json.dumps(used),
            result_rows=len(published),
            computed_at=now,
        )
    )
    detail = {
        "indicator": indicator.id,
        "rows": len(published),
        "suppressed": int(published["suppressed"].sum()),
        "input_versions": used,
        "inputs_hash": digest,
    }
    connection.execute(
        audit_log.insert().values(
            at=now,
            actor=actor,
            action="compute",
            entity="indicator",
            entity_id=indicator.id,
            detail=json.dumps(detail),
        )
    )
    return len(published)


def compute_project(
    engine: Engine,
    project: Project,
    *,
    progress: Progress | None = None,
    force: bool = False,
    actor: str = "cli",
) -> ComputeSummary:
    """Compute and publish every indicator of ``project`` whose inputs changed (all if ``force``).

    Each indicator is published in its own transaction; one that cannot be
    computed is reported in ``failed`` and keeps its previous results.
    """
    started = time.perf_counter()
    if migrate.current(engine) != migrate.head():
        raise StoreError("the store is not up to date: run 'jsna db upgrade' first")
    computed: list[str] = []
    skipped: list[str] = []
    failed: dict[str, str] = {}
    warnings: list[str] = []
    total_rows = 0
    ids = sorted(project.indicators)
    with engine.connect() as connection:
        versions = current_versions_by_source(connection)
        geography = geography_fingerprint(connection)
        stored = {
            row.indicator_id: row.inputs_hash
            for row in connection.execute(
                select(compute_state.c.indicator_id, compute_state.c.inputs_hash)
            )
        }
        levels = _levels(connection)
        inputs = StoreInputs(connection, versions)
        for done, indicator_id in enumerate(ids, start=1):
            indicator = project.indicators[indicator_id]
            digest, used = inputs_hash(project, indicator, versions, geography)
            if not force and stored.get(indicator_id) == digest:
                skipped.append(indicator_id)
            else:
                try:
                    built = _build(inputs, project, indicator, levels)
                except (_IndicatorError, StatsInputError) as error:
                    failed[indicator_id] = str(error)
                else:
                    warnings.extend(built.warnings)
                    with engine.begin() as writing:
                        total_rows += _publish(
                            writing, project, indicator, built, used, digest, actor
                        )
                    computed.append(indicator_id)
            if progress is not None:
                progress(indicator_id, done, len(ids))
        connection.rollback()
    gone = sorted(set(stored) - set(ids))
    if gone:
        with engine.begin() as writing:
            writing.execute(delete(result).where(result.c.indicator_id.in_(gone)))
            writing.execute(delete(compute_state).where(compute_state.c.indicator_id.in_(gone)))
    return ComputeSummary(
        tuple(computed),
        tuple(skipped),
        failed,
        tuple(warnings),
        total_rows,
        time.perf_counter() - started,
    )
