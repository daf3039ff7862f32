"""The embedded catalogs. The small standalone sample: true to real Vista (checked against the real export when
present), fully described, and its curated examples correct against it in the house style. The default: the
zipped export, equal to the fixture byte for byte, with the sample and the overlay's descriptions laid over it,
every name they use real and every core module described."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import sqlglot
import yaml
from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify

from vgpt2_ext.catalog import DEFAULT_CATALOG, DEFAULT_EXPORT, Catalog
from vgpt2_ext.catalog.model import SURROGATE_COLUMNS

FACTS = yaml.safe_load((Path(__file__).resolve().parent / "data" / "sample.yaml").read_text(encoding="utf-8"))
OVERLAY = yaml.safe_load(DEFAULT_CATALOG.read_text(encoding="utf-8"))
CORE_MODULES = ("AP", "AR", "JC", "PR", "GL", "SL", "PO", "EM", "IN", "HQ", "PM")


def test_every_sample_object_exists_in_the_real_export_as_the_same_kind(sample, vista):
    for obj in sample.objects:
        real = vista.find(obj.name)
        assert real is not None, obj.name
        assert (real.name, real.kind, real.base_table) == (obj.name, obj.kind, obj.base_table)


def test_every_sample_column_exists_in_the_real_export_with_the_same_type(sample, vista):
    wrong = []
    for obj in sample.objects:
        for column in obj.columns:
            real = vista.column(obj.name, column.name)
            facts = (column.name, column.sql_type, column.domain, column.nullable)
            if real is None or (real.name, real.sql_type, real.domain, real.nullable) != facts:
                wrong.append((obj.name, facts, real))
    assert wrong == []


def test_every_sample_key_is_a_unique_key_of_the_real_export_where_it_declares_any(sample, vista):
    for obj in sample.objects:
        real_keys = {frozenset(k) for k in vista.object(obj.name).join_keys}
        if real_keys:  # this customer's export dropped some indexes (bGLDT has no unique one)
            assert all(frozenset(k) in real_keys for k in obj.keys), obj.name


def test_every_sample_object_and_column_is_described(sample):
    assert [obj.name for obj in sample.objects if not obj.description] == []
    assert [(obj.name, c.name) for obj in sample.objects for c in obj.columns if len(c.description) < 10] == []


@pytest.mark.cases("sample.yaml", "codes")
def test_coded_columns_carry_their_vista_meanings(sample, case):
    codes = sample.column(case["object"], case["column"]).codes
    assert {c.value: c.meaning for c in codes} == case["codes"]


def test_the_sample_keeps_every_business_rule_id(sample):
    assert set(FACTS["rule_ids"]) <= {rule.id for rule in sample.rules}


def test_examples_cover_every_module_with_at_least_twenty(sample):
    assert len(sample.examples) >= 20
    modules = {sample.object(t.name).module for e in sample.examples
               for t in sqlglot.parse_one(e.sql, read="tsql").find_all(exp.Table)}
    assert set(FACTS["example_modules"]) <= modules


@pytest.mark.parametrize("name", ["sample", "default"])
def test_every_example_is_correct_against_the_catalog_in_the_house_style(request, name):
    catalog = request.getfixturevalue(name)
    assert {e.question: _problems(catalog, e.sql) for e in catalog.examples} == {
        e.question: [] for e in catalog.examples}


@pytest.mark.cases("sample.yaml", "bad_examples")
def test_the_example_checks_reject_a_wrong_query(sample, case):
    assert any(case["problem"] in problem for problem in _problems(sample, case["sql"]))


# -- the default: the zipped export with the overlay ------------------------------------------------------
def test_the_embedded_export_holds_the_fixtures_csvs_byte_for_byte(vista_fixture):
    with zipfile.ZipFile(DEFAULT_EXPORT) as archive:
        zipped = {name: archive.read(name) for name in archive.namelist()}
    assert zipped == {path.name: path.read_bytes() for path in sorted(vista_fixture.glob("*.csv"))}


def test_the_embedded_export_loads_to_the_catalog_the_fixture_loads_to(export, vista):
    assert export.objects == vista.objects


def test_the_embedded_export_stays_a_few_hundred_kilobytes():
    assert DEFAULT_EXPORT.stat().st_size < 500_000


def test_the_default_is_the_whole_export_with_the_samples_words_codes_rules_and_examples(default, export, sample):
    assert [obj.name for obj in default.objects] == [obj.name for obj in export.objects]
    for obj in sample.objects:
        laid = default.object(obj.name)
        assert laid.description == obj.description, obj.name
        assert [(c.description, c.codes) for c in obj.columns] == [
            (laid.column(c.name).description, laid.column(c.name).codes) for c in obj.columns], obj.name
    assert (default.rules, default.examples, default.style) == (sample.rules, sample.examples, sample.style)


def test_every_sample_column_has_the_embedded_exports_type(sample, export):
    wrong = [(obj.name, c.name) for obj in sample.objects for c in obj.columns
             if (c.sql_type, c.domain, c.nullable) != _facts(export.column(obj.name, c.name))]
    assert wrong == []


def test_every_object_and_column_the_overlay_describes_exists_in_the_export(export):
    missing = [(name, column) for name, spec in OVERLAY["objects"].items()
               for column in [None, *(spec.get("columns") or {})]
               if export.find(name) is None or (column and export.column(name, column) is None)]
    assert missing == []


def test_the_overlays_keys_are_the_exports_own_or_replace_a_surrogate(export):
    for name, spec in OVERLAY["objects"].items():
        real = {frozenset(key) for key in export.object(name).join_keys}
        assert all(frozenset(key) in real for key in spec.get("keys", ())) or not real, name


def test_at_least_a_hundred_objects_are_described_across_every_core_module(default):
    described = [obj for obj in default.queryable if obj.description]
    assert len(described) >= 100
    per_module = {module: sum(obj.module == module for obj in described) for module in CORE_MODULES}
    assert min(per_module.values()) >= 3, per_module


def test_every_described_object_has_its_key_and_other_columns_described_in_words(default):
    for obj in (obj for obj in default.queryable if obj.description):
        key = [name for name in obj.key if name.lower() not in SURROGATE_COLUMNS]
        described = [c for c in obj.columns if c.description]
        assert [name for name in key if not obj.column(name).description] == [], obj.name
        others = [c for c in obj.columns if c.name not in key and c.name.lower() not in SURROGATE_COLUMNS]
        assert any(c.description for c in others) or not others, obj.name
        assert all(len(text) >= 10 and text.endswith(".")
                   for text in [obj.description, *(c.description for c in described)]), obj.name


def _facts(column):
    return (column.sql_type, column.domain, column.nullable) if column else None


# -- the example checks -----------------------------------------------------------------------------------
def _problems(catalog: Catalog, sql: str) -> list[str]:
    """What is wrong with `sql` against `catalog` and its house style (empty when nothing is)."""
    tree = sqlglot.parse_one(sql, read="tsql")
    problems = _column_problems(catalog, tree)
    for table in tree.find_all(exp.Table):
        problems += _table_problems(catalog, tree, table)
    for select in tree.find_all(exp.Select):
        problems += _join_problems(catalog, select)
    return problems


def _column_problems(catalog: Catalog, tree: exp.Expression) -> list[str]:
    named = {table.name.lower() for table in tree.find_all(exp.Table)}  # 3,000 objects make qualify slow
    schema = {name: columns for name, columns in catalog.sqlglot_schema.items() if name.lower() in named}
    try:
        qualify(tree.copy(), schema=schema, dialect="tsql", validate_qualify_columns=True)
    except OptimizeError as error:
        return [f"unknown column or table: {error}"]
    return []


def _table_problems(catalog: Catalog, tree: exp.Expression, table: exp.Table) -> list[str]:
    obj = catalog.find(table.name)
    if obj is None:
        return [f"unknown table `{table.name}`"]
    problems = []
    if obj.kind == "table" and catalog.view_of(obj.name):
        problems.append(f"queries base table `{obj.name}`; the house style queries its view "
                        f"`{catalog.view_of(obj.name).name}`")
    hints = [v.name.upper() for hint in table.args.get("hints") or () for v in hint.find_all(exp.Var)]
    if "NOLOCK" not in hints:
        problems.append(f"`{obj.name}` lacks WITH (NOLOCK)")
    company = obj.company_column
    if company and not _filtered(tree, table.alias_or_name, company.name):
        problems.append(f"`{obj.name}` is not filtered on its company column `{company.name}`")
    return problems


def _filtered(tree: exp.Expression, alias: str, column: str) -> bool:
    """Some `alias.column = <literal>` in the query."""
    for eq in tree.find_all(exp.EQ):
        sides = (eq.this, eq.expression)
        for col, other in (sides, sides[::-1]):
            if isinstance(col, exp.Column) and isinstance(other, exp.Literal) \
                    and (col.table.lower(), col.name.lower()) == (alias.lower(), column.lower()):
                return True
    return False


def _join_problems(catalog: Catalog, select: exp.Select) -> list[str]:
    from_ = select.args.get("from_")
    seen = {from_.this.alias_or_name.lower(): from_.this.name} if from_ else {}
    problems = []
    for join in select.args.get("joins") or ():
        alias, name = join.this.alias_or_name.lower(), join.this.name
        equal = {frozenset(((a.table.lower(), a.name.lower()), (b.table.lower(), b.name.lower())))
                 for a, b in ((e.this, e.expression) for e in join.args["on"].find_all(exp.EQ))
                 if isinstance(a, exp.Column) and isinstance(b, exp.Column)}
        for other_alias, other in seen.items():
            if any((other_alias, c) in pair for pair in equal for _, c in pair):
                problems += _key_problems(catalog, (alias, name), (other_alias, other), equal)
        seen[alias] = name
    return problems


def _key_problems(catalog: Catalog, joined: tuple[str, str], other: tuple[str, str], equal: set) -> list[str]:
    path = catalog.join_between(joined[1], other[1])
    if path is None:
        return [f"joins `{joined[1]}` to `{other[1]}`, which have no join path"]
    child, parent = (joined, other) if catalog.object(joined[1]).name == path.child else (other, joined)
    missing = [f"{child[0]}.{c} = {parent[0]}.{p}" for c, p in path.pairs
               if frozenset(((child[0], c.lower()), (parent[0], p.lower()))) not in equal]
    return [f"joins `{joined[1]}` without the full key pair {pair}" for pair in missing]
