"""Hostile text in a project is shown as text everywhere: HTML, JSON twins, specs, SVG, feed.

A copy of the Trafford example gets a chapter with ``<script>alert(1)</script>``
in its title, summary, body, a heading and a chart caption, and an indicator
whose title is ``"><img src=x onerror=alert(1)>``; the site is built (without
PDFs or area profiles) from the run's prepared store and every file is read.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from jsna.content.project_files import load_project
from jsna.render.build import BuildSummary, build_site
from jsna.store.engine import connect
from tests.render.site import copy_example, prepared_store

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
INDICATOR = "bad_health"
KEPT = {INDICATOR, "smoking_adults"}

CHAPTER = f"""---
title: Hostile {SCRIPT}
summary: Summary {SCRIPT}
owner: Team {SCRIPT}
review_date: 2027-01-01
status: review
---
Body {SCRIPT} and {IMG} as text.

## Section {SCRIPT}

```jsna
block: chart
chart: compare
indicator: {INDICATOR}
area_type: ward23
caption: Caption {SCRIPT}
```

```jsna
block: indicator
indicator: {INDICATOR}
```

```jsna
block: table
indicators: [{INDICATOR}]
area_type: ward23
caption: Table {SCRIPT}
```
"""


@dataclass(frozen=True)
class Hostile:
    project: Path
    store: Path
    site: Path
    summary: BuildSummary


def _build(project: Path, store: Path, out: Path) -> BuildSummary:
    engine = connect(project, f"sqlite:///{store}")
    try:
        with engine.connect() as connection:
            return build_site(load_project(project), connection, out, pdf=False, workers=1)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    _, store = prepared_store()
    folder = tmp_path_factory.mktemp("hostile")
    project = copy_example(folder / "project")
    shutil.rmtree(project / "chapters")
    (project / "chapters").mkdir()
    (project / "chapters" / "01-hostile.md").write_text(CHAPTER, encoding="utf-8")
    (project / "recommendations.yml").unlink()  # they name the chapters just removed
    config = (project / "jsna.yml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^  profiles: .*$", "  profiles: []", config)
    (project / "jsna.yml").write_text(config, encoding="utf-8")
    for other in (project / "indicators").glob("*.yml"):
        if other.stem not in KEPT:
            other.unlink()  # a small site builds quickly
    yml = project / "indicators" / f"{INDICATOR}.yml"
    text = re.sub(
        r"(?m)^title: .*$", "title: '" + IMG + " bad health'", yml.read_text(encoding="utf-8")
    )
    yml.write_text(text, encoding="utf-8")
    loaded = load_project(project)
    assert loaded.indicators[INDICATOR].title.startswith(IMG)
    out = folder / "site"
    return Hostile(project, store, out, _build(project, store, out))


@pytest.fixture(scope="module")
def hostile_site(hostile: Hostile) -> Path:
    return hostile.site


def _strings(value: object) -> str:
    """Every string inside a JSON value, joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(_strings(v) for v in value)
    return ""


def _texts(site: Path, *suffixes: str) -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8")
        for suffix in suffixes
        for path in site.rglob(f"*{suffix}")
        if "/assets/" not in str(path)
    }


class Elements(HTMLParser):
    """Every element and attribute of a page (SVG included), as a browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def test_no_hostile_markup_survives_in_any_file(hostile_site: Path) -> None:
    files = _texts(hostile_site, ".html", ".json", ".svg", ".xml")
    assert len(files) > 20
    for path, text in files.items():
        assert "<script>alert" not in text, path
        assert "<img src=x" not in text, path
        if path.suffix in {".html", ".svg"}:
            parsed = Elements()
            parsed.feed(text)
            assert not [t for t, a in parsed.found if t == "img" and a.get("src") == "x"], path
            handlers = [(t, k) for t, a in parsed.found for k in a if k.startswith("on")]
            assert handlers == [], path
            assert not [s for s in parsed.scripts if "alert" in s], path
            sources = [a.get("src") or "" for t, a in parsed.found if t == "script"]
            assert all(s.endswith(".js") for s in sources), path


def test_html_shows_the_hostile_text_escaped(hostile_site: Path) -> None:
    index = (hostile_site / "chapters" / "hostile" / "index.html").read_text(encoding="utf-8")
    assert (
        '<h1 class="govuk-heading-xl">Hostile &lt;script&gt;alert(1)&lt;/script&gt;</h1>' in index
    )
    assert "Body &lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "Caption &lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "&lt;img src=x onerror=alert(1)&gt;" in index
    assert 'id="section-script-alert-1-script"' in index
    assert "In review" in index
    # Table rows name their area, so a click on a chart can highlight the row.
    assert re.search(r'<tr class="govuk-table__row" data-row="[^"]+" data-area-code="E05', index)
    # The chart is still drawn inline: the SVG's text is escaped, so it is kept.
    chart = re.search(r'<div class="jsna-chart"[^>]*>(.*?)</div>', index, re.S)
    assert chart is not None
    assert chart.group(1).lstrip().startswith("<svg")
    indicator = (hostile_site / "indicators" / f"{INDICATOR}.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt; bad health</h1>" in indicator


def test_json_twins_and_specs_hold_the_text_as_data(hostile_site: Path) -> None:
    twin = json.loads((hostile_site / "chapters" / "hostile" / "index.json").read_text())
    assert twin["meta"]["title"] == f"Hostile {SCRIPT}"
    specs = list((hostile_site / "specs" / "chapters" / "hostile").rglob("*.json"))
    assert specs
    found = [_strings(json.loads(path.read_text())) for path in specs]
    assert any(IMG in text for text in found)
    raw = (hostile_site / "chapters" / "hostile" / "index.json").read_text()
    assert "\\u003cscript\\u003e" in raw
    assert "<" not in raw


def test_csv_twins_hold_the_text_as_it_was_written(hostile_site: Path) -> None:
    csv = pd.read_csv(hostile_site / "index.csv", dtype=str, keep_default_na=False)
    assert f"{IMG} bad health" in set(csv["Indicator"])


def test_search_index_and_feed_escape_the_title(hostile_site: Path) -> None:
    index = json.loads((hostile_site / "search-index.json").read_text())
    assert SCRIPT in json.dumps(index, ensure_ascii=False)
    feed = (hostile_site / "feed.xml").read_text(encoding="utf-8")
    assert SCRIPT not in feed


def _normalised(site: Path, summary: BuildSummary) -> dict[str, str]:
    assert summary.generated is not None
    when = summary.generated
    stamps = (when.isoformat(), f"{when:%Y-%m-%dT%H:%M:%SZ}", f"{when.day} {when:%B %Y}")
    found = {}
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site)
        if not path.is_file() or relative.parts[0] == "editions":
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for stamp in stamps:
            text = text.replace(stamp, "GENERATED")
        found[str(relative)] = text
    return found


def test_two_builds_differ_only_in_the_generated_time(hostile: Hostile) -> None:
    again = hostile.site.parent / "again"
    summary = _build(hostile.project, hostile.store, again)
    first, second = _normalised(hostile.site, hostile.summary), _normalised(again, summary)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
