"""``jsna compute`` and ``jsna export`` through click, on a store given by URL."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from jsna.cli.compute import compute, export
from jsna.store.results import FIRST_COLUMNS, LAST_COLUMNS

from .conftest import Built, indicator_yaml, write_yaml


def _url(built: Built) -> str:
    return built.engine.url.render_as_string(hide_password=False)


def test_compute_then_export_csv_and_json(practice_project: Built) -> None:
    runner = CliRunner()
    folder, url = str(practice_project.folder), _url(practice_project)
    first = runner.invoke(compute, [folder, "--db", url])
    assert first.exit_code == 0, first.output
    assert (
        "1 indicator(s) computed, 0 unchanged (skipped), 0 failed; 240 result rows" in first.output
    )
    second = runner.invoke(compute, [folder, "--db", url])
    assert "0 indicator(s) computed, 1 unchanged (skipped)" in second.output
    exported = runner.invoke(
        export, [folder, "--indicator", "prevalence", "--area-type", "pcn", "--db", url]
    )
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert len(rows) == 3 * 5 * 3
    header = list(rows[0])
    comparators = [
        "compared_with_england",
        "england_value",
        "compared_with_neighbours",
        "neighbours_value",
    ]
    expected = [c for c in FIRST_COLUMNS if "99_8" not in c] + comparators + list(LAST_COLUMNS)
    assert header == expected
    hidden = [row for row in rows if row["suppressed"] == "True"]
    assert hidden
    assert all(row["numerator"] == row["value"] == "" for row in hidden)
    as_json = runner.invoke(
        export,
        [
            folder,
            "--indicator",
            "all",
            "--area-type",
            "locality",
            "--period",
            "2019/20",
            "--format",
            "json",
            "--db",
            url,
        ],
    )
    assert as_json.exit_code == 0, as_json.output
    envelope = json.loads(as_json.output)
    assert set(envelope) == {"data", "meta"}
    assert envelope["meta"]["rows"] == len(envelope["data"]) == 2 * 3
    assert {row["period"] for row in envelope["data"]} == {"2019/20"}


def test_export_errors_are_clear(practice_project: Built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    folder, url = str(practice_project.folder), _url(practice_project)
    early = runner.invoke(
        export, [folder, "--indicator", "prevalence", "--area-type", "pcn", "--db", url]
    )
    assert early.exit_code == 1
    assert "prevalence not computed yet: run 'jsna compute" in early.output
    runner.invoke(compute, [folder, "--db", url, "--quiet"])
    unknown = runner.invoke(
        export, [folder, "--indicator", "nope", "--area-type", "pcn", "--db", url]
    )
    assert unknown.exit_code == 1
    assert "unknown indicator 'nope'; indicators: prevalence" in unknown.output
    wrong_type = runner.invoke(
        export, [folder, "--indicator", "prevalence", "--area-type", "ward23", "--db", url]
    )
    assert wrong_type.exit_code == 1
    assert "area type 'ward23' is not in jsna.yml area_types" in wrong_type.output
    out = tmp_path / "pcn.csv"
    written = runner.invoke(
        export,
        [folder, "--indicator", "prevalence", "--area-type", "pcn", "--out", str(out), "--db", url],
    )
    assert written.exit_code == 0
    assert out.read_text().startswith("indicator_id,area_code,")


def test_failed_indicator_exits_1_and_export_all_writes_the_computed(
    practice_project: Built,
) -> None:
    runner = CliRunner()
    folder, url = practice_project.folder, _url(practice_project)
    write_yaml(
        folder / "indicators" / "missing.yml",
        indicator_yaml(
            "missing", numerator={"measure": "nothing"}, denominator={"measure": "nothing"}
        ),
    )
    done = runner.invoke(compute, [str(folder), "--db", url])
    assert done.exit_code == 1
    assert "1 indicator(s) computed" in done.output
    assert "error: missing: no observations of measure 'nothing'" in done.output
    exported = runner.invoke(
        export, [str(folder), "--indicator", "all", "--area-type", "ltla23", "--db", url]
    )
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert {row["indicator_id"] for row in rows} == {"prevalence"}
    assert len(rows) == 2 * 5 * 3


def test_export_of_an_unknown_period_lists_the_periods(practice_project: Built) -> None:
    runner = CliRunner()
    folder, url = str(practice_project.folder), _url(practice_project)
    runner.invoke(compute, [folder, "--db", url, "--quiet"])
    missing = runner.invoke(
        export,
        [
            folder,
            "--indicator",
            "prevalence",
            "--area-type",
            "pcn",
            "--period",
            "2030",
            "--db",
            url,
        ],
    )
    assert missing.exit_code == 1
    assert (
        "no results for period '2030'; periods computed for pcn: "
        "2019/20, 2020/21, 2021/22, 2022/23, 2023/24"
    ) in missing.output
