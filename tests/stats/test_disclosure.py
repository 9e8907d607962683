"""Disclosure control: primary and secondary suppression, attacked by linear algebra.

The attacker here is written independently of ``jsna.stats._disclosure_kernels``:
from everything published (counts, and values with their denominators) it
builds the whole dense system A x = b of the relations, with the published
cells substituted, and calls a hidden cell recovered when adding its unit row
does not raise the rank of the system (then least squares gives its exact
value). Secondary suppression must leave it nothing.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jsna.stats import StatsInputError
from jsna.stats._disclosure_kernels import Equations, audit, fixed_point
from jsna.stats.disclosure import (
    DisclosureRules,
    additive_relations,
    primary_suppression,
    recoverable_cells,
    secondary_suppression,
    suppress,
)

SEX = {"Female": "Persons", "Male": "Persons"}
Dimension = tuple[str, Sequence[str], str]


def attack(published: pd.DataFrame, relations: pd.DataFrame, count: str = "n") -> dict[str, float]:
    """Every hidden count a linear attacker recovers exactly, with the value it finds."""
    labels = list(published.index)
    where = {label: i for i, label in enumerate(labels)}
    x = published[count].to_numpy(dtype=np.float64, na_value=np.nan)
    if {"value", "pop"} <= set(published.columns):
        value = published["value"].to_numpy(dtype=np.float64, na_value=np.nan)
        pop = published["pop"].to_numpy(dtype=np.float64, na_value=np.nan)
        x = np.where(np.isnan(x), value * pop / 1000, x)
    rows = []
    for (_, total), group in relations.groupby(["relation", "total"], sort=False):
        row = np.zeros(len(labels))
        row[where[total]] = 1.0
        for member in group["member"]:
            row[where[member]] -= 1.0
        rows.append(row)
    if not rows:
        return {}
    a = np.array(rows)
    known = ~np.isnan(x)
    hidden = np.flatnonzero(~known)
    a_hidden = a[:, hidden]
    b = -a[:, known] @ x[known]
    base = np.linalg.matrix_rank(a_hidden)
    solution = np.linalg.lstsq(a_hidden, b, rcond=None)[0]
    found = {}
    for j, cell in enumerate(hidden):
        unit = np.zeros((1, len(hidden)))
        unit[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a_hidden, unit])) == base:
            found[labels[cell]] = float(solution[j])
    return found


def make_table(
    parent: dict[str, str],
    leaf_counts: Sequence[int],
    dims: Sequence[Dimension] = (),
    custom: dict[str, Sequence[str]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A table of every area x breakdown cell whose counts add up, and its relations.

    ``parent`` is the area tree (child -> parent); ``leaf_counts`` fills the
    leaf areas x leaf categories in order; custom areas group leaf areas.
    """
    custom = custom or {}
    areas = list(dict.fromkeys([*parent.values(), *parent.keys()])) + list(custom)
    leaves = [area for area in parent if area not in parent.values()]
    cells = list(itertools.product(leaves, *(cats for _, cats, _ in dims)))
    count_of = dict(zip(cells, leaf_counts, strict=True))

    def below(area: str) -> list[str]:
        if area in custom:
            return list(custom[area])
        children = [child for child, up in parent.items() if up == area]
        return [area] if not children else [leaf for c in children for leaf in below(c)]

    rows = []
    for area in areas:
        for combo in itertools.product(*([*cats, total] for _, cats, total in dims)):
            spans = [
                cats if value == total else [value]
                for value, (_, cats, total) in zip(combo, dims, strict=True)
            ]
            n = sum(count_of[(leaf, *c)] for leaf in below(area) for c in itertools.product(*spans))
            rows.append((area, *combo, n))
    keys = ["area", *(name for name, _, _ in dims)]
    table = pd.DataFrame(rows, columns=[*keys, "n"])
    table.index = pd.Index(table[keys].astype(str).agg("|".join, axis=1).to_list())
    table["pop"] = 1000.0 + 10 * table["n"]
    table["value"] = table["n"] / table["pop"] * 1000
    table["lower_95"] = table["value"] * 0.8
    table["upper_95"] = table["value"] * 1.2
    parts = [additive_relations(table, keys=keys, column="area", parents=parent)]
    if custom:
        pairs = pd.DataFrame(
            [(member, name) for name, members in custom.items() for member in members]
        )
        parts.append(
            additive_relations(table, keys=keys, column="area", parents=pairs, name="custom")
        )
    for name, cats, total in dims:
        parts.append(
            additive_relations(table, keys=keys, column=name, parents=dict.fromkeys(cats, total))
        )
    return table, pd.concat(parts, ignore_index=True)


def reasons(result: pd.DataFrame) -> dict[str, str]:
    hidden = result[result["suppressed"]]
    return dict(zip(hidden.index, hidden["suppression_reason"], strict=True))


# --- primary suppression ------------------------------------------------------------


def test_primary_suppresses_counts_1_to_4_and_blanks_count_value_and_limits() -> None:
    data = pd.DataFrame(
        {
            "area": list("abcdef"),
            "n": [0, 1, 4, 5, 3, 12],
            "pop": [100, 100, 100, 100, 30, 40],
            "value": [0.0, 1.0, 4.0, 5.0, 10.0, 30.0],
            "lower_95": [0.0, 0.1, 1.1, 1.6, 2.1, 15.5],
            "upper_95": [3.7, 5.6, 10.2, 11.7, 29.2, 49.1],
        }
    )
    result = primary_suppression(data, "n")
    assert result["suppressed"].tolist() == [False, True, True, False, True, False]
    assert result["suppression_reason"].tolist() == [
        "",
        "count 1 to 4",
        "count 1 to 4",
        "",
        "count 1 to 4",
        "",
    ]
    assert str(result["n"].dtype) == "Int64"
    assert result["n"].isna().tolist() == [False, True, True, False, True, False]
    for column in ("value", "lower_95", "upper_95"):
        assert result[column].isna().tolist() == [False, True, True, False, True, False]
    assert result["pop"].tolist() == data["pop"].tolist()
    assert result["n"].iloc[[0, 3, 5]].tolist() == [0, 5, 12]

    ruled = primary_suppression(
        data, "n", denominator="pop", rules=DisclosureRules(suppress_zero=True, min_denominator=50)
    )
    assert ruled["suppression_reason"].tolist() == [
        "count 0 to 4",
        "count 0 to 4",
        "count 0 to 4",
        "",
        "count 0 to 4; denominator under 50",
        "denominator under 50",
    ]
    assert ruled["suppressed"].tolist() == [True, True, True, False, True, True]


def test_rules_texts_and_columns_to_blank_are_configurable() -> None:
    data = pd.DataFrame(
        {"n": [2.0, 9.0, np.nan], "rate": [1.0, 2.0, 3.0], "value": [5.0, 6.0, 7.0]}
    )
    rules = DisclosureRules(
        max_suppressed_count=9,
        count_reason="fewer than 10",
        columns_to_blank=["rate"],
    )
    result = primary_suppression(data, "n", rules=rules)
    assert result["suppression_reason"].tolist() == ["fewer than 10", "fewer than 10", ""]
    assert result["rate"].isna().tolist() == [True, True, False]
    assert result["value"].tolist() == [5.0, 6.0, 7.0]
    assert rules.columns_to_blank == ("rate",)
    assert DisclosureRules(max_suppressed_count=9).count_text == "count 1 to 9"
    assert DisclosureRules(max_suppressed_count=1).count_text == "count 1"


def test_na_count_is_not_suppressed() -> None:
    result = primary_suppression(pd.DataFrame({"n": [np.nan, 3.0]}), "n")
    assert result["suppressed"].tolist() == [False, True]
    assert result["suppression_reason"].tolist() == ["", "count 1 to 4"]


# --- hand-built secondary suppression ----------------------------------------------------


def test_locality_of_four_wards_with_one_small_ward() -> None:
    parent = {"W1": "L", "W2": "L", "W3": "L", "W4": "L"}
    table, relations = make_table(parent, [3, 20, 15, 30])
    primary = primary_suppression(table, "n")
    assert attack(primary, relations) == {"W1": pytest.approx(3.0)}  # the attacker works
    assert (
        recoverable_cells(primary, "n", relations=relations).tolist() == [False, True] + [False] * 3
    )

    result = suppress(table, "n", relations=relations, label="area")
    assert reasons(result) == {"W1": "count 1 to 4", "W3": "secondary: protects W1"}
    assert attack(result, relations) == {}
    assert not recoverable_cells(result, "n", relations=relations).any()


def test_one_small_sex_with_persons_published() -> None:
    table, relations = make_table({"W1": "L"}, [2, 40], [("sex", ["Female", "Male"], "Persons")])
    table = table.loc[table["area"] == "W1"]
    relations = relations[relations["total"] == "W1|Persons"]
    result = suppress(table, "n", relations=relations, label=["area", "sex"])
    assert reasons(result) == {
        "W1|Female": "count 1 to 4",
        "W1|Male": "secondary: protects W1, Female",
    }
    assert result.loc["W1|Persons", "n"] == 42
    assert attack(result, relations) == {}


def test_two_level_hierarchy_crossed_with_sex() -> None:
    parent = {"L1": "LA", "L2": "LA", "W1": "L1", "W2": "L1", "W3": "L2", "W4": "L2"}
    table, relations = make_table(
        parent, [3, 9, 12, 14, 20, 18, 25, 30], [("sex", ["Female", "Male"], "Persons")]
    )
    result = suppress(table, "n", relations=relations, label=["area", "sex"])
    assert reasons(result) == {
        "W1|Female": "count 1 to 4",
        "W1|Male": "secondary: protects W1, Female",
        "W2|Female": "secondary: protects W1, Female",
        "W2|Male": "secondary: protects W1, Male",
    }
    assert attack(result, relations) == {}
    # The locality, the LA and the other wards stay published.
    assert not result.loc[result["area"].isin(["LA", "L1", "L2", "W3", "W4"]), "suppressed"].any()


def test_total_is_the_only_option() -> None:
    # Only Female and Persons are in the table (Male is not published), so the
    # conservative relation is Persons = Female and the total must go.
    data = pd.DataFrame({"n": [3, 10]}, index=["Female", "Persons"])
    relations = pd.DataFrame({"total": ["Persons"], "member": ["Female"]})
    with pytest.raises(StatsInputError) as error:
        suppress(data, "n", relations=relations)
    assert str(error.value) == (
        "relations: each total must equal the sum of its members (pass check_totals=False when "
        "totals include parts that are not in data); got total 10 at row 'Persons' but its "
        "members sum to 3"
    )
    result = suppress(data, "n", relations=relations, check_totals=False)
    assert reasons(result) == {
        "Female": "count 1 to 4",
        "Persons": "secondary: protects row Female",
    }


def test_custom_area_overlapping_the_localities() -> None:
    parent = {"L1": "LA", "L2": "LA", "W1": "L1", "W2": "L1", "W3": "L2", "W4": "L2"}
    table, relations = make_table(parent, [3, 40, 50, 60], custom={"C": ["W1", "W3"]})
    primary = primary_suppression(table, "n")
    result = suppress(table, "n", relations=relations, label="area")
    # Hiding W2 protects W1 within L1; the custom area C = W1 + W3 needs a second
    # hidden cell too: C itself, which is no member of anything (W3 would expose L2).
    assert attack(result, relations) == {}
    assert reasons(result) == {
        "W1": "count 1 to 4",
        "W2": "secondary: protects W1",
        "C": "secondary: protects W1",
    }
    no_custom = relations[relations["relation"] != "custom"]
    assert attack(result, no_custom) == {}
    assert attack(primary, relations) == {"W1": pytest.approx(3.0)}


def test_fixed_point_alone_can_leak_and_the_rank_check_repairs_it() -> None:
    # A table of 4 rows x 4 columns with margins. Two blocks of four small cells,
    # joined by one small cell (r1, c3): every row and column has 0 or at least 2
    # hidden cells, yet (r1, c3) is the sum of rows r1, r2 minus columns c1, c2.
    small = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)}
    counts = [2 if (r, c) in small else 20 + 3 * r + c for r in range(4) for c in range(4)]
    parent = {f"r{r}": "rows" for r in range(4)}
    dims: list[Dimension] = [("col", [f"c{c}" for c in range(4)], "cols")]
    table, relations = make_table(parent, counts, dims)
    primary = primary_suppression(table, "n")
    assert attack(primary, relations) == {"r0|c2": pytest.approx(2.0)}
    assert recoverable_cells(primary, "n", relations=relations).sum() == 1

    system = _kernel_equations(table, relations)
    hidden = primary["suppressed"].to_numpy().copy()
    protects = np.full(len(table), -1, dtype=np.intp)
    fixed_point(system, hidden, hidden, table["n"].to_numpy(float), np.arange(len(table)), protects)
    assert (protects == -1).all()  # no single-equation exposure, nothing added
    found = audit(system, hidden, hidden, np.arange(len(table)))
    assert list(table.index[found.revealed]) == ["r0|c2"]

    result = suppress(table, "n", relations=relations, label=["area", "col"])
    assert attack(result, relations) == {}
    added = result["suppression_reason"].str.startswith("secondary")
    assert 1 <= added.sum() <= 4
    assert "secondary: protects r0, c2" in set(result["suppression_reason"])


def _kernel_equations(table: pd.DataFrame, relations: pd.DataFrame) -> Equations:
    where = {label: i for i, label in enumerate(table.index)}
    eq, cell, coef = [], [], []
    for number, ((_, total), group) in enumerate(relations.groupby(["relation", "total"])):
        eq += [number] * (len(group) + 1)
        cell += [where[total], *(where[m] for m in group["member"])]
        coef += [1.0] + [-1.0] * len(group)
    return Equations(
        np.array(eq, dtype=np.intp),
        np.array(cell, dtype=np.intp),
        np.array(coef),
        int(max(eq)) + 1,
        len(table),
    )


def test_secondary_after_primary_matches_suppress_and_keeps_reasons() -> None:
    parent = {"L1": "LA", "L2": "LA", "W1": "L1", "W2": "L1", "W3": "L2", "W4": "L2"}
    table, relations = make_table(
        parent, [3, 9, 12, 14, 20, 18, 25, 30], [("sex", ["Female", "Male"], "Persons")]
    )
    two_steps = secondary_suppression(primary_suppression(table, "n"), "n", relations=relations)
    one_step = suppress(table, "n", relations=relations)
    pd.testing.assert_frame_equal(two_steps, one_step)
    assert one_step.loc["W1|Male", "suppression_reason"] == "secondary: protects row W1|Female"
    assert one_step.loc["W1|Female", "suppression_reason"] == "count 1 to 4"


def test_unpublished_rows_are_unknown_and_need_no_protection() -> None:
    data = pd.DataFrame({"n": [np.nan, 3.0, 30.0, 33.0]}, index=["W1", "W2", "W3", "L"])
    relations = pd.DataFrame({"total": ["L"] * 3, "member": ["W1", "W2", "W3"]})
    result = suppress(data, "n", relations=relations)
    assert result["suppressed"].tolist() == [False, True, False, False]
    assert recoverable_cells(result, "n", relations=relations).tolist() == [False] * 4


def test_no_primary_means_no_secondary_and_no_relations_is_primary_only() -> None:
    table, relations = make_table({"W1": "L", "W2": "L"}, [10, 20])
    assert not suppress(table, "n", relations=relations)["suppressed"].any()
    small, _ = make_table({"W1": "L", "W2": "L"}, [1, 20])
    pd.testing.assert_frame_equal(suppress(small, "n"), primary_suppression(small, "n"))


# --- generated hierarchies ----------------------------------------------------------------


@st.composite
def hierarchies(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, DisclosureRules]:
    parent: dict[str, str] = {}
    leaves: list[str] = []
    for i in range(draw(st.integers(1, 3))):
        parent[f"L{i}"] = "LA"
        for j in range(draw(st.integers(1, 4))):
            parent[f"W{i}{j}"] = f"L{i}"
            leaves.append(f"W{i}{j}")
    dims: list[Dimension] = []
    if draw(st.booleans()):
        dims.append(("sex", ["Female", "Male"], "Persons"))
    if draw(st.booleans()):
        dims.append(("age", ["0-64", "65+"], "All ages"))
    custom = None
    if draw(st.booleans()):
        custom = {"C": draw(st.lists(st.sampled_from(leaves), min_size=1, unique=True))}
    size = len(leaves) * 2 ** len(dims)
    count = st.one_of(st.integers(0, 6), st.integers(0, 60))
    counts = draw(st.lists(count, min_size=size, max_size=size))
    table, relations = make_table(parent, counts, dims, custom)
    rules = DisclosureRules(suppress_zero=draw(st.booleans()))
    return table, relations, rules


@settings(max_examples=60)
@given(hierarchies())
def test_attacker_recovers_no_suppressed_count(
    case: tuple[pd.DataFrame, pd.DataFrame, DisclosureRules],
) -> None:
    table, relations, rules = case
    result = suppress(table, "n", relations=relations, rules=rules)
    hidden = result["suppressed"]
    low = 0 if rules.suppress_zero else 1
    assert (hidden[(table["n"] >= low) & (table["n"] <= 4)]).all()
    assert attack(result, relations) == {}
    published = ~hidden
    assert (result.loc[published, "n"] == table.loc[published, "n"]).all()
    assert result.loc[hidden, ["n", "value", "lower_95", "upper_95"]].isna().all().all()
    primary = result["suppression_reason"].str.startswith("count").sum()
    secondary = result["suppression_reason"].str.startswith("secondary").sum()
    if primary == 0:
        assert secondary == 0
    # In a table with k kinds of relation an isolated small cell is protected by the
    # corners of a 2 x 2 x ... x 2 box around it (2**k - 1 extra cells). Custom areas
    # cut across the boxes and can need more; twice that would be a runaway.
    assert secondary <= 2 * (2 ** relations["relation"].nunique() - 1) * primary


@settings(max_examples=25)
@given(hierarchies(), st.randoms(use_true_random=False))
def test_same_input_same_output_whatever_the_row_order(
    case: tuple[pd.DataFrame, pd.DataFrame, DisclosureRules], random: object
) -> None:
    table, relations, rules = case
    before = table.copy()
    first = suppress(table, "n", relations=relations, rules=rules)
    pd.testing.assert_frame_equal(table, before)
    pd.testing.assert_frame_equal(first, suppress(table, "n", relations=relations, rules=rules))
    order = list(range(len(table)))
    random.shuffle(order)  # type: ignore[attr-defined]
    shuffled = suppress(table.iloc[order], "n", relations=relations, rules=rules)
    pd.testing.assert_frame_equal(shuffled.loc[first.index], first)


# --- scale ------------------------------------------------------------------------------------


def national_table(seed: int, mean: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """33,755 LSOAs -> 6,800 MSOAs -> 300 LAs, crossed with Female, Male, Persons."""
    rng = np.random.default_rng(seed)
    msoa_of = np.sort(np.r_[np.arange(6800), rng.integers(0, 6800, 33755 - 6800)])
    la_of = np.sort(np.r_[np.arange(300), rng.integers(0, 300, 6800 - 300)])
    expected = rng.gamma(4, mean / 4, 33755)
    female, male = rng.poisson(expected), rng.poisson(expected)
    names = np.array(
        [f"E01{i:06d}" for i in range(33755)]
        + [f"E02{i:06d}" for i in range(6800)]
        + [f"E06{i:06d}" for i in range(300)]
    )
    f_msoa = np.bincount(msoa_of, weights=female, minlength=6800)
    m_msoa = np.bincount(msoa_of, weights=male, minlength=6800)
    f_all = np.r_[female, f_msoa, np.bincount(la_of, weights=f_msoa, minlength=300)]
    m_all = np.r_[male, m_msoa, np.bincount(la_of, weights=m_msoa, minlength=300)]
    table = pd.DataFrame(
        {
            "area": np.repeat(names, 3),
            "sex": np.tile(["Female", "Male", "Persons"], len(names)),
            "n": np.column_stack([f_all, m_all, f_all + m_all]).ravel(),
        }
    )
    lookup = pd.Series(
        np.r_[names[33755:40555][msoa_of], names[40555:][la_of]], index=names[:40555]
    )
    keys = ["area", "sex"]
    relations = pd.concat(
        [
            additive_relations(table, keys=keys, column="area", parents=lookup),
            additive_relations(table, keys=keys, column="sex", parents=SEX),
        ],
        ignore_index=True,
    )
    return table, relations


def test_national_lsoa_msoa_la_by_sex_in_seconds() -> None:
    table, relations = national_table(seed=7, mean=7.0)
    start = time.perf_counter()
    result = suppress(table, "n", relations=relations, label=["area", "sex"])
    elapsed = time.perf_counter() - start
    assert len(result) == 122_565
    assert elapsed < 60  # seconds on a busy shared machine; typically well under 1 s
    assert not recoverable_cells(result, "n", relations=relations).any()
    # Independent attack on a few whole local authorities (their LSOAs, MSOAs, totals).
    la = result["area"].str.startswith("E06")
    for code in result.loc[la, "area"].unique()[:3]:
        msoas = relations.loc[
            relations["total"].isin(result.index[result["area"] == code]), "member"
        ]
        lsoas = relations.loc[relations["total"].isin(msoas), "member"]
        cells = pd.Index(result.index[result["area"] == code]).union(msoas).union(lsoas)
        local = relations[relations["total"].isin(cells) & relations["member"].isin(cells)]
        assert result.loc[cells, "suppressed"].sum() > 10
        # The sex relations of these areas are included; a block never crosses an LA.
        assert attack(result.loc[cells], local) == {}


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            pd.DataFrame({"n": [1, -3]}),
            "count (column 'n'): must be >= 0 (counts cannot be negative); got -3 at row 1",
        ),
        (
            pd.DataFrame({"n": ["a", 2]}),
            "count (column 'n'): must be numeric; got 'a' at row 0",
        ),
        (
            pd.DataFrame({"m": [1]}),
            "count: must name a column of data (columns: m); got 'n'",
        ),
        (
            pd.DataFrame({"n": [1], "suppressed": [True]}),
            "data: must not already have a 'suppressed' column (suppression was applied already; "
            "run it once, on the unsuppressed data); got a 'suppressed' column",
        ),
    ],
)
def test_bad_primary_input(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(StatsInputError) as error:
        primary_suppression(frame, "n")
    assert str(error.value) == message


def test_bad_denominators() -> None:
    data = pd.DataFrame({"n": [1, 2], "pop": [10, -1]})
    with pytest.raises(StatsInputError) as error:
        primary_suppression(data, "n", denominator="pop")
    assert str(error.value) == (
        "denominator (column 'pop'): must be >= 0 (a denominator cannot be negative); "
        "got -1 at row 1"
    )
    with pytest.raises(StatsInputError) as error:
        primary_suppression(data, "n", rules=DisclosureRules(min_denominator=50))
    assert str(error.value) == (
        "denominator: must name a column when the rules set min_denominator (50); got None"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"max_suppressed_count": -1}, "max_suppressed_count: must be a number >= 0; got -1"),
        ({"max_suppressed_count": "4"}, "max_suppressed_count: must be a number >= 0; got '4'"),
        ({"suppress_zero": 1}, "suppress_zero: must be True or False; got 1"),
        ({"min_denominator": 0}, "min_denominator: must be None or a number > 0; got 0"),
        (
            {"secondary_reason": "{cell} and {cell}"},
            "secondary_reason: must contain {cell} at most once; got '{cell} and {cell}'",
        ),
        ({"count_reason": 5}, "count_reason: must be None or a string; got 5"),
    ],
)
def test_bad_rules(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(StatsInputError) as error:
        DisclosureRules(**arguments)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_bad_columns_to_blank_and_rules_type() -> None:
    data = pd.DataFrame({"n": [1]})
    with pytest.raises(StatsInputError) as error:
        primary_suppression(data, "n", rules=DisclosureRules(columns_to_blank="rate"))
    assert (
        str(error.value) == "columns_to_blank: must name a column of data (columns: n); got 'rate'"
    )
    with pytest.raises(StatsInputError) as error:
        primary_suppression(data, "n", rules={"max_suppressed_count": 4})  # type: ignore[arg-type]
    assert str(error.value) == "rules: must be a DisclosureRules; got dict"


WARDS = pd.DataFrame({"n": [3.0, 20.0, 23.0]}, index=["W1", "W2", "L"])


@pytest.mark.parametrize(
    ("relations", "message"),
    [
        (
            pd.DataFrame({"total": ["L", "L"], "member": ["W1", "W9"]}),
            "relations (column 'member'): must name rows of data by their index label; "
            "got 'W9' at row 1",
        ),
        (
            pd.DataFrame({"total": ["X"], "member": ["W1"]}),
            "relations (column 'total'): must name rows of data by their index label; "
            "got 'X' at row 0",
        ),
        (
            pd.DataFrame({"total": ["L", "L"], "member": ["W1", "L"]}),
            "relations: a row cannot be a member of its own total; got 'L' at row 1",
        ),
        (
            pd.DataFrame({"parent": ["L"], "child": ["W1"]}),
            "relations: must have the columns 'total' and 'member' (and optionally 'relation'); "
            "got columns ['parent', 'child']",
        ),
        (
            [("L", "W1")],
            "relations: must be a pandas DataFrame with columns 'total' and 'member' "
            "(see additive_relations); got list",
        ),
        (
            pd.DataFrame({"total": ["L"], "member": ["W1"]}),
            "relations: each total must equal the sum of its members (pass check_totals=False "
            "when totals include parts that are not in data); got total 23 at row 'L' but its "
            "members sum to 3",
        ),
    ],
)
def test_bad_relations(relations: object, message: str) -> None:
    with pytest.raises(StatsInputError) as error:
        suppress(WARDS, "n", relations=relations)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_bad_secondary_input() -> None:
    relations = pd.DataFrame({"total": ["L", "L"], "member": ["W1", "W2"]})
    with pytest.raises(StatsInputError) as error:
        secondary_suppression(WARDS, "n", relations=relations)
    assert str(error.value) == (
        "data: must have the columns 'suppressed' and 'suppression_reason' from "
        "primary_suppression (or call suppress, which runs both steps); got no 'suppressed' column"
    )
    doubled = pd.DataFrame({"n": [3.0, 20.0, 23.0]}, index=["W1", "W1", "L"])
    with pytest.raises(StatsInputError) as error:
        suppress(doubled, "n", relations=relations)
    assert str(error.value) == (
        "data: must have a unique index (relations name rows by index label); "
        "got 'W1' more than once"
    )
    with pytest.raises(StatsInputError) as error:
        suppress(WARDS, "n", relations=relations, label="ward")
    assert str(error.value) == "label: must name a column of data (columns: n); got 'ward'"


def test_bad_flags_and_options() -> None:
    relations = pd.DataFrame({"total": ["L", "L"], "member": ["W1", "W2"]})
    flagged = WARDS.assign(suppressed=[1, 0, 0], suppression_reason="")
    with pytest.raises(StatsInputError) as error:
        secondary_suppression(flagged, "n", relations=relations)
    assert (
        str(error.value) == "data (column 'suppressed'): must be true/false with no NA; got int64"
    )
    with pytest.raises(StatsInputError) as error:
        suppress(WARDS, "n", relations=relations, check_totals="yes")  # type: ignore[arg-type]
    assert str(error.value) == "check_totals: must be True or False; got 'yes'"


def test_too_large_a_block_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = {"L1": "LA", "L2": "LA", "W1": "L1", "W2": "L1", "W3": "L2", "W4": "L2"}
    table, relations = make_table(
        parent, [3, 9, 12, 14, 20, 18, 25, 30], [("sex", ["Female", "Male"], "Persons")]
    )
    monkeypatch.setattr("jsna.stats._disclosure_kernels.MAX_BLOCK", 3)
    with pytest.raises(StatsInputError) as error:
        suppress(table, "n", relations=relations)
    assert str(error.value) == (
        "relations: the suppressed cells must not link into a block of more than 3 cells (too "
        "many to check exactly; publish fewer levels or breakdowns for this indicator); got a "
        "block of 4 linked hidden cells"
    )


def test_relations_that_fix_a_count_by_themselves() -> None:
    # L = W1 + W2 and, under another name, L = W1: W2 must be 0 whatever is published.
    data = pd.DataFrame({"n": [5.0, 0.0, 5.0]}, index=["W1", "W2", "L"])
    relations = pd.DataFrame(
        {"total": ["L", "L", "L"], "member": ["W1", "W2", "W1"], "relation": ["a", "a", "b"]}
    )
    with pytest.raises(StatsInputError) as error:
        suppress(data, "n", relations=relations, rules=DisclosureRules(suppress_zero=True))
    assert str(error.value) == (
        "relations: must not fix a hidden count by themselves (the equations give its value "
        "whatever is published; look for a total listed twice with different members under one "
        "relation name); got row 'W2'"
    )


def test_bad_additive_relations() -> None:
    table = pd.DataFrame({"area": ["W1", "W2", "L"], "sex": ["P", "P", "P"], "n": [1, 2, 3]})
    cases: list[tuple[dict[str, object], str]] = [
        (
            {"keys": ["area"], "column": "sex", "parents": {"W1": "L"}},
            "column: must be one of keys (area); got 'sex'",
        ),
        (
            {"keys": ["sex"], "column": "sex", "parents": {"W1": "L"}},
            "keys: must identify each row of data once; got ('P',) again at row 1",
        ),
        (
            {"keys": ["area", "sex"], "column": "area", "parents": {"W1": "W1"}},
            "parents: a value cannot be its own parent; got 'W1'",
        ),
        (
            {"keys": ["area", "sex"], "column": "area", "parents": {"W1": None}},
            "parents: must not contain missing values; got an NA child or parent",
        ),
        (
            {"keys": ["area", "sex"], "column": "area", "parents": [("W1", "L")]},
            "parents: must be a dict or Series (child -> parent) or a DataFrame with columns "
            "(child, parent); got list",
        ),
        (
            {"keys": ["area", "sex"], "column": "area", "parents": {"W7": "L"}},
            "parents: must link rows of data: a row whose 'area' is a child and a row with its "
            "parent and the same other keys; got no such pair among 1 pairs (first 'W7' -> 'L')",
        ),
        (
            {"keys": ["area", "age"], "column": "area", "parents": {"W1": "L"}},
            "keys: must name a column of data (columns: area, sex, n); got 'age'",
        ),
    ]
    for arguments, message in cases:
        with pytest.raises(StatsInputError) as error:
            additive_relations(table, **arguments)  # type: ignore[arg-type]
        assert str(error.value) == message


def test_additive_relations_with_several_parents_and_names() -> None:
    table = pd.DataFrame({"area": ["W1", "W2", "L", "C"], "n": [1, 2, 3, 1]}, index=list("abcd"))
    pairs = pd.DataFrame({"child": ["W1", "W2", "W1"], "parent": ["L", "L", "C"]})
    relations = additive_relations(table, keys="area", column="area", parents=pairs, name="geo")
    assert relations.to_dict("list") == {
        "total": ["c", "d", "c"],
        "member": ["a", "a", "b"],
        "relation": ["geo", "geo", "geo"],
    }
