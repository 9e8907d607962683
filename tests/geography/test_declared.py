"""A project's geography comes from its jsna.yml alone: Trafford, and Medway to prove it.

The fixture projects (``tests/geography/projects/*/jsna.yml``) declare their
lookups, boundaries and custom areas from the real files of the data mirror.
Every figure below is checked against an independent reading of the raw files.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from jsna.cli.main import cli
from jsna.content.geographies import read_geographies
from jsna.errors import ContentError
from jsna.geography import BuiltGeography, build_geography, read_lookup
from jsna.store.areas import children, load_project_geography, parents
from jsna.store.schema import area, area_membership, area_type, audit_log, boundary
from tests.paths import DATA_MIRROR

PROJECTS = Path(__file__).parent / "projects"
TRAFFORD_GP = DATA_MIRROR / "trafford/services/trafford_gp_practices.csv"
POSTCODES = DATA_MIRROR / "trafford/lookups/trafford_postcodes.csv"
MEDWAY_WARDS = DATA_MIRROR / "medway/lookups/medway_lsoa21_to_ward2024.csv"
CENSUS_SOURCE = f"""\
id: census_health
title: Census 2021 general health by ward
publisher: Office for National Statistics
licence: OGL-UK-3.0
file: {DATA_MIRROR / "trafford/census2021/census2021_general_health_ward.csv"}
format: csv
geography: ward22
columns: {{area_code: area_code, period: period, breakdown: general_health, value: value}}
fixed: {{indicator_id: general_health, breakdown_type: general health}}
filters: [{{column: measure, equals: Count}}]
"""


def _build(name: str) -> BuiltGeography:
    declared = read_geographies(PROJECTS / name)
    return build_geography(declared.geographies, declared.resolve, declared.problem)


@pytest.fixture(scope="module")
def trafford() -> BuiltGeography:
    return _build("trafford")


@pytest.fixture(scope="module")
def medway() -> BuiltGeography:
    return _build("medway")


def _counts(built: BuiltGeography) -> dict[str, int]:
    return {str(k): int(v) for k, v in built.geography.areas["area_type"].value_counts().items()}


def _links(built: BuiltGeography, child: str, parent: str) -> pd.DataFrame:
    links = built.geography.memberships
    return links[(links["child_type"] == child) & (links["parent_type"] == parent)]


def test_trafford_from_its_declaration(trafford: BuiltGeography) -> None:
    counts = _counts(trafford)
    # only: Trafford's own small areas, but every LA of the England files
    assert counts["lsoa21"] == 139
    assert counts["lsoa11"] == 138
    assert counts["oa21"] == 738
    assert counts["ward23"] == counts["ward24"] == counts["ward22"] == counts["ward17"] == 21
    assert counts["ltla24"] == 296
    assert counts["utla23"] == 153
    assert counts["gp_practice"] == 26
    assert counts["pcn"] == 5
    assert counts["region"] == 9
    assert {t.code: t.is_custom for t in trafford.custom_types} == {
        "locality": True,
        "practice_locality": True,
        "practice_ward": True,
        "old_ward": True,
    }


def test_trafford_localities_are_the_postcode_files_groups_of_wards(trafford) -> None:
    postcodes = pd.read_csv(POSTCODES, dtype=str)
    expected = postcodes.groupby("ward_code")["locality"].first().sort_index()
    links = _links(trafford, "ward23", "locality").set_index("child_code")["parent_code"]
    assert links.sort_index().equals(expected.rename("parent_code").rename_axis("child_code"))
    assert set(_links(trafford, "ward23", "locality")["method"]) == {"custom"}
    names = trafford.geography.areas.set_index(["area_type", "code"])["name"]
    north = sorted(names[("ward23", code)] for code in links[links == "North"].index)
    assert north == [
        "Gorse Hill & Cornbrook",
        "Longford",
        "Lostock & Barton",
        "Old Trafford",
        "Stretford & Humphrey Park",
    ]


def test_trafford_practice_groups_and_points(trafford: BuiltGeography) -> None:
    practices = pd.read_csv(TRAFFORD_GP, dtype=str).set_index("practice_code")
    grouped = _links(trafford, "gp_practice", "practice_locality").set_index("child_code")
    # a practice's locality follows its ward, not its PCN: P91017 is West, in Sale Central PCN
    assert grouped.loc["P91017", "parent_code"] == "West"
    assert (grouped["parent_code"].sort_index() == practices["locality"].sort_index()).all()
    # point in polygon against the 2023 ward polygons agrees with the file's own ward column
    placed = _links(trafford, "gp_practice", "practice_ward").set_index("child_code")
    assert set(placed["method"]) == {"point_in_polygon"}
    assert (placed["parent_code"].sort_index() == practices["ward_code"].sort_index()).all()
    pcn = _links(trafford, "gp_practice", "pcn")
    assert pcn["parent_code"].nunique() == 5
    boundaries = trafford.boundaries
    assert (boundaries["area_type"] == "practice_ward").sum() == 21


def test_trafford_old_wards_are_apportioned_from_lsoas(trafford: BuiltGeography) -> None:
    links = _links(trafford, "lsoa21", "old_ward")
    assert set(links["method"]) <= {"apportioned", "point_in_polygon"}
    assert links["child_code"].nunique() == 139
    shares = links.groupby("child_code")["weight"].sum()
    assert shares.round(9).eq(1.0).all()
    # by hand: an LSOA's share in a ward = its postcodes inside / all its postcodes
    apportioned = links[links["method"] == "apportioned"].iloc[0]
    assert 0 < apportioned["weight"] < 1


def test_medway_is_a_second_authority_from_the_same_code(medway: BuiltGeography) -> None:
    counts = _counts(medway)
    wards = pd.read_csv(MEDWAY_WARDS, dtype=str)
    assert counts["lsoa21"] == wards["lsoa21_code"].nunique() == 169
    assert counts["ward24"] == wards["ward24_code"].nunique() == 24
    assert counts["gp_practice"] == 34
    assert counts["pcn"] == 8
    assert counts["ward17"] == 22
    codes = set(medway.geography.areas["code"])
    assert "E01006074" not in codes  # a Trafford LSOA
    assert "E08000009" in codes  # Trafford is still an LA (a comparator)
    lsoa_la = _links(medway, "lsoa21", "ltla24")
    assert set(lsoa_la["parent_code"]) == {"E06000035"}
    towns = _links(medway, "ward24", "town")
    assert towns.groupby("parent_code").size().to_dict() == {
        "Gillingham": 5,
        "Rainham": 3,
        "Rochester": 2,
        "Strood": 3,
    }
    placed = _links(medway, "gp_practice", "practice_ward")
    assert len(placed) == 34
    assert placed["parent_code"].isin(set(_links(medway, "lsoa11", "ward17")["parent_code"])).all()


def _table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (area_type, area, area_membership, boundary)
        }


def _project(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(PROJECTS / name / "jsna.yml", folder / "jsna.yml")
    return folder


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.parametrize("name", ["trafford", "medway"])
def test_cli_loads_the_declared_geography(engine: Engine, tmp_path: Path, name: str) -> None:
    project = _project(tmp_path, name)
    runner = CliRunner()
    result = runner.invoke(cli, ["geography", "load", str(project), "--db", _url(engine)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Loaded ")
    built = _build(name)
    stored = _table_counts(engine)
    assert stored["area_membership"] == len(built.geography.memberships)
    assert stored["boundary"] == len(built.boundaries)
    with engine.connect() as connection:
        custom = connection.execute(
            select(area_type.c.code).where(area_type.c.is_custom).order_by(area_type.c.code)
        ).scalars()
        assert list(custom) == sorted(t.code for t in built.custom_types)
        if name == "trafford":
            north = children(connection, "North", "ward23", "locality")
            assert len(north) == 5
            assert set(north["method"]) == {"custom"}
            # the practice file puts P91017 in Bucklow-St Martins (West), not in its PCN's Sale
            ward = parents(connection, "P91017", "practice_ward", "gp_practice")
            assert ward["name"].tolist() == ["Bucklow-St Martins"]
        else:
            rainham = children(connection, "Rainham", "ward24", "town")
            assert rainham["code"].tolist() == ["E05014461", "E05014462", "E05014463"]
    listed = runner.invoke(
        cli,
        ["geography", "areas", "locality" if name == "trafford" else "town", "--db", _url(engine)],
    )
    assert listed.exit_code == 0, listed.output
    assert len(listed.stdout.splitlines()) == 4


SMALL = """\
title: A small project
geographies:
  lookups:
    - reader: ltla_to_utla
      file: ${JSNA_DATA_MIRROR}/england/lookups/ltla23_to_utla23_england.csv
    - reader: lsoa21_to_ward
      file: ${JSNA_DATA_MIRROR}/medway/lookups/medway_lsoa21_to_ward2024.csv
  custom_areas:
    - type: town
      name: Town
      of: ward24
      areas:
        Rainham: [E05014461, E05014462, E05014463]
        Strood: [E05014467, E05014468, E05014469]
"""


def _small(tmp_path: Path, text: str = SMALL) -> Path:
    folder = tmp_path / "small"
    folder.mkdir(exist_ok=True)
    (folder / "jsna.yml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "reader: lsoa21_to_ward",
            "reader: lsoa21_to_wards",
            ["6: geographies.lookups.1.reader: Input should be 'lsoa21_to_ward', "],
        ),
        (
            "medway_lsoa21_to_ward2024.csv",
            "medway_lsoa21_to_ward2099.csv",
            ["7: geographies.lookups.1.file: no such file: "],
        ),
        (
            "E05014462",
            "E0501446X",
            ["13: geographies.custom_areas.0.areas.Rainham: E0501446X: not an ONS code"],
        ),
        (
            "E05014468",
            "E05000819",
            [
                "14: geographies.custom_areas.0.areas.Strood: E05000819: not among the ward24 "
                "areas the lookups load"
            ],
        ),
        (
            "ward2024.csv\n",
            "ward2024.csv\n      only: [E08000009]\n",
            ["6: geographies.lookups.1: ", "no rows for E08000009 (only) in this file"],
        ),
        ("of: ward24", "of: ward99", ["11: geographies.custom_areas.0.of: unknown area type"]),
    ],
)
def test_a_bad_declaration_is_reported_by_line_and_nothing_is_written(
    engine: Engine, tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    project = _small(tmp_path)
    runner = CliRunner()
    first = runner.invoke(cli, ["geography", "load", str(project), "--db", _url(engine), "-q"])
    assert first.exit_code == 0, first.output
    before = _table_counts(engine)
    assert old in SMALL
    _small(tmp_path, SMALL.replace(old, new))
    with pytest.raises(ContentError) as caught:
        load_project_geography(engine, read_geographies(project), force=True)
    problems = caught.value.problems
    path = project / "jsna.yml"
    assert problems[0].startswith(f"{path}:{expected[0]}"), problems
    for part in expected[1:]:
        assert any(part in problem for problem in problems), problems
    assert len(problems) == 1, problems
    assert _table_counts(engine) == before
    # through the command line: exit code 1 and the same lines on standard error
    failed = runner.invoke(cli, ["geography", "load", str(project), "--db", _url(engine)])
    assert failed.exit_code == 1
    assert isinstance(failed.exception, ContentError)


def test_without_a_geographies_section_the_error_names_jsna_yml(tmp_path: Path) -> None:
    project = _small(tmp_path, "title: no geography yet\n")
    result = CliRunner().invoke(cli, ["geography", "load", str(project)])
    assert result.exit_code == 1
    assert f"{project / 'jsna.yml'}:1: geographies: missing" in str(result.exception)


def test_ingest_loads_the_geography_first_then_skips_it(engine: Engine, tmp_path: Path) -> None:
    project = _project(tmp_path, "trafford")
    (project / "sources").mkdir()
    (project / "sources" / "census_health.yml").write_text(CENSUS_SOURCE, encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(cli, ["ingest", str(project), "--db", _url(engine)])
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert lines[0].startswith("geography: imported version 1 (")
    assert lines[0].endswith(f"from {project / 'jsna.yml'}")
    assert lines[1].startswith("census_health: imported version 2 (105 rows)")
    start = time.perf_counter()
    again = runner.invoke(cli, ["ingest", str(project), "--db", _url(engine)])
    seconds = time.perf_counter() - start
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0].startswith("geography: unchanged (version 1, ")
    assert seconds < 2.0, seconds
    with engine.connect() as connection:
        actions = connection.execute(select(audit_log.c.action)).scalars().all()
    assert actions.count("geography") == 1


def test_a_changed_declaration_replaces_custom_memberships(engine: Engine, tmp_path: Path) -> None:
    project = _small(tmp_path)
    declared = read_geographies(project)
    assert load_project_geography(engine, declared).status == "loaded"
    assert load_project_geography(engine, declared).status == "unchanged"
    moved = SMALL.replace("E05014461, E05014462, E05014463", "E05014461, E05014462").replace(
        "E05014467, E05014468, E05014469", "E05014467, E05014468, E05014469, E05014463"
    )
    _small(tmp_path, moved)
    again = load_project_geography(engine, read_geographies(project))
    assert again.status == "loaded"
    assert again.version_id == 2
    with engine.connect() as connection:
        assert parents(connection, "E05014463", "town", "ward24")["code"].tolist() == ["Strood"]
        assert len(children(connection, "Rainham", "ward24", "town")) == 2
    # back to the first declaration: its version becomes current again
    _small(tmp_path)
    back = load_project_geography(engine, read_geographies(project))
    assert (back.status, back.version_id) == ("loaded", 1)
    with engine.connect() as connection:
        assert parents(connection, "E05014463", "town", "ward24")["code"].tolist() == ["Rainham"]


def test_every_problem_of_the_files_at_once(tmp_path: Path) -> None:
    boundaries = (
        "  boundaries:\n"
        "    - {area_type: ward24, file: wards.geojson, code: ward_code, name: ward_name}\n"
        "    - {area_type: ward99, file: wards.geojson, code: ward_code, name: ward_name}\n"
        "  custom_areas:\n"
    )
    text = (
        SMALL.replace("E05014462", "E0501446X")
        .replace("E05014468", "E05000819")
        .replace("  custom_areas:\n", boundaries)
    )
    declared = read_geographies(_small(tmp_path, text))
    with pytest.raises(ContentError) as caught:
        build_geography(declared.geographies, declared.resolve, declared.problem)
    lines = [problem.split(": ")[0].rsplit(":", 1)[1] for problem in caught.value.problems]
    # in line order: the boundaries come first in this file, although read last
    assert lines == ["9", "10", "16", "17"], caught.value.problems
    missing = f"no such file: {tmp_path / 'small' / 'wards.geojson'}"
    assert caught.value.problems[0].endswith(missing)
    assert "unknown area type 'ward99'" in caught.value.problems[1]


def test_read_lookup_by_name_and_only() -> None:
    path = DATA_MIRROR / "england/lookups/lsoa21_to_ward24_ltla24_england.csv"
    medway = read_lookup("lsoa21_to_ward", path, only=["E06000035"])
    counts = medway.areas["area_type"].value_counts().to_dict()
    assert counts == {"ltla24": 296, "lsoa21": 169, "ward24": 24}
    assert set(medway.memberships["child_code"]).isdisjoint({"E01006074"})
    with pytest.raises(ValueError, match="unknown reader 'ward_lookup'; known: lsoa21_to_ward"):
        read_lookup("ward_lookup", path)
    with pytest.raises(ValueError, match="only for reader lsoa21_to_ward"):
        read_lookup("gp_practices", path, ward_type="ward23")
    with pytest.raises(ValueError, match="no local-authority column"):
        read_lookup("ltla_to_utla", path, only=["E06000035"])


def test_points_from_an_england_wide_file_keep_those_inside(tmp_path: Path) -> None:
    text = (PROJECTS / "trafford" / "jsna.yml").read_text(encoding="utf-8")
    local = "${JSNA_DATA_MIRROR}/trafford/services/trafford_gp_practices.csv\n        code:"
    assert local in text
    text = text.replace(
        local,
        "${JSNA_DATA_MIRROR}/england/services/gp_practices_england_qof2023_24.csv\n        code:",
    )
    declared = read_geographies(_small(tmp_path, text))
    built = build_geography(declared.geographies, declared.resolve, declared.problem)
    placed = _links(built, "gp_practice", "practice_ward")
    england = pd.read_csv(DATA_MIRROR / "england/services/gp_practices_england_qof2023_24.csv")
    assert len(placed) == 26
    assert built.outside["practice_ward"] == england["practice_code"].nunique() - 26
