"""Small stores for tests: the same areas and source, written through insert_rows."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from jsna.store.bulk import insert_rows
from jsna.store.schema import area, area_type, source


def add_areas(connection: Connection) -> None:
    """Areas 1-3 (lsoa21: E01000001 to E01000003) and 4 (ltla24: E06000001 Hartlepool)."""
    types = {"code": ["lsoa21", "ltla24"], "name": ["LSOA", "LTLA"], "level": [0, 2]}
    insert_rows(connection, area_type, pd.DataFrame({**types, "vintage": ["2021", "2024"]}))
    areas = {
        "id": [1, 2, 3, 4],
        "area_type": ["lsoa21"] * 3 + ["ltla24"],
        "code": ["E01000001", "E01000002", "E01000003", "E06000001"],
        "name": ["a", "b", "c", "Hartlepool"],
    }
    insert_rows(connection, area, pd.DataFrame(areas))


def add_source(connection: Connection, source_id: str = "s") -> None:
    """A declared source with placeholder metadata."""
    declared = {"id": source_id, "title": "T", "publisher": "P", "licence": "OGL"}
    insert_rows(
        connection, source, pd.DataFrame([{**declared, "format": "csv", "declaration": "{}"}])
    )
