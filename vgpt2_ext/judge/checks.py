"""The checks, each a small function of the evidence, listed once in `CHECKS` in the order they run.

A check returns `(score, detail)`, or None when it does not apply to the case; it raises `Skip` when its
prerequisite failed (it then scores 0 and keeps its weight). The case score is the weighted mean of the
applicable checks. A *gate* that scores below 1 scales the case score into 0..its cap (score x cap): failing
answers still rank among themselves, but none reaches a pass threshold, and the verdict names the gate.
`answered`, `sql_parses` and `grounded` are gates of weight 0: meeting them is the absence of an error, not
evidence of a right answer, so they cost everything when they fail and earn nothing when they pass (a
degenerate answer that names nothing wrong must not pass on grounding alone).

| check          | weight | cap | applies when                         | scores                                        |
| -------------- | ------ | --- | ------------------------------------ | --------------------------------------------- |
| answered       | 0      | 0.0 | always                               | 0 for an empty answer                         |
| sql_extracted  | 1      |     | the case wants SQL                   | a query was found                             |
| sql_parses     | 0      | 0.5 | the answer has SQL                   | 1; 0.5 with a slip SQL Server rejects (LIMIT) |
| grounded       | 0      | 0.5 | always                               | 0 if a name used is missing or a real denied  |
| facts          | 0      | 0.5 | the prose states a decidable fact    | 0 if a key, join, type, count ... is false    |
| executes       | 1      |     | the case wants SQL                   | the sandbox ran it                            |
| result_matches | 3      | 0.5 | the case has gold SQL                | a gold query's rows, on its columns at least  |
| fixes_defects  | 2      | 0.5 | the question carries a broken query  | share of the defects asked about now fixed    |
| keeps_intent   | 1      | 0.5 | the question carries a broken query  | share of its columns, filters, joins kept     |
| tables         | 1      |     | `expect.tables`                      | share present                                 |
| columns        | 1      |     | `expect.columns`                     | share present                                 |
| joins          | 1      |     | `expect.joins`                       | share of column pairs present                 |
| filters        | 1      |     | `expect.filters`                     | share of columns constrained                  |
| house_style    | 1      |     | the case wants SQL                   | share of rules kept: views, NOLOCK, company   |
| mentions       | 1      |     | `expect.mentions`                    | share of facts stated (leniently)             |
| refusal        | 3      | 0.5 | `expect.refusal`                     | share of forbid said not to exist; 0 if used  |
| suggests       | 1      |     | `expect.suggest`                     | share of real alternatives named or used      |

"Used" means in the SQL (by its analysis) or, for prose, presented as a schema object (`prose.py`). Facts
are read and decided by `facts.py`, rows compared by `results.py`, broken queries judged by `fixes.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vgpt2_ext.errors import VGPT2Error
from vgpt2_ext.judge.evidence import Evidence, Skip
from vgpt2_ext.judge.fixes import defects, dropped, intent, join_pairs, to_fix
from vgpt2_ext.judge.prose import covers
from vgpt2_ext.judge.results import match_rows
from vgpt2_ext.judge.verdict import Check, Verdict
from vgpt2_ext.sql.grounding import ground
from vgpt2_ext.sql.model import Analysis
from vgpt2_ext.sql.style import STYLE_RULES, style_violations

Outcome = tuple[float, str] | None


def answered(ev: Evidence) -> Outcome:
    return (1.0, "answered") if ev.answer.strip() else (0.0, "empty answer")


def sql_extracted(ev: Evidence) -> Outcome:
    if not ev.case.wants_sql:
        return None
    count = len(ev.queries)
    return (1.0, f"{count} query(ies) found") if count else (0.0, "the case wants a query; the answer has no SQL")


def sql_parses(ev: Evidence) -> Outcome:
    if not ev.queries and not ev.case.wants_sql:
        return None
    query = ev.judged
    if query.analysis is None:
        return 0.0, query.error
    if query.analysis.slips:
        return 0.5, "SQL Server rejects it: " + "; ".join(slip.reason for slip in query.analysis.slips)
    return 1.0, "parses as T-SQL"


def grounded(ev: Evidence) -> Outcome:
    problems = list(dict.fromkeys(m for a in ev.analyses for m in ground(a, ev.catalog).messages))
    problems += [f"`{m.name}` is named as a schema object but the catalog lacks it"
                 for m in ev.reading.hallucinations(excuse=ev.excused)]
    problems += [f"says `{m.name}` does not exist, but it does" for m in ev.reading.false_denials()]
    return (0.0, "; ".join(problems)) if problems else (1.0, "every table and column named exists")


def facts(ev: Evidence) -> Outcome:
    found = ev.facts
    if not found:
        return None
    wrong = [fact for fact in found if not fact.true]
    if wrong:
        return 0.0, "false: " + "; ".join(map(str, wrong))
    return 1.0, f"{len(found)} fact(s) stated, all true"


def executes(ev: Evidence) -> Outcome:
    if not ev.case.wants_sql:
        return None
    ev.analysis  # noqa: B018 - raises Skip when there is no parsed query
    found = ev.run
    if isinstance(found, VGPT2Error):
        return 0.0, str(found)
    return 1.0, f"ran: {len(found.rows)} row(s)"


def result_matches(ev: Evidence) -> Outcome:
    if not ev.case.gold_sql:
        return None
    comparison = match_rows(ev.result, ev.golds)
    return (1.0 if comparison.equal else 0.0), comparison.detail


def fixes_defects(ev: Evidence) -> Outcome:
    if not ev.question_analyses:
        return None
    wanted = to_fix(ev.question_analyses[-1], ev)
    if not wanted:
        return None
    after = set(defects(ev.analysis, ev))
    left = [defect.text for defect in wanted if defect in after]
    detail = f"still: {'; '.join(left)}" if left else f"fixed all {len(wanted)}: {'; '.join(d.text for d in wanted)}"
    return 1 - len(left) / len(wanted), detail


def keeps_intent(ev: Evidence) -> Outcome:
    if not ev.question_analyses:
        return None
    broken = ev.question_analyses[-1]
    meant = intent(broken, ev.catalog)
    if not meant:
        return None
    lost = dropped(broken, ev.analysis, ev)
    if not lost:
        return 1.0, f"keeps all {len(meant)} column(s), filter(s) and join(s) of the query"
    return 1 - len(lost) / len(meant), "drops " + "; ".join(f"{e.kind} `{e.name}`" for e in lost)


def tables(ev: Evidence) -> Outcome:
    expected = ev.case.expect.tables
    if not expected:
        return None
    used = {t.lower() for a in _sql_for(ev) for t in a.tables}
    prose = not ev.case.wants_sql
    return _share("table", expected, [t for t in expected if t.lower() in used or (prose and ev.reading.affirms(t))])


def columns(ev: Evidence) -> Outcome:
    expected = ev.case.expect.columns
    if not expected:
        return None
    used = {c.lower() for a in _sql_for(ev) for c in a.resolved_columns}
    bare = {c.rpartition(".")[2] for c in used}
    prose = not ev.case.wants_sql
    present = [c for c in expected if (c.lower() in used if "." in c else c.lower() in bare)
               or (prose and (ev.reading.affirms(c) if "." in c else ev.reading.affirms_column(c)))]
    return _share("column", expected, present)


def joins(ev: Evidence) -> Outcome:
    expected = ev.case.expect.joins
    if not expected:
        return None
    present = join_pairs(ev.analysis)
    return _share("join", expected, [t for t, p in zip(expected, ev.case.expect.join_pairs) if p in present])


def filters(ev: Evidence) -> Outcome:
    expected = ev.case.expect.filters
    if not expected:
        return None
    constrained = {f.column.lower() for f in ev.analysis.filters}
    bare = {c.rpartition(".")[2] for c in constrained}
    return _share("filter", expected, [c for c in expected if (c.lower() in constrained if "." in c
                                                                else c.lower() in bare)])


def house_style(ev: Evidence) -> Outcome:
    if not ev.case.wants_sql:
        return None
    rules = [rule.__name__ for rule in STYLE_RULES if getattr(ev.catalog.style, rule.__name__, False)]
    if not rules:
        return None
    violations = style_violations(ev.analysis, ev.catalog)
    broken = {v.rule for v in violations}
    detail = "; ".join(v.message for v in violations) or f"keeps {', '.join(rules)}"
    return 1 - len(broken) / len(rules), detail


def mentions(ev: Evidence) -> Outcome:
    expected = ev.case.expect.mentions
    if not expected:
        return None
    return _share("fact", expected, [phrase for phrase in expected if covers(ev.answer, phrase)])


def refusal(ev: Evidence) -> Outcome:
    if not ev.case.expect.refusal:
        return None
    forbid = ev.case.expect.forbid
    queried = [name for name in forbid if _sql_uses(ev.analyses, name)]
    if queried:
        return 0.0, f"queries {_names(queried)} as if it existed"
    denied = [name for name in forbid if ev.reading.denies(name)]
    if len(denied) == len(forbid):
        return 1.0, f"says {_names(denied)} does not exist"
    described = [name for name in forbid if name not in denied and ev.reading.affirms(name)]
    how = f"describes {_names(described)} as if it existed" if described else "does not say it does not exist"
    return len(denied) / len(forbid), f"{how}: {_names(n for n in forbid if n not in denied)}"


def suggests(ev: Evidence) -> Outcome:
    targets = ev.case.expect.suggest
    if not targets:
        return None
    present = [t for t in targets if ev.reading.affirms(t) or _sql_uses(ev.analyses, t)]
    return _share("alternative", targets, present)


# -- helpers --------------------------------------------------------------------------------------------
def _sql_for(ev: Evidence) -> tuple[Analysis, ...]:
    """The parsed SQL a table/column expectation is judged on: required for a case that wants SQL."""
    if ev.case.wants_sql:
        ev.analysis  # noqa: B018 - raises Skip when there is no parsed query
    return ev.analyses


def _sql_uses(analyses: Iterable[Analysis], name: str) -> bool:
    """Whether the SQL references `name` (a table, or `Table.Column`), known to the catalog or not."""
    table, _, column = name.lower().rpartition(".")
    for analysis in analyses:
        if not table and column in {t.lower() for t in analysis.tables}:
            return True
        for ref in analysis.columns:
            owners = {(ref.table or "").lower(), *(c.lower() for c in ref.candidates)}
            if table and ref.name.lower() == column and table in owners:
                return True
    return False


def _share(what: str, expected: tuple[str, ...], present: list[str]) -> Outcome:
    missing = [name for name in expected if name not in present]
    if not missing:
        return 1.0, f"all {len(expected)} expected {what}(s) present: {_names(expected)}"
    return len(present) / len(expected), f"missing {what}(s) {_names(missing)} ({len(present)} of {len(expected)})"


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


# -- the table and the runner ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    name: str
    weight: float
    cap: float | None  # a gate: below 1, the case score is capped here
    run: Callable[[Evidence], Outcome]


GATE_CAP = 0.5  # below every pass threshold (0.60, hallucination 0.90)
CHECKS: tuple[Spec, ...] = (
    Spec("answered", 0, 0.0, answered),
    Spec("sql_extracted", 1, None, sql_extracted),
    Spec("sql_parses", 0, GATE_CAP, sql_parses),
    Spec("grounded", 0, GATE_CAP, grounded),
    Spec("facts", 0, GATE_CAP, facts),
    Spec("executes", 1, None, executes),
    Spec("result_matches", 3, GATE_CAP, result_matches),
    Spec("fixes_defects", 2, GATE_CAP, fixes_defects),
    Spec("keeps_intent", 1, GATE_CAP, keeps_intent),
    Spec("tables", 1, None, tables),
    Spec("columns", 1, None, columns),
    Spec("joins", 1, None, joins),
    Spec("filters", 1, None, filters),
    Spec("house_style", 1, None, house_style),
    Spec("mentions", 1, None, mentions),
    Spec("refusal", 3, GATE_CAP, refusal),
    Spec("suggests", 1, None, suggests),
)


def run_checks(ev: Evidence, specs: tuple[Spec, ...] = CHECKS) -> Verdict:
    """Every applicable check in order, then the weighted, gate-capped case score."""
    results = []
    for spec in specs:
        try:
            outcome = spec.run(ev)
        except Skip as skip:
            results.append(Check(spec.name, 0.0, f"skipped: {skip}", skipped=True))
            continue
        if outcome is not None:
            results.append(Check(spec.name, round(float(outcome[0]), 4), outcome[1].replace("\n", " ")))
    return score(tuple(results), specs)


def score(results: tuple[Check, ...], specs: tuple[Spec, ...] = CHECKS) -> Verdict:
    by_name = {spec.name: spec for spec in specs}
    total = sum(by_name[c.name].weight for c in results)
    value = sum(by_name[c.name].weight * c.score for c in results) / total if total else 0.0
    gates = tuple(c.name for c in results if by_name[c.name].cap is not None and c.score < 1.0)
    if gates:
        value *= min(by_name[name].cap for name in gates)
    return Verdict(round(value, 4), results, gates)
