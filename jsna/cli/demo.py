"""``jsna demo``: the statistics core on real Trafford data, checked against Fingertips.

Until the example JSNA project exists, the demo takes eight real Fingertips
indicators with published counts and denominators for Trafford (E08000009)
and England from the shared data mirror, recomputes every value and 95%
confidence interval with :mod:`jsna.stats`, compares Trafford with England,
computes the recent trend, and shows how closely each figure matches the one
Fingertips published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from jsna import stats
from jsna.errors import InputFileError

from .mirror import data_mirror

TRAFFORD = "E08000009"
ENGLAND = "E92000001"
FINGERTIPS_FILE = Path("england/fingertips_counts/fingertipsnext_devdata_northwest_2018_2024.csv")


@dataclass(frozen=True)
class DemoIndicator:
    """One Fingertips indicator the demo recomputes."""

    indicator_id: int
    short_title: str
    method: str
    multiplier: int
    polarity: str
    sex: str = "Persons"


INDICATORS = (
    DemoIndicator(241, "Diabetes prevalence (QOF, 17+), %", "proportion", 100, "no_judgement"),
    DemoIndicator(247, "Dementia prevalence (QOF), %", "proportion", 100, "no_judgement"),
    DemoIndicator(
        93085, "Smoking at time of delivery, %", "proportion", 100, "low_is_good", "Female"
    ),
    DemoIndicator(91894, "Dementia: dying in hospital (65+), %", "proportion", 100, "no_judgement"),
    DemoIndicator(
        93701, "Children in absolute low income (<16), %", "proportion", 100, "low_is_good"
    ),
    DemoIndicator(
        92266, "General fertility rate per 1,000", "crude_rate", 1_000, "no_judgement", "Female"
    ),
    DemoIndicator(
        20401, "Under-18 conceptions per 1,000", "crude_rate", 1_000, "low_is_good", "Female"
    ),
    DemoIndicator(
        92904, "U18 alcohol-specific admissions per 100,000", "crude_rate", 100_000, "low_is_good"
    ),
)


TREND_INPUTS = {
    "proportion": {"x": "count", "n": "denominator"},
    "crude_rate": {"value": "value", "lower": "lower_95", "upper": "upper_95"},
}
"""Fingertips tests proportions for trend from counts, other values from their limits."""


def load_series(mirror: Path) -> pd.DataFrame:
    """Trafford and England rows of the demo indicators (exact duplicates dropped)."""
    path = mirror / FINGERTIPS_FILE
    if not path.is_file():
        raise InputFileError(path, "not found: set JSNA_DATA_MIRROR to the shared data folder")
    raw = pd.read_csv(path).drop_duplicates()
    wanted = pd.DataFrame(
        [(i.indicator_id, i.sex) for i in INDICATORS], columns=["indicator_id", "sex"]
    )
    rows = raw[raw["area_code"].isin([TRAFFORD, ENGLAND]) & raw["category_type"].isna()]
    return rows.merge(wanted, on=["indicator_id", "sex"]).sort_values(
        ["indicator_id", "area_code", "year"], ignore_index=True
    )


def recompute(series: pd.DataFrame) -> pd.DataFrame:
    """Value and 95% limits of every row, by each indicator's official method."""
    results = []
    for indicator in INDICATORS:
        rows = series[series["indicator_id"] == indicator.indicator_id]
        method = getattr(stats, indicator.method)
        result = method(rows, "count", "denominator", multiplier=indicator.multiplier)
        results.append(
            result.assign(
                title=indicator.short_title, polarity=indicator.polarity, kind=indicator.method
            )
        )
    return pd.concat(results, ignore_index=True)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Latest Trafford figure per indicator, compared with England and over time."""
    latest_year = results.groupby("indicator_id")["year"].transform("max")
    latest = results[results["year"] == latest_year]
    trafford = latest[latest["area_code"] == TRAFFORD].set_index("indicator_id")
    england = latest[latest["area_code"] == ENGLAND].set_index("indicator_id")["value"]
    trafford = trafford.assign(england=england.reindex(trafford.index))
    compared = pd.concat(
        [
            stats.compare_to_benchmark(
                group, "value", "lower_95", "upper_95", "england", polarity=polarity
            )
            for polarity, group in trafford.groupby("polarity", sort=False)
        ]
    ).reindex(trafford.index)
    history = results[results["area_code"] == TRAFFORD]
    trends = pd.concat(
        [
            stats.trend_marker(
                group, "year", group_by="indicator_id", polarity=polarity, **TREND_INPUTS[kind]
            )
            for (polarity, kind), group in history.groupby(["polarity", "kind"], sort=False)
        ]
    ).set_index("indicator_id")
    published_trend = history.dropna(subset=["recent_trend"]).set_index("indicator_id")
    difference = np.maximum.reduce(
        [
            (compared[ours] - compared[theirs]).abs()
            for ours, theirs in [
                ("value", "value_published"),
                ("lower_95", "lower_ci_95"),
                ("upper_95", "upper_ci_95"),
            ]
        ]
    )
    return pd.DataFrame(
        {
            "indicator": compared["title"],
            "period": compared["year"],
            "count": compared["count"],
            "denominator": compared["denominator"],
            "value": compared["value"],
            "lower_95": compared["lower_95"],
            "upper_95": compared["upper_95"],
            "fingertips_value": compared["value_published"],
            "largest_difference_from_fingertips": difference,
            "england": compared["england"],
            "compared_with_england": compared["comparison"],
            "recent_trend": trends["trend_assessment"].reindex(compared.index),
            "fingertips_recent_trend": published_trend["recent_trend"].reindex(compared.index),
        }
    ).reset_index()


def _show(summary: pd.DataFrame, console: Console) -> None:
    table = Table(
        title="Trafford (E08000009), recomputed by jsna.stats and checked against Fingertips",
        caption="Fingertips column: the published value and the largest difference of value or limits.",
    )
    for heading in (
        "Indicator",
        "Period",
        "Trafford (95% CI)",
        "Fingertips",
        "England",
        "vs England",
        "Trend: jsna / Fingertips",
    ):
        table.add_column(heading, overflow="fold")
    for row in summary.itertuples():
        table.add_row(
            row.indicator,
            str(row.period),
            f"{row.value:.2f} ({row.lower_95:.2f}-{row.upper_95:.2f})",
            f"{row.fingertips_value:.2f} (±{row.largest_difference_from_fingertips:.0e})",
            f"{row.england:.2f}",
            row.compared_with_england,
            f"{row.recent_trend} / {str(row.fingertips_recent_trend).lower()}",
        )
    console.print(table)


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/demo"),
    show_default=True,
    help="Folder for the results CSV.",
)
def demo(out: Path) -> None:
    """Recompute real Trafford indicators and check them against Fingertips.

    Reads the shared data mirror ($JSNA_DATA_MIRROR, default ../shared/data),
    recomputes value and 95% confidence interval of eight Fingertips
    indicators for Trafford and England with the official methods, compares
    Trafford with England, computes recent trends, and writes
    OUT/trafford_indicators.csv.
    """
    series = load_series(data_mirror()).rename(columns={"value": "value_published"})
    summary = summarise(recompute(series))
    out.mkdir(parents=True, exist_ok=True)
    target = out / "trafford_indicators.csv"
    summary.to_csv(target, index=False)
    console = Console(width=max(Console().width, 150))
    _show(summary, console)
    console.print(f"Wrote {len(summary)} indicators to {target}")
