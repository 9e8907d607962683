"""Personal data in free text: e-mail addresses, UK phone numbers, full postcodes, NHS numbers.

:func:`personal_data` finds them in a column of text (whole column at once);
:func:`strip_personal_data` replaces each with ``[... removed]``. NHS numbers
are ten digits (``943 476 5919``) whose modulus-11 check digit is valid, so
ordinary ten-digit numbers are not taken for one. A phone number starts with
``0``, ``+44`` or ``0044`` and has 10 or 11 digits (spaces and hyphens allowed);
a full postcode has both parts (``M33 7XX``; ``M33`` alone is a district).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["RULES", "personal_data", "strip_personal_data", "with_article"]

RULES: dict[str, tuple[str, str]] = {
    "e-mail address": (
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
        "[e-mail address removed]",
    ),
    "UK phone number": (
        r"(?<![\d+])(?:(?:\+44|0044)\s?(?:\(0\)\s?)?|0)\d(?:[\s-]?\d){8,9}(?![\d])",
        "[phone number removed]",
    ),
    "full UK postcode": (
        r"\b(?:[A-Za-z]{1,2}\d{1,2}[A-Za-z]?|GIR)\s?\d[A-Za-z]{2}\b",
        "[postcode removed]",
    ),
    "NHS number": (r"(?<![\d])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?![\d])", "[NHS number removed]"),
}
"""Rule name -> (regular expression, replacement when stripped)."""

_NHS = "NHS number"
_WEIGHTS = np.arange(10, 1, -1)


def with_article(rule: str) -> str:
    """``"an e-mail address"``, ``"a UK phone number"``, ``"an NHS number"``."""
    return ("an " if rule[0] in "aeiouN" else "a ") + rule


def _valid_nhs(numbers: pd.Series) -> np.ndarray:
    """Whether each 10-digit string (separators allowed) has a valid NHS check digit."""
    digits = numbers.str.replace(r"\D", "", regex=True)
    if digits.empty:
        return np.zeros(0, dtype=bool)
    matrix = np.frombuffer("".join(digits).encode(), dtype=np.uint8).reshape(-1, 10) - 48
    check = 11 - (matrix[:, :9].astype(np.int64) @ _WEIGHTS) % 11
    check = np.where(check == 11, 0, check)
    return np.asarray((check != 10) & (check == matrix[:, 9]), dtype=bool)


def personal_data(text: pd.Series) -> dict[str, tuple[pd.Series, int]]:
    """For each rule: which cells hold personal data, and how many items in all."""
    text = text.fillna("").astype(str)
    found: dict[str, tuple[pd.Series, int]] = {}
    for rule, (pattern, _) in RULES.items():
        matches = text.str.extractall(f"({pattern})")
        if rule == _NHS and not matches.empty:
            matches = matches[_valid_nhs(matches[0])]
        cells = matches.index.get_level_values(0)
        found[rule] = (pd.Series(text.index.isin(cells), index=text.index), len(matches))
    return found


def strip_personal_data(text: pd.Series) -> pd.Series:
    """``text`` with every item of personal data replaced by ``[... removed]``."""
    pattern, replacement = RULES[_NHS]
    nhs = re.compile(pattern)

    def replace(match: re.Match[str]) -> str:
        valid = _valid_nhs(pd.Series([match.group(0)]))[0]
        return replacement if valid else match.group(0)

    out = text.fillna("").astype(str).map(lambda cell: nhs.sub(replace, cell))
    for rule, (pattern, replacement) in RULES.items():
        if rule != _NHS:
            out = out.str.replace(pattern, replacement, regex=True)
    return out
