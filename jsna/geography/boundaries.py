"""Boundaries for maps: read GeoJSON, simplify for display, orient for Vega, one row per area.

Simplification is done in metres (British National Grid, EPSG:27700) and then
back to WGS84 lon/lat:

- when the polygons form a valid coverage (neighbours share identical edges, as
  the ONS files do) ``shapely.coverage_simplify`` (Visvalingam-Whyatt)
  simplifies every shared edge once, so neighbours stay gap- and overlap-free;
- otherwise each polygon is simplified alone with
  ``shapely.simplify(..., preserve_topology=True)``.

Default tolerances: 25 m for the 20 m-generalised local files (about one pixel
on a 600-pixel map of a borough) and 250 m for the 500 m-generalised England
files. Coordinates are then snapped to 5 decimal places (about 1 m) and outer
rings turned CLOCKWISE (``shapely.orient_polygons(..., exterior_cw=True)``),
because Vega's geoshape fills the whole chart with counter-clockwise rings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jsna.errors import InputFileError

from .registry import AreaType, area_type

__all__ = [
    "BOUNDARY_COLUMNS",
    "BoundaryFile",
    "boundary_rows",
    "read_boundaries",
    "read_boundary_files",
    "simplify_for_display",
]

BOUNDARY_COLUMNS = ["area_type", "code", "name", "geojson", "min_x", "min_y", "max_x", "max_y"]
METRIC_CRS = "EPSG:27700"
LONLAT_CRS = "EPSG:4326"
PRECISION = 1e-5
"""Grid of the stored coordinates, in degrees (about 1 m)."""


@dataclass(frozen=True)
class BoundaryFile:
    """A boundary file: which area type its features are and where their code and name are."""

    path: Path | str
    """The GeoJSON file (relative paths are taken from the ``root`` of :func:`read_boundary_files`)."""
    area_type: str
    code: str
    name: str
    tolerance: float = 25.0
    """Display simplification tolerance in metres."""


def read_boundaries(
    path: Path | str, type_code: str, code: str, name: str, kind: AreaType | None = None
) -> gpd.GeoDataFrame:
    """Features of a GeoJSON file as (area_type, code, name, geometry) in WGS84, codes checked.

    ``kind`` is the area type when it is not a standard one (a project's custom type).
    """
    path = Path(path)
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except Exception as error:  # pyogrio raises its own DataSourceError and OSError
        raise InputFileError(path, f"cannot read as GeoJSON: {error}") from error
    for column in (code, name):
        if column not in frame.columns:
            raise InputFileError(
                path,
                f"no property {column!r}; found {', '.join(map(repr, frame.columns))}",
                column=column,
            )
    kind = kind or area_type(type_code)
    codes = frame[code].astype(str).str.strip()
    for position, value in enumerate(codes):
        if not kind.accepts(value):
            raise InputFileError(
                path,
                f"{value!r} is not {kind.rule()} (area type {type_code})",
                row=position + 1,
                column=code,
            )
    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.any():
        position = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputFileError(path, "feature has no geometry", row=position + 1, column="geometry")
    if frame.crs is None:
        frame = frame.set_crs(LONLAT_CRS)
    frame = frame.to_crs(LONLAT_CRS)
    return gpd.GeoDataFrame(
        {"area_type": type_code, "code": codes, "name": frame[name].astype(str).str.strip()},
        geometry=frame.geometry.values,
        crs=LONLAT_CRS,
    )


def simplify_for_display(geometries: gpd.GeoSeries, tolerance: float) -> np.ndarray:
    """Geometries simplified by ``tolerance`` metres, snapped to 1e-5 degrees, outer rings clockwise."""
    metric = geometries.to_crs(METRIC_CRS).values
    if bool(shapely.coverage_is_valid(metric)):
        simple = shapely.coverage_simplify(metric, tolerance)
    else:
        simple = shapely.simplify(metric, tolerance, preserve_topology=True)
    lonlat = gpd.GeoSeries(simple, crs=METRIC_CRS).to_crs(LONLAT_CRS).values
    snapped = shapely.set_precision(np.asarray(lonlat), PRECISION)
    return np.asarray(shapely.orient_polygons(snapped, exterior_cw=True))


def boundary_rows(frame: gpd.GeoDataFrame, tolerance: float) -> pd.DataFrame:
    """Rows for the ``boundary`` table: area_type, code, name, geojson text and bounding box."""
    geometries = simplify_for_display(frame.geometry, tolerance)
    bounds = shapely.bounds(geometries)
    return pd.DataFrame(
        {
            "area_type": frame["area_type"].to_numpy(),
            "code": frame["code"].to_numpy(),
            "name": frame["name"].to_numpy(),
            "geojson": shapely.to_geojson(geometries),
            "min_x": bounds[:, 0],
            "min_y": bounds[:, 1],
            "max_x": bounds[:, 2],
            "max_y": bounds[:, 3],
        }
    )


def read_boundary_files(
    files: Sequence[BoundaryFile], root: Path | str = ".", kinds: Sequence[AreaType] = ()
) -> pd.DataFrame:
    """Boundary rows for every file of ``files`` (``kinds``: custom types they may use)."""
    custom = {kind.code: kind for kind in kinds}
    parts = []
    for item in files:
        path = Path(root) / item.path
        kind = custom.get(item.area_type)
        frame = read_boundaries(path, item.area_type, item.code, item.name, kind)
        parts.append(boundary_rows(frame, item.tolerance))
    if not parts:
        return pd.DataFrame(columns=BOUNDARY_COLUMNS)
    return pd.concat(parts, ignore_index=True)
