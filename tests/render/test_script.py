"""``jsna.js``: its pure search functions, run in Node, agree with ``jsna.render.search``.

The browser behaviour (vega-embed, highlighting, the live region) is tested
with Playwright in ``tests/browser``; here Node loads the script as a module
(it exports ``tokens``, ``search`` and ``resultsMessage`` when there is no DOM).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from jsna.render.pages import Page
from jsna.render.search import query, search_index, tokens

SCRIPT = Path(__file__).resolve().parents[2] / "jsna" / "render" / "static" / "jsna.js"
NODE = shutil.which("node") or "node"
"""Node.js, which setup installs (a missing one fails the tests, never skips them)."""

QUERIES = [
    "diab",
    "Diabetes",
    "diabetes qof",
    "life expectancy",
    "ALTRINCHAM",
    "e05000819",
    "Bowdon",
    "café",
    "ashton upon",
    "the",
    "",
    "zz",
    "population 65",
    "ward",
]


def _pages() -> list[Page]:
    def page(path: str, kind: str, title: str, summary: str = "", **more: Any) -> Page:
        return Page(path=path, kind=kind, title=title, template="x.html", summary=summary, **more)

    return [
        page("index.html", "home", "Trafford JSNA", "The health of Trafford's population."),
        page(
            "chapters/ltc/index.html",
            "chapter",
            "Long-term conditions",
            "Diabetes, heart disease and COPD in Trafford.",
            topics=("diabetes", "ltc"),
        ),
        page(
            "chapters/population/index.html",
            "chapter",
            "Population",
            "Who lives in Trafford: ages, wards and projections to 2030.",
        ),
        page(
            "indicators/diabetes_qof.html",
            "indicator",
            "Diabetes recorded prevalence, aged 17+ (QOF)",
            "Patients aged 17+ on the diabetes register.",
            topics=("long-term conditions", "diabetes"),
        ),
        page(
            "indicators/life_expectancy_male.html",
            "indicator",
            "Life expectancy at birth, males",
            "Average years a boy born now would live.",
        ),
        page(
            "indicators/population_65_plus.html",
            "indicator",
            "Population aged 65 and over",
            "Residents aged 65+.",
        ),
        page(
            "areas/ward23/E05000819.html",
            "area",
            "Altrincham (Ward (2023))",
            "Profile of Altrincham.",
            context={"area": {"code": "E05000819", "name": "Altrincham", "label": "Ward (2023)"}},
        ),
        page(
            "areas/ward23/E05000820.html",
            "area",
            "Ashton upon Mersey (Ward (2023))",
            "Profile of Ashton upon Mersey, near the Café Bowdon.",
            context={
                "area": {"code": "E05000820", "name": "Ashton upon Mersey", "label": "Ward (2023)"}
            },
        ),
        page("search.html", "search", "Search"),
    ]


def _node(code: str, payload: Any) -> Any:
    assert NODE is not None
    program = f"const jsna = require({json.dumps(str(SCRIPT))});\n" + code
    done = subprocess.run(
        [NODE, "-e", program],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def test_node_and_python_find_the_same_documents_in_the_same_order() -> None:
    index = search_index(_pages())
    found = _node(
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "const out = input.queries.map(q => jsna.search(input.index, q).map(d => d.url));\n"
        "process.stdout.write(JSON.stringify(out));",
        {"index": index, "queries": QUERIES},
    )
    expected = [[d["url"] for d in query(index, text)] for text in QUERIES]
    assert found == expected
    by_query = dict(zip(QUERIES, found, strict=True))
    assert by_query["diabetes qof"] == ["indicators/diabetes_qof.html"]
    assert by_query["diab"][0] == "indicators/diabetes_qof.html"
    assert by_query["e05000819"] == ["areas/ward23/E05000819.html"]
    assert by_query["café"] == ["areas/ward23/E05000820.html"]
    assert by_query["the"] == []
    assert by_query[""] == []
    assert by_query["population 65"][0] == "indicators/population_65_plus.html"


def test_node_tokenises_like_python() -> None:
    texts = ["Ashton-upon-Mersey", "Café Bowdon", "E05000819", "Rate per 100,000", "ÆØ x"]
    found = _node(
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "process.stdout.write(JSON.stringify(input.map(jsna.tokens)));",
        texts,
    )
    assert found == [tokens(text) for text in texts]
    assert found[0] == ["ashton", "upon", "mersey"]
    assert found[1] == ["cafe", "bowdon"]


def test_the_result_count_reads_in_words() -> None:
    found = _node(
        "process.stdout.write(JSON.stringify([jsna.resultsMessage(1, ' diabetes '),"
        " jsna.resultsMessage(3, 'life'), jsna.resultsMessage(0, 'zz'),"
        " jsna.resultsMessage(0, '  ')]));",
        None,
    )
    assert found == [
        "1 result for \u201cdiabetes\u201d",
        "3 results for \u201clife\u201d",
        "0 results for \u201czz\u201d",
        "",
    ]


def test_the_script_wires_charts_highlights_and_search() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    for needle in (
        ".jsna-chart[data-spec]",
        'renderer: "svg"',
        "editor: false",
        'signal("highlight"',
        "jsna-highlight",
        "aria-selected",
        "Highlighted: ",
        'setAttribute("aria-live", "polite")',
        "select[data-jsna-highlight]",
        "form[data-jsna-search]",
        "DOMContentLoaded",
    ):
        assert needle in text, needle
    assert "innerHTML" not in text
