"""Community assets: import a council's own asset list, place assets in areas, rates per 1,000.

Assets are groups, venues and services that keep people well: libraries,
sport facilities, community centres, faith and voluntary groups. They come
from two places:

- the project's declared sources of places (``lon``/``lat`` per row), one
  category per source (the ``assets`` block says which);
- a council's own list (CSV or Excel), imported into the store with
  :func:`read_asset_list` (validation) and :func:`save_asset_list`
  (all-or-nothing replacement of the named list).

An asset list has a header row with the columns ``name``, ``category`` and a
location: ``postcode``, or ``lat`` and ``lon`` (WGS84 degrees), or both
(coordinates win; the postcode is then only kept). Column names are matched
without regard to case or surrounding spaces. Every rule broken by every
cell is reported at once, as ``file:row:column: rule (value)`` with the
header as row 1, and nothing is imported until the file is clean.

:func:`assets_by_area` places the assets in areas (point in polygon) and
divides the counts by the population: assets per 1,000 residents.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, func, select

from jsna.errors import InputFileError
from jsna.store.schema import community_asset

__all__ = [
    "ASSET_COLUMNS",
    "LIST_NAME",
    "AssetListRejectedError",
    "assets_by_area",
    "assets_geojson",
    "find_postcode_lookup",
    "geojson_text",
    "read_asset_list",
    "read_postcodes",
    "save_asset_list",
    "stored_asset_lists",
    "stored_assets",
]

ASSET_COLUMNS = ("name", "category", "postcode", "lon", "lat")
"""Columns of an asset frame (plus ``row_number`` for an imported list)."""

LIST_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
"""Rule for the name of an imported list."""

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
"""A UK postcode (outward code, optional space, inward code), upper case."""

NAME_LIMIT = 200
CATEGORY_LIMIT = 100
MAX_ROWS = 100_000
MAX_SHOWN = 1000
LAT_RANGE = (49.8, 60.9)
LON_RANGE = (-8.7, 1.8)
"""The United Kingdom's latitudes and longitudes (WGS84): a swapped pair falls outside."""


class AssetListRejectedError(InputFileError):
    """An asset list broke one or more rules; nothing was imported. ``problems`` lists them."""

    def __init__(self, path: Path | str, problems: Sequence[str]):
        self.problems = list(problems)
        count = len(self.problems)
        lines = self.problems[:MAX_SHOWN]
        if count > MAX_SHOWN:
            lines.append(f"... and {count - MAX_SHOWN} more problems")
        heading = f"{count} problem{'s' if count != 1 else ''}, nothing imported:"
        super().__init__(path, "\n".join([heading, *lines]))


def _shown(value: object, width: int = 40) -> str:
    text = repr(str(value))
    return text[: width - 4] + "...'" if len(text) > width else text


@dataclass
class _Found:
    path: Path
    problems: list[tuple[int, int, str]]
    """(row, column order, text) to sort by row then column."""

    def add(self, rows: pd.Series, column: str, order: int, rule: str, values: pd.Series) -> None:
        """One problem per row where ``rows`` is True."""
        for row, value in zip(rows.index[rows.to_numpy()], values[rows], strict=True):
            text = f"{self.path.name}:{row}:{column}: {rule} ({_shown(value)})"
            self.problems.append((int(row), order, text))


# --- reading and validating ----------------------------------------------------------------


def read_postcodes(path: Path) -> pd.DataFrame:
    """A postcode lookup (CSV with ``postcode``, ``lon``, ``lat``), keyed by the postcode without
    spaces: ``key``, ``postcode``, ``lon``, ``lat``."""
    frame = pd.read_csv(path, dtype=str, usecols=lambda c: c in ("postcode", "lon", "lat"))
    missing = {"postcode", "lon", "lat"} - set(frame.columns)
    if missing:
        raise InputFileError(path, f"a postcode lookup needs the columns {sorted(missing)}")
    out = pd.DataFrame(
        {
            "key": frame["postcode"].str.upper().str.replace(r"\s+", "", regex=True),
            "postcode": frame["postcode"].str.upper().str.strip(),
            "lon": pd.to_numeric(frame["lon"], errors="coerce"),
            "lat": pd.to_numeric(frame["lat"], errors="coerce"),
        }
    ).dropna(subset=["lon", "lat"])
    return out.drop_duplicates("key").set_index("key")


def find_postcode_lookup(files: Sequence[Path]) -> Path | None:
    """Of ``files`` (a project's declared geography files), the CSV with the columns
    ``postcode``, ``lon`` and ``lat``, preferring one whose name says ``postcode`` (other
    files with those columns, such as GP practices, hold a few postcodes only)."""
    ordered = sorted(files, key=lambda path: "postcode" not in path.name.lower())
    for path in ordered:
        if path.suffix.lower() != ".csv" or not path.is_file():
            continue
        header = pd.read_csv(path, nrows=0).columns
        if {"postcode", "lon", "lat"} <= set(header):
            return path
    return None


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            raise InputFileError(path, "an asset list must be a .csv or .xlsx file")
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as error:
        raise InputFileError(path, f"cannot be read as a table: {error}") from error
    if len(frame) > MAX_ROWS:
        raise InputFileError(path, f"has {len(frame)} rows: at most {MAX_ROWS} are accepted")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = frame.fillna("").astype(str).apply(lambda column: column.str.strip())
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame


def read_asset_list(path: Path | str, postcodes: pd.DataFrame) -> pd.DataFrame:
    """The asset list at ``path``, validated whole, with every location resolved.

    ``postcodes`` is :func:`read_postcodes`. Returns ``row_number`` plus
    :data:`ASSET_COLUMNS`; raises :class:`AssetListRejectedError` listing every
    problem (nothing is returned unless every row is good).
    """
    path = Path(path)
    frame = _read_table(path)
    found = _Found(path, [])
    has_point = {"lat", "lon"} <= set(frame.columns)
    header_rules = [
        (column, "the header has no column named 'name'")
        for column in ("name", "category")
        if column not in frame.columns
    ]
    if "postcode" not in frame.columns and not has_point:
        header_rules.append(("postcode", "the header needs a postcode column, or lat and lon"))
    if header_rules:
        heading = ", ".join(frame.columns) or "empty"
        problems = [
            f"{path.name}:1:{column}: {rule.replace(repr('name'), repr(column))} "
            f"(header: {_shown(heading, 80)})"
            for column, rule in header_rules
        ]
        raise AssetListRejectedError(path, problems)
    if frame.empty:
        raise AssetListRejectedError(path, [f"{path.name}:2:name: the list has no rows ('')"])
    empty = pd.Series("", index=frame.index)
    names, categories = frame["name"], frame["category"]
    found.add(names.eq(""), "name", 0, "a name is required", names)
    found.add(names.str.len() > NAME_LIMIT, "name", 0, f"at most {NAME_LIMIT} characters", names)
    found.add(categories.eq(""), "category", 1, "a category is required", categories)
    found.add(
        categories.str.len() > CATEGORY_LIMIT,
        "category",
        1,
        f"at most {CATEGORY_LIMIT} characters",
        categories,
    )
    postcode_text = frame["postcode"] if "postcode" in frame.columns else empty
    lat_text = frame["lat"] if has_point else empty
    lon_text = frame["lon"] if has_point else empty
    lat = pd.to_numeric(lat_text.where(lat_text != ""), errors="coerce")
    lon = pd.to_numeric(lon_text.where(lon_text != ""), errors="coerce")
    given_point = (lat_text != "") | (lon_text != "")
    found.add((lat_text != "") & lat.isna(), "lat", 3, "must be a number", lat_text)
    found.add((lon_text != "") & lon.isna(), "lon", 4, "must be a number", lon_text)
    found.add(
        (lat_text == "") & (lon_text != ""), "lat", 3, "lat is required when lon is given", lat_text
    )
    found.add(
        (lon_text == "") & (lat_text != ""), "lon", 4, "lon is required when lat is given", lon_text
    )
    low, high = LAT_RANGE
    found.add(
        lat.notna() & ~lat.between(low, high),
        "lat",
        3,
        f"must be between {low} and {high} (the UK; are lat and lon swapped?)",
        lat_text,
    )
    low, high = LON_RANGE
    found.add(
        lon.notna() & ~lon.between(low, high),
        "lon",
        4,
        f"must be between {low} and {high} (the UK; are lat and lon swapped?)",
        lon_text,
    )
    cleaned = postcode_text.str.upper().str.replace(r"\s+", "", regex=True)
    tidy = cleaned.str[:-3] + " " + cleaned.str[-3:]
    needs_postcode = ~given_point
    column = "postcode" if "postcode" in frame.columns else "lat"
    found.add(
        needs_postcode & cleaned.eq(""),
        column,
        2,
        "a postcode, or lat and lon, is required",
        postcode_text,
    )
    well_formed = tidy.str.match(POSTCODE.pattern)
    found.add(cleaned.ne("") & ~well_formed, "postcode", 2, "is not a UK postcode", postcode_text)
    known = cleaned.isin(postcodes.index)
    found.add(
        needs_postcode & cleaned.ne("") & well_formed & ~known,
        "postcode",
        2,
        "not found in the postcode lookup",
        postcode_text,
    )
    key = names.str.lower() + "\x00" + categories.str.lower() + "\x00" + cleaned + lat_text
    repeated = key.duplicated(keep="first") & names.ne("")
    first_row = pd.Series(key.index, index=key.index).groupby(key.to_numpy()).transform("min")
    found.problems.extend(
        (
            int(row),
            0,
            f"{path.name}:{row}:name: the same asset as row {first_row[row]} "
            f"({_shown(names[row])})",
        )
        for row in repeated.index[repeated.to_numpy()]
    )
    if found.problems:
        raise AssetListRejectedError(path, [text for *_, text in sorted(found.problems)])
    looked_up = postcodes.reindex(cleaned.where(needs_postcode))
    return pd.DataFrame(
        {
            "row_number": frame.index.to_numpy(),
            "name": names.to_numpy(),
            "category": categories.to_numpy(),
            "postcode": tidy.where(cleaned.ne(""), None).to_numpy(),
            "lon": np.where(given_point, lon, looked_up["lon"].to_numpy()),
            "lat": np.where(given_point, lat, looked_up["lat"].to_numpy()),
        }
    )


# --- the store -------------------------------------------------------------------------------


def save_asset_list(
    connection: Connection,
    list_name: str,
    frame: pd.DataFrame,
    *,
    path: Path,
    actor: str,
    at: datetime | None = None,
) -> int:
    """Replace the stored list ``list_name`` with ``frame`` (:func:`read_asset_list`), in the
    caller's transaction; returns the number of assets."""
    if not LIST_NAME.match(list_name):
        raise InputFileError(
            path, f"list name {list_name!r}: use lower case letters, digits, - and _ (at most 64)"
        )
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    when = at or datetime.now(UTC)
    connection.execute(delete(community_asset).where(community_asset.c.list_name == list_name))
    records = (
        frame.assign(
            list_name=list_name,
            file_name=path.name[:200],
            checksum=checksum,
            imported_at=when,
            imported_by=actor,
        )
        .replace({np.nan: None})
        .to_dict(orient="records")
    )
    if records:
        connection.execute(community_asset.insert(), records)
    return len(records)


def stored_assets(connection: Connection, lists: Sequence[str]) -> pd.DataFrame:
    """The assets of the named imported lists: ``list_name`` plus :data:`ASSET_COLUMNS`."""
    table = community_asset
    query = (
        select(
            table.c.list_name,
            table.c.name,
            table.c.category,
            table.c.postcode,
            table.c.lon,
            table.c.lat,
        )
        .where(table.c.list_name.in_(list(lists)))
        .order_by(table.c.list_name, table.c.row_number)
    )
    rows = connection.execute(query).fetchall()
    return pd.DataFrame(rows, columns=["list_name", *ASSET_COLUMNS])


def stored_asset_lists(connection: Connection) -> pd.DataFrame:
    """Every imported list: list_name, assets, categories, file_name, imported_at, imported_by."""
    table = community_asset
    query = (
        select(
            table.c.list_name,
            func.count().label("assets"),
            func.count(table.c.category.distinct()).label("categories"),
            func.max(table.c.file_name),
            func.max(table.c.imported_at),
            func.max(table.c.imported_by),
        )
        .group_by(table.c.list_name)
        .order_by(table.c.list_name)
    )
    rows = connection.execute(query).fetchall()
    return pd.DataFrame(
        rows,
        columns=["list_name", "assets", "categories", "file_name", "imported_at", "imported_by"],
    )


# --- by area ---------------------------------------------------------------------------------


def assets_by_area(
    assets: pd.DataFrame, areas: gpd.GeoDataFrame, population: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Assets counted by area and per 1,000 residents, and the assets with their area.

    ``assets``: ``name``, ``category``, ``lon``, ``lat`` (WGS84); ``areas``:
    ``area_code``, ``area_name``, geometry (WGS84); ``population``:
    ``area_code``, ``population``. An asset on a boundary counts once (the
    first area in code order); one outside every area keeps an empty
    ``area_code``.

    Returns (by area, placed assets). By area: ``area_code``, ``area_name``,
    ``population``, one count column per category (``category: <name>``, in
    first-seen order), ``assets`` (all categories) and ``per_1000`` (NaN
    where the population is missing or zero), sorted by area name.
    """
    points = gpd.GeoDataFrame(
        assets.reset_index(drop=True),
        geometry=gpd.points_from_xy(assets["lon"], assets["lat"]),
        crs="EPSG:4326",
    )
    shapes = areas[["area_code", "area_name", "geometry"]].sort_values("area_code")
    joined = gpd.sjoin(points, shapes.to_crs(points.crs), how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")].sort_index()
    placed = pd.DataFrame(joined.drop(columns=["geometry", "index_right"], errors="ignore"))
    placed["area_code"] = placed["area_code"].fillna("")
    placed["area_name"] = placed["area_name"].fillna("outside the areas")
    categories = list(dict.fromkeys(assets["category"]))
    inside = placed[placed["area_code"] != ""]
    counts = pd.crosstab(inside["area_code"], inside["category"]).reindex(
        index=shapes["area_code"], columns=categories, fill_value=0
    )
    counts.columns = [f"category: {c}" for c in categories]
    counts = counts.fillna(0).astype(int)
    out = shapes[["area_code", "area_name"]].merge(
        population[["area_code", "population"]], on="area_code", how="left"
    )
    out = out.merge(counts, left_on="area_code", right_index=True, how="left")
    out["assets"] = counts.sum(axis=1).reindex(out["area_code"]).to_numpy()
    people = out["population"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["per_1000"] = np.where(people > 0, out["assets"] / people * 1000, np.nan)
    out = out.sort_values("area_name", kind="stable").reset_index(drop=True)
    return out, placed.reset_index(drop=True)


def assets_geojson(placed: pd.DataFrame) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of placed assets (every column but lon/lat as properties)."""
    properties = placed.drop(columns=["lon", "lat"]).astype(object)
    properties = properties.where(properties.notna(), None)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": props,
        }
        for lon, lat, props in zip(
            placed["lon"].astype(float),
            placed["lat"].astype(float),
            properties.to_dict(orient="records"),
            strict=True,
        )
    ]
    return {"type": "FeatureCollection", "features": features}


def geojson_text(placed: pd.DataFrame) -> str:
    """:func:`assets_geojson` as JSON text."""
    return json.dumps(assets_geojson(placed), ensure_ascii=False, indent=1)
