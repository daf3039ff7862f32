"""Proof before write: an example is written only when everything it says is true of the catalog.

Two levels, so the expensive part is done once per distinct SQL text (the same query recurs across
paraphrases):

- `prove_sql(sql)`: parses as T-SQL (no dialect slip), names only catalog objects (grounding), keeps the house
  style, and executes in the sandbox. `prove_sqls(sqls)` proves many, running them in one sandbox batch.
- `prove_example(example)`: what the answer says in prose. Every table and column it names exists, it denies
  nothing that exists (the judge's prose reading), every key, join, type, code or count it states is true
  (the judge's fact reader, `judge.facts`), the objects it deliberately calls missing really are
  missing and are denied, a hallucination answer passes the judge's refusal and suggestion checks, and an
  error-correction question's query really fails for each of its stated reasons. Its queries return what was
  asked (`asked`): TOP only when the question asks for a bounded number of rows, a company literal only when
  the question states that company (else the `@APCo`-style parameter), no company column in the select list
  that the filter already fixes unless the question lists it, and exactly the columns a question lists. It
  also returns the SQL texts the answer (and every earlier turn) holds, for `prove_sql`, which binds the
  query's parameters to sample values of their columns' types before running (`sql.binding.bind_samples`).

A failed proof is a `Rejection` with a stable reason code (`REASONS`) and a one-line detail; the build counts
them, never drops a candidate silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vgpt2_ext.data.asks import asks_for_limit, stated_companies
from vgpt2_ext.data.example import Example
from vgpt2_ext.errors import SQLAnalysisError, VGPT2Error
from vgpt2_ext.judge import Case, Expect, judge
from vgpt2_ext.judge.facts import false_facts
from vgpt2_ext.judge.prose import Reading, read_prose
from vgpt2_ext.sql.analysis import analyze, sql_facts
from vgpt2_ext.sql.binding import bind_samples
from vgpt2_ext.sql.extract import extract_sql
from vgpt2_ext.sql.grounding import Unknown, ground
from vgpt2_ext.sql.model import Analysis
from vgpt2_ext.sql.parse import DIALECT, parse_tsql
from vgpt2_ext.sql.style import style_violations

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog
    from vgpt2_ext.sandbox import Sandbox

REASONS: dict[str, str] = {
    "sql_parse": "SQL does not parse as T-SQL",
    "sql_dialect": "SQL uses syntax SQL Server rejects (LIMIT, backticks ...)",
    "unknown_table": "SQL names a table the catalog lacks",
    "unknown_column": "SQL names a column the catalog lacks",
    "ambiguous_column": "SQL uses an unqualified column several tables have",
    "style_prefer_views": "SQL reads a base table where the house style wants its view",
    "style_require_nolock": "SQL lacks WITH (NOLOCK) on a table",
    "style_require_company_filter": "SQL leaves a company column unconstrained",
    "sql_execution": "SQL does not execute in the sandbox",
    "no_sql": "the answer has no SQL although its category needs a query",
    "prose_unknown_object": "the prose names a table or column the catalog lacks",
    "prose_false_denial": "the prose says a real table or column does not exist",
    "false_fact": "the prose states a key, join, type, code, holder or count the catalog contradicts",
    "missing_exists": "an object the answer calls missing exists in the catalog",
    "missing_not_denied": "the answer does not clearly say the missing object does not exist",
    "alternative_missing": "a suggested alternative does not exist in the catalog",
    "alternative_not_named": "the answer does not name or use the suggested alternative",
    "broken_sql_valid": "the error-correction question's query does not fail for its stated reason",
    "unrequested_top": "the query keeps TOP n rows although the question asks for no first, largest or N rows",
    "unstated_company": "the query fixes a company number the question does not give (use the @APCo parameter)",
    "redundant_company_column": "the select list repeats a company column the filter already fixes",
    "columns_not_as_asked": "the question lists its columns and the query returns others",
    "duplicate": "exact duplicate (normalised question and answer)",
    "near_duplicate": "near-duplicate (same answer, question shingles above the threshold)",
    "contaminated": "copies or closely paraphrases a validation case",
}
SQL_CATEGORIES = frozenset({"sql_generation", "join_patterns", "error_correction", "business_logic"})


@dataclass(frozen=True)
class Rejection:
    reason: str  # a key of REASONS
    detail: str


@dataclass(frozen=True)
class ExampleProof:
    """The example-level verdict, the SQL texts the answer holds, the tables its prose names, and the prose
    reading it rests on (so a caller can say which names a rejection is about)."""

    rejection: Rejection | None
    sqls: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    reading: Reading | None = None


@dataclass(frozen=True)
class SQLProof:
    """The verdict on one SQL text; a grounding rejection keeps its unknown names with the closest real ones."""

    rejection: Rejection | None
    tables: tuple[str, ...] = ()
    unknowns: tuple[Unknown, ...] = ()


def prove_sql(sql: str, catalog: Catalog, sandbox: Sandbox) -> SQLProof:
    """Parse, ground, style-check and execute one SQL text."""
    return prove_sqls([sql], catalog, sandbox)[0]


def prove_sqls(sqls: Sequence[str], catalog: Catalog, sandbox: Sandbox) -> list[SQLProof]:
    """`prove_sql` of each text; those that reach the sandbox run in one batch (`Sandbox.run_many`)."""
    found = [_check_sql(sql, catalog) for sql in sqls]
    ready = [proof for proof in found if isinstance(proof, _Ready)]
    try:
        outcomes = sandbox.run_many([proof.bound for proof in ready]) if ready else []
    except VGPT2Error as error:  # no worker would start: each of them fails for that reason
        outcomes = [error] * len(ready)
    runs = iter(outcomes)
    return [proof if isinstance(proof, SQLProof) else _executed(proof, next(runs)) for proof in found]


@dataclass(frozen=True)
class _Ready:
    """A text that passed every check short of running: its tables, and the text with its parameters bound."""

    tables: tuple[str, ...]
    bound: str


def _check_sql(sql: str, catalog: Catalog) -> SQLProof | _Ready:
    try:
        analysis = _tsql_analysis(sql, catalog)
    except SQLAnalysisError as error:
        return SQLProof(Rejection("sql_parse", str(error)))
    if analysis.slips:
        return SQLProof(Rejection("sql_dialect", "; ".join(slip.reason for slip in analysis.slips)))
    grounding = ground(analysis, catalog)
    if grounding.unknowns:
        first = grounding.unknowns[0]
        reason = {"table": "unknown_table", "ambiguous": "ambiguous_column"}.get(first.kind, "unknown_column")
        return SQLProof(Rejection(reason, "; ".join(grounding.messages)), unknowns=grounding.unknowns)
    violations = style_violations(analysis, catalog)
    if violations:
        return SQLProof(Rejection(f"style_{violations[0].rule}", "; ".join(v.message for v in violations)))
    try:
        return _Ready(analysis.tables, bind_samples(sql, catalog))
    except VGPT2Error as error:
        return SQLProof(Rejection("sql_execution", str(error)))


def _tsql_analysis(sql: str, catalog: Catalog) -> Analysis:
    """The analysis of a text T-SQL reads, else SQLAnalysisError: the T-SQL parser's own message when it fails
    there (analysis falls back to other dialects, to report their slips), else the analysis's. The text is parsed
    once when it is good, as most are."""
    try:
        analysis = analyze(sql, catalog)
    except SQLAnalysisError:
        parse_tsql(sql)  # raises when T-SQL does not read it: its message comes first
        raise
    if analysis.dialect != DIALECT:
        parse_tsql(sql)  # raises: another dialect reads only what T-SQL does not
    return analysis


def _executed(ready: _Ready, outcome: object) -> SQLProof:
    if isinstance(outcome, VGPT2Error):
        return SQLProof(Rejection("sql_execution", str(outcome)))
    return SQLProof(None, ready.tables)


def prove_example(example: Example, catalog: Catalog) -> ExampleProof:
    """Everything about `example` except running its SQL (see `prove_sql`)."""
    sqls = tuple(extract_sql(example.answer))
    earlier = tuple(sql for _, text in example.history for sql in extract_sql(text))
    reading = read_prose(example.answer, catalog, example.missing + example.suggest)
    tables = tuple(dict.fromkeys(m.table for m in reading.affirmed() if m.exists and m.table))
    rejection = (_needs_sql(example, sqls) or _missing(example, reading, catalog)
                 or _prose(example, reading) or _facts(example, catalog) or _refusal(example, catalog)
                 or _broken(example, sqls, catalog) or _turns(example, catalog))
    return ExampleProof(rejection, earlier + sqls, tables, reading)


def _turns(example: Example, catalog: Catalog) -> Rejection | None:
    """Each turn's query answers its question, read with the questions before it (a follow-up keeps the
    company and the limit the conversation gave)."""
    asked = ""
    for question, text in (*example.history, (example.question, example.answer)):
        asked = f"{asked}\n{question}"
        columns = example.columns if text is example.answer else ()
        for sql in extract_sql(text)[-1:]:
            if (found := asked_for(sql, asked, columns, catalog)) is not None:
                return found
        if text is not example.answer:
            prose = read_prose(text, catalog, ())
            if invented := [m.name or m.text for m in prose.hallucinations(excuse=question)]:
                return Rejection("prose_unknown_object", f"an earlier turn names {_quote(invented)}")
    return None


def asked_for(sql: str, question: str, columns: tuple[str, ...], catalog: Catalog) -> Rejection | None:
    """Whether `sql` returns what `question` asks: see the module docstring (`asked`)."""
    facts = sql_facts(sql, catalog)
    if facts is None:
        return None  # the SQL proof reports it
    if facts.top and not asks_for_limit(question):
        return Rejection("unrequested_top", f"TOP without a bounded request in {question.strip()[:80]!r}")
    unstated = facts.literals - stated_companies(question)
    if unstated:
        return Rejection("unstated_company", f"company {_quote(sorted(unstated))} is not in the question")
    projected, fixed = list(facts.projected), facts.fixed
    wanted = {c.lower() for c in columns}
    repeated = [name for name in projected if name and name.lower() in fixed and name.lower() not in wanted]
    if repeated:
        return Rejection("redundant_company_column", f"selects {_quote(repeated)}, fixed by the filter")
    if columns and [p.lower() if p else None for p in projected] != [c.lower() for c in columns]:
        return Rejection("columns_not_as_asked", f"asked for {_quote(columns)}, returns {projected}")
    return None


def _needs_sql(example: Example, sqls: tuple[str, ...]) -> Rejection | None:
    if example.category in SQL_CATEGORIES and not sqls:
        return Rejection("no_sql", f"a {example.category} answer without a query")
    return None


def _prose(example: Example, reading: Reading) -> Rejection | None:
    invented = [m.name or m.text for m in reading.hallucinations(excuse=example.question)]
    if invented:
        return Rejection("prose_unknown_object", f"names {_quote(invented)}, which the catalog lacks")
    denied = [m.name for m in reading.false_denials()]
    if denied:
        return Rejection("prose_false_denial", f"says {_quote(denied)} does not exist, but it does")
    return None


def _facts(example: Example, catalog: Catalog) -> Rejection | None:
    """Facts stated in prose are decided by the judge's one fact reader (`vgpt2_ext.judge.facts`)."""
    wrong = false_facts(example.answer, catalog)
    return Rejection("false_fact", "; ".join(map(str, wrong))) if wrong else None


def _missing(example: Example, reading: Reading, catalog: Catalog) -> Rejection | None:
    existing = [name for name in example.missing if _exists(name, catalog)]
    if existing:
        return Rejection("missing_exists", f"{_quote(existing)} exists in catalog `{catalog.name}`")
    absent = [name for name in example.suggest if not _exists(name, catalog)]
    if absent:
        return Rejection("alternative_missing", f"suggested {_quote(absent)} is not in catalog `{catalog.name}`")
    undenied = [name for name in example.missing if not reading.denies(name)]
    if undenied:
        return Rejection("missing_not_denied", f"the answer does not deny {_quote(undenied)}")
    return None


def _refusal(example: Example, catalog: Catalog) -> Rejection | None:
    """A hallucination answer about a missing object must pass the judge's own refusal and suggestion checks
    (one confirming a real object, a contrast row, denies nothing, which `_prose` checks)."""
    if example.category != "hallucination" or not example.missing:
        return None
    case = Case(example.id, example.category, example.question,
                expect=Expect(refusal=True, forbid=example.missing, suggest=example.suggest))
    verdict = judge(example.answer, case, catalog, checks=("refusal", "suggests"))
    for name, reason in (("refusal", "missing_not_denied"), ("suggests", "alternative_not_named")):
        check = verdict.check(name)
        if check is not None and not check.passed:
            return Rejection(reason, f"judge `{name}`: {check.detail}")
    return None


def _broken(example: Example, sqls: tuple[str, ...], catalog: Catalog) -> Rejection | None:
    """The query an error-correction question quotes must fail for every reason the example gives."""
    for reason in example.broken_reasons:
        problem = broken_because(example.broken_sql, reason, example.missing, sqls, catalog)
        if problem is not None:
            return Rejection("broken_sql_valid", f"{reason}: {problem}")
    return None


def broken_because(broken: str, reason: str, missing: tuple[str, ...], fixed: tuple[str, ...],
                   catalog: Catalog) -> str | None:
    """None when `broken` fails for `reason`; else what is wrong with the claim."""
    try:
        parse_tsql(broken)
        analysis = analyze(broken, catalog)
    except SQLAnalysisError:
        return None if reason == "syntax" else "the query does not even parse"
    if reason == "syntax":
        return "the query parses as T-SQL"
    if reason == "limit":
        return None if any(s.rule.startswith("limit") for s in analysis.slips) else "the query has no LIMIT"
    if reason in ("unknown_column", "wrong_table"):
        unknown = {u.name.rpartition(".")[2].lower() for u in ground(analysis, catalog).unknown_columns}
        wanted = {name.rpartition(".")[2].lower() for name in missing if "." in name}
        return None if unknown and wanted <= unknown else "its columns are all grounded"
    if reason == "unknown_table":
        wanted = {name.lower() for name in missing if "." not in name}
        unknown = {name.lower() for name in analysis.unknown_tables}
        return None if unknown and wanted <= unknown else "every table it reads exists"
    if reason == "ambiguous_column":
        ambiguous = any(u.kind == "ambiguous" for u in ground(analysis, catalog).unknowns)
        return None if ambiguous else "every column it uses is qualified or unique"
    if reason in ("base_table", "missing_nolock"):
        rule = {"base_table": "prefer_views", "missing_nolock": "require_nolock"}[reason]
        hit = any(v.rule == rule for v in style_violations(analysis, catalog))
        return None if hit else f"the query keeps the `{rule}` house style"
    return _partial_join(analysis, fixed, catalog)


def _partial_join(analysis: Analysis, fixed: tuple[str, ...], catalog: Catalog) -> str | None:
    """missing_join_key: the broken join pairs must be a strict subset of the fixed query's."""
    if not fixed:
        return "the answer has no fixed query to compare joins with"
    try:
        full = set(analyze(fixed[-1], catalog).joins)
    except SQLAnalysisError:
        return "the fixed query does not parse"
    return None if set(analysis.joins) < full else "its join uses every key column of the fixed query"


def _exists(name: str, catalog: Catalog) -> bool:
    table, _, column = name.rpartition(".")
    return catalog.column(table, column) is not None if table else catalog.has(column)


def _quote(names) -> str:
    return ", ".join(f"`{name}`" for name in dict.fromkeys(names))
