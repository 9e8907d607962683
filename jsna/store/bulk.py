"""Writing many rows at once: the one path every import takes into the store."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table

__all__ = ["insert_rows"]


def insert_rows(connection: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (columns named as in ``table``) and return the count.

    Runs inside the caller's transaction, so a failed import writes nothing.
    Missing values (NaN, NA, None) are stored as NULL.
    """
    unknown = set(frame.columns) - set(table.columns.keys())
    if unknown:
        raise ValueError(f"{table.name}: no such columns {sorted(map(str, unknown))}")
    if frame.empty:
        return 0
    clean = frame.astype(object).where(frame.notna(), None)
    records = [
        {
            key: (value.item() if isinstance(value, np.generic) else value)
            for key, value in row.items()
        }
        for row in clean.to_dict("records")
    ]
    connection.execute(table.insert(), records)
    return len(records)
