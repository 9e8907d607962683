"""Where the command line finds the shared open-data folder."""

from __future__ import annotations

import os
from pathlib import Path

MIRROR_ENV = "JSNA_DATA_MIRROR"
DEFAULT_MIRROR = Path("../shared/data")


def data_mirror() -> Path:
    """The shared open-data folder: ``$JSNA_DATA_MIRROR``, else ``../shared/data``."""
    return Path(os.environ.get(MIRROR_ENV, DEFAULT_MIRROR))
