"""docs/getting-started.md stays true: its steps, applied to a new project, give what it shows."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from jsna.cli.main import cli
from tests.paths import ROOT

GUIDE = (ROOT / "docs" / "getting-started.md").read_text()


def _section(title: str) -> str:
    start = GUIDE.index(f"## {title}")
    end = GUIDE.find("\n## ", start + 1)
    return GUIDE[start:end]


def _indented_blocks(text: str, indent: int) -> list[str]:
    """The code blocks of ``text`` indented by ``indent`` spaces (Markdown code blocks)."""
    pad = " " * indent
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith(pad) or (current and not line.strip()):
            current.append(line)
        elif current:
            blocks.append(textwrap.dedent("\n".join(current)).strip() + "\n")
            current = []
    if current:
        blocks.append(textwrap.dedent("\n".join(current)).strip() + "\n")
    return blocks


@pytest.fixture
def medway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["new", "medway-jsna", "--area", "E06000035"])
    assert result.exit_code == 0, result.output
    return tmp_path / "medway-jsna"


def test_the_check_of_a_new_project_is_as_shown(medway: Path) -> None:
    shown = _indented_blocks(_section("4. Check it"), 4)
    result = CliRunner().invoke(cli, ["check", "medway-jsna"])
    assert result.exit_code == 0
    assert result.stdout in shown


def test_the_files_listed_are_those_written(medway: Path) -> None:
    listing = _indented_blocks(_section("3. What is in the folder"), 4)[0]
    names = re.findall(r"^\s+(\S+\.(?:yml|md))\s", listing, flags=re.MULTILINE)
    written = {path.name for path in medway.rglob("*") if path.is_file()}
    assert set(names) <= written
    assert len([n for n in names if n.endswith(".yml") and n != "jsna.yml"]) == len(
        list((medway / "sources").glob("*.yml"))
    )


def test_adding_the_indicator_and_the_chapter_of_the_guide(medway: Path) -> None:
    steps = _section("9. Add an indicator")
    blocks = _indented_blocks(steps, 7)
    keep, define = blocks[0], blocks[1]
    source = medway / "sources" / "fingertips_la.yml"
    text = source.read_text()
    assert "equals: [adults_depression, dementia_diagnosis]" in text
    source.write_text(
        text.replace(
            keep.splitlines()[1].strip().replace(", adults_smoking", ""),
            keep.splitlines()[1].strip(),
        )
    )
    indicator = yaml.safe_load((medway / "indicators" / "depression_qof_la.yml").read_text())
    indicator.update(yaml.safe_load(define))
    (medway / "indicators" / "smoking_adults.yml").write_text(yaml.safe_dump(indicator))
    chapter = _indented_blocks(_section("10. Add a chapter"), 4)[0]
    (medway / "chapters" / "04-lifestyles.md").write_text(chapter)
    result = CliRunner().invoke(cli, ["check", "medway-jsna"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "13 indicators, 4 chapters, 5 sources: 0 problems, 4 warnings"
    )
    assert "adults_smoking" in source.read_text()
    assert "it now counts 13 indicators and 4 chapters" in GUIDE
