"""Speed of the pharmaceutical needs assessment's access computation at national scale.

Issue 9's target: the access computation for all 33,755 LSOAs of England
against a national list of about 11,000 pharmacies runs in seconds, not
minutes. No national pharmacy list is in the open data, so both sets of points
are generated (seeded): LSOA centres and pharmacies inside England's bounding
box, 70% of each clustered around 300 "towns" (pharmacies follow people) and
30% spread evenly, with a fake ward (about 7,000, as in England) and IMD
decile for every LSOA, a population of 1,000 to 3,000, and a third of the
pharmacies open on Sunday.

Timed, best of several runs:

* **full**: the whole computation of :mod:`jsna.analysis.access`: projection
  of both point sets to the British National Grid, nearest pharmacy and
  counts within 1 km and 1.6 km for all pharmacies and for those open on
  Sunday (:func:`~jsna.analysis.access.access_by_origin`, k-d trees), and the
  population shares by ward and by decile (:func:`~jsna.analysis.access.summarise`);
* **floor**: a trivial vectorised pass over the same data measured in the same
  run (project both point sets, one distance per LSOA to a fixed point, one
  groupby-sum by ward): the least any such computation must do;
* **brute force**: the full origin x pharmacy distance matrix in NumPy,
  measured on a sample of LSOAs and scaled to all of them (what the k-d tree
  saves).

Run with ``python benchmarks/pna.py`` (``--quick`` for a tenth of the points).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from jsna.analysis.access import Scenario, access_by_origin, summarise
from jsna.analysis.travel import StraightLine, places

LSOAS = 33_755
PHARMACIES = 11_000
WARDS = 7_000
TOWNS = 300
LIMITS = (1.0, 1.6)
TARGET_SECONDS = 10.0
"""'Seconds, not minutes': the full computation must finish well inside a minute."""
ENGLAND = (-5.75, 49.9, 1.77, 55.8)
"""England's bounding box: west, south, east, north (degrees)."""


def points(rng: np.random.Generator, count: int, towns: np.ndarray) -> tuple[np.ndarray, ...]:
    """``count`` lon/lat points: 70% around the towns (about 5 km spread), 30% even."""
    west, south, east, north = ENGLAND
    clustered = int(count * 0.7)
    which = rng.integers(0, len(towns), clustered)
    lon = np.concatenate(
        [
            towns[which, 0] + rng.normal(0, 0.075, clustered),
            rng.uniform(west, east, count - clustered),
        ]
    )
    lat = np.concatenate(
        [
            towns[which, 1] + rng.normal(0, 0.045, clustered),
            rng.uniform(south, north, count - clustered),
        ]
    )
    return np.clip(lon, west, east), np.clip(lat, south, north)


def inputs(scale: float) -> dict[str, object]:
    """The generated LSOAs (lon, lat, ward, decile, population) and pharmacies (seeded)."""
    rng = np.random.default_rng(20251127)
    west, south, east, north = ENGLAND
    towns = np.column_stack([rng.uniform(west, east, TOWNS), rng.uniform(south, north, TOWNS)])
    lsoas, pharmacies = int(LSOAS * scale), int(PHARMACIES * scale)
    lsoa_lon, lsoa_lat = points(rng, lsoas, towns)
    pharmacy_lon, pharmacy_lat = points(rng, pharmacies, towns)
    frame = pd.DataFrame(
        {
            "population": rng.integers(1_000, 3_001, lsoas).astype(float),
            "ward": rng.integers(0, int(WARDS * scale) or 1, lsoas).astype(str),
            "decile": rng.integers(1, 11, lsoas).astype(str),
        }
    )
    return {
        "lsoa_lon": lsoa_lon,
        "lsoa_lat": lsoa_lat,
        "pharmacy_lon": pharmacy_lon,
        "pharmacy_lat": pharmacy_lat,
        "sunday": rng.random(pharmacies) < 1 / 3,
        "frame": frame,
    }


def full(data: dict[str, object]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The whole access computation: projection, nearest and counts, shares by ward and decile."""
    origins = places(data["lsoa_lon"], data["lsoa_lat"])
    pharmacies = places(data["pharmacy_lon"], data["pharmacy_lat"])
    sunday = np.asarray(data["sunday"])
    scenarios = [
        Scenario("all", "any pharmacy", np.ones(len(sunday), dtype=bool)),
        Scenario("sunday", "open on Sunday", sunday),
    ]
    costs = access_by_origin(origins, pharmacies, scenarios, LIMITS, StraightLine())
    frame = pd.concat([data["frame"], costs], axis=1)  # type: ignore[list-item]
    keys = ["all", "sunday"]
    return (
        frame,
        summarise(frame, "ward", keys, LIMITS),
        summarise(frame, "decile", keys, LIMITS),
    )


def floor(data: dict[str, object]) -> pd.Series:
    """A trivial vectorised pass: project, one distance each to a fixed point, one groupby."""
    origins = places(data["lsoa_lon"], data["lsoa_lat"])
    places(data["pharmacy_lon"], data["pharmacy_lat"])
    distance = np.hypot(origins.x - 400_000.0, origins.y - 300_000.0)
    frame = data["frame"]
    return pd.Series(distance).groupby(frame["ward"].to_numpy()).sum()  # type: ignore[index]


def brute_force_seconds(data: dict[str, object], sample: int) -> float:
    """Seconds of a NumPy distance matrix (nearest + counts) for ``sample`` LSOAs, scaled to all."""
    origins = places(data["lsoa_lon"], data["lsoa_lat"])
    pharmacies = places(data["pharmacy_lon"], data["pharmacy_lat"])
    chosen = slice(0, min(sample, len(origins)))
    start = time.perf_counter()
    dx = origins.x[chosen, None] - pharmacies.x[None, :]
    dy = origins.y[chosen, None] - pharmacies.y[None, :]
    matrix = np.sqrt(dx * dx + dy * dy)
    matrix.min(axis=1)
    for limit in LIMITS:
        (matrix <= limit * 1000).sum(axis=1)
    seconds = time.perf_counter() - start
    return seconds * len(origins) / (chosen.stop - chosen.start)


def best(function: Callable[[], object], repeats: int) -> float:
    """Best wall-clock seconds of ``repeats`` calls after one warm-up."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the points, one repeat")
    arguments = parser.parse_args()
    scale = 0.1 if arguments.quick else 1.0
    repeats = 1 if arguments.quick else 5
    data = inputs(scale)
    lsoas, pharmacies = len(data["frame"]), len(data["sunday"])  # type: ignore[arg-type]
    full_seconds = best(lambda: full(data), repeats)
    floor_seconds = best(lambda: floor(data), repeats)
    brute_seconds = brute_force_seconds(data, 2_000)
    frame, wards, deciles = full(data)
    console = Console(width=max(Console().width, 120))
    table = Table(
        title=f"PNA access: {lsoas:,} LSOAs x {pharmacies:,} pharmacies (best of {repeats})"
    )
    for heading in ("computation", "seconds", "ratio to floor"):
        table.add_column(heading, justify="left" if heading == "computation" else "right")
    table.add_row(
        "full (project, nearest + within 1 km / 1.6 km, all and Sunday, shares by ward and decile)",
        f"{full_seconds:.3f}",
        f"{full_seconds / floor_seconds:.1f}x",
    )
    table.add_row("floor (project, one distance each, one groupby)", f"{floor_seconds:.3f}", "1.0x")
    table.add_row(
        "brute-force NumPy matrix (nearest + counts; 2,000 LSOAs, scaled)",
        f"{brute_seconds:.3f}",
        f"{brute_seconds / floor_seconds:.1f}x",
    )
    console.print(table)
    console.print(
        f"k-d tree {brute_seconds / full_seconds:.0f}x faster than the brute-force matrix; "
        f"{len(wards):,} wards and {len(deciles)} deciles summarised; "
        f"{frame['cost_all'].median():.2f} km median distance to the nearest pharmacy."
    )
    if full_seconds > TARGET_SECONDS:
        console.print(f"[bold red]Target missed:[/] {full_seconds:.1f} s > {TARGET_SECONDS:g} s")
    else:
        console.print(f"[green]Within the target of {TARGET_SECONDS:g} s.[/]")


if __name__ == "__main__":
    main()
