"""Comparing a result with the gold result(s): the rules an answer's rows are judged by.

Switchable per call:

- `bag` (default): rows as a multiset, duplicates count; `bag=False` compares the sets of distinct rows.
- `permute_columns` (default): columns match in any order (the same multiset of columns); otherwise by
  position. Names never count: aliases are the writer's choice.
- `order_matters`: None (default) means only when the gold query sorts its rows (`Result.ordered`).
- `float_tol`: numbers are equal within this absolute or relative tolerance; int, float and Decimal
  compare by value.
- Always: NULL equals NULL, a datetime at midnight equals its date, text ignores trailing spaces (as SQL
  Server does).

`compare_any` passes when the result matches one of several gold results (questions with more than one
right answer).
"""

from __future__ import annotations

import itertools
import math
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from vgpt2_ext.sandbox.result import Result

MAX_COLUMN_ORDERS = 720  # column orders tried when several columns hold the same values (6! = 720)


@dataclass(frozen=True)
class Comparison:
    equal: bool
    detail: str  # why not, or how: "equal: 12 rows as a bag, columns in order [1, 0]"


def compare(result: Result, gold: Result, *, order_matters: bool | None = None, float_tol: float = 1e-6,
            permute_columns: bool = True, bag: bool = True) -> Comparison:
    """Whether `result` returned the same rows as `gold`, under the rules above."""
    ordered = gold.ordered if order_matters is None else order_matters
    if len(result.columns) != len(gold.columns):
        return Comparison(False, f"{len(result.columns)} columns, gold has {len(gold.columns)}")
    got, want = _normalise(result.rows), _normalise(gold.rows)
    if not bag:
        got, want = list(dict.fromkeys(got)), list(dict.fromkeys(want))
    if len(got) != len(want):
        return Comparison(False, f"{len(got)} {'' if bag else 'distinct '}rows, gold has {len(want)}")
    identity = tuple(range(len(gold.columns)))
    orders = _column_orders(got, want, float_tol) if permute_columns else iter([identity])
    first_difference = None
    for order in itertools.islice(orders, MAX_COLUMN_ORDERS):
        difference = _difference(got, want, order, ordered, float_tol)
        if difference is None:
            how = f"{len(want)} rows {'in order' if ordered else 'as a bag' if bag else 'as a set'}"
            moved = "" if order == identity else f", columns in order {list(order)}"
            return Comparison(True, f"equal: {how}{moved}")
        first_difference = first_difference or difference
    return Comparison(False, first_difference or _difference(got, want, identity, ordered, float_tol) or "")


def compare_any(result: Result, golds: Sequence[Result], *, order_matters: bool | None = None,
                float_tol: float = 1e-6, permute_columns: bool = True, bag: bool = True) -> Comparison:
    """Equal if `result` matches one of `golds`; otherwise says how it differs from each."""
    if not golds:
        raise ValueError("compare_any needs at least one gold result")
    differences = []
    for n, gold in enumerate(golds, 1):
        found = compare(result, gold, order_matters=order_matters, float_tol=float_tol,
                        permute_columns=permute_columns, bag=bag)
        if found.equal:
            return found if len(golds) == 1 else Comparison(True, f"gold {n} of {len(golds)}: {found.detail}")
        differences.append(found.detail if len(golds) == 1 else f"gold {n}: {found.detail}")
    return Comparison(False, "; ".join(differences))


# -- values -----------------------------------------------------------------------------------------
def _normalise(rows: tuple[tuple, ...]) -> list[tuple]:
    return [tuple(_value(v) for v in row) for row in rows]


def _value(value: object) -> object:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, Decimal)):
        return float(value)
    if isinstance(value, datetime) and value.tzinfo is None and value.time() == time():
        return value.date()
    if isinstance(value, str):
        return value.rstrip(" ")
    if isinstance(value, (list, tuple)):
        return tuple(_value(v) for v in value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _same(a: object, b: object, tol: float) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=tol, abs_tol=tol) or (math.isnan(a) and math.isnan(b))
    return a == b


def _sort_key(value: object) -> tuple:
    """A total order over mixed values (NULLs first), so rows can be sorted before comparing."""
    if value is None:
        return (0,)
    if isinstance(value, float):
        return (1, 1, 0.0) if math.isnan(value) else (1, 0, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, date):
        return (3, value if isinstance(value, datetime) else datetime.combine(value, time()))
    return (4, type(value).__name__, repr(value))


def _row_key(row: tuple) -> tuple:
    return tuple(_sort_key(v) for v in row)


# -- rows and columns -------------------------------------------------------------------------------
def _difference(got: list[tuple], want: list[tuple], order: tuple[int, ...], ordered: bool,
                tol: float) -> str | None:
    """The first differing row with the result's columns taken in `order`, or None if none differs."""
    projected = [tuple(row[i] for i in order) for row in got]
    if not ordered:
        projected, want = sorted(projected, key=_row_key), sorted(want, key=_row_key)
    for n, (a, b) in enumerate(zip(projected, want), 1):
        if not all(_same(x, y, tol) for x, y in zip(a, b)):
            where = f"row {n}" if ordered else f"row {n} after sorting"
            return f"{where} differs: got {_show(a)}, gold {_show(b)}" + (" (order counts)" if ordered else "")
    return None


def _column_orders(got: list[tuple], want: list[tuple], tol: float) -> Iterator[tuple[int, ...]]:
    """Orders of the result's columns under which each holds the same values as the gold column at its
    place (sorted values compared within `tol`). The given order comes first, before any work."""
    width = len(want[0]) if want else len(got[0]) if got else 0
    identity = tuple(range(width))
    yield identity
    columns_got = [sorted((row[i] for row in got), key=_sort_key) for i in range(width)]
    columns_want = [sorted((row[j] for row in want), key=_sort_key) for j in range(width)]
    fits = [[i for i in _given_first(j, width)
             if all(_same(a, b, tol) for a, b in zip(columns_got[i], columns_want[j]))] for j in range(width)]
    yield from (order for order in _assignments(fits, 0, ()) if order != identity)


def _given_first(j: int, width: int) -> list[int]:
    return [j] + [i for i in range(width) if i != j]


def _assignments(fits: list[list[int]], j: int, taken: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
    if j == len(fits):
        yield taken
        return
    for i in fits[j]:
        if i not in taken:
            yield from _assignments(fits, j + 1, taken + (i,))


def _show(row: tuple) -> str:
    text = repr(row)
    return text if len(text) <= 120 else text[:117] + "..."
