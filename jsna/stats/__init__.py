"""Official indicator statistics (OHID Fingertips / PHEindicatormethods methods).

A pure layer: NumPy, SciPy and pandas only, nothing else from ``jsna``. Every
function takes a pandas DataFrame and column names and returns a new
DataFrame whose columns say what was computed (``value``, ``lower_95``,
``upper_95``, ``confidence``, ``statistic``, ``method`` ...). Bad input raises
:class:`StatsInputError` naming the argument, the rule and the bad value.
"""

from ._validate import StatsInputError
from .compare import benchmark_quintiles, compare_to_benchmark
from .disclosure import (
    DisclosureRules,
    additive_relations,
    primary_suppression,
    recoverable_cells,
    secondary_suppression,
    suppress,
)
from .dsr import dsr
from .funnels import funnel_limits, funnel_points, funnel_significance
from .isr import isr, isratio
from .life_expectancy import life_expectancy
from .means import mean
from .proportions import proportion
from .quantiles import quantiles
from .rates import crude_rate
from .sii import sii
from .trends import trend_marker

__all__ = [
    "DisclosureRules",
    "StatsInputError",
    "additive_relations",
    "benchmark_quintiles",
    "compare_to_benchmark",
    "crude_rate",
    "dsr",
    "funnel_limits",
    "funnel_points",
    "funnel_significance",
    "isr",
    "isratio",
    "life_expectancy",
    "mean",
    "primary_suppression",
    "proportion",
    "quantiles",
    "recoverable_cells",
    "secondary_suppression",
    "sii",
    "suppress",
    "trend_marker",
]
