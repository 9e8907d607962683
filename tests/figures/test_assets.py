"""Community assets figures on the Trafford example: counts by ward checked against the ward
codes the open files carry themselves, rates against the store's mid-2024 population, the need
beside them, the map with points by category, and the list (the layer's export)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine

from jsna.cli.main import cli
from jsna.content.blocks import AssetsBlock
from jsna.content.project_files import Project
from jsna.figures import assets
from jsna.figures.context import FigureContext

from .conftest import EXAMPLE, published, render

SERVICES = Path("/work/shared/data/trafford/services")


@pytest.fixture(scope="module")
def block(project: Project) -> AssetsBlock:
    """The assets block of the services chapter."""
    (found,) = [
        placed.block
        for chapter in project.chapters
        for placed in chapter.blocks
        if isinstance(placed.block, AssetsBlock)
    ]
    return found


@pytest.fixture(scope="module")
def figures(trafford: FigureContext, block: AssetsBlock) -> dict[str, object]:
    return {figure.id: figure for figure in assets.build(trafford, block)}


def test_figure_ids(figures: dict[str, object]) -> None:
    assert list(figures) == ["assets-ward23", "assets-map-bad_health-ward23", "assets-list"]


def _ward_counts(file: str, name: str) -> pd.Series:
    raw = pd.read_csv(SERVICES / file, dtype=str)
    raw = raw.drop_duplicates([name, "lon", "lat"])
    return raw["ward_code"].value_counts()


@pytest.mark.parametrize(
    ("category", "file", "name"),
    [
        ("GP practices", "trafford_gp_practices.csv", "practice_name"),
        ("Pharmacies", "trafford_pharmacies.csv", "pharmacy_name"),
        ("Sport and leisure", "trafford_sport_facilities.csv", "site_name"),
    ],
)
def test_counts_match_the_ward_codes_in_the_files(
    figures: dict[str, object], category: str, file: str, name: str
) -> None:
    data = figures["assets-ward23"].data.set_index("area_code")  # type: ignore[attr-defined]
    expected = _ward_counts(file, name).reindex(data.index, fill_value=0)
    assert data[f"category: {category}"].to_dict() == expected.to_dict()


def test_rates_use_the_mid_2024_population_and_show_need(
    trafford: FigureContext, figures: dict[str, object]
) -> None:
    figure = figures["assets-ward23"]
    data = figure.data.set_index("area_code")  # type: ignore[attr-defined]
    people = published(trafford, "population_ward", "ward23", "2024")
    people = people[(people["sex"] == "persons") & (people["age"] == "all ages")]
    people = people.set_index("area_code")["value"]
    assert len(data) == 21
    assert data["population"].to_dict() == pytest.approx(people.to_dict())
    expected = data["assets"] / people.reindex(data.index) * 1000
    assert data["assets_per_1000"].tolist() == pytest.approx(expected.tolist())
    need = published(trafford, "bad_health", "ward23", "2021")
    need = need[need["sex"] == "persons"].set_index("area_code")["value"]
    assert data["need"].tolist() == pytest.approx(need.reindex(data.index).tolist())
    total = int(data["assets"].sum())
    overall = total / people.sum() * 1000
    assert figure.summary.startswith(  # type: ignore[attr-defined]
        f"{total} community assets in 5 categories across 21 wards of Trafford: "
        f"{overall:.2f} per 1,000 residents (2024 population)."
    )
    columns = [c.label for c in figure.table.columns]  # type: ignore[attr-defined]
    assert columns[-3:] == [
        "All assets",
        "Per 1,000 residents",
        "Bad or very bad general health (Census 2021)",
    ]
    assert "<svg" in render(figure.spec)  # type: ignore[attr-defined]
    # bars run from the greatest need down
    names = [v["area_name"] for v in figure.spec["data"]["values"]]  # type: ignore[attr-defined]
    worst = data.sort_values("need", ascending=False)["area_name"].tolist()
    assert names == worst


def test_the_map_shows_need_and_assets_by_category(figures: dict[str, object]) -> None:
    figure = figures["assets-map-bad_health-ward23"]
    spec = figure.spec  # type: ignore[attr-defined]
    points = spec["layer"][-1]
    assert points["encoding"]["shape"]["scale"]["domain"] == [
        "Libraries",
        "Sport and leisure",
        "Care homes",
        "GP practices",
        "Pharmacies",
    ]
    listed = figures["assets-list"].data  # type: ignore[attr-defined]
    inside = int((listed["area_code"] != "").sum())
    assert len(points["data"]["values"]) == inside
    assert figure.summary.endswith(  # type: ignore[attr-defined]
        f"The map shows {inside} community assets as points, one shape per category."
    )
    assert "<svg" in render(spec)


def test_the_list_is_the_layers_export(figures: dict[str, object]) -> None:
    figure = figures["assets-list"]
    data = figure.data  # type: ignore[attr-defined]
    assert list(data.columns) == [
        "name",
        "category",
        "source",
        "area_type",
        "area_code",
        "area_name",
        "lon",
        "lat",
    ]
    libraries = pd.read_csv(SERVICES / "trafford_libraries.csv")
    assert (data["category"] == "Libraries").sum() == len(libraries)
    assert len(figure.table.rows) == len(data)  # type: ignore[attr-defined]


def test_cli_import_and_export(tmp_path: Path) -> None:
    store = tmp_path / "jsna.db"
    runner = CliRunner()
    db = ["--db", f"sqlite:///{store}"]
    assert runner.invoke(cli, ["db", "upgrade", str(EXAMPLE), *db]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("name,category,postcode\nClub,,M33 2RJ\n", encoding="utf-8")
    result = runner.invoke(
        cli, ["assets", "import", str(bad), str(EXAMPLE), "--list", "council", *db]
    )
    assert result.exit_code != 0
    assert "bad.csv:2:category: a category is required ('')" in str(result.exception)
    good = tmp_path / "good.csv"
    good.write_text(
        "name,category,postcode\nSale Moor Community Centre,Community centre,M33 2RJ\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        cli, ["assets", "import", str(good), str(EXAMPLE), "--list", "council", *db]
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Imported 1 asset in 1 category as list 'council'.\n"
    listed = runner.invoke(cli, ["assets", "list", str(EXAMPLE), *db])
    assert listed.output.startswith("council: 1 asset, 1 category (good.csv, ")
    engine = create_engine(f"sqlite:///{store}")
    with engine.connect() as connection:
        from jsna.analysis.assets import stored_assets

        row = stored_assets(connection, ["council"]).iloc[0]
    engine.dispose()
    assert (row["postcode"], row["lon"], row["lat"]) == ("M33 2RJ", -2.293328, 53.415317)


def test_an_imported_list_is_counted_in_its_ward(
    project: Project, trafford: FigureContext, tmp_path: Path
) -> None:
    from jsna.analysis.assets import read_asset_list, read_postcodes, save_asset_list
    from jsna.figures.maps import areas_in_jsna
    from jsna.store import migrate

    path = tmp_path / "council.csv"
    path.write_text(
        "name,category,postcode,lat,lon\n"
        "Sale Moor Community Centre,Community centre,M33 2RJ,,\n"
        "Walking group,Group,,53.415317,-2.293328\n"
        "Over the border,Group,,53.48,-2.24\n",
        encoding="utf-8",
    )
    lookup = read_postcodes(SERVICES.parent / "lookups" / "trafford_postcodes.csv")
    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate.upgrade(engine)
    with engine.begin() as connection:
        save_asset_list(
            connection, "council", read_asset_list(path, lookup), path=path, actor="ann"
        )
    with engine.connect() as connection:
        ctx = FigureContext(project, connection)
        # results, boundaries and area names borrowed from the Trafford store
        ctx._results["population_ward"] = trafford.results("population_ward")
        ctx._boundaries["ward23"] = trafford.boundaries("ward23")
        ctx.__dict__["area_type_names"] = trafford.area_type_names
        ctx.__dict__["_jsna_figures_areas_in_jsna"] = {"ward23": areas_in_jsna(trafford, "ward23")}
        block = AssetsBlock.model_validate({"block": "assets", "lists": ["council", "vcs"]})
        rates, listing = assets.build(ctx, block)
    engine.dispose()
    data = rates.data.set_index("area_name")
    assert data.loc["Sale Moor", "category: Community centre"] == 1
    assert data.loc["Sale Moor", "category: Group"] == 1
    assert int(data["assets"].sum()) == 2
    assert rates.summary.startswith("2 community assets in 2 categories across 21 wards")
    assert rates.summary.endswith(
        "1 listed outside these areas is not counted. The asset list 'vcs' is not imported yet "
        "(jsna assets import)."
    )
    assert listing.data["source"].unique().tolist() == ["Imported list: council"]
