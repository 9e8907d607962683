"""Where the tests find the read-only shared material (never copied into the repo).

``JSNA_SHARED`` points at the shared folder (default: ``../shared`` beside the
repository); ``JSNA_DATA_MIRROR`` at its data (default: ``$JSNA_SHARED/data``).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("JSNA_SHARED", ROOT.parent / "shared"))
DATA_MIRROR = Path(os.environ.get("JSNA_DATA_MIRROR", SHARED / "data"))
VECTORS = SHARED / "reference" / "phe_methods" / "vectors"
