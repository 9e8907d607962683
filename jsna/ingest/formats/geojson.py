"""GeoJSON FeatureCollections: the properties of each feature are a row (geometry is ignored)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from jsna.content.sources import Source
from jsna.errors import InputFileError

from ..problems import Limits
from .base import RawTable, check_encoding, text_frame

__all__ = ["read_geojson"]


def read_geojson(path: Path, source: Source, limits: Limits) -> RawTable:
    """One row per feature, numbered from 1 in file order; the columns are property names."""
    codec = check_encoding(path, source.encoding)
    try:
        with path.open(encoding=codec) as handle:
            data = json.load(handle)
    except json.JSONDecodeError as error:
        raise InputFileError(
            path, f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error
    except RecursionError as error:
        raise InputFileError(path, "not usable JSON: nested too deeply") from error
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputFileError(path, "not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise InputFileError(path, "a FeatureCollection needs a list of features")
    header: list[str] = []
    properties: list[dict[str, object]] = []
    for number, feature in enumerate(features, start=1):
        found = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(found, dict):
            raise InputFileError(path, "feature has no properties object", row=number)
        properties.append(found)
        header.extend(key for key in found if key not in header)
    records: list[list[object]] = [
        [_cell(props.get(key)) for key in header] for props in properties
    ]
    frame = text_frame(records, header)
    return RawTable(frame=frame, rows=np.arange(1, len(records) + 1, dtype=np.int64), header_row=0)


def _cell(value: object) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return str(value).lower()
    return value
