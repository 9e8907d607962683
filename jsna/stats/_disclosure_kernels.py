"""Array kernels for secondary cell suppression (see ``disclosure.py``).

The published table is a vector of cells; every relation "total = sum of its
members" is a linear equation over them, stored once as a sparse incidence
(one entry per cell of an equation, +1 for the total and -1 for a member).
An attacker knows every published cell, so the unknowns are the hidden cells
(suppressed, or missing) and the equations restricted to them form the system
``A_H x_H = b``. A hidden cell i is recovered exactly when the unit vector e_i
lies in the row space of ``A_H``; it is protected when some vector z with
``A_H z = 0`` has ``z_i != 0`` (the hidden cells can then move together along z
without changing anything published).

``protect`` makes every suppressed cell protected in three vectorised steps:

1. ``fixed_point``: rounds over all equations at once. An equation whose only
   hidden cell is suppressed gives that cell away by subtraction, so one of its
   published cells is suppressed too: the cell with the best balance of exposed
   equations it mends against clean equations it exposes, then a member before
   the total, then the smallest count, then the lowest label rank.
2. ``audit``: the exact linear-algebra check. The hidden cells and the
   equations touching them are split into connected blocks. A block whose
   equations all hold two or more hidden cells and whose graph is a tree cannot
   reveal anything; every other block is checked with a batched SVD of its small
   dense matrix (blocks of similar size share one ``numpy.linalg.svd`` call).
3. ``repair``: for each block with a recovered cell, the minimum-norm
   combination of equations that recovers it is found from the same SVD, and
   a published cell whose suppression breaks that combination is suppressed
   (fewest clean equations exposed, then smallest count). Then back to step 1
   until the audit finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from ._validate import FloatArray, fail

__all__ = [
    "MAX_BLOCK",
    "Audit",
    "Equations",
    "audit",
    "fixed_point",
    "protect",
    "repair",
]

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

MAX_BLOCK = 2500
"""Largest block of linked hidden cells checked exactly (a dense SVD of that size)."""
BATCH_ENTRIES = 1 << 21
"""Dense matrix entries per batched SVD call (about 16 MB of float64)."""
REVEALED = 1.0 - 1e-9
"""A cell is recovered when the row space of its block holds this much of its unit vector."""
NONZERO = 1e-9
"""Coefficients smaller than this (in absolute value) count as zero."""


@dataclass(frozen=True)
class Equations:
    """Additive relations as a sparse incidence: one entry per (equation, cell)."""

    eq: IntArray
    """Equation number of each entry (0 .. equations - 1)."""
    cell: IntArray
    """Cell (row position) of each entry; a cell appears at most once per equation."""
    coef: FloatArray
    """+1 for the total of the equation, -1 for a member."""
    equations: int
    """Number of equations."""
    cells: int
    """Number of cells."""

    def tally(self, flags: BoolArray) -> IntArray:
        """Number of flagged cells in each equation."""
        counts = np.bincount(self.eq, weights=flags[self.cell], minlength=self.equations)
        return counts.astype(np.intp)


def _first_per_group(groups: IntArray) -> IntArray:
    """Positions where a new value starts in an already sorted ``groups``."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])


def fixed_point(
    eqs: Equations,
    hidden: BoolArray,
    suppressed: BoolArray,
    counts: FloatArray,
    rank: IntArray,
    protects: IntArray,
) -> None:
    """Suppress extra cells until no equation has exactly one hidden cell that is suppressed.

    Works in place on ``hidden``, ``suppressed`` and ``protects`` (the cell each
    new suppression protects). Each round treats all such equations at once.
    """
    while True:
        unknowns = eqs.tally(hidden)
        exposed = (unknowns == 1) & (eqs.tally(suppressed) == 1)
        if not exposed.any():
            return
        in_exposed = exposed[eqs.eq]
        guard = in_exposed & suppressed[eqs.cell]
        guarded = np.full(eqs.equations, -1, dtype=np.intp)
        guarded[eqs.eq[guard]] = eqs.cell[guard]
        candidate = in_exposed & ~hidden[eqs.cell]
        c_eq, c_cell = eqs.eq[candidate], eqs.cell[candidate]
        is_total = eqs.coef[candidate] > 0
        # Hiding a cell mends every exposed equation it is in and exposes every
        # equation it is in that has no hidden cell yet: prefer the best balance.
        balance = np.bincount(eqs.cell, weights=(unknowns == 0)[eqs.eq], minlength=eqs.cells)
        balance -= np.bincount(eqs.cell, weights=in_exposed, minlength=eqs.cells)
        order = np.lexsort((rank[c_cell], counts[c_cell], is_total, balance[c_cell], c_eq))
        first = order[_first_per_group(c_eq[order])]
        picked, picked_eq = c_cell[first], c_eq[first]
        cells, where = np.unique(picked, return_index=True)
        protects[cells] = guarded[picked_eq[where]]
        hidden[cells] = True
        suppressed[cells] = True


@dataclass(frozen=True)
class Audit:
    """Outcome of :func:`audit`."""

    revealed: BoolArray
    """Target cells that the published cells and the equations determine exactly."""
    repair_eq: IntArray
    """Equations of the recovering combination, one recovered cell per block."""
    repair_weight: FloatArray
    """Weight of each of those equations in the combination."""
    repair_target: IntArray
    """The recovered cell each of those equations belongs to."""


def _next_power_of_two(values: IntArray) -> IntArray:
    return np.left_shift(1, np.ceil(np.log2(np.maximum(values, 1))).astype(np.intp))


def _local_positions(groups: IntArray) -> tuple[IntArray, IntArray]:
    """Sort order by group (stable) and each item's 0-based position within its group."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = _first_per_group(sorted_groups)
    sizes = np.diff(np.r_[starts, len(order)])
    local = np.empty(len(order), dtype=np.intp)
    local[order] = np.arange(len(order)) - np.repeat(starts, sizes)
    return order, local


def audit(eqs: Equations, hidden: BoolArray, targets: BoolArray, rank: IntArray) -> Audit:
    """Find the target cells a linear attacker recovers exactly from the published cells."""
    n, m = eqs.cells, eqs.equations
    revealed = np.zeros(n, dtype=np.bool_)
    nothing = Audit(revealed, np.zeros(0, np.intp), np.zeros(0), np.zeros(0, np.intp))
    rep_eq: list[IntArray] = [nothing.repair_eq]
    rep_weight: list[FloatArray] = [nothing.repair_weight]
    rep_target: list[IntArray] = [nothing.repair_target]
    in_hidden = hidden[eqs.cell]
    e_eq, e_cell, e_coef = eqs.eq[in_hidden], eqs.cell[in_hidden], eqs.coef[in_hidden]
    unknowns = np.bincount(e_eq, minlength=m)
    cell_ids = np.flatnonzero(hidden)
    eq_ids = np.flatnonzero(unknowns > 0)
    if len(eq_ids) == 0 or not targets.any():
        return nothing
    h, e = len(cell_ids), len(eq_ids)
    cell_node = np.full(n, -1, dtype=np.intp)
    cell_node[cell_ids] = np.arange(h)
    eq_node = np.full(m, -1, dtype=np.intp)
    eq_node[eq_ids] = np.arange(e)
    rows, cols = cell_node[e_cell], h + eq_node[e_eq]
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(h + e, h + e)).tocsr()
    blocks, labels = connected_components(graph, directed=False)
    cell_block = labels[:h].astype(np.intp)
    eq_block = labels[h:].astype(np.intp)
    n_cells = np.bincount(cell_block, minlength=blocks)
    n_eqs = np.bincount(eq_block, minlength=blocks)
    n_entries = np.bincount(cell_block[rows], minlength=blocks)
    fewest = np.full(blocks, np.iinfo(np.intp).max, dtype=np.intp)
    np.minimum.at(fewest, eq_block, unknowns[eq_ids])
    has_target = np.bincount(cell_block, weights=targets[cell_ids], minlength=blocks) > 0
    tree = n_entries == n_cells + n_eqs - 1
    safe = (n_eqs == 0) | (tree & (fewest >= 2))
    check = has_target & ~safe
    if not check.any():
        return nothing
    if n_cells[check].max() > MAX_BLOCK:
        raise fail(
            "relations",
            f"the suppressed cells must not link into a block of more than {MAX_BLOCK} cells "
            "(too many to check exactly; publish fewer levels or breakdowns for this indicator)",
            f"a block of {int(n_cells[check].max())} linked hidden cells",
        )

    _, cell_local = _local_positions(cell_block)
    _, eq_local = _local_positions(eq_block)
    size_p = _next_power_of_two(n_eqs)
    size_q = _next_power_of_two(n_cells)
    bucket = np.where(check, size_p * (int(size_q.max()) + 1) + size_q, -1)
    entry_block = cell_block[rows]
    for key in np.unique(bucket[check]):
        members = np.flatnonzero(bucket == key)
        p, q = int(size_p[members[0]]), int(size_q[members[0]])
        per_call = max(1, BATCH_ENTRIES // (p * q))
        for start in range(0, len(members), per_call):
            chunk = members[start : start + per_call]
            slot = np.full(blocks, -1, dtype=np.intp)
            slot[chunk] = np.arange(len(chunk))
            matrix = np.zeros((len(chunk), p, q))
            pick = slot[entry_block] >= 0
            matrix[
                slot[entry_block[pick]],
                eq_local[eq_node[e_eq[pick]]],
                cell_local[rows[pick]],
            ] = e_coef[pick]
            u, s, vh = np.linalg.svd(matrix, full_matrices=False)
            keep = s > s[:, :1] * max(p, q) * np.finfo(np.float64).eps
            share = np.einsum("bk,bkq->bq", keep.astype(np.float64), vh * vh)
            # Map the verdict back to the hidden cells of these blocks.
            mine = slot[cell_block] >= 0
            global_cells = cell_ids[mine]
            b, local = slot[cell_block[mine]], cell_local[mine]
            hit = (share[b, local] > REVEALED) & targets[global_cells]
            revealed[global_cells[hit]] = True
            if not hit.any():
                continue
            # One recovered cell per block (lowest rank): its minimum-norm combination.
            hb, hl, hc = b[hit], local[hit], global_cells[hit]
            order = np.lexsort((rank[hc], hb))
            first = order[_first_per_group(hb[order])]
            hb, hl, hc = hb[first], hl[first], hc[first]
            inverse = np.where(keep[hb], 1.0 / np.where(keep[hb], s[hb], 1.0), 0.0)
            coeff = inverse * vh[hb, :, hl]
            weights = np.einsum("bpk,bk->bp", u[hb], coeff)
            table = np.full((len(chunk), p), -1, dtype=np.intp)
            mine_eq = slot[eq_block] >= 0
            table[slot[eq_block[mine_eq]], eq_local[mine_eq]] = eq_ids[mine_eq]
            eq_table = table[hb]
            used = (eq_table >= 0) & (np.abs(weights) > NONZERO)
            rep_eq.append(eq_table[used])
            rep_weight.append(weights[used])
            rep_target.append(np.broadcast_to(hc[:, None], used.shape)[used])
    return Audit(
        revealed,
        np.concatenate(rep_eq),
        np.concatenate(rep_weight),
        np.concatenate(rep_target),
    )


def repair(
    eqs: Equations, hidden: BoolArray, counts: FloatArray, rank: IntArray, found: Audit
) -> tuple[IntArray, IntArray, IntArray]:
    """Published cells to suppress so that each recovering combination in ``found`` breaks.

    Returns (cells to suppress, the recovered cell each protects, recovered
    cells that no published cell can protect).
    """
    n = eqs.cells
    weight = np.zeros(eqs.equations)
    weight[found.repair_eq] = found.repair_weight
    target = np.full(eqs.equations, -1, dtype=np.intp)
    target[found.repair_eq] = found.repair_target
    use = ~hidden[eqs.cell] & (np.abs(weight[eqs.eq]) > NONZERO)
    # Suppressing published cell c adds its column to the combination: it breaks
    # the combination when sum(weight * coef) over c's equations is not zero.
    key = target[eqs.eq[use]].astype(np.int64) * n + eqs.cell[use]
    pairs, inverse = np.unique(key, return_inverse=True)
    effect = np.bincount(inverse, weights=weight[eqs.eq[use]] * eqs.coef[use])
    useful = np.abs(effect) > NONZERO
    pair_target = (pairs[useful] // n).astype(np.intp)
    pair_cell = (pairs[useful] % n).astype(np.intp)
    # Prefer cells that expose the fewest equations with no hidden cell yet.
    clean = (eqs.tally(hidden) == 0)[eqs.eq]
    exposes = np.bincount(eqs.cell, weights=clean, minlength=n)
    order = np.lexsort((rank[pair_cell], counts[pair_cell], exposes[pair_cell], pair_target))
    first = order[_first_per_group(pair_target[order])]
    picked, protected = pair_cell[first], pair_target[first]
    stuck = np.setdiff1d(np.unique(found.repair_target), protected)
    cells, where = np.unique(picked, return_index=True)
    return cells, protected[where], stuck


def protect(
    eqs: Equations,
    suppressed: BoolArray,
    missing: BoolArray,
    counts: FloatArray,
    rank: IntArray,
) -> tuple[BoolArray, IntArray, IntArray]:
    """Secondary suppression: extra cells so that no suppressed cell can be recovered.

    ``missing`` cells are unknown to everyone (never published) but need no
    protection. ``rank`` breaks ties (lower first). Returns (suppressed after
    secondary suppression, the cell each new suppression protects or -1, cells
    that cannot be protected because the relations alone fix them).
    """
    suppressed = suppressed.copy()
    hidden = suppressed | missing
    protects = np.full(eqs.cells, -1, dtype=np.intp)
    while True:
        fixed_point(eqs, hidden, suppressed, counts, rank, protects)
        found = audit(eqs, hidden, suppressed, rank)
        if not found.revealed.any():
            return suppressed, protects, np.zeros(0, dtype=np.intp)
        cells, protected, stuck = repair(eqs, hidden, counts, rank, found)
        if len(stuck) or not len(cells):
            return suppressed, protects, stuck if len(stuck) else np.flatnonzero(found.revealed)
        protects[cells] = protected
        hidden[cells] = True
        suppressed[cells] = True
