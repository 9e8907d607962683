"""Nearest neighbours and counts within a radius between two sets of planar points.

Pure NumPy/SciPy: points are ``(n, 2)`` arrays of projected coordinates
(metres on the British National Grid, for example), never longitude and
latitude, so the straight-line distance is the Euclidean one. Both functions
build one k-d tree (:class:`scipy.spatial.cKDTree`) of the destinations and
query every origin at once; nothing loops over points in Python.

- :func:`nearest`: the distance from each origin to its nearest destination
  and that destination's position;
- :func:`count_within`: how many destinations lie within ``radius`` of each
  origin (the boundary counts: a destination exactly ``radius`` away is in).

With no destinations, distances are ``inf``, positions ``-1`` and counts 0.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from ._validate import FloatArray, fail

__all__ = ["count_within", "nearest"]

IntArray = npt.NDArray[np.int64]


def _points(argument: str, points: npt.ArrayLike) -> FloatArray:
    """``points`` as a float ``(n, 2)`` array of finite coordinates, else StatsInputError."""
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise fail(argument, "must be an (n, 2) array of x, y coordinates", f"shape {array.shape}")
    bad = ~np.isfinite(array).all(axis=1)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise fail(
            argument,
            "coordinates must be finite numbers",
            f"{array[position].tolist()} at position {position}",
        )
    return array


def _tree(destinations: FloatArray) -> cKDTree | None:
    return cKDTree(destinations) if len(destinations) else None


def nearest(origins: npt.ArrayLike, destinations: npt.ArrayLike) -> tuple[FloatArray, IntArray]:
    """Distance from each origin to its nearest destination, and that destination's position.

    Ties go to the destination the tree finds first (either is right).
    """
    start = _points("origins", origins)
    end = _points("destinations", destinations)
    tree = _tree(end)
    if tree is None or len(start) == 0:
        return np.full(len(start), np.inf), np.full(len(start), -1, dtype=np.int64)
    distance, position = tree.query(start, k=1)
    return np.asarray(distance, dtype=np.float64), np.asarray(position, dtype=np.int64)


def count_within(origins: npt.ArrayLike, destinations: npt.ArrayLike, radius: float) -> IntArray:
    """Number of destinations within ``radius`` (inclusive) of each origin."""
    if not np.isfinite(radius) or radius <= 0:
        raise fail("radius", "must be a positive finite number", radius)
    start = _points("origins", origins)
    end = _points("destinations", destinations)
    tree = _tree(end)
    if tree is None or len(start) == 0:
        return np.zeros(len(start), dtype=np.int64)
    # A hair over the radius so a destination exactly on it counts despite rounding.
    counts = tree.query_ball_point(start, r=radius * (1 + 1e-12), return_length=True)
    return np.asarray(counts, dtype=np.int64)
