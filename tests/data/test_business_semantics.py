"""Every business intent means what it says: on rows where a wrong grouping, a wrong column or a wrong count unit
gives a different answer, the intent's query gives the intended one.

A case lays out a few rows per table (columns not given are NULL) in tables named as the catalog's objects,
typed as the sandbox types them; the T-SQL runs through the sandbox's own translator (clock pinned to
2025-06-15, so GETDATE() repeats).

Curated intents (`seeds/business_logic.yaml`) each have a case in `cases/business_intents.yaml`; the templated
ones (the business_logic builder over the catalog's rules) each have a case in `cases/business_rules.yaml`.
A test also fails when an intent or a rule has no case, so a new one cannot slip in untested.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from vgpt2_ext.data.builders import business_logic
from vgpt2_ext.data.builders.analytics import dimensions
from vgpt2_ext.data.builders.common import BuildContext
from vgpt2_ext.data.literals import CompanyLiteral, draw, fill
from vgpt2_ext.data.sqlgen import Company
from vgpt2_ext.sandbox.plan import DataPlan
from vgpt2_ext.sandbox.transpile import to_duckdb
from vgpt2_ext.sql.extract import extract_sql
from vgpt2_ext.sql.parse import parse_tsql

CASES = Path(__file__).resolve().parent / "cases"
VALUES = {"co": CompanyLiteral("1", True), "job": "1001", "mth": "2025-03-01", "month": "March 2025",
          "day": "2025-05-01", "year": "2025", "next_year": "2026", "scope": " for company 1"}


# -- the rows: tables named as the catalog's objects, the T-SQL run through the sandbox's translator ------
def database(catalog, rows: dict[str, list[dict]]) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding `rows` (table -> rows as column -> value) in tables named as the catalog's
    objects, every column of the object present."""
    con = duckdb.connect(":memory:")
    plan = DataPlan(catalog, 0)
    for name, items in rows.items():
        obj = catalog.object(name)
        spec = plan.spec(plan.node_of(obj))
        types = {c.name.lower(): c.duck_type for c in spec.columns}
        columns = ", ".join(f'"{c.name}" {types.get(c.name.lower(), "VARCHAR")}' for c in obj.columns)
        con.execute(f'CREATE TABLE "{obj.name}" ({columns})')
        for item in items:
            unknown = [key for key in item if not obj.has_column(key)]
            assert not unknown, f"case rows name columns {unknown} that `{obj.name}` lacks"
            names = [obj.column(key).name for key in item]
            marks = ", ".join("?" for _ in names)
            con.execute(f'INSERT INTO "{obj.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
                        f"VALUES ({marks})", list(item.values()))
    return con


def run(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """The rows `sql` (T-SQL) returns, values made comparable (dates as ISO text, numbers as floats)."""
    duck = to_duckdb(parse_tsql(sql, cache=False)[-1], {})
    return [tuple(_plain(v) for v in row) for row in con.execute(duck).fetchall()]


def _plain(value):
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return round(float(value), 4)
    return value


def same(found: list[tuple], expected: list[list]) -> bool:
    """The same rows in any order (values of both sides compared after `_plain`)."""
    def normal(rows) -> list[str]:
        return sorted(repr(tuple(_plain(v) for v in row)) for row in rows)
    return normal(found) == normal(expected)


def _cases(name: str) -> list[dict]:
    return yaml.safe_load((CASES / name).read_text(encoding="utf-8"))["cases"]


def _intent_sql(seeds, intent_id: str) -> str:
    intent = next(i for i in seeds.intents if i.id == intent_id)
    return fill(intent.sql, {**draw(random.Random(0)), **VALUES})


def test_every_curated_business_intent_has_a_semantic_case(seeds):
    intents = {i.id for i in seeds.intents if i.category == "business_logic"}
    assert intents == {case["title"] for case in _cases("business_intents.yaml")}


@pytest.mark.cases("business_intents.yaml")
def test_a_curated_business_intent_gives_the_intended_answer_and_the_wrong_ones_do_not(case, sample, seeds):
    con = database(sample, case["rows"])
    found = run(con, _intent_sql(seeds, case["title"]))
    assert same(found, case["expect"]), found
    for wrong in case["wrong"]:
        assert not same(run(con, wrong["sql"]), case["expect"]), f"the case does not tell apart: {wrong['why']}"


# -- templated intents: the rules of the catalog ------------------------------------------------------------
def _context(sample, seeds) -> BuildContext:
    ctx = BuildContext.for_category(sample, seeds, 0, "business_logic")
    ctx.company = lambda values: Company("1", True)  # company 1, stated: the case rows are company 1's
    return ctx


def _sql(example) -> str:
    return extract_sql(example.answer)[-1]


def test_every_rule_of_the_sample_has_a_semantic_case(sample):
    assert {r.id for r in sample.rules} == {case["title"] for case in _cases("business_rules.yaml")}


@pytest.mark.cases("business_rules.yaml")
def test_a_templated_rule_intent_counts_and_measures_in_the_unit_its_question_names(case, sample, seeds):
    rule, ctx = sample.rule(case["title"]), _context(sample, seeds)
    con = database(sample, case["rows"])
    if not rule.measure:
        rows = run(con, _sql(business_logic._rows(ctx, rule)))
        counted = run(con, _sql(business_logic._count(ctx, rule)))
        assert len(rows) == case["rows_kept"] and counted == [(case["rows_kept"],)]
        if "other_unit" in case:  # the tempting unit (invoices for pay lines) gives another number
            assert run(con, case["other_unit"]) != counted
        return
    measured = run(con, _sql(business_logic._measure(ctx, rule)))
    assert measured == [(case["measure"],)], measured
    assert run(con, case["wrong_measure"]) != measured
    for dim in [d for d in dimensions(ctx, sample.object(rule.table)) if d.parent]:
        groups = run(con, _sql(business_logic._by_parent(ctx, rule, dim)))
        assert len(groups) == case["groups"][dim.parent], (dim, groups)
        assert round(sum(g[-1] for g in groups), 4) == case["measure"]
        merged = replace(dim, columns=dim.columns[-1:])  # grouping by the last key column alone
        if merged.columns != dim.columns:
            fewer = run(con, _sql(business_logic._by_parent(ctx, rule, merged)))
            assert len(fewer) < len(groups), f"the case does not show why {dim.columns} are grouped together"
