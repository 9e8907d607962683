"""How far it is from where people live to a service: one interface, straight lines by default.

Every access analysis asks a :class:`TravelCosts` two questions about
origins (neighbourhood centres) and destinations (pharmacies, GP practices):

- :meth:`~TravelCosts.nearest`: the cost of reaching the nearest destination
  from each origin, and which destination that is;
- :meth:`~TravelCosts.count_within`: how many destinations each origin reaches
  within a limit.

Costs are in the model's :attr:`~TravelCosts.unit` (``"km"`` for distances,
``"minutes"`` for travel times) and limits are read in that unit.

:class:`StraightLine` (the default) measures straight-line distance on the
British National Grid (EPSG:27700) with a k-d tree (:mod:`jsna.stats.nearest`):
exact, fast and needing no server, but it understates real journeys (roads,
rivers, railways and motorways lengthen them).

Adding a routing engine
-----------------------
A council that runs a routing server (OSRM, OpenTripPlanner, Valhalla) writes
one class with the same two methods and a ``unit``, for example an
``OsrmTable`` that sends the origins' and destinations' ``lon``/``lat`` to
OSRM's ``/table/v1/foot`` service (``annotations=duration`` for minutes or
``distance`` for metres), in chunks, and takes each row's minimum and the
count of cells at or under the limit. Pre-filter with :class:`StraightLine`
(only destinations within, say, twice the limit in a straight line can be
reached within it) to keep the tables small. Nothing else changes: the
analysis in :mod:`jsna.analysis.access` calls only this interface. jsna
ships no such adapter and never calls the network itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from pyproj import Transformer

from jsna.stats.nearest import count_within, nearest

__all__ = ["Places", "StraightLine", "TravelCosts", "places"]

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class Places:
    """Points both ways: ``lon``/``lat`` (WGS84) for routing engines and ``x``/``y`` (metres on
    the British National Grid) for straight lines."""

    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.x)

    @property
    def xy(self) -> npt.NDArray[np.float64]:
        """``(n, 2)`` grid coordinates in metres."""
        return np.column_stack([self.x, self.y])


_TO_GRID = Transformer.from_crs(WGS84, BNG, always_xy=True)


def places(lon: npt.ArrayLike, lat: npt.ArrayLike) -> Places:
    """Places from longitudes and latitudes (projected to the grid in one vectorised call)."""
    lon_array = np.asarray(lon, dtype=np.float64)
    lat_array = np.asarray(lat, dtype=np.float64)
    x, y = _TO_GRID.transform(lon_array, lat_array)
    return Places(lon_array, lat_array, np.asarray(x, float), np.asarray(y, float))


@runtime_checkable
class TravelCosts(Protocol):
    """A way of costing journeys from origins to destinations (straight line, road, public
    transport)."""

    unit: str
    """Unit of every cost and limit: ``"km"`` or ``"minutes"``."""
    description: str
    """How costs are measured, for readers ("straight-line distance")."""

    def nearest(
        self, origins: Places, destinations: Places
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """Cost to the nearest destination from each origin (``inf`` if none can be reached)
        and its position in ``destinations`` (``-1`` if none)."""
        ...

    def count_within(
        self, origins: Places, destinations: Places, limit: float
    ) -> npt.NDArray[np.int64]:
        """Number of destinations reached from each origin at a cost of at most ``limit``."""
        ...


@dataclass(frozen=True)
class StraightLine:
    """Straight-line ("as the crow flies") distance in km on the British National Grid."""

    unit: str = "km"
    description: str = "straight-line distance"

    def nearest(
        self, origins: Places, destinations: Places
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """Distance in km to the nearest destination, and its position."""
        metres, position = nearest(origins.xy, destinations.xy)
        return metres / 1000.0, position

    def count_within(
        self, origins: Places, destinations: Places, limit: float
    ) -> npt.NDArray[np.int64]:
        """Destinations within ``limit`` km in a straight line."""
        return count_within(origins.xy, destinations.xy, limit * 1000.0)
