"""``jsna stats METHOD IN.csv``: every statistics method from the command line.

For analysts who live in spreadsheets: read a CSV, run one method of
:mod:`jsna.stats`, write a CSV. The sub-commands and their options are built
from the functions' own signatures and docstrings, so the command line can
never drift from the library: ``jsna stats dsr --help`` explains ``dsr``.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pandas as pd

import jsna.stats
from jsna.errors import InputFileError

METHODS = (
    "proportion",
    "crude_rate",
    "mean",
    "dsr",
    "isr",
    "isratio",
    "life_expectancy",
    "sii",
    "quantiles",
    "funnel_limits",
    "funnel_significance",
    "funnel_points",
    "compare_to_benchmark",
    "benchmark_quintiles",
    "trend_marker",
)
"""Public functions of jsna.stats offered as sub-commands, in teaching order.

Disclosure control is not among them: it needs the relations between
published cells, which the data layer knows and a single CSV does not.
"""

COLUMN_ARGUMENTS = {
    "x": "Column of counts (numerators, events, values).",
    "n": "Column of denominators (population at risk).",
    "x_ref": "Column of reference events per age band.",
    "n_ref": "Column of reference population per age band.",
    "deaths": "Column of deaths per age band.",
    "population": "Column of population per band or quantile.",
    "startage": "Column giving the start age of each band (0, 1, 5, ... 90).",
    "quantile": "Column giving the deprivation quantile of each row (1 = most deprived).",
    "value": "Column of indicator values.",
    "values": "Column of values to rank.",
    "se": "Column of standard errors.",
    "lower_cl": "Column of lower 95% confidence limits.",
    "upper_cl": "Column of upper 95% confidence limits.",
    "lower": "Column of lower confidence limits.",
    "upper": "Column of upper confidence limits.",
    "numerator": "Column of numerators (observed events).",
    "denominator": "Column of denominators (population or expected events).",
    "rate": "Column of rates.",
    "period": "Column of time periods (years such as 2019 or 2019/20).",
    "eventfreq": "Column giving how many events each person had (non-independent DSR).",
    "ageband": "Column naming the age band (non-independent DSR).",
}
"""Arguments that take a column name, with their help text."""

OTHER_HELP = {
    "group_by": "Column to group by; repeat for several (e.g. --group-by area --group-by sex).",
    "confidence": "Confidence level, 95 or 99.8 (or 0.95, 0.998); repeat for both.",
    "multiplier": "Scale of the result, e.g. 100 for a percentage, 100000 for a rate per 100,000.",
    "stdpop": "Standard population: 'esp2013' (19 bands 0-4 ... 90+) or a column of weights.",
    "benchmark": "Benchmark value: a column name or a number (e.g. the England value).",
    "polarity": "high_is_good, low_is_good or no_judgement.",
    "independent_events": "Each event is a different person (turn off for repeat events, with --eventfreq).",
    "intercept": "Also output the intercept of the regression.",
    "invert": "Rank the highest value as quantile 1 (as for IMD scores and low-is-good indicators).",
    "le_age": "Start ages to report: 'all' or a list such as '0,65'.",
    "nquantiles": "How many quantiles (10 for deciles, 5 for quintiles).",
    "rate_type": "For rate funnels: 'dsr' or 'crude'.",
    "ratio_type": "For ratio funnels: 'count' (observed minus expected) or 'isr' (x 100).",
    "refvalue": "Scale of the ratio: 1, or 100 for an SMR per 100.",
    "repetitions": "Simulations for the confidence limits (at least 1000).",
    "rii": "Also output the relative index of inequality.",
    "seed": "Random seed: the same seed gives the same simulated limits.",
    "statistic": "What the funnel is for: 'proportion', 'ratio' or 'rate'.",
    "transform": "Fit on the log (rates) or logit (proportions) scale.",
    "value_type": "0 for values such as life expectancy, 1 for rates, 2 for proportions.",
    "years_of_data": "Years pooled in each rate (for the 1-year population axis).",
}

OUTPUT_COLUMNS = frozenset(
    {"confidence", "value", "statistic", "method", "quantile", "rii", "intercept"}
)
"""Words that are both argument and output column names: left as they are in help."""

NUMBER_ARGUMENTS = frozenset(
    {"multiplier", "refvalue", "repetitions", "nquantiles", "years_of_data", "value_type", "seed"}
)
"""Arguments parsed as numbers even when their default is None."""

NUMBER_TYPES = (int, float)


def _is_number(name: str, default: object) -> bool:
    if isinstance(default, bool):
        return False
    return name in NUMBER_ARGUMENTS or isinstance(default, NUMBER_TYPES)


def _parse_number(text: str) -> int | float:
    number = float(text)
    return int(number) if number.is_integer() and "e" not in text.lower() else number


def _column_or_number(text: str) -> str | float:
    try:
        return float(text)
    except ValueError:
        return text


def _option_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def _options_for(function: Callable[..., Any]) -> list[click.Option]:
    """One click option per keyword of ``function`` (its first argument is the data)."""
    options: list[click.Option] = []
    parameters = list(inspect.signature(function).parameters.values())[1:]
    for parameter in parameters:
        name = parameter.name
        default = parameter.default
        required = default is inspect.Parameter.empty
        if name == "group_by":
            options.append(
                click.Option(
                    [_option_name(name)], multiple=True, metavar="COLUMN", help=OTHER_HELP[name]
                )
            )
        elif name == "confidence":
            shown = default if isinstance(default, NUMBER_TYPES) else ", ".join(map(str, default))
            options.append(
                click.Option(
                    [_option_name(name)],
                    multiple=True,
                    type=float,
                    metavar="LEVEL",
                    help=f"{OTHER_HELP[name]} Default: {shown}.",
                )
            )
        elif name == "benchmark":
            options.append(
                click.Option(
                    [_option_name(name)],
                    required=required,
                    metavar="COLUMN|NUMBER",
                    help=OTHER_HELP[name],
                )
            )
        elif isinstance(default, bool):
            flag = f"{_option_name(name)}/--no-{name.replace('_', '-')}"
            options.append(
                click.Option([flag], default=default, show_default=True, help=OTHER_HELP.get(name))
            )
        elif _is_number(name, default):
            options.append(
                click.Option(
                    [_option_name(name)],
                    required=required,
                    default=None if required or default is None else str(default),
                    show_default=not required and default is not None,
                    metavar="NUMBER",
                    help=OTHER_HELP.get(name),
                )
            )
        else:
            help_text = COLUMN_ARGUMENTS.get(name) or OTHER_HELP.get(name)
            options.append(
                click.Option(
                    [_option_name(name)],
                    metavar="COLUMN" if name in COLUMN_ARGUMENTS else "TEXT",
                    required=required,
                    default=None if required else default,
                    show_default=not required and default is not None,
                    help=help_text,
                )
            )
    return options


def _read_csv(path: Path) -> pd.DataFrame:
    """Read the input; rows are labelled by their line number in the file (header = 1)."""
    try:
        frame = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputFileError(path, f"cannot be read as CSV ({error})") from error
    if frame.empty:
        raise InputFileError(path, "has a header but no data rows")
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame


def _arguments(function: Callable[..., Any], given: dict[str, Any]) -> dict[str, Any]:
    """Turn the parsed options into keyword arguments for ``function``."""
    signature = inspect.signature(function)
    arguments: dict[str, Any] = {}
    for name, value in given.items():
        default = signature.parameters[name].default
        if name == "group_by":
            arguments[name] = list(value) or None
        elif name == "confidence":
            if value:
                arguments[name] = value[0] if len(value) == 1 else tuple(value)
        elif name == "benchmark":
            arguments[name] = _column_or_number(value)
        elif _is_number(name, default) and value is not None:
            try:
                arguments[name] = _parse_number(value)
            except ValueError as error:
                raise click.BadParameter(f"{value!r} is not a number", param_hint=name) from error
        elif value is not None:
            arguments[name] = value
    return arguments


def _help_text(function: Callable[..., Any]) -> str:
    """The docstring with ``argument`` names shown as the options that set them."""
    names = set(inspect.signature(function).parameters) - OUTPUT_COLUMNS

    def option(match: re.Match[str]) -> str:
        word = match.group(1)
        return _option_name(word) if word in names else word

    return re.sub(r"``([^`]+)``", option, inspect.getdoc(function) or "")


def _command(name: str, function: Callable[..., Any]) -> click.Command:
    doc = _help_text(function)
    summary = doc.split("\n\n")[0].replace("\n", " ")

    def run(input_csv: Path, out: str, **given: Any) -> None:
        data = _read_csv(input_csv)
        try:
            result = function(data, **_arguments(function, given))
        except jsna.stats.StatsInputError as error:
            raise InputFileError(input_csv, str(error)) from error
        if out == "-":
            result.to_csv(sys.stdout, index=False)
        else:
            result.to_csv(out, index=False)
            click.echo(f"Wrote {len(result):,} rows of {name} results to {out}", err=True)

    params: list[click.Parameter] = [
        click.Argument(["input_csv"], type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.Option(
            ["--out", "-o"],
            default="-",
            show_default=True,
            help="Where to write the results as CSV ('-' for the screen).",
        ),
        *_options_for(function),
    ]
    return click.Command(
        name.replace("_", "-"),
        callback=run,
        params=params,
        help=f"{doc}\n\nInput: a CSV file with a header row. Row numbers in messages are lines of that file.",
        short_help=summary,
    )


class StatsGroup(click.Group):
    """The ``stats`` group: one sub-command per available statistics method."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name.replace("_", "-") for name in METHODS if name in jsna.stats.__all__]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        name = cmd_name.replace("-", "_")
        if name not in METHODS or name not in jsna.stats.__all__:
            return None
        return _command(name, getattr(jsna.stats, name))


@click.group(cls=StatsGroup)
def stats() -> None:
    """Run one official indicator method on a CSV file.

    \b
    Examples:
      jsna stats proportion practices.csv --x register --n list_size --out prevalence.csv
      jsna stats crude-rate wards.csv --x births --n women --multiplier 1000
      jsna stats dsr deaths.csv --x deaths --n pop --group-by ward --out dsr.csv

    Run 'jsna stats METHOD --help' for each method's formula, rules and columns.
    """
