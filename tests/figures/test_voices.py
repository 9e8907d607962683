"""The voices block's figures: themes, consented quotes, equality table, made-up notices."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Connection

from jsna.content.blocks.voices import VoicesBlock
from jsna.content.project_files import Project, load_project
from jsna.errors import ContentError
from jsna.figures.context import FigureContext
from jsna.figures.voices import MADE_UP, build
from jsna.render.html import environment
from jsna.store import open_store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trafford"
XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(EXAMPLE)


@pytest.fixture(scope="module")
def connection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    """An empty, migrated store: nothing imported, so figures read the declared files."""
    folder = tmp_path_factory.mktemp("voices-store")
    engine = open_store(folder, f"sqlite:///{folder / 'jsna.db'}")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def _chapter_block(project: Project, chapter: str) -> VoicesBlock:
    for one in project.chapters:
        if one.path.name.startswith(chapter):
            for placed in one.blocks:
                if isinstance(placed.block, VoicesBlock):
                    return placed.block
    raise AssertionError(f"no voices block in {chapter}")


def test_the_example_chapters_show_made_up_voices_and_say_so(
    project: Project, connection: Connection
) -> None:
    rows = pd.read_csv(
        EXAMPLE / "voices" / "illustrative-made-up-responses-health-wellbeing-2025.csv",
        dtype=str,
        keep_default_na=False,
    )
    consented = set(rows.loc[rows["consent_to_publish"] == "yes", "free_text"])
    ids = []
    for chapter in ("04-", "06-"):
        figures = build(FigureContext(project, connection), _chapter_block(project, chapter))
        assert [f.kind for f in figures] == ["voices"] * len(figures)
        for figure in figures:
            ids.append(figure.id)
            assert "made-up" in figure.title
            assert figure.summary.startswith(MADE_UP)
            assert MADE_UP in figure.table.notes
        themes, said = figures[0], figures[1]
        assert themes.spec is not None
        assert said.spec is None
        assert 1 <= len(said.table.rows) <= 4
        for quote in said.data["quote"]:
            assert quote in consented
    assert len(ids) == len(set(ids)) == 5  # chapter 6 adds the equality table


def _tiny(tmp_path: Path, project: Project) -> Project:
    """A project whose voices folder holds a small hand-made survey."""
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "themes.yml").write_text(
        "themes:\n"
        "  - {code: food, label: Food, keywords: [food]}\n"
        "  - {code: gp, label: GP access, keywords: [gp]}\n"
        "  - {code: safe, label: Safety, keywords: [safe]}\n"
    )
    (folder / "t.yml").write_text(
        "id: t\ntitle: Tiny survey\nmethod: survey\nstart: 2025-01-01\nend: 2025-01-31\n"
        "participants: 12\nfile: t.csv\n"
    )
    header = "response_id,survey_id,date,free_text,consent_to_publish,anonymity,themes,sex,ward"
    lines = [header]
    # 7 about food (6 coded, 1 suggested), 5 about the GP, 2 about safety
    for i in range(6):
        consent = "yes" if i == 0 else "no"
        lines.append(f"F{i},t,2025-01-0{i + 1},food words {i},{consent},anonymous,food,female,Hale")
    lines.append("F6,t,2025-01-09,more food please,no,anonymous,,male,Hale")
    for i in range(5):
        text = XSS if i == 0 else f"gp words {i}"
        lines.append(f'G{i},t,2025-01-1{i},"{text}",yes,anonymous,gp,female,Hale')
    lines.append("S0,t,2025-01-20,not safe,yes,named,safe,male,Urmston")
    lines.append("S1,t,2025-01-21,safe enough,no,anonymous,safe,male,Urmston")
    (folder / "t.csv").write_text("\n".join(lines) + "\n")
    return dataclasses.replace(project, root=tmp_path)


def test_themes_are_counted_and_small_counts_hidden(
    tmp_path: Path, project: Project, connection: Connection
) -> None:
    ctx = FigureContext(_tiny(tmp_path, project), connection)
    themes, said = build(ctx, VoicesBlock(block="voices", quotes=5))
    assert themes.table.rows == (
        ("Food", "7", "50%"),
        ("GP access", "5", "36%"),
        ("Safety", "fewer than 5", ""),
    )
    assert themes.data["responses"].tolist() == [7, 5, None]
    assert themes.data["from_suggestions"].tolist() == [1, 0, None]
    assert [v["theme"] for v in themes.spec["data"]["values"]] == ["Food", "GP access"]  # type: ignore[index]
    assert themes.summary == (
        "14 responses on this topic to Tiny survey (January 2025 to January 2025, 12 took "
        "part). The most common themes were Food (7 responses, 50%) and GP access "
        "(5 responses, 36%). The themes of 1 response are keyword suggestions not yet checked."
    )
    assert MADE_UP not in themes.summary
    # quotes: consented only; one per theme first (most frequent themes first)
    assert said.data["quote"].tolist()[:3] == ["food words 0", "gp words 4", "not safe"]
    assert set(said.data["quote"]) <= {"food words 0", XSS, "not safe"} | {
        f"gp words {i}" for i in range(1, 5)
    }
    assert len(said.data) == 5
    who = dict(zip(said.data["quote"], said.data["who"], strict=True))
    assert who["food words 0"] == "female, Hale"  # 10 women in Hale: more than 4
    assert who["not safe"] == "male, Urmston"  # named


def test_a_theme_or_indicator_chooses_the_responses(
    tmp_path: Path, project: Project, connection: Connection
) -> None:
    ctx = FigureContext(_tiny(tmp_path, project), connection)
    themes, said = build(ctx, VoicesBlock(block="voices", themes=("gp",), quotes=1))
    assert themes.table.rows == (("GP access", "5", "100%"),)
    assert len(said.data) == 1
    with pytest.raises(ContentError, match="no theme 'nope'"):
        build(ctx, VoicesBlock(block="voices", themes=("nope",)))
    with pytest.raises(ContentError, match="no survey 'other'"):
        build(ctx, VoicesBlock(block="voices", surveys=("other",)))


def test_markup_in_a_quote_is_shown_as_text_on_the_site(
    tmp_path: Path, project: Project, connection: Connection
) -> None:
    ctx = FigureContext(_tiny(tmp_path, project), connection)
    said = build(ctx, VoicesBlock(block="voices", themes=("gp",), quotes=5))[1]
    assert f"\u201c{XSS}\u201d" in [row[0] for row in said.table.rows]
    html = environment().get_template("_table.html").render(table=said.table)
    assert "<script>" not in html
    assert "<img" not in html
    assert (
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    )


def test_equality_table_against_the_population(
    tmp_path: Path, project: Project, connection: Connection
) -> None:
    ctx = FigureContext(_tiny(tmp_path, project), connection)
    population = pd.DataFrame(
        {
            "indicator_id": "population_ward",
            "area_code": ["E1", "E1", "E2", "E2", "E1", "E2"],
            "area_name": ["Hale", "Hale", "Urmston", "Urmston", "Hale", "Urmston"],
            "area_type": "ward23",
            "period": "2024",
            "sex": ["female", "male", "female", "male", "persons", "persons"],
            "age": "40",
            "value": [300.0, 300.0, 200.0, 200.0, 600.0, 400.0],
            "projected": False,
        }
    )
    ctx._results["population_ward"] = population
    block = VoicesBlock(block="voices", equality=True, population="population_ward")
    table = build(ctx, block)[2]
    rows = {row[0]: row[1:] for row in table.table.rows}
    # 11 women, 3 men: 3 is hidden, and so is the only other count of sex
    assert rows["Sex: female"] == ("hidden", "", "50%")
    assert rows["Sex: male"] == ("hidden", "", "50%")
    assert rows["Ward: Hale"] == ("hidden", "", "60%")
    assert rows["Ward: Urmston"] == ("hidden", "", "40%")
    # nobody stated an age: 0 respondents aged 35-44, the whole population in the band
    assert rows["Age band: 35-44"] == ("0", "", "100%")
    assert rows["Age band: not stated"] == ("14", "", "")
    assert table.data["respondents"].isna().sum() == 4
