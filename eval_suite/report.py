"""The report folder: report.md (the structure users know from the earlier VGPT2 report), report.html (the same,
self-contained, with per-test details that expand), report.json, report.png (category scores against targets)
and responses.jsonl (the answers, so a report can be re-scored).

`report.json` holds at least `{overall, passed, total, pass_rate, warnings, categories: {c: {score, passed,
total, threshold, target, status}}, tests: [{id, category, question, score, passed, checks: [{name, score,
detail}], response, gold}]}`; given a baseline report.json, every file adds the "baseline vs now" comparison,
with a warning when the two are not comparable (other cases, another catalog, other thresholds). A category
has one status (its score against its target) wherever it is shown; changes are in percentage points.
Every file is written atomically.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eval_suite.answers import same_question
from eval_suite.chart import chart_png
from eval_suite.progression import progression, progression_markdown
from eval_suite.suite import Outcome, Summary
from vgpt2_ext.atomic import FileSet
from vgpt2_ext.errors import ValidationError

TITLES = {"schema_knowledge": "Schema Knowledge", "sql_generation": "SQL Generation", "hallucination": "Hallucination",
          "join_patterns": "JOIN Patterns", "error_correction": "Error Correction", "business_logic": "Business Logic"}
MARKS = {"met": "✅ Meets target", "near": "⚠️ Near target", "below": "❌ Below target"}
FILES = ("report.md", "report.json", "report.png", "report.html", "responses.jsonl")


@dataclass(frozen=True)
class Meta:
    """What was validated: shown at the top of the report."""

    run: str
    stage: str  # what answered: the run's stage (`sft`, `dpo`), or the backend when no stage did
    model: str
    backend: str
    cases: str
    catalog: str
    date: str = ""

    def stamped(self) -> Meta:
        return dataclasses.replace(self, date=self.date or datetime.now().strftime("%Y-%m-%d %H:%M"))


def write_report(data: dict, folder: str | Path, outcomes: Sequence[Outcome]) -> list[Path]:
    """Write the report files of `data` (from `report_json`) into `folder`, and `report-<stage>.json` beside
    them, so validating the DPO stage keeps the SFT report to compare with; returns their paths."""
    from eval_suite.report_html import report_html

    folder = Path(folder)
    png = chart_png(data)
    with FileSet(folder) as files:  # all of them or none: a failure on one leaves the previous report whole
        files.write_json(FILES[1], data)
        files.write_json(f"report-{data['stage']}.json", data)
        files.write_bytes(FILES[2], png)
        files.write_text(FILES[3], report_html(data, png))
        files.write_text(FILES[4], "".join(json.dumps({"id": o.id, "response": o.response}, ensure_ascii=False)
                                           + "\n" for o in outcomes if o.response is not None))
        files.write_text(FILES[0], report_markdown(data))
    return [folder / name for name in FILES]


def report_json(summary: Summary, meta: Meta, baseline: dict | None = None, warnings: Sequence[str] = (),
                earlier: Sequence[dict] = (), generation: dict | None = None) -> dict:
    """Everything the report shows; `warnings` (answers recorded for other questions ...) are kept with it,
    and a baseline that is not comparable adds its own. `earlier`: the reports of the run's earlier stages
    (base, SFT), shown side by side with this one; `generation`: how long answering took (new tokens, seconds,
    tokens/s), when a model answered."""
    meta = meta.stamped()
    data = {
        "date": meta.date, "run": meta.run, "stage": meta.stage, "model": meta.model, "backend": meta.backend,
        "cases": meta.cases, "catalog": meta.catalog, "overall": round(summary.overall, 4), "passed": summary.passed,
        "total": summary.total, "pass_rate": round(summary.pass_rate, 4), "warnings": list(warnings),
        "categories": {name: cat.to_json() for name, cat in summary.categories.items()},
        "tests": [outcome.to_json() for outcome in summary.outcomes],
    }
    if baseline is not None:
        data["baseline"] = comparison(data, baseline)
        data["warnings"] += comparability(data, baseline)
    if earlier:
        data["stages"] = progression([*earlier, data], TITLES)
    if generation:
        data["generation"] = generation
    return data


def comparison(now: dict, baseline: dict) -> dict:
    """Baseline vs now for the overall score, the pass rate and each category both reports have."""
    shared = [name for name in now["categories"] if name in baseline["categories"]]
    rows = [("Overall", baseline["overall"], now["overall"]), ("Pass rate", baseline["pass_rate"], now["pass_rate"])]
    rows += [(TITLES.get(name, name), baseline["categories"][name]["score"], now["categories"][name]["score"])
             for name in shared]
    return {"label": baseline.get("stage") or "baseline", "now": now.get("stage") or "now",
            "date": baseline.get("date", ""),
            "categories": {name: round(baseline["categories"][name]["score"], 4) for name in shared},
            "rows": [{"metric": m, "baseline": round(b, 4), "now": round(n, 4), "change": round(n - b, 4)}
                     for m, b, n in rows]}


def comparability(now: dict, baseline: dict) -> list[str]:
    """Why `baseline` and `now` do not measure the same thing, if they do not: other cases (ids or questions),
    another catalog, other pass thresholds. A score change then says little about the model."""
    label = baseline.get("stage") or "baseline"
    warnings = []
    if "tests" in baseline:
        ours = {t["id"]: t.get("question") for t in now["tests"]}
        theirs = {t["id"]: t.get("question") for t in baseline["tests"]}
        only_ours, only_theirs = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
        if only_ours or only_theirs:
            warnings.append(f"the baseline `{label}` was scored on other cases: {len(only_theirs)} of its "
                            f"{len(theirs)} are not in this run ({_some(only_theirs)}), {len(only_ours)} of this "
                            f"run's {len(ours)} are not in it ({_some(only_ours)})")
        asked = sorted(i for i in set(ours) & set(theirs)
                       if ours[i] and theirs[i] and not same_question(ours[i], theirs[i]))
        if asked:
            warnings.append(f"{len(asked)} case(s) of the baseline `{label}` ask another question under the same "
                            f"id ({_some(asked)})")
    if baseline.get("catalog") and baseline["catalog"] != now["catalog"]:
        warnings.append(f"the baseline `{label}` was judged against catalog {baseline['catalog']}, this run "
                        f"against {now['catalog']}")
    moved = [name for name, cat in now["categories"].items()
             if baseline["categories"].get(name, {}).get("threshold", cat["threshold"]) != cat["threshold"]]
    if moved:
        warnings.append(f"the baseline `{label}` passed cases at other thresholds in {', '.join(moved)}: "
                        "its pass counts do not compare")
    return warnings


def _some(ids: Sequence[str], shown: int = 3) -> str:
    return ", ".join(ids[:shown]) + (", ..." if len(ids) > shown else "") if ids else "none"


def load_baseline(path: str | Path) -> dict:
    """An earlier report.json; one clear error naming the file and the missing key otherwise."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValidationError(f"baseline `{path}` is not a readable report.json: {error}") from None
    for key in ("overall", "pass_rate", "categories"):
        if not isinstance(data, dict) or key not in data:
            raise ValidationError(f"baseline `{path}` lacks key `{key}`: give the report.json of an earlier "
                                  "`vgpt2 validate`")
    bad = [name for name, cat in data["categories"].items() if not isinstance(cat, dict) or "score" not in cat]
    if bad:
        raise ValidationError(f"baseline `{path}` key `categories.{bad[0]}` lacks `score`")
    return data


def pct(value: float, digits: int = 0) -> str:
    return f"{value * 100:.{digits}f}%"


def points(change: float) -> str:
    """A change of two shares, in percentage points: 0.62 -> 0.46 is `-16 pts`, not `-16%`."""
    return f"{change * 100:+.0f} pts"


def heading(name: str, cat: dict) -> str:
    """A category's per-test heading: its pass count and threshold (its one status follows it)."""
    return f"{TITLES.get(name, name)} ({cat['passed']}/{cat['total']} PASS, pass at {cat['threshold']:.2f})"


def failure_reasons(test: dict) -> str:
    """Why a test fell short, in one line: the gates that capped its score, then the checks it lost."""
    reasons = [f"{c['name']}: {c['detail']}" for c in test["checks"] if c["score"] < 1 or c.get("skipped")]
    capped = f"(capped by {', '.join(test['gates'])}) " if test.get("gates") else ""
    return capped + " · ".join(reasons[:4])


# -- markdown -------------------------------------------------------------------------------------------
def report_markdown(data: dict) -> str:
    failed = data["total"] - data["passed"]
    rate = data["passed"] / data["total"] if data["total"] else 0.0
    lines = [
        "# VGPT2 Validation Report", "",
        f"**Date:** {data['date']}  ", f"**Run:** {data['run']} · **Stage:** {data['stage']} · "
        f"**Model:** {data['model']}  ",
        f"**Backend:** {data['backend']} · **Cases:** `{data['cases']}` · **Catalog:** {data['catalog']}  ",
        f"**Tests:** {data['total']} total  ", f"**Passed:** {data['passed']} ({pct(rate, 1)})  ",
        f"**Failed:** {failed} ({pct(1 - rate if data['total'] else 0, 1)})  ",
        f"**Overall Score:** {data['overall']:.2f} ({pct(data['overall'])})  ", *_generation(data), "",
    ]
    for warning in data.get("warnings", []):
        lines += [f"> ⚠️ **Warning:** {warning}", ""]
    lines += ["![category scores against targets](report.png)", "",
              "## Category Breakdown", "", "| Category | Score | Target | Passed | Status |", "|---|---|---|---|---|"]
    for name, cat in data["categories"].items():
        lines.append(f"| {TITLES.get(name, name)} | **{pct(cat['score'])}** | {pct(cat['target'])} | "
                     f"{cat['passed']}/{cat['total']} | {MARKS[cat['status']]} |")
    lines += ["", *progression_markdown(data), "## Individual Test Results", ""]
    lines += _per_test(data) + _failures(data) + _baseline(data)
    return "\n".join(lines).rstrip() + "\n"


def _generation(data: dict) -> list[str]:
    found = data.get("generation")
    if not found:
        return []
    return [f"**Generation:** {found['new_tokens']:,} new tokens in {found['seconds']:.0f} s "
            f"({found['tokens_per_s']:.1f} tokens/s, {found['batch_size']} prompts a batch, at most "
            f"{found['max_new_tokens']} tokens each)"]


def _per_test(data: dict) -> list[str]:
    lines = []
    for name, cat in data["categories"].items():
        lines += [f"### {heading(name, cat)} · {MARKS[cat['status']]}", ""]
        lines += [f"- {t['id']}: {t['score']:.2f}" + ("" if t["passed"] else " FAIL")
                  for t in data["tests"] if t["category"] == name]
        lines.append("")
    return lines


def _failures(data: dict) -> list[str]:
    failed = [t for t in data["tests"] if not t["passed"]]
    if not failed:
        return []
    lines = ["## Failures", ""]
    lines += [f"- **{test['id']}** ({test['score']:.2f}): {failure_reasons(test)}" for test in failed]
    return lines + [""]


def _baseline(data: dict) -> list[str]:
    base = data.get("baseline")
    if not base:
        return []
    now = base.get("now", "now")
    lines = [f"## Comparison: {base['label']} vs {now}", "", f"| Metric | {base['label']} | {now} | Change |",
             "|---|---|---|---|"]
    lines += [f"| {row['metric']} | {pct(row['baseline'])} | {pct(row['now'])} | **{points(row['change'])}** |"
              for row in base["rows"]]
    return lines + [""]
