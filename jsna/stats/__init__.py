"""Official indicator statistics (OHID Fingertips / PHEindicatormethods methods).

A pure layer: NumPy, SciPy and pandas only, nothing else from ``jsna``. Every
function takes a pandas DataFrame and column names and returns a new
DataFrame whose columns say what was computed (``value``, ``lower_95``,
``upper_95``, ``confidence``, ``statistic``, ``method`` ...). Bad input raises
:class:`StatsInputError` naming the argument, the rule and the bad value.
"""

from ._validate import StatsInputError
from .means import mean
from .proportions import proportion
from .rates import crude_rate

__all__ = [
    "StatsInputError",
    "crude_rate",
    "mean",
    "proportion",
]
