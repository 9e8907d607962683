"""compute_project on small projects, checked against figures computed by hand from the raw rows."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from sqlalchemy import Engine, func, select

from jsna.compute import compute_project
from jsna.geography.registry import custom_area_type
from jsna.stats import additive_relations, recoverable_cells
from jsna.store.areas import load_geography
from jsna.store.results import published_results
from jsna.store.schema import audit_log, result

from .conftest import (
    BOROUGH,
    ENGLAND,
    OTHER,
    PRACTICES,
    PREVALENCE,
    REGISTERS_SOURCE,
    Built,
    geography_frames,
    indicator_yaml,
    ingest,
    load_frames,
    practice_rows,
    project_yaml,
    write_project,
    write_yaml,
)


def wilson(x: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval, written out independently of jsna.stats."""
    z = norm.ppf(1 - (1 - level) / 2)
    p = x / n
    centre = (2 * x + z * z) / (2 * (n + z * z))
    half = z * math.sqrt(z * z + 4 * x * (1 - p)) / (2 * (n + z * z))
    return (centre - half) * 100, (centre + half) * 100


def results(built: Built, indicator_id: str = "prevalence", **filters: str) -> pd.DataFrame:
    with built.engine.connect() as connection:
        return published_results(connection, indicator_id, **filters)


def raw() -> pd.DataFrame:
    return practice_rows()


def members(parent_type: str, parent_code: str) -> list[str]:
    _, links = geography_frames()
    chosen = links[(links["parent_type"] == parent_type) & (links["parent_code"] == parent_code)]
    return sorted(chosen["child_code"])


def test_custom_area_proportion_and_wilson_interval_from_member_counts(
    practice_project: Built,
) -> None:
    summary = compute_project(practice_project.engine, practice_project.project)
    assert summary.computed == ("prevalence",)
    assert not summary.failed
    data = raw()
    north = members("locality", "NORTH")
    assert north == ["A00001", "A00002", "A00004"]
    rows = data[
        data["code"].isin(north) & (data["period"] == "2021/22") & (data["sex"] == "persons")
    ]
    x, n = rows["register"].sum(), rows["list_size"].sum()
    published = results(practice_project, area_type="locality", period="2021/22")
    row = published[(published["area_code"] == "NORTH") & (published["sex"] == "persons")].iloc[0]
    assert not row["suppressed"]
    assert row["numerator"] == x
    assert row["denominator"] == n
    assert row["value"] == pytest.approx(x / n * 100, rel=1e-12)
    low, high = wilson(x, n)
    assert row["lower_95"] == pytest.approx(low, rel=1e-9)
    assert row["upper_95"] == pytest.approx(high, rel=1e-9)
    assert row["fit"] == "exact"
    assert row["method"] == "percentage (Wilson)"
    assert row["area_name"] == "North"


def test_pcn_and_la_totals_are_sums_of_their_practices(practice_project: Built) -> None:
    compute_project(practice_project.engine, practice_project.project)
    data = raw()
    for area_type, code in (("pcn", "U00001"), ("pcn", "U00003"), ("ltla23", BOROUGH)):
        practices = members(area_type, code)
        expected = (
            data[data["code"].isin(practices)]
            .groupby(["period", "sex"])[["register", "list_size"]]
            .sum()
        )
        published = results(practice_project, area_type=area_type)
        mine = published[published["area_code"] == code].set_index(["period", "sex"])
        assert len(mine) == len(expected) == 15
        shown = mine[~mine["suppressed"]]
        assert len(shown) >= 5
        assert (shown["numerator"] == expected.loc[shown.index, "register"]).all()
        assert (mine["denominator"] == expected.loc[mine.index, "list_size"]).all()


def test_benchmarks_polarity_and_group_comparator_on_summed_counts(
    practice_project: Built, tmp_path: Path
) -> None:
    folder = practice_project.folder
    high = indicator_yaml(
        "prevalence_high",
        numerator={"measure": "register"},
        denominator={"measure": "register"},
        polarity="high_is_good",
    )
    write_yaml(folder / "indicators" / "prevalence_high.yml", high)
    project = ingest(practice_project.engine, folder)
    compute_project(practice_project.engine, project)
    data = raw()
    both = data[data["code"].isin(PRACTICES)]
    for indicator_id, better_when_lower in (("prevalence", True), ("prevalence_high", False)):
        frame = results(practice_project, indicator_id, area_type="gp_practice")
        shown = frame[~frame["suppressed"] & (frame["sex"] == "persons")]
        assert len(shown) == 45
        for row in shown.itertuples():
            england = data[(data["code"] == ENGLAND) & (data["period"] == row.period)]
            england = england[england["sex"] == "persons"]
            benchmark = england["register"].sum() / england["list_size"].sum() * 100
            assert row.england_value == pytest.approx(benchmark, rel=1e-12)
            if row.lower_95 <= benchmark <= row.upper_95:
                expected = "similar"
            elif (row.value < benchmark) == better_when_lower:
                expected = "better"
            else:
                expected = "worse"
            assert row.compared_with_england == expected
            # Neighbours: both LAs' practices summed (never an average of the two rates).
            rows = both[(both["period"] == row.period) & (both["sex"] == "persons")]
            pooled = rows["register"].sum() / rows["list_size"].sum() * 100
            assert row.neighbours_value == pytest.approx(pooled, rel=1e-12)
        assert {"better", "worse", "similar"} <= set(shown["compared_with_england"])


def test_value_only_passes_published_values_through(engine: Engine, tmp_path: Path) -> None:
    published = pd.DataFrame(
        {
            "code": [BOROUGH, OTHER, ENGLAND, BOROUGH, OTHER, ENGLAND],
            "period": ["2022", "2022", "2022", "2023", "2023", "2023"],
            "value": [61.25, 58.5, 60.0, 62.75, 57.125, 60.5],
            "low": [59.0, 56.25, 59.75, 60.5, 55.0, 60.25],
            "high": [63.5, 60.75, 60.25, 65.0, 59.25, 60.75],
        }
    )
    source = {
        "id": "published",
        "title": "Published LA values",
        "publisher": "Tests",
        "licence": "OGL-UK-3.0",
        "file": "data/published.csv",
        "format": "csv",
        "geography": "ltla23",
        "columns": {
            "area_code": "code",
            "period": "period",
            "value": "value",
            "lower_95": "low",
            "upper_95": "high",
        },
        "fixed": {"indicator_id": "activity"},
    }
    indicator = indicator_yaml(
        "activity",
        method="value_only",
        polarity="high_is_good",
        source="published",
        value={"measure": "activity"},
        geographies=["ltla23"],
    )
    folder = write_project(
        tmp_path / "p", project_yaml(), [source], [indicator], {"published.csv": published}
    )
    load_frames(engine, *geography_frames())
    project = ingest(engine, folder)
    summary = compute_project(engine, project)
    assert summary.computed == ("activity",), summary
    with engine.connect() as connection:
        frame = published_results(connection, "activity", "ltla23")
    expected = published[published["code"] != ENGLAND].sort_values(["code", "period"])
    assert frame["area_code"].tolist() == expected["code"].tolist()
    assert frame["value"].tolist() == expected["value"].tolist()
    assert frame["lower_95"].tolist() == expected["low"].tolist()
    assert frame["upper_95"].tolist() == expected["high"].tolist()
    assert (frame["method"] == "published value (as published)").all()
    assert frame["england_value"].tolist() == [60.0, 60.5, 60.0, 60.5]
    # 61.25 (59.0-63.5) vs 60.0: similar; 57.125 (55.0-59.25) vs 60.5: lower, worse.
    assert frame["compared_with_england"].tolist() == ["similar", "similar", "similar", "worse"]
    # Published values are never summed to other area types.
    assert "neighbours" not in "".join(frame.columns) or frame["neighbours_value"].isna().all()


def _hierarchy_relations(frame: pd.DataFrame) -> pd.DataFrame:
    """Every additive relation a reader could use: areas in areas, sexes in persons."""
    _, links = geography_frames()
    keys = ["area_code", "period", "sex"]
    parts = [
        additive_relations(
            frame,
            keys=keys,
            column="area_code",
            parents=links[links["parent_type"] == kind][["child_code", "parent_code"]],
            name=kind,
        )
        for kind in ("pcn", "locality", "ltla23")
    ]
    parts.append(
        additive_relations(
            frame, keys=keys, column="sex", parents={"male": "persons", "female": "persons"}
        )
    )
    return pd.concat(parts, ignore_index=True)


def test_no_suppressed_count_can_be_recovered_from_published_results(
    practice_project: Built,
) -> None:
    compute_project(practice_project.engine, practice_project.project)
    frame = results(practice_project)
    assert frame["suppressed"].sum() >= 10
    assert (frame.loc[frame["suppressed"], ["numerator", "value", "lower_95"]].isna()).all().all()
    reasons = set(frame.loc[frame["suppressed"], "suppression_reason"])
    assert "count 1 to 4" in reasons
    assert any(reason.startswith("secondary: protects gp_practice, A00006") for reason in reasons)
    frame = frame.reset_index(drop=True)
    found = recoverable_cells(frame, "numerator", relations=_hierarchy_relations(frame))
    assert not found.any(), frame[found]


def test_second_run_computes_nothing_and_changed_input_recomputes_its_indicators(
    practice_project: Built,
) -> None:
    engine, folder = practice_project.engine, practice_project.folder
    count = indicator_yaml(
        "register_count",
        method="count",
        multiplier=1,
        polarity="no_judgement",
        numerator={"measure": "register"},
    )
    write_yaml(folder / "indicators" / "register_count.yml", count)
    project = ingest(engine, folder)
    first = compute_project(engine, project)
    assert first.computed == ("prevalence", "register_count")
    assert first.result_rows > 0
    second = compute_project(engine, project)
    assert second.computed == ()
    assert second.skipped == ("prevalence", "register_count")
    assert second.result_rows == 0
    forced = compute_project(engine, project, force=True)
    assert forced.computed == ("prevalence", "register_count")
    # A changed definition recomputes that indicator only.
    write_yaml(folder / "indicators" / "register_count.yml", {**count, "title": "Registered"})
    changed = compute_project(engine, ingest(engine, folder))
    assert changed.computed == ("register_count",)
    assert changed.skipped == ("prevalence",)
    # A new vintage of the source recomputes both.
    data = practice_rows()
    data.loc[0, "register"] += 1
    data.to_csv(folder / "data" / "registers.csv", index=False)
    project = ingest(engine, folder)
    again = compute_project(engine, project)
    assert again.computed == ("prevalence", "register_count")
    with engine.connect() as connection:
        audits = connection.scalar(
            select(func.count()).select_from(audit_log).where(audit_log.c.action == "compute")
        )
        versions = set(connection.scalars(select(result.c.input_versions)))
    assert audits == 7
    assert len(versions) == 1  # every result points at the new version


def test_removed_indicator_loses_its_results(practice_project: Built) -> None:
    engine, folder = practice_project.engine, practice_project.folder
    compute_project(engine, practice_project.project)
    (folder / "indicators" / "prevalence.yml").rename(folder / "prevalence.yml.off")
    write_yaml(
        folder / "indicators" / "other.yml",
        indicator_yaml(
            "other", numerator={"measure": "register"}, denominator={"measure": "register"}
        ),
    )
    compute_project(engine, ingest(engine, folder))
    with engine.connect() as connection:
        kept = set(connection.scalars(select(result.c.indicator_id)))
    assert kept == {"other"}


def test_fresh_runs_give_identical_results(engine: Engine, tmp_path: Path) -> None:
    exports = []
    for run in ("one", "two"):
        folder = write_project(
            tmp_path / run,
            project_yaml(),
            [REGISTERS_SOURCE],
            [PREVALENCE],
            {"registers.csv": practice_rows()},
        )
        if run == "two":
            with engine.begin() as connection:
                connection.execute(result.delete())
                connection.exec_driver_sql("DELETE FROM compute_state")
        load_frames(engine, *geography_frames())
        project = ingest(engine, folder)
        compute_project(engine, project, force=True)
        with engine.connect() as connection:
            frame = published_results(connection)
        exports.append(frame.drop(columns="dataset_versions").to_csv(index=False))
    assert exports[0] == exports[1]
    assert len(exports[0].splitlines()) == 1 + 9 * 15 + 3 * 15 + 2 * 15 + 2 * 15


def test_quintiles_and_trends(practice_project: Built) -> None:
    compute_project(practice_project.engine, practice_project.project)
    frame = results(practice_project, area_type="gp_practice")
    latest = frame[(frame["period"] == "2023/24") & (frame["sex"] == "persons")]
    shown = latest[~latest["suppressed"]]
    assert shown["quintile"].notna().all()
    # Low is good: quintile 1 holds the lowest values.
    order = shown.sort_values("value")
    assert order["quintile"].is_monotonic_increasing
    assert set(frame.loc[frame["period"] != "2023/24", "trend"]) == {""}
    assert set(shown["trend"]) <= {"getting better", "getting worse", "no significant change"}
    assert "getting worse" in set(shown["trend"])


def test_unreachable_area_type_is_a_warning_and_no_data_a_failure(
    practice_project: Built,
) -> None:
    folder = practice_project.folder
    write_yaml(
        folder / "indicators" / "missing.yml",
        indicator_yaml(
            "missing", numerator={"measure": "nothing"}, denominator={"measure": "nothing"}
        ),
    )
    summary = compute_project(practice_project.engine, ingest(practice_project.engine, folder))
    assert "no observations of measure 'nothing'" in summary.failed["missing"]
    assert summary.computed == ("prevalence",)
    assert np.isclose(summary.seconds, summary.seconds)


def test_relations_between_published_aggregates_protect_small_areas(
    engine: Engine, tmp_path: Path
) -> None:
    """Practices are not published; a one-practice cluster and the LA are. LA minus the other
    cluster would give the small cluster's count unless the relation LA = clusters is known."""
    areas, links = geography_frames()
    clusters = pd.DataFrame(
        {"area_type": "cluster", "code": ["C1", "C2"], "name": ["Tiny", "Rest"]}
    )
    members = pd.DataFrame(
        {
            "child_type": "gp_practice",
            "child_code": [f"A0000{i}" for i in range(1, 7)],
            "parent_type": "cluster",
            "parent_code": ["C2"] * 5 + ["C1"],
            "weight": 1.0,
            "method": "custom",
        }
    )
    with engine.begin() as connection:
        load_geography(
            connection,
            pd.concat([areas, clusters], ignore_index=True),
            pd.concat([links, members], ignore_index=True),
            [
                custom_area_type("locality", "Locality", 2, "test"),
                custom_area_type("cluster", "Cluster", 2, "test"),
            ],
        )
    indicator = {**PREVALENCE, "geographies": ["cluster", "ltla23"]}
    folder = write_project(
        tmp_path / "p",
        project_yaml(area_types=["cluster", "ltla23"]),
        [REGISTERS_SOURCE],
        [indicator],
        {"registers.csv": practice_rows()},
    )
    project = ingest(engine, folder)
    summary = compute_project(engine, project)
    assert summary.computed == ("prevalence",), summary
    with engine.connect() as connection:
        frame = published_results(connection, "prevalence").reset_index(drop=True)
    tiny = frame[(frame["area_code"] == "C1") & (frame["sex"] == "female")]
    assert tiny["suppressed"].all()
    assert set(tiny["suppression_reason"]) == {"count 1 to 4"}
    la = frame[(frame["area_code"] == BOROUGH) & (frame["sex"] == "female")]
    rest = frame[(frame["area_code"] == "C2") & (frame["sex"] == "female")]
    assert (la["suppressed"].to_numpy() | rest["suppressed"].to_numpy()).all()
    cluster_la = pd.DataFrame({"child": ["C1", "C2"], "parent": [BOROUGH, BOROUGH]})
    relations = pd.concat(
        [
            additive_relations(
                frame, keys=["area_code", "period", "sex"], column="area_code", parents=cluster_la
            ),
            additive_relations(
                frame,
                keys=["area_code", "period", "sex"],
                column="sex",
                parents={"male": "persons", "female": "persons"},
            ),
        ],
        ignore_index=True,
    )
    assert not recoverable_cells(frame, "numerator", relations=relations).any()


def test_counts_of_places_are_not_suppressed_when_the_indicator_says_so(
    practice_project: Built,
) -> None:
    """``suppress_small_counts: false`` (a count of services, not people) publishes small counts.

    The content model does not have the field yet; the indicator is given it by copy.
    """
    project = practice_project.project
    indicator = project.indicators["prevalence"].model_copy(update={"suppress_small_counts": False})
    places = replace(project, indicators=MappingProxyType({"prevalence": indicator}))
    compute_project(practice_project.engine, places)
    frame = results(practice_project)
    assert not frame["suppressed"].any()
    tiny = frame[(frame["area_code"] == "A00006") & (frame["sex"] == "female")]
    assert (tiny["numerator"] == 3).all()


def test_changed_disclosure_rules_or_geography_recompute(practice_project: Built) -> None:
    engine, folder = practice_project.engine, practice_project.folder
    assert compute_project(engine, practice_project.project).computed == ("prevalence",)
    assert compute_project(engine, practice_project.project).computed == ()
    config = project_yaml(disclosure={"max_suppressed_count": 9, "secondary": True})
    write_yaml(folder / "jsna.yml", config)
    stricter = compute_project(engine, ingest(engine, folder))
    assert stricter.computed == ("prevalence",)
    frame = results(practice_project)
    assert "count 1 to 9" in set(frame["suppression_reason"])
    areas, links = geography_frames()
    moved = links.copy()
    moved.loc[moved["child_code"] == "A00006", "parent_code"] = moved.loc[
        moved["child_code"] == "A00006", "parent_code"
    ].replace({"SOUTH": "NORTH"})
    load_frames(engine, areas, moved)
    assert compute_project(engine, ingest(engine, folder)).computed == ("prevalence",)
    # A membership that only changes its method (custom -> best_fit) changes the fit: recomputed.
    refit = moved.copy()
    refit.loc[refit["parent_type"] == "locality", "method"] = "best_fit"
    load_frames(engine, areas, refit)
    again = compute_project(engine, ingest(engine, folder))
    assert again.computed == ("prevalence",)
    assert set(results(practice_project, area_type="locality")["fit"]) == {"best_fit"}
