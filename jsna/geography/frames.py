"""The two tidy frames every geography reader returns: areas and memberships.

``areas``: ``area_type``, ``code``, ``name`` (one row per area).
``memberships``: ``child_type``, ``child_code``, ``parent_type``, ``parent_code``,
``weight`` (share of the child's counts that belong to the parent) and ``method``:

- ``lookup``: the child nests in the parent (an official exact lookup), weight 1;
- ``best_fit``: ONS best fit, the whole child is given to the parent it mostly
  falls in (weight 1, but the parent's figure is approximate);
- ``apportioned``: the child is shared between parents (weights < 1 summing to 1);
- ``custom``: a project-defined group of standard areas;
- ``point_in_polygon``: a point (practice, postcode) placed in the polygon it falls in.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["AREA_COLUMNS", "MEMBERSHIP_COLUMNS", "METHODS", "Geography", "areas_of", "edges"]

AREA_COLUMNS = ["area_type", "code", "name"]
MEMBERSHIP_COLUMNS = ["child_type", "child_code", "parent_type", "parent_code", "weight", "method"]
METHODS = ("lookup", "best_fit", "apportioned", "custom", "point_in_polygon")


@dataclass(frozen=True)
class Geography:
    """Areas and the memberships between them, as read from one or more files."""

    areas: pd.DataFrame
    memberships: pd.DataFrame

    @classmethod
    def empty(cls) -> Geography:
        """No areas, no memberships."""
        return cls(pd.DataFrame(columns=AREA_COLUMNS), pd.DataFrame(columns=MEMBERSHIP_COLUMNS))

    @classmethod
    def combine(cls, *parts: Geography) -> Geography:
        """All areas and memberships of ``parts``; the first name or membership seen wins."""
        areas = pd.concat([p.areas for p in parts if not p.areas.empty], ignore_index=True)
        links = [p.memberships for p in parts if not p.memberships.empty]
        memberships = pd.concat(links, ignore_index=True) if links else cls.empty().memberships
        return cls(
            areas.drop_duplicates(["area_type", "code"]).reset_index(drop=True),
            memberships.drop_duplicates(
                ["child_type", "child_code", "parent_type", "parent_code"]
            ).reset_index(drop=True),
        )


def areas_of(frame: pd.DataFrame, type_code: str, code: str, name: str | None) -> pd.DataFrame:
    """Distinct (area_type, code, name) rows from two columns of a lookup (name = code if none)."""
    names = frame[name] if name else frame[code]
    out = pd.DataFrame({"area_type": type_code, "code": frame[code], "name": names})
    return out.drop_duplicates(["code"]).reset_index(drop=True)


def edges(
    frame: pd.DataFrame,
    child: tuple[str, str],
    parent: tuple[str, str],
    method: str,
    weight: pd.Series | float = 1.0,
) -> pd.DataFrame:
    """Membership rows child -> parent from two columns; ``child``/``parent`` = (type, column)."""
    out = pd.DataFrame(
        {
            "child_type": child[0],
            "child_code": frame[child[1]],
            "parent_type": parent[0],
            "parent_code": frame[parent[1]],
            "weight": weight,
            "method": method,
        }
    )
    out["weight"] = out["weight"].astype(float)
    return out.drop_duplicates(["child_code", "parent_code"]).reset_index(drop=True)
