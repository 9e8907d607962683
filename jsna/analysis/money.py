"""Money flow: spend from funder to care setting to priority, per head, laid out as a Sankey.

Spend is declared as data: a CSV file in the project with one row per
amount, columns ``funder``, ``care_setting``, ``priority`` (a programme
budget category or local priority), ``year`` and ``amount_gbp`` (and any
others, e.g. ``note``). :func:`read_spend` checks it and says exactly which
row and column break which rule.

:func:`flows` adds the amounts of one year into links between the three
columns of the flow (funder -> care setting -> priority), and
:func:`sankey_layout` places them: Vega-Lite has no Sankey mark, so the
nodes (one rectangle per funder, setting and priority, its height in
proportion to the money through it) and the links (bands whose width is
the amount, stacked in order down each node, drawn as a smooth curve
sampled at ``samples`` points) are computed here, in drawing units.
:func:`per_head` divides by the population.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from jsna.errors import InputFileError

__all__ = [
    "REQUIRED_COLUMNS",
    "STAGES",
    "SankeyLayout",
    "flows",
    "per_head",
    "read_spend",
    "sankey_layout",
]

STAGES: tuple[str, str, str] = ("funder", "care_setting", "priority")
"""The columns of the flow, left to right."""
REQUIRED_COLUMNS: tuple[str, ...] = (*STAGES, "year", "amount_gbp")
"""Columns every spend file has."""


def read_spend(path: Path | str) -> pd.DataFrame:
    """The spend file, checked: every required column, text present, amounts numbers >= 0.

    Row numbers in messages are the file's line numbers (the header is row 1).
    Returns the required columns (and any others) with ``amount_gbp`` as float
    and the text columns stripped.
    """
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    except FileNotFoundError:
        raise InputFileError(path, "file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputFileError(path, f"not a readable CSV file ({error})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise InputFileError(
            path, f"missing column(s) {', '.join(missing)}: needs {', '.join(REQUIRED_COLUMNS)}"
        )
    if raw.empty:
        raise InputFileError(path, "no rows of spend")
    frame = raw.copy()
    for column in (*STAGES, "year"):
        frame[column] = frame[column].str.strip()
        empty = frame[column] == ""
        if empty.any():
            raise InputFileError(
                path, "must not be empty", row=int(np.argmax(empty.to_numpy())) + 2, column=column
            )
    text = frame["amount_gbp"].str.strip().str.replace(",", "", regex=False)
    amounts = pd.to_numeric(text.str.lstrip("£"), errors="coerce")
    bad = amounts.isna() | (amounts < 0) | ~np.isfinite(amounts.fillna(0))
    if bad.any():
        first = int(np.argmax(bad.to_numpy()))
        raise InputFileError(
            path,
            f"must be a number of pounds, 0 or more (found {raw['amount_gbp'].iloc[first]!r})",
            row=first + 2,
            column="amount_gbp",
        )
    frame["amount_gbp"] = amounts.astype(float)
    return frame


def flows(spend: pd.DataFrame, year: str | None = None) -> pd.DataFrame:
    """Links of one year (default: the latest): ``stage`` (0 funder->setting, 1
    setting->priority), ``source``, ``target``, ``amount`` (sum of amount_gbp).

    Links with no money are left out. Ordered by stage, then largest first.
    """
    year = year if year is not None else max(spend["year"])
    rows = spend[spend["year"] == year]
    parts = []
    for stage, (left, right) in enumerate(pairwise(STAGES)):
        summed = rows.groupby([left, right], sort=False, as_index=False)["amount_gbp"].sum()
        parts.append(
            pd.DataFrame(
                {
                    "stage": stage,
                    "source": summed[left],
                    "target": summed[right],
                    "amount": summed["amount_gbp"],
                }
            )
        )
    links = pd.concat(parts, ignore_index=True)
    links = links[links["amount"] > 0]
    return links.sort_values(
        ["stage", "amount", "source", "target"], ascending=[True, False, True, True]
    ).reset_index(drop=True)


@dataclass(frozen=True)
class SankeyLayout:
    """Nodes, link bands and sampled link curves, in drawing units (y down from 0)."""

    nodes: pd.DataFrame
    """``column`` (0, 1, 2), ``stage`` name, ``name``, ``node`` (unique id), ``amount``,
    ``x0``, ``x1``, ``y0``, ``y1``."""
    links: pd.DataFrame
    """:func:`flows` rows with ``link`` id, ``x0`` (source node's right edge), ``x1``
    (target node's left edge), ``sy0``, ``sy1`` (band at the source), ``ty0``, ``ty1``
    (band at the target)."""
    curves: pd.DataFrame
    """``link``, ``x``, ``y0``, ``y1``: each band sampled along a smoothstep curve."""


def sankey_layout(
    links: pd.DataFrame,
    *,
    width: float = 600,
    height: float = 360,
    node_width: float = 14,
    gap: float = 10,
    samples: int = 24,
) -> SankeyLayout:
    """Place the nodes and bands of a three-column flow.

    The scale (drawing units per pound) is the same in every column:
    ``(height - gap x (most nodes in a column - 1)) / total``, so a node's
    height is its money and every column is as tall as the tallest.
    Nodes are ordered down each column by amount (largest first, then
    name); each column is centred vertically. A node's amount is the larger
    of its money in and out. At each node, outgoing bands are stacked in
    the order of their targets down the next column, incoming bands in
    the order of their sources, so bands do not cross at the nodes.
    """
    if links.empty:
        empty = pd.DataFrame()
        return SankeyLayout(empty, empty, empty)
    ends = pd.concat(
        [
            pd.DataFrame(
                {"column": links["stage"], "name": links["source"], "amount": links["amount"]}
            ).assign(side="out"),
            pd.DataFrame(
                {"column": links["stage"] + 1, "name": links["target"], "amount": links["amount"]}
            ).assign(side="in"),
        ],
        ignore_index=True,
    )
    sides = ends.groupby(["column", "name", "side"], as_index=False)["amount"].sum()
    nodes = sides.groupby(["column", "name"], as_index=False)["amount"].max()
    nodes = nodes.sort_values(
        ["column", "amount", "name"], ascending=[True, False, True], kind="stable"
    )
    nodes = nodes.reset_index(drop=True)
    nodes["stage"] = nodes["column"].map(dict(enumerate(STAGES)))
    nodes["node"] = nodes["column"].astype(str) + ":" + nodes["name"]
    nodes["order"] = nodes.groupby("column").cumcount()
    counts = nodes.groupby("column")["name"].transform("size")
    totals = nodes.groupby("column")["amount"].transform("sum")
    scale = (height - gap * (int(counts.max()) - 1)) / float(totals.max())
    heights = nodes["amount"] * scale
    before = heights.groupby(nodes["column"]).cumsum() - heights
    used = totals * scale + gap * (counts - 1)
    nodes["y0"] = (height - used) / 2 + before + gap * nodes["order"]
    nodes["y1"] = nodes["y0"] + heights
    step = (width - node_width) / 2
    nodes["x0"] = nodes["column"] * step
    nodes["x1"] = nodes["x0"] + node_width
    placed = nodes.set_index("node")

    out = links.reset_index(drop=True).copy()
    out["link"] = [f"link{i}" for i in range(len(out))]
    source = out["stage"].astype(str) + ":" + out["source"]
    target = (out["stage"] + 1).astype(str) + ":" + out["target"]
    band = out["amount"] * scale
    out["_s"], out["_t"] = source, target
    out["_source_order"] = source.map(placed["order"])
    out["_target_order"] = target.map(placed["order"])
    by_target = out.sort_values(["_s", "_target_order"], kind="stable")
    offset = band[by_target.index].groupby(by_target["_s"]).cumsum() - band[by_target.index]
    out["sy0"] = source.map(placed["y0"]) + offset.reindex(out.index)
    out["sy1"] = out["sy0"] + band
    by_source = out.sort_values(["_t", "_source_order"], kind="stable")
    offset = band[by_source.index].groupby(by_source["_t"]).cumsum() - band[by_source.index]
    out["ty0"] = target.map(placed["y0"]) + offset.reindex(out.index)
    out["ty1"] = out["ty0"] + band
    out["x0"] = source.map(placed["x1"])
    out["x1"] = target.map(placed["x0"])
    out = out.drop(columns=["_s", "_t", "_source_order", "_target_order"])

    t = np.linspace(0.0, 1.0, samples)
    smooth = 3 * t**2 - 2 * t**3
    repeat = np.repeat(np.arange(len(out)), samples)
    s = np.tile(smooth, len(out))
    curves = pd.DataFrame(
        {
            "link": out["link"].to_numpy()[repeat],
            "x": out["x0"].to_numpy()[repeat]
            + (out["x1"] - out["x0"]).to_numpy()[repeat] * np.tile(t, len(out)),
            "y0": out["sy0"].to_numpy()[repeat] + (out["ty0"] - out["sy0"]).to_numpy()[repeat] * s,
            "y1": out["sy1"].to_numpy()[repeat] + (out["ty1"] - out["sy1"]).to_numpy()[repeat] * s,
        }
    )
    return SankeyLayout(nodes.drop(columns=["order"]), out, curves)


def per_head(
    spend: pd.DataFrame, population: float, by: str, year: str | None = None
) -> pd.DataFrame:
    """Spend of one year (default: the latest) by ``by`` (a stage column): ``amount``,
    ``share`` (of the year's total, 0-1) and ``per_head`` (pounds per resident).

    Ordered largest first. Raises ValueError when the population is not above 0.
    """
    if not population > 0:
        raise ValueError(f"population must be above 0 to give spend per head (got {population})")
    year = year if year is not None else max(spend["year"])
    rows = spend[spend["year"] == year]
    sums = rows.groupby(by)["amount_gbp"].sum()
    summed = pd.DataFrame({"name": sums.index.astype(str), "amount": sums.to_numpy(dtype=float)})
    total = float(summed["amount"].sum())
    summed["share"] = summed["amount"] / total if total else 0.0
    summed["per_head"] = summed["amount"] / float(population)
    ordered: pd.DataFrame = summed.sort_values(["amount", "name"], ascending=[False, True])
    return ordered.reset_index(drop=True)
