"""The synthetic database: rows that respect the catalog (keys, relationships, group columns, codes, Vista
domains, SQL types, nullability) and come out the same for a seed, whatever order tables are built in.

Rows are read back through `Sandbox.run`, and checked against the catalog, not against the generator's
own plan.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal

import pytest

from vgpt2_ext.catalog import Catalog, CatalogObject, Column
from vgpt2_ext.sandbox import Sandbox
from vgpt2_ext.sandbox.values import COMPANIES, GROUPS

INT_RANGES = {"tinyint": (0, 255), "smallint": (-2**15, 2**15 - 1), "int": (-2**31, 2**31 - 1)}


def _rows(sandbox: Sandbox, name: str) -> list[dict[str, object]]:
    result = sandbox.run(f"SELECT * FROM [{name}]")
    return [dict(zip(result.columns, row)) for row in result.rows]


def _tables(catalog: Catalog) -> list[CatalogObject]:
    return [obj for obj in catalog.objects if obj.kind == "table"]


def _type_problem(sql_type: str, value: object) -> str | None:
    """Why `value` cannot be stored in `sql_type`, or None."""
    base, _, size = sql_type.partition("(")
    numbers = [int(n) for n in size.rstrip(")").split(",") if n.strip().isdigit()]
    if base in ("char", "varchar", "nchar", "nvarchar") and numbers and len(str(value)) > numbers[0]:
        return f"{value!r} longer than {numbers[0]}"
    if base in INT_RANGES and not INT_RANGES[base][0] <= value <= INT_RANGES[base][1]:  # type: ignore[operator]
        return f"{value} out of {base} range"
    if base in ("numeric", "decimal") and isinstance(value, Decimal):
        precision, scale = numbers
        digits = value.as_tuple()
        if -digits.exponent > scale or len(digits.digits) + digits.exponent > precision - scale:
            return f"{value} does not fit {sql_type}"
    if base in ("smalldatetime", "datetime") and not isinstance(value, datetime):
        return f"{value!r} is not a datetime"
    return None


def test_every_sample_table_has_rows_and_views_show_their_base_table(sample: Catalog,
                                                                     sample_sandbox: Sandbox) -> None:
    for obj in _tables(sample):
        assert len(_rows(sample_sandbox, obj.name)) >= len(COMPANIES), obj.name
    for view in (obj for obj in sample.objects if obj.base_table):
        assert _rows(sample_sandbox, view.name) == _rows(sample_sandbox, view.base_table), view.name


def test_every_unique_key_is_unique(sample: Catalog, sample_sandbox: Sandbox) -> None:
    for obj in _tables(sample):
        rows = _rows(sample_sandbox, obj.name)
        for key in obj.keys:
            values = [tuple(row[c] for c in key) for row in rows]
            assert len(set(values)) == len(values), f"{obj.name} {key}"


def test_values_fit_their_sql_types_and_not_null_columns_hold_no_nulls(sample: Catalog,
                                                                       sample_sandbox: Sandbox) -> None:
    problems = []
    for obj in _tables(sample):
        for row in _rows(sample_sandbox, obj.name):
            for column in obj.columns:
                value = row[column.name]
                if value is None:
                    problems += [] if column.nullable else [f"{obj.name}.{column.name} is NULL"]
                elif problem := _type_problem(column.sql_type or "", value):
                    problems.append(f"{obj.name}.{column.name}: {problem}")
    assert problems == []


def test_nullable_columns_hold_some_nulls(sample_sandbox: Sandbox) -> None:
    assert sample_sandbox.run("SELECT COUNT(*) FROM APTH WHERE Description IS NULL").rows[0][0] > 0


def test_vista_domains_hold_vista_values(sample: Catalog, sample_sandbox: Sandbox) -> None:
    checks = {
        "bmonth": lambda v: isinstance(v, datetime) and v.day == 1 and v.time() == datetime.min.time(),
        "byn": lambda v: v in ("Y", "N"),
        "bcompany": lambda v: v in COMPANIES,
        "bgroup": lambda v: v in GROUPS,
    }
    seen = set()
    for obj in _tables(sample):
        for row in _rows(sample_sandbox, obj.name):
            for column in obj.columns:
                check = checks.get((column.domain or "").lower())
                if check and row[column.name] is not None:
                    assert check(row[column.name]), f"{obj.name}.{column.name} = {row[column.name]!r}"
                    seen.add(column.domain.lower())
    assert seen == set(checks)


def test_coded_columns_hold_only_their_codes_and_every_code_appears(sample: Catalog,
                                                                     sample_sandbox: Sandbox) -> None:
    coded = [(obj, column) for obj in _tables(sample) for column in obj.columns if column.codes]
    assert len(coded) >= 10
    for obj, column in coded:
        found = {str(row[column.name]) for row in _rows(sample_sandbox, obj.name)} - {"None"}
        codes = {code.value for code in column.codes}
        assert found <= codes, f"{obj.name}.{column.name}"
        assert found == codes, f"{obj.name}.{column.name} misses codes {codes - found}"


def test_every_relationship_joins_every_child_row_to_a_parent(sample: Catalog, sample_sandbox: Sandbox) -> None:
    for rel in sample.relationships:
        present = " AND ".join(f"c.[{column}] IS NOT NULL" for column in rel.child_columns)
        orphans = sample_sandbox.run(
            f"SELECT COUNT(*) FROM [{rel.child}] c WHERE {present} AND NOT EXISTS "
            f"(SELECT 1 FROM [{rel.parent}] p WHERE {rel.condition('c', 'p')})").rows[0][0]
        joined = sample_sandbox.run(
            f"SELECT COUNT(*) FROM [{rel.child}] c JOIN [{rel.parent}] p ON {rel.condition('c', 'p')}").rows[0][0]
        assert (orphans, joined > 0) == (0, True), rel


@pytest.mark.parametrize("group", ["VendorGroup", "CustGroup", "PhaseGroup"])
def test_group_columns_are_the_group_of_the_rows_company(group: str, sample: Catalog,
                                                          sample_sandbox: Sandbox) -> None:
    holders = [obj for obj in sample.objects if obj.kind == "view" and obj.has_column(group)
               and obj.company_column and obj.name != "HQCO"]
    assert holders
    for obj in holders:
        company = obj.company_column.name
        wrong = sample_sandbox.run(
            f"SELECT COUNT(*) FROM {obj.name} t JOIN HQCO q ON q.HQCo = t.{company} WHERE t.{group} <> q.{group}")
        assert wrong.rows == ((0,),), f"{obj.name}.{group} against HQCO.{group} of {company}"


def test_numbers_repeat_across_companies_and_groups(sample_sandbox: Sandbox) -> None:
    shared_vendors = sample_sandbox.run(
        "SELECT Vendor FROM APVM GROUP BY Vendor HAVING COUNT(DISTINCT VendorGroup) > 1").rows
    shared_jobs = sample_sandbox.run("SELECT Job FROM JCJM GROUP BY Job HAVING COUNT(DISTINCT JCCo) > 1").rows
    assert len(shared_vendors) >= 3
    assert len(shared_jobs) >= 3


def test_the_same_seed_builds_the_same_database(sample: Catalog, sample_sandbox: Sandbox) -> None:
    again = Sandbox(sample, seed=0)
    again.materialise()
    assert again.snapshot() == sample_sandbox.snapshot()


def test_another_process_with_another_hash_seed_builds_the_same_rows(sample_sandbox: Sandbox) -> None:
    code = ("import json; from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog; "
            "from vgpt2_ext.sandbox import Sandbox; s = Sandbox(load_catalog(SAMPLE_CATALOG)); s.materialise(); "
            "print(json.dumps({k: v for k, v in s.snapshot().items() if not k.startswith('<')}, default=str))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    here = {k: list(v) for k, v in sample_sandbox.snapshot().items() if not k.startswith("<")}
    assert json.loads(out) == json.loads(json.dumps(here, default=str))


def test_another_seed_builds_other_rows(sample: Catalog, sample_sandbox: Sandbox) -> None:
    other = Sandbox(sample, seed=1)
    assert _rows(other, "APTH") != _rows(sample_sandbox, "APTH")


def test_rows_do_not_depend_on_which_table_was_built_first(sample: Catalog, sample_sandbox: Sandbox) -> None:
    first = Sandbox(sample, seed=0)
    assert _rows(first, "APTD") == _rows(sample_sandbox, "APTD")  # APTD (and its ancestors) built first
    assert first.built != sample_sandbox.built


# -- the real Vista export --------------------------------------------------------------------------------
@pytest.mark.fixture
def test_the_real_export_builds_only_the_tables_a_query_reaches(vista: Catalog) -> None:
    sandbox = Sandbox(vista)
    result = sandbox.run("SELECT TOP 5 h.APCo, v.Name FROM APTH h WITH (NOLOCK) JOIN APVM v WITH (NOLOCK) "
                         "ON v.VendorGroup = h.VendorGroup AND v.Vendor = h.Vendor WHERE h.APCo = 1")
    assert len(result.rows) == 5
    assert {"bAPTH", "bAPVM", "bHQCO", "APTH", "APVM"} <= set(sandbox.built)
    assert len(sandbox.built) < len(vista.objects) / 10
    # the ancestors' rows are generated (APTH copies HQCO's keys), but only what the query reads is a table, and
    # under the name the query reads it by: the view's (its base table becomes a view over it when read)
    assert {name for name in sandbox.snapshot() if not name.startswith("<")} == {"APTH", "APVM"}
    assert sandbox.run("SELECT COUNT(*) FROM bAPTH b JOIN APTH a ON a.KeyID = b.KeyID").rows == ((30,),)
    assert {name for name in sandbox.snapshot() if not name.startswith("<")} == {"APTH", "APVM", "bAPTH"}


@pytest.mark.fixture
def test_the_real_export_rows_respect_keys_and_relationships(vista: Catalog, vista_sandbox: Sandbox) -> None:
    vista_sandbox.run("SELECT COUNT(*) FROM JCCD")
    built = [vista.object(name) for name in vista_sandbox.built if vista.object(name).kind == "table"]
    rows = {obj.name: _rows(vista_sandbox, obj.name) for obj in built}
    for obj in built:
        for key in obj.keys:
            values = [tuple(row[c] for c in key) for row in rows[obj.name]]
            assert len(set(values)) == len(values), f"{obj.name} {key}"
    linked = matched = 0
    for rel in (r for r in vista.relationships if r.child in rows and r.parent in rows):
        parents = {tuple(row[c] for c in rel.parent_columns) for row in rows[rel.parent]}
        children = [tuple(row[c] for c in rel.child_columns) for row in rows[rel.child]]
        present = [child for child in children if None not in child]
        linked, matched = linked + len(present), matched + sum(child in parents for child in present)
    assert linked > 1000
    assert matched / linked > 0.9


@pytest.mark.fixture
def test_real_export_rows_do_not_depend_on_build_order(vista: Catalog, vista_sandbox: Sandbox) -> None:
    other = Sandbox(vista)
    other.run("SELECT COUNT(*) FROM PRTH")
    assert _rows(other, "APTD") == _rows(vista_sandbox, "APTD")


@pytest.mark.fixture
def test_report_views_become_tables_with_borrowed_types(vista: Catalog, vista_sandbox: Sandbox) -> None:
    report = next(obj for obj in vista.objects if obj.kind == "view" and not obj.base_table
                  and obj.has_column("Mth") and obj.has_column("APCo"))
    assert report.column("Mth").sql_type is None
    rows = _rows(vista_sandbox, report.name)
    months = [row["Mth"] for row in rows if row["Mth"] is not None]
    assert months and all(isinstance(m, (date, datetime)) and m.day == 1 for m in months)


def test_a_view_shows_its_own_columns_of_its_base_table() -> None:
    base = CatalogObject("bJob", "table", (Column("JCCo", "tinyint", "bCompany", False), Column("Job", "varchar(10)"),
                                           Column("Secret", "varchar(10)")), keys=(("JCCo", "Job"),))
    view = CatalogObject("Job", "view", (Column("Job", "varchar(10)"), Column("JCCo", "tinyint", "bCompany", False),
                                         Column("Extra", "varchar(5)")), keys=(("JCCo", "Job"),), base_table="bJob")
    sandbox = Sandbox(Catalog("views", (base, view)))
    result = sandbox.run("SELECT * FROM Job")
    assert result.columns == ("Job", "JCCo", "Extra")
    assert {row[2] for row in result.rows} == {None}
    assert sorted(row[:2] for row in result.rows) == sorted(
        (job, co) for co, job, _ in sandbox.run("SELECT * FROM bJob").rows)
