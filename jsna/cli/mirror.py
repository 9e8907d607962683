"""Where the command line finds the shared open-data folder (see :mod:`jsna.content.mirror`)."""

from __future__ import annotations

from jsna.content.mirror import DEFAULT_MIRROR, MIRROR_ENV, data_mirror

__all__ = ["DEFAULT_MIRROR", "MIRROR_ENV", "data_mirror"]
