"""Lint: the suite proves itself against the catalog before it judges anyone.

The earlier suite expected answers naming columns Vista lacks (APTH.Status, APTH.InvNum); here every
expectation is checked against the catalog the suite runs on:

- every expected table, column, filter and `suggest` target exists; every `forbid` entry really is missing;
- every expected join is a column pair of a join path the catalog knows;
- every gold query parses as T-SQL without slips, is grounded, keeps the house style, executes in the
  sandbox with a non-empty result, and meets the case's own SQL expectations (tables, columns, joins, filters);
- a question that presents a missing object lists it in `forbid`; an error-correction question carries a
  broken query with at least one defect the judge can see.

Each problem names the file, the case id, the key and the name, with the closest real names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.catalog.model import did_you_mean
from vgpt2_ext.errors import VGPT2Error
from vgpt2_ext.judge import Case
from vgpt2_ext.judge.checks import columns, defects, filters, joins, tables
from vgpt2_ext.judge.evidence import Evidence
from vgpt2_ext.judge.prose import read_prose
from vgpt2_ext.sql.analysis import analyze
from vgpt2_ext.sql.grounding import column_suggestions, ground
from vgpt2_ext.sql.style import style_violations

_SQL_EXPECTATIONS = (tables, columns, joins, filters)
_BARE_COLUMNS = ("columns", "filters")  # keys where a bare name is a column, not a table


def lint_cases(cases: Iterable[Case], catalog: Catalog) -> list[str]:
    """Every problem of every case, in case order (empty when the suite is sound)."""
    problems: list[str] = []
    for case in cases:
        problems += lint_case(case, catalog)
    return problems


def lint_case(case: Case, catalog: Catalog) -> list[str]:
    return [*_names(case, catalog), *_joins(case, catalog), *_golds(case, catalog), *_question(case, catalog)]


# -- names ------------------------------------------------------------------------------------------------
def _names(case: Case, catalog: Catalog) -> list[str]:
    expect = case.expect
    problems = []
    for key in ("tables", "columns", "filters", "suggest"):
        problems += [f"{case.where(f'expect.{key}')}: {_missing(name, catalog)}"
                     for name in getattr(expect, key) if not _exists(name, catalog, key in _BARE_COLUMNS)]
    for name in expect.forbid:
        table = name.rpartition(".")[0]
        if _exists(name, catalog, bare_column=False):
            problems.append(f"{case.where('expect.forbid')}: `{name}` exists in catalog `{catalog.name}`; "
                            "forbid lists only objects the catalog lacks")
        elif table and not catalog.has(table):
            problems.append(f"{case.where('expect.forbid')}: `{name}` names table `{table}`, which the catalog "
                            "lacks too; forbid the table itself")
    return problems


def _exists(name: str, catalog: Catalog, bare_column: bool) -> bool:
    """`Table.Column`, or a bare name: a column somewhere (`columns`, `filters`) or a table (the other keys)."""
    table, _, column = name.rpartition(".")
    if table:
        return catalog.column(table, column) is not None
    return bool(catalog.tables_with_column(name)) if bare_column else catalog.has(name)


def _missing(name: str, catalog: Catalog) -> str:
    table, _, column = name.rpartition(".")
    if not table:
        return f"`{name}` is not in catalog `{catalog.name}`" + did_you_mean(catalog.suggest_objects(name))
    obj = catalog.find(table)
    if obj is None:
        hint = did_you_mean(catalog.suggest_objects(table))
        return f"`{name}`: no table `{table}` in catalog `{catalog.name}`" + hint
    suggestions = list(column_suggestions(catalog, (obj.name,), column))[:3]
    return f"`{name}`: `{obj.name}` has no column `{column}`" + did_you_mean(suggestions)


def _joins(case: Case, catalog: Catalog) -> list[str]:
    problems = []
    for text, pair in zip(case.expect.joins, case.expect.join_pairs):
        sides = sorted(pair)
        missing = [f"{t}.{c}" for t, c in sides if catalog.column(t, c) is None]
        if missing:
            problems += [f"{case.where('expect.joins')}: {_missing(name, catalog)}" for name in missing]
        elif not _on_join_path(sides, catalog):
            problems.append(f"{case.where('expect.joins')}: `{text}` is not a column pair of any join path "
                            f"between `{sides[0][0]}` and `{sides[-1][0]}` (see `vgpt2 catalog joins`)")
    return problems


def _on_join_path(sides: list[tuple[str, str]], catalog: Catalog) -> bool:
    (t1, c1), (t2, c2) = sides if len(sides) == 2 else (sides[0], sides[0])
    a, b = catalog.object(t1).name, catalog.object(t2).name
    for rel in catalog.relationships:
        pairs = {(p.lower(), q.lower()) for p, q in rel.pairs}
        if (rel.child, rel.parent) == (a, b) and (c1, c2) in pairs:
            return True
        if (rel.child, rel.parent) == (b, a) and (c2, c1) in pairs:
            return True
    return False


# -- gold SQL ---------------------------------------------------------------------------------------------
def _golds(case: Case, catalog: Catalog) -> list[str]:
    problems = []
    for n, sql in enumerate(case.gold_sql, 1):
        where = case.where("gold_sql") + (f" #{n}" if len(case.gold_sql) > 1 else "")
        problems += [f"{where}: {problem}" for problem in _gold_problems(sql, case, catalog)]
    return problems


def _gold_problems(sql: str, case: Case, catalog: Catalog) -> list[str]:
    try:
        analysis = analyze(sql, catalog)
    except VGPT2Error as error:
        return [str(error)]
    problems = [slip.reason for slip in analysis.slips] + list(ground(analysis, catalog).messages)
    problems += [v.message for v in style_violations(analysis, catalog)]
    if problems:
        return problems
    ev = Evidence(f"```sql\n{sql}\n```", replace(case, gold_sql=(sql,)), catalog)
    found = ev.run
    if isinstance(found, VGPT2Error):
        return [f"does not execute in the sandbox: {found}"]
    if not found.rows:
        return ["returns no rows in the sandbox: a gold query must return rows, or any empty answer matches it"]
    return [f"does not meet `expect.{check.__name__}`: {outcome[1]}" for check in _SQL_EXPECTATIONS
            if (outcome := check(ev)) is not None and outcome[0] < 1]


# -- the question -----------------------------------------------------------------------------------------
def _question(case: Case, catalog: Catalog) -> list[str]:
    ev = Evidence("", case, catalog)
    problems = []
    named = [m.name for m in read_prose(case.question, catalog, case.expect.forbid).hallucinations()]
    for analysis in ev.question_analyses:
        named += [f"{u.table}.{u.name.rpartition('.')[2]}" if u.table else u.name
                  for u in ground(analysis, catalog).unknowns if u.kind in ("table", "column")]
    unlisted = [name for name in dict.fromkeys(named) if not _listed(name, case.expect.forbid)]
    problems += [f"{case.where('question')}: names `{name}`, which catalog `{catalog.name}` lacks; list it in "
                 "`expect.forbid` (or fix the question)" for name in unlisted]
    if case.category == "error_correction":
        if not ev.question_analyses:
            problems.append(f"{case.where('question')}: an error-correction question must carry the broken query")
        elif not defects(ev.question_analyses[-1], ev):
            problems.append(f"{case.where('question')}: the broken query has no defect the judge can see")
    return problems


def _listed(name: str, forbid: tuple[str, ...]) -> bool:
    return any(name.lower() == entry.lower() or name.lower().endswith("." + entry.lower()) for entry in forbid)
