"""Running the suite: answers in, one verdict per case, aggregated by category against the recipe's numbers.

A case passes at or above its category's threshold (and never with a failed gate); a category score is
the mean of its case scores; the overall score is the mean of all case scores. Targets only set the
report's status marks; gates (`--fail-under`, `vgpt2.validate.gates`) decide the exit status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.errors import VGPT2Error
from vgpt2_ext.judge import CATEGORIES, Case, Check, Verdict, judge, passes
from vgpt2_ext.judge.evidence import gold_result
from vgpt2_ext.judge.settings import ValidateSettings
from vgpt2_ext.sandbox import sandbox_for

NO_RESPONSE = Verdict(0.0, (Check("answered", 0.0, "no response"),), ("answered",))
GOLD_ROWS = 10  # gold rows a report shows per case


@dataclass(frozen=True)
class Outcome:
    """One case's result."""

    id: str
    category: str
    question: str
    response: str | None  # None: the backend gave no answer
    verdict: Verdict
    passed: bool
    gold: dict | None = None  # the gold query and its first rows in the sandbox (`gold_rows`); None: no gold

    @property
    def score(self) -> float:
        return self.verdict.score

    def to_json(self) -> dict:
        return {"id": self.id, "category": self.category, "question": self.question, "score": self.score,
                "passed": self.passed, "gates": list(self.verdict.gates),
                "checks": [check.to_json() for check in self.verdict.checks], "response": self.response or "",
                "gold": self.gold}


@dataclass(frozen=True)
class CategorySummary:
    category: str
    score: float
    passed: int
    total: int
    threshold: float
    target: float
    gate: float | None

    @property
    def status(self) -> str:
        """`met` at or above target, `near` within 0.05 below it, else `below`."""
        return "met" if self.score >= self.target - 1e-9 else "near" if self.score >= self.target - 0.05 else "below"

    def to_json(self) -> dict:
        return {"score": round(self.score, 4), "passed": self.passed, "total": self.total,
                "threshold": self.threshold, "target": self.target, "gate": self.gate, "status": self.status}


@dataclass(frozen=True)
class Summary:
    overall: float
    passed: int
    total: int
    categories: dict[str, CategorySummary]
    outcomes: tuple[Outcome, ...]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def score_cases(cases: Sequence[Case], responses: Mapping[str, str], catalog: Catalog, settings: ValidateSettings,
                *, sandbox=None, progress: Callable[[], None] | None = None) -> list[Outcome]:
    """Judge every case's response (a missing one scores 0, "no response"), keeping its gold rows to show."""
    sandbox = sandbox or sandbox_for(catalog)
    outcomes = []
    for case in cases:
        response = responses.get(case.id)
        verdict = NO_RESPONSE if response is None else judge(response, case, catalog, sandbox=sandbox)
        threshold = getattr(settings.thresholds, case.category)
        outcomes.append(Outcome(case.id, case.category, case.question, response, verdict, passes(verdict, threshold),
                                gold_rows(case, sandbox)))
        if progress is not None:
            progress()
    return outcomes


def gold_rows(case: Case, sandbox, shown: int = GOLD_ROWS) -> dict | None:
    """The case's (first) gold query with its first `shown` rows, as the judge compared answers with them
    (the run is cached per sandbox, so this costs nothing after judging); None for a case without gold SQL."""
    if not case.gold_sql:
        return None
    sql = case.gold_sql[0]
    try:
        result = gold_result(sandbox, sql)
    except VGPT2Error as error:
        return {"sql": sql, "error": str(error)}
    rows = [[None if value is None else str(value) for value in row] for row in result.rows[:shown]]
    return {"sql": sql, "columns": list(result.columns), "rows": rows, "row_count": len(result.rows)}


def summarise(outcomes: Sequence[Outcome], settings: ValidateSettings) -> Summary:
    """Category and overall scores (means of case scores), pass counts, against thresholds and targets."""
    categories = {}
    for category in CATEGORIES:
        mine = [o for o in outcomes if o.category == category]
        if not mine:
            continue
        categories[category] = CategorySummary(
            category, sum(o.score for o in mine) / len(mine), sum(o.passed for o in mine), len(mine),
            getattr(settings.thresholds, category), getattr(settings.targets, category),
            getattr(settings.gates, category))
    overall = sum(o.score for o in outcomes) / len(outcomes) if outcomes else 0.0
    return Summary(overall, sum(o.passed for o in outcomes), len(outcomes), categories, tuple(outcomes))


def gate_failures(summary: Summary, fail_under: float | None) -> list[str]:
    """Why the command should fail: the overall score under `fail_under`, or a category under its gate."""
    failures = []
    if fail_under is not None and summary.overall < fail_under:
        failures.append(f"overall score {summary.overall:.2f} is below --fail-under {fail_under:.2f}")
    for cat in summary.categories.values():
        if cat.gate is not None and cat.score < cat.gate:
            failures.append(f"{cat.category} score {cat.score:.2f} is below its gate "
                            f"`vgpt2.validate.gates.{cat.category}` {cat.gate:.2f}")
    return failures
