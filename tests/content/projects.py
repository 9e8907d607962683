"""A small, valid project written file by file, so each test can break one thing.

Line numbers matter: tests assert ``path:line: field: message`` exactly, so the
texts below are kept short and their lines counted in the tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jsna.content.project_files import check_project

JSNA_YML = """\
title: Test JSNA
area: {code: E06000035, name: Medway, area_type: ltla24}
comparators:
  - {id: england, name: England, kind: england, codes: [E92000001]}
area_types: [ltla24, ward24]
geographies:
  lookups:
    - reader: ltla_to_utla
      file: lookups.csv
branding: {organisation: Medway Council}
publication: {edition: "2026"}
"""

SOURCE = """\
id: deaths
title: Deaths
publisher: ONS
licence: OGL-UK-3.0
file: data/deaths.csv
format: csv
geography: ward24
columns: {area_code: code, period: year, numerator: deaths, denominator: population}
fixed: {indicator_id: deaths}
"""

INDICATOR = """\
id: death_rate
title: Death rate
definition: Deaths per 100,000 residents.
rationale: Deaths measure the burden of disease.
method: crude_rate
multiplier: 100000
polarity: low_is_good
source: deaths
licence: OGL-UK-3.0
numerator: {measure: deaths}
denominator: {measure: deaths}
geographies: [ward24]
owner: Public health team
"""

CHAPTER = """\
---
title: Mortality
owner: Public health team
review_date: 2027-01-31
status: published
---
Deaths in Medway.

```jsna
block: indicator
indicator: death_rate
```
"""


def write_project(root: Path, **files: str | None) -> Path:
    """The valid project under ``root``; ``files`` replace (text) or remove (None) a file."""
    texts: dict[str, str | None] = {
        "jsna.yml": JSNA_YML,
        "sources/deaths.yml": SOURCE,
        "data/deaths.csv": "code,year,deaths,population\nE05000001,2024,3,1000\n",
        "lookups.csv": "ltla23_code,ltla23_name,utla23_code,utla23_name\n",
        "indicators/death_rate.yml": INDICATOR,
        "chapters/01-mortality.md": CHAPTER,
    }
    texts.update(files)
    for name, text in texts.items():
        if text is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


TODAY = dt.date(2026, 11, 26)
"""The day the checks run on, so review dates do not age the tests."""


def report(root: Path) -> tuple[list[str], list[str]]:
    """Problems and warnings of the project at ``root``, with the folder shown as ROOT."""
    found = check_project(root, today=TODAY)
    return (
        [text.replace(str(root), "ROOT") for text in found.problems],
        [text.replace(str(root), "ROOT") for text in found.warnings],
    )
