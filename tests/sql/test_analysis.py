from __future__ import annotations

import dataclasses

import pytest

from vgpt2_ext.catalog import Catalog, HouseStyle
from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sql import Analysis, JoinPair, analyze

# keys of a case compared in order; the rest compare as sets
ORDERED = ("kinds", "tables", "slips")


def observed(analysis: Analysis) -> dict[str, object]:
    """The analysis in the vocabulary of `cases/analysis.yaml`."""
    return {
        "kinds": list(analysis.kinds),
        "dialect": analysis.dialect,
        "tables": list(analysis.tables),
        "temp_tables": set(analysis.temp_tables),
        "ctes": set(analysis.ctes),
        "stars": set(analysis.stars),
        "columns": set(analysis.resolved_columns),
        "others": {c.written: c.resolution for c in analysis.columns if c.resolution != "catalog"},
        "joins": set(analysis.joins),
        "filters": {str(f) for f in analysis.filters},
        "filtered": set(analysis.filtered),
        "nolock": set(analysis.nolock),
        "without_nolock": set(analysis.without_nolock),
        "slips": [slip.rule for slip in analysis.slips],
        "selected": set(analysis.selected),
    }


def expected(case: dict) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, value in case.items():
        if key in ("title", "sql"):
            continue
        if key == "joins":
            value = {JoinPair(*(side.strip() for side in text.split("="))) for text in value}
        elif isinstance(value, list) and key not in ORDERED:
            value = set(value)
        found[key] = value
    return found


def assert_analysis(case: dict, catalog: Catalog) -> None:
    want = expected(case)
    got = observed(analyze(case["sql"], catalog))
    assert {key: got[key] for key in want} == want


@pytest.mark.cases("analysis.yaml", "slips.yaml")
def test_analysis_finds_what_the_query_references_and_its_dialect_slips(case: dict, sample: Catalog) -> None:
    assert_analysis(case, sample)


@pytest.mark.cases("analysis_vista.yaml")
def test_analysis_on_the_real_vista_catalog(case: dict, vista: Catalog) -> None:
    assert_analysis(case, vista)


@pytest.mark.cases("invalid.yaml")
def test_invalid_sql_fails_with_one_clear_reason(case: dict, sample: Catalog) -> None:
    with pytest.raises(SQLAnalysisError) as raised:
        analyze(case["sql"], sample)
    message = str(raised.value)
    assert case["message"] in message
    assert "\n" not in message


def test_join_pairs_compare_equal_in_either_order() -> None:
    assert JoinPair("APTL.APCo", "APTH.APCo") == JoinPair("APTH.APCo", "APTL.APCo")
    assert JoinPair("APTL.APCo", "APTH.APCo").left == "APTH.APCo"
    assert len({JoinPair("a.x", "b.y"), JoinPair("b.y", "a.x")}) == 1


def test_analysis_is_cached_per_sql_and_catalog_content(sample: Catalog) -> None:
    sql = "SELECT Name FROM APVM WITH (NOLOCK) WHERE VendorGroup = 1"
    relaxed = dataclasses.replace(sample, style=HouseStyle(False, False, False))
    assert analyze(sql, sample) is analyze(sql, sample)
    assert analyze(sql, relaxed) is not analyze(sql, sample)
    assert analyze(sql, relaxed).catalog == relaxed.fingerprint != sample.fingerprint

