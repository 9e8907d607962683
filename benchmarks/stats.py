"""Speed and memory of the statistics core against a floor measured in the same run.

For each method the floor is a plain pandas ``groupby(...).sum()`` of the same
input columns: the least any grouped statistic must do. The script prints the
best of several timings, its ratio to the floor (target: within 3x), peak
memory (tracemalloc) and the speed-up over the R package PHEindicatormethods
2.1.0 on a machine of this size (the R timings are quoted from the issue, not
measured here: R is not installed).

Run with ``make bench`` (or ``python benchmarks/stats.py --quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from jsna import stats

R_SECONDS = {"proportion": 2.7, "crude_rate": 8.4, "dsr": 6.9, "life_expectancy": 62.0}
"""PHEindicatormethods 2.1.0 on these inputs (2 cores), as quoted in issue 3."""

TARGET_SPEEDUP = {"proportion": 10, "crude_rate": 30, "dsr": 30, "life_expectancy": 100}
FLOOR_RATIO_TARGET = 3.0


@dataclass
class Case:
    """One benchmark: the method call and the floor it is measured against."""

    name: str
    shape: str
    run: Callable[[], object]
    floor: Callable[[], object]
    targeted: bool = True
    """Whether issue 3 sets a target (within 3x of the floor) for this case."""


def best_time(function: Callable[[], object], repeats: int) -> float:
    """Best wall-clock time of ``repeats`` calls (after one warm-up)."""
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_memory(function: Callable[[], object]) -> int:
    """Peak bytes allocated (NumPy and pandas buffers included) during one call."""
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def area_codes(numbers: np.ndarray) -> np.ndarray:
    """ONS-style LSOA codes ("E01000042"): real inputs are keyed by such strings."""
    codes = np.array([f"E01{number:06d}" for number in range(int(numbers.max()) + 1)], dtype=object)
    return codes[numbers]


def count_data(rng: np.random.Generator, rows: int, groups: int) -> pd.DataFrame:
    """Counts and denominators, spread evenly over ``groups`` areas, some counts below 10."""
    n = rng.integers(50, 50_000, rows)
    x = rng.binomial(n, rng.uniform(0.0001, 0.2, rows))
    area = area_codes(rng.permutation(np.arange(rows) % groups))
    return pd.DataFrame({"area": area, "x": x, "n": n})


def banded_data(rng: np.random.Generator, areas: int, bands: int) -> pd.DataFrame:
    """Deaths and population by age band for ``areas`` areas (long format)."""
    area = np.repeat(np.arange(areas), bands)
    band = np.tile(np.arange(bands), areas)
    population = rng.integers(800, 12_000, areas * bands)
    start_age = np.linspace(0, 90, bands)[band]
    death_rate = 0.00005 * np.exp(0.09 * start_age)  # about 0.0001 at 10, 0.17 at 90
    deaths = rng.binomial(population, np.minimum(death_rate, 0.5))
    # A death in the last band for every area keeps the life table defined.
    deaths[band == bands - 1] = np.maximum(deaths[band == bands - 1], 1)
    return pd.DataFrame(
        {"area": area_codes(area), "band": band, "deaths": deaths, "pop": population}
    )


def cases(quick: bool) -> list[Case]:
    """The issue's four targeted inputs, then the other methods at a realistic scale."""
    rng = np.random.default_rng(20261126)
    scale = 10 if quick else 1
    counts = count_data(rng, 1_000_000 // scale, 10_000 // scale)
    counts["rate"] = counts["x"] / counts["n"] * 100
    dsr_input = banded_data(rng, 10_000 // scale, 19)
    reference = dsr_input.groupby("band")[["deaths", "pop"]].transform("sum")
    dsr_input[["ref_deaths", "ref_pop"]] = reference.to_numpy()
    le_input = banded_data(rng, 10_000 // scale, 20)
    ages = np.array([0, 1, *range(5, 95, 5)])
    le_input["startage"] = ages[le_input["band"]]
    deciles = banded_data(rng, 1_000 // scale, 10).assign(
        decile=lambda frame: frame["band"] + 1,
        value=lambda frame: frame["deaths"] / frame["pop"] * 1000,
        se=lambda frame: np.sqrt(frame["deaths"].clip(lower=1)) / frame["pop"] * 1000,
    )
    series = pd.DataFrame(
        {
            "area": area_codes(np.repeat(np.arange(100_000 // scale), 5)),
            "year": np.tile(np.arange(2019, 2024), 100_000 // scale),
        }
    )
    series["n"] = rng.integers(1_000, 50_000, len(series))
    series["x"] = rng.binomial(series["n"], 0.1)
    rows = f"{len(counts):,} rows, {counts['area'].nunique():,} groups"

    def floor(frame: pd.DataFrame, columns: list[str]) -> Callable[[], object]:
        return lambda: frame.groupby("area")[columns].sum()

    return [
        Case(
            "proportion",
            rows,
            lambda: stats.proportion(counts, "x", "n", group_by="area"),
            floor(counts, ["x", "n"]),
        ),
        Case(
            "crude_rate",
            rows,
            lambda: stats.crude_rate(counts, "x", "n", group_by="area"),
            floor(counts, ["x", "n"]),
        ),
        Case(
            "dsr",
            f"{dsr_input['area'].nunique():,} areas x 19 bands",
            lambda: stats.dsr(dsr_input, "deaths", "pop", group_by="area"),
            floor(dsr_input, ["deaths", "pop"]),
        ),
        Case(
            "life_expectancy",
            f"{le_input['area'].nunique():,} areas x 20 bands",
            lambda: stats.life_expectancy(le_input, "deaths", "pop", "startage", group_by="area"),
            floor(le_input, ["deaths", "pop"]),
        ),
        Case(
            "mean",
            rows,
            lambda: stats.mean(counts, "rate", group_by="area"),
            floor(counts, ["rate"]),
            targeted=False,
        ),
        Case(
            "isr",
            f"{dsr_input['area'].nunique():,} areas x 19 bands",
            lambda: stats.isr(dsr_input, "deaths", "pop", "ref_deaths", "ref_pop", group_by="area"),
            floor(dsr_input, ["deaths", "pop", "ref_deaths", "ref_pop"]),
            targeted=False,
        ),
        Case(
            "quantiles",
            rows,
            lambda: stats.quantiles(counts, "rate", group_by="area"),
            floor(counts, ["rate"]),
            targeted=False,
        ),
        Case(
            "sii (100,000 repetitions)",
            f"{deciles['area'].nunique():,} areas x 10 deciles",
            lambda: stats.sii(deciles, "decile", "pop", "value", group_by="area", se="se", seed=1),
            floor(deciles, ["value", "pop"]),
            targeted=False,
        ),
        Case(
            "funnel_significance",
            f"{len(counts):,} rows",
            lambda: stats.funnel_significance(counts, "x", "n", statistic="proportion"),
            floor(counts, ["x", "n"]),
            targeted=False,
        ),
        Case(
            "compare_to_benchmark",
            f"{len(counts):,} rows",
            lambda: stats.compare_to_benchmark(
                counts, "rate", "rate", "rate", 10.0, polarity="low_is_good"
            ),
            floor(counts, ["rate"]),
            targeted=False,
        ),
        Case(
            "trend_marker",
            f"{series['area'].nunique():,} series x 5 years",
            lambda: stats.trend_marker(series, "year", x="x", n="n", group_by="area"),
            floor(series, ["x", "n"]),
            targeted=False,
        ),
        Case(
            "primary_suppression",
            f"{len(counts):,} rows",
            lambda: stats.primary_suppression(counts, "x"),
            floor(counts, ["x"]),
            targeted=False,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, one repeat")
    arguments = parser.parse_args()
    repeats = 1 if arguments.quick else 5
    table = Table(title=f"jsna.stats speed (best of {repeats}) against a pandas groupby-sum floor")
    for heading in ("method", "input", "seconds", "floor s", "ratio", "peak MB", "vs R 2.1.0"):
        table.add_column(heading, justify="right" if heading != "method" else "left")
    failures = []
    for case in cases(arguments.quick):
        seconds = best_time(case.run, repeats)
        floor_seconds = best_time(case.floor, repeats)
        ratio = seconds / floor_seconds
        peak = peak_memory(case.run) / 1e6
        speedup = ""
        if case.name in R_SECONDS and not arguments.quick:
            factor = R_SECONDS[case.name] / seconds
            speedup = f"{factor:,.0f}x faster (target {TARGET_SPEEDUP[case.name]}x)"
            if factor < TARGET_SPEEDUP[case.name]:
                failures.append(f"{case.name}: {factor:.0f}x faster than R")
        if case.targeted and ratio > FLOOR_RATIO_TARGET:
            failures.append(f"{case.name}: {ratio:.1f}x the floor")
        table.add_row(
            case.name,
            case.shape,
            f"{seconds:.3f}",
            f"{floor_seconds:.3f}",
            f"{ratio:.2f}x" + ("" if case.targeted else " (info)"),
            f"{peak:.0f}",
            speedup,
        )
    console = Console(width=max(Console().width, 140))
    console.print(table)
    if failures:
        console.print("[bold red]Targets missed:[/] " + "; ".join(failures))
    else:
        console.print(
            f"[green]Every targeted method within {FLOOR_RATIO_TARGET:g}x of the floor"
            " and ahead of R by the targeted factor.[/]"
        )


if __name__ == "__main__":
    main()
