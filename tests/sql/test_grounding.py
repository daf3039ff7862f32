from __future__ import annotations

import pytest

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.sql import Grounding, analyze, column_suggestions, ground


def assert_grounding(case: dict, grounding: Grounding) -> None:
    assert grounding.ok is case["ok"]
    assert len(grounding.unknowns) == len(case["unknowns"])
    for unknown, want in zip(grounding.unknowns, case["unknowns"]):
        assert (unknown.kind, unknown.name, unknown.table) == (want["kind"], want["name"], want["table"])
        suggest = want.get("suggest", [])
        assert list(unknown.suggestions[:len(suggest)]) == suggest
        assert unknown.name.rpartition(".")[2] in unknown.message


@pytest.mark.cases("grounding.yaml")
def test_grounding_names_every_unknown_with_the_closest_real_names(case: dict, sample: Catalog) -> None:
    assert_grounding(case, ground(case["sql"], sample))


@pytest.mark.cases("grounding_vista.yaml")
def test_grounding_on_the_real_vista_catalog(case: dict, vista: Catalog) -> None:
    assert_grounding(case, ground(case["sql"], vista))


def test_a_message_names_the_table_the_column_and_the_suggestion(sample: Catalog) -> None:
    grounding = ground("SELECT h.Status FROM APTH h WITH (NOLOCK)", sample)
    assert grounding.messages == ("`APTH` has no column `Status` (`h.Status`); did you mean `APTD.Status`?",)


def test_an_analysis_made_against_another_catalog_is_redone(sample: Catalog, vista: Catalog) -> None:
    sql = "SELECT h.Amount FROM APTH h WITH (NOLOCK)"
    assert not ground(analyze(sql, sample), sample).ok
    assert ground(analyze(sql, sample), vista).ok


def test_related_tables_are_ranked_by_module_keys_and_name(vista: Catalog) -> None:
    found = column_suggestions(vista, ("APTH",), "Status")
    assert found[0] == "APTD.Status"
    assert found.index("APTD.Status") < found.index("APExport.Status")
