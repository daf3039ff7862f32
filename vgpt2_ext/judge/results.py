"""Comparing an answer's rows with the gold rows, with column containment.

A query that returns the asked-for columns plus others (a description beside the codes) answers the
question: as in Spider 2.0 and BIRD-style evaluation, the gold result's columns are compared as vectors and a
result passes when it contains every gold column, whatever their order and names. Containment is looked for
only when the result is wider than the gold: each gold column is paired with a result column holding the
same values (as a bag, within the float tolerance), and each such projection of the result is compared with
the gold under the sandbox's own rules (`compare`: bag or set of rows, order when the gold sorts). A missing
asked-for column, or rows that differ, still fail.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from vgpt2_ext.sandbox.compare import Comparison, compare, compare_any
from vgpt2_ext.sandbox.result import Result

MAX_PROJECTIONS = 720  # pairings of gold columns with result columns tried (as compare's column orders)


def match_rows(result: Result, golds: Sequence[Result]) -> Comparison:
    """Equal rows to one of `golds`, or a superset of its columns with equal rows on them."""
    exact = compare_any(result, golds)
    if exact.equal:
        return exact
    for n, gold in enumerate(golds, 1):
        found = contained(result, gold)
        if found is not None:
            return found if len(golds) == 1 else Comparison(True, f"gold {n} of {len(golds)}: {found.detail}")
    return exact


def contained(result: Result, gold: Result) -> Comparison | None:
    """How `result` contains every column of `gold` with the same rows, or None when it does not."""
    extra = len(result.columns) - len(gold.columns)
    if extra <= 0 or len(result.rows) != len(gold.rows):
        return None
    for picked in itertools.islice(_pairings(result, gold), MAX_PROJECTIONS):
        projected = Result(tuple(result.columns[i] for i in picked), tuple(tuple(row[i] for i in picked)
                                                                           for row in result.rows), result.ordered)
        found = compare(projected, gold, permute_columns=False)
        if found.equal:
            others = [name for i, name in enumerate(result.columns) if i not in picked]
            return Comparison(True, f"gold columns contained; {extra} extra ({', '.join(others)}): {found.detail}")
    return None


def _pairings(result: Result, gold: Result) -> Iterator[tuple[int, ...]]:
    """For each gold column in order, a distinct result column holding the same values (as a bag)."""
    fits = [[i for i in range(len(result.columns)) if _same_values(result, i, gold, j)]
            for j in range(len(gold.columns))]
    return (picked for picked in itertools.product(*fits) if len(set(picked)) == len(picked))


def _same_values(result: Result, i: int, gold: Result, j: int) -> bool:
    column = Result(("x",), tuple((row[i],) for row in result.rows))
    wanted = Result(("x",), tuple((row[j],) for row in gold.rows))
    return compare(column, wanted, order_matters=False).equal
