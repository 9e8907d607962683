"""Plain sentences with the numbers: the text alternative of every figure.

Each helper returns one sentence (or ``""`` when it has nothing to say), so a
builder joins two or three of them into a figure's ``summary``:

- :func:`no_data_summary`: "There are no published figures for ...";
- :func:`value_sentence`: "In 2023, Trafford's value was 7.1% (95% CI ...)";
- :func:`extremes_sentence`: the highest and lowest areas with their values;
- :func:`comparison_counts_sentence`: "Compared with England, 3 of 21 wards
  are worse, 15 similar and 3 better.";
- :func:`comparison_phrase`: "worse than England", "similar to England".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from jsna.content.indicators import Indicator

from .format import format_interval, format_value, is_missing
from .palette import COMPARISON_ORDER

__all__ = [
    "area_noun",
    "comparison_counts_sentence",
    "comparison_phrase",
    "extremes_sentence",
    "join_words",
    "no_data_summary",
    "value_sentence",
]

_PHRASES = {
    "best": "much better than",
    "better": "better than",
    "similar": "similar to",
    "worse": "worse than",
    "worst": "much worse than",
    "higher": "higher than",
    "lower": "lower than",
}


def join_words(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = [w for w in words if w]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def comparison_phrase(word: str, comparator_name: str) -> str:
    """``worse than England``, ``similar to England``; ``not compared with England``."""
    phrase = _PHRASES.get(word)
    if phrase is None:
        return f"not compared with {comparator_name}"
    return f"{phrase} {comparator_name}"


def area_noun(area_type_name: str, count: int) -> str:
    """A readable plural for an area type name: ``Electoral ward (May 2023)`` -> ``wards``.

    The text before any parenthesis, lower-cased except acronyms, with an
    ``s`` when ``count`` is not 1 (``GP practice`` -> ``GP practices``).
    """
    base = area_type_name.split("(")[0].strip() or "area"
    words = [w if w.isupper() else w.lower() for w in base.split()]
    if words and words[0] == "electoral" and len(words) > 1:
        words = words[1:]
    noun = " ".join(words)
    if count == 1:
        return noun
    if noun.endswith("y") and not noun.endswith(("ay", "ey", "oy")):
        return noun[:-1] + "ies"
    return noun + "s"


def no_data_summary(title: str, where: str = "") -> str:
    """``There are no published figures for <title>[ <where>].``"""
    place = f" {where}" if where else ""
    return f"There are no published figures for {title}{place}."


def value_sentence(
    indicator: Indicator, row: pd.Series, *, comparisons: Iterable[tuple[str, str]] = ()
) -> str:
    """``In 2023, Trafford's value was 7.1% (95% CI 6.9% to 7.3%), worse than England.``

    ``comparisons``: (comparison word, comparator name) pairs; blank words
    are left out. A suppressed value says so.
    """
    suppressed = bool(row.get("suppressed", False))
    head = f"In {row['period']}, {row['area_name']}"
    if suppressed or is_missing(row.get("value")):
        return f"{head}'s figure is suppressed to protect confidentiality."
    value = format_value(indicator, row["value"])
    interval = format_interval(indicator, row.get("lower_95"), row.get("upper_95"))
    phrases = [comparison_phrase(word, name) for word, name in comparisons if word]
    tail = f" ({interval})" if interval else ""
    judged = f", {join_words(phrases)}" if phrases else ""
    return f"{head}'s value was {value}{tail}{judged}."


def extremes_sentence(
    frame: pd.DataFrame, indicator: Indicator, *, label: str = "area_name"
) -> str:
    """``The highest value is 9.1% in Bucklow-St Martins and the lowest 3.2% in Hale.``

    Suppressed and missing values are left out; ties name the first in
    ``frame``'s order. ``""`` with fewer than two values.
    """
    shown = frame[frame["value"].notna()]
    if len(shown) < 2:
        return ""
    top = shown.loc[shown["value"].astype(float).idxmax()]
    bottom = shown.loc[shown["value"].astype(float).idxmin()]
    return (
        f"The highest value is {format_value(indicator, top['value'])} in {top[label]} "
        f"and the lowest {format_value(indicator, bottom['value'])} in {bottom[label]}."
    )


def comparison_counts_sentence(words: pd.Series, comparator_name: str, noun_plural: str) -> str:
    """``Compared with England, 3 of 21 wards are worse, 15 similar and 3 better.``

    ``words``: one comparison word per area (blank or "not compared" are
    counted as not compared). ``""`` when there are no words.
    """
    cleaned = words.fillna("").replace("", "not compared").astype(str)
    if cleaned.empty or (cleaned == "not compared").all():
        return ""
    counts = cleaned.value_counts()
    parts = [f"{counts[w]} {w}" for w in COMPARISON_ORDER if w in counts.index]
    if not parts:
        return ""
    first, rest = parts[0], parts[1:]
    count, word = first.split(" ", 1)
    verb = "is" if int(count) == 1 else "are"
    opener = f"{count} of {len(cleaned)} {noun_plural} {verb} {word}"
    return f"Compared with {comparator_name}, {join_words([opener, *rest])}."
