"""Comparing a result with gold results: bag or set, columns in any order, order only when the gold sorts,
float tolerance, NULLs, and one of several golds. Cases in `cases/compare.yaml`."""

from __future__ import annotations

import pytest

from vgpt2_ext.sandbox import Comparison, Result, compare, compare_any


def _result(rows: list[list], ordered: bool = False) -> Result:
    width = len(rows[0]) if rows else 1
    return Result(tuple(f"c{i}" for i in range(width)), tuple(tuple(row) for row in rows), ordered)


@pytest.mark.cases("compare.yaml")
def test_comparison_rules(case: dict) -> None:
    found = compare(_result(case["result"]), _result(case["gold"], case.get("gold_ordered", False)),
                    **case.get("options", {}))
    assert found.equal is case["equal"], found.detail
    assert case.get("says", "") in found.detail


def test_column_names_never_count() -> None:
    result = Result(("vendor", "total"), ((1, 2.0),))
    gold = Result(("Vendor", "SUM(Amount)"), ((1, 2.0),))
    assert compare(result, gold).equal


def test_one_of_several_gold_results_is_enough() -> None:
    result = _result([[1, "a"]])
    found = compare_any(result, [_result([[2, "b"]]), _result([[1, "a"]])])
    assert found == Comparison(True, "gold 2 of 2: equal: 1 rows as a bag")


def test_matching_no_gold_says_how_each_differs() -> None:
    found = compare_any(_result([[1]]), [_result([[2]]), _result([[1], [1]])])
    assert not found.equal
    assert found.detail.startswith("gold 1: row 1 after sorting differs")
    assert "; gold 2: 1 rows, gold has 2" in found.detail


def test_compare_any_passes_its_options_on() -> None:
    sorted_gold = _result([[2], [1]], ordered=True)
    assert not compare_any(_result([[1], [2]]), [sorted_gold]).equal
    assert compare_any(_result([[1], [2]]), [sorted_gold], order_matters=False).equal


def test_compare_any_needs_a_gold() -> None:
    with pytest.raises(ValueError, match="at least one gold"):
        compare_any(_result([[1]]), [])
