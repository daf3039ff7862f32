from __future__ import annotations

import dataclasses

import pytest

from vgpt2_ext.catalog import Catalog, HouseStyle
from vgpt2_ext.sql import analyze, style_violations
from vgpt2_ext.sql.style import STYLE_RULES


@pytest.mark.cases("style.yaml")
def test_house_style_violations_name_the_table_and_the_fix(case: dict, sample: Catalog) -> None:
    violations = style_violations(case["sql"], sample)
    assert [f"{v.rule}: {v.table}" for v in violations] == case["violations"]
    for violation in violations:
        assert violation.table.split()[0] in violation.message


def test_each_rule_is_named_after_its_house_style_switch() -> None:
    assert [rule.__name__ for rule in STYLE_RULES] == [field.name for field in dataclasses.fields(HouseStyle)]


def test_switching_a_rule_off_silences_it(sample: Catalog) -> None:
    sql = "SELECT h.APTrans FROM bAPTH h JOIN APTL l WITH (NOLOCK) ON l.APCo = h.APCo"
    relaxed = dataclasses.replace(sample, style=HouseStyle(prefer_views=False, require_nolock=True,
                                                           require_company_filter=False))
    assert [v.rule for v in style_violations(analyze(sql, sample), relaxed)] == ["require_nolock"]


def test_house_style_holds_on_the_real_vista_catalog(vista: Catalog) -> None:
    sql = ("SELECT h.APTrans, l.GrossAmt FROM bAPTH h WITH (NOLOCK) "
           "JOIN APTL l ON l.APCo = h.APCo AND l.Mth = h.Mth AND l.APTrans = h.APTrans")
    assert [(v.rule, v.table) for v in style_violations(sql, vista)] == [
        ("prefer_views", "bAPTH h"), ("require_nolock", "APTL l"),
        ("require_company_filter", "bAPTH h"), ("require_company_filter", "APTL l")]
