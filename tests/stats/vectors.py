"""Reading the reference vectors and comparing results with them.

The vectors (from PHEindicatormethods and Fingertips production code) are read
from ``shared/reference/phe_methods/vectors`` in place. Tolerances are the
ones the reference README states: relative 1e-9 unless a test says otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.paths import VECTORS

RTOL = 1e-9


def read_vector(name: str) -> pd.DataFrame:
    """Read one vector file; a missing file fails the test (never skips)."""
    path = VECTORS / name
    if not path.is_file():
        pytest.fail(f"reference vector {path} not found: set JSNA_SHARED to the shared folder")
    return pd.read_csv(path)


def assert_close(
    actual: object, expected: object, *, rtol: float = RTOL, atol: float = 0.0, what: str = ""
) -> None:
    """Compare numbers (NaN equals NaN) with a relative tolerance."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def rows(frame: pd.DataFrame, id_column: str | None = None) -> list[object]:
    """Parametrise a test with one case per row, labelled by ``id_column``."""
    ids = frame[id_column].astype(str).tolist() if id_column else [str(i) for i in frame.index]
    return [
        pytest.param(row, id=label) for label, (_, row) in zip(ids, frame.iterrows(), strict=True)
    ]
