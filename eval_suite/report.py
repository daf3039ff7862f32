"""The report folder: report.md (the structure users know from the earlier VGPT2 report), report.json,
report.png (category scores against targets) and responses.jsonl (the answers, so a report can be re-scored).

`report.json` holds at least `{overall, passed, total, pass_rate, categories: {c: {score, passed, total,
threshold, target}}, tests: [{id, category, score, passed, checks: [{name, score, detail}], response}]}`;
given a baseline report.json, both files add the "baseline vs now" comparison. Every file is written
atomically.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eval_suite.progression import progression, progression_markdown
from eval_suite.suite import Summary
from vgpt2_ext.atomic import write_json, write_text
from vgpt2_ext.errors import ValidationError

TITLES = {"schema_knowledge": "Schema Knowledge", "sql_generation": "SQL Generation", "hallucination": "Hallucination",
          "join_patterns": "JOIN Patterns", "error_correction": "Error Correction", "business_logic": "Business Logic"}
MARKS = {"met": "✅ Meets target", "near": "⚠️ Near target", "below": "❌ Below target"}
FILES = ("report.md", "report.json", "report.png", "responses.jsonl")


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


def write_report(summary: Summary, folder: str | Path, meta: Meta, baseline: dict | None = None,
                 earlier: Sequence[dict] = (), generation: dict | None = None) -> list[Path]:
    """Write the four report files into `folder`, and `report-<stage>.json` beside them, so validating the
    DPO stage keeps the SFT report to compare with; returns their paths. `earlier`: the reports of the run's
    earlier stages (base, SFT), shown side by side with this one; `generation`: how long answering took
    (new tokens, seconds, tokens/s), when a model answered."""
    folder = Path(folder)
    meta = meta.stamped()
    data = report_json(summary, meta, baseline, earlier) | ({"generation": generation} if generation else {})
    paths = [folder / name for name in FILES]
    write_json(paths[1], data)
    write_json(folder / f"report-{meta.stage}.json", data)
    write_chart(summary, paths[2])
    write_text(paths[3], "".join(json.dumps({"id": o.id, "response": o.response}, ensure_ascii=False) + "\n"
                                 for o in summary.outcomes if o.response is not None))
    write_text(paths[0], report_markdown(data))
    return paths


def report_json(summary: Summary, meta: Meta, baseline: dict | None = None, earlier: Sequence[dict] = ()) -> dict:
    data = {
        "date": meta.date, "run": meta.run, "stage": meta.stage, "model": meta.model, "backend": meta.backend,
        "cases": meta.cases, "catalog": meta.catalog, "overall": round(summary.overall, 4), "passed": summary.passed,
        "total": summary.total, "pass_rate": round(summary.pass_rate, 4),
        "categories": {name: cat.to_json() for name, cat in summary.categories.items()},
        "tests": [outcome.to_json() for outcome in summary.outcomes],
    }
    if baseline is not None:
        data["baseline"] = comparison(data, baseline)
    if earlier:
        data["stages"] = progression([*earlier, data], TITLES)
    return data


def comparison(now: dict, baseline: dict) -> dict:
    """Baseline vs now for the overall score, the pass rate and each category both reports have."""
    rows = [("Overall", baseline["overall"], now["overall"]), ("Pass rate", baseline["pass_rate"], now["pass_rate"])]
    rows += [(TITLES.get(name, name), baseline["categories"][name]["score"], cat["score"])
             for name, cat in now["categories"].items() if name in baseline["categories"]]
    return {"label": baseline.get("stage") or "baseline", "now": now.get("stage") or "now",
            "date": baseline.get("date", ""),
            "rows": [{"metric": m, "baseline": round(b, 4), "now": round(n, 4), "change": round(n - b, 4)}
                     for m, b, n in rows]}


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


# -- markdown -------------------------------------------------------------------------------------------
def report_markdown(data: dict) -> str:
    failed = data["total"] - data["passed"]
    rate = data["passed"] / data["total"] if data["total"] else 0.0
    lines = [
        "# VGPT2 Validation Report", "",
        f"**Date:** {data['date']}  ", f"**Run:** {data['run']} · **Stage:** {data['stage']} · "
        f"**Model:** {data['model']}  ",
        f"**Backend:** {data['backend']} · **Cases:** `{data['cases']}` · **Catalog:** {data['catalog']}  ",
        f"**Tests:** {data['total']} total  ", f"**Passed:** {data['passed']} ({_pct(rate, 1)})  ",
        f"**Failed:** {failed} ({_pct(1 - rate if data['total'] else 0, 1)})  ",
        f"**Overall Score:** {data['overall']:.2f} ({_pct(data['overall'])})  ", *_generation(data), "",
        "![category scores against targets](report.png)", "",
        "## Category Breakdown", "", "| Category | Score | Target | Passed | Status |", "|---|---|---|---|---|",
    ]
    for name, cat in data["categories"].items():
        lines.append(f"| {TITLES.get(name, name)} | **{_pct(cat['score'])}** | {_pct(cat['target'])} | "
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
        mark = " ❌" if cat["passed"] < cat["total"] else ""
        lines += [f"### {TITLES.get(name, name)} ({cat['passed']}/{cat['total']} PASS, pass at "
                  f"{cat['threshold']:.2f}){mark}", ""]
        lines += [f"- {t['id']}: {t['score']:.2f}" + ("" if t["passed"] else " FAIL")
                  for t in data["tests"] if t["category"] == name]
        lines.append("")
    return lines


def _failures(data: dict) -> list[str]:
    failed = [t for t in data["tests"] if not t["passed"]]
    if not failed:
        return []
    lines = ["## Failures", ""]
    for test in failed:
        reasons = [f"{c['name']}: {c['detail']}" for c in test["checks"] if c["score"] < 1 or c.get("skipped")]
        capped = f" (capped by {', '.join(test['gates'])})" if test.get("gates") else ""
        lines.append(f"- **{test['id']}** ({test['score']:.2f}){capped}: " + " · ".join(reasons[:4]))
    return lines + [""]


def _baseline(data: dict) -> list[str]:
    base = data.get("baseline")
    if not base:
        return []
    now = base.get("now", "now")
    lines = [f"## Comparison: {base['label']} vs {now}", "", f"| Metric | {base['label']} | {now} | Change |",
             "|---|---|---|---|"]
    lines += [f"| {row['metric']} | {_pct(row['baseline'])} | {_pct(row['now'])} | **{row['change'] * 100:+.0f}%** |"
              for row in base["rows"]]
    return lines + [""]


def _pct(value: float, digits: int = 0) -> str:
    return f"{value * 100:.{digits}f}%"


# -- chart ----------------------------------------------------------------------------------------------
def write_chart(summary: Summary, path: Path) -> None:
    """Horizontal bars of category scores, a tick at each target, the pass threshold dashed (Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    cats = list(summary.categories.values())
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(cats) + 1.6))
    labels = [TITLES.get(c.category, c.category) for c in cats]
    colours = ["#2e7d32" if c.status == "met" else "#f9a825" if c.status == "near" else "#c62828" for c in cats]
    ax.barh(labels, [c.score for c in cats], color=colours)
    ax.scatter([c.target for c in cats], labels, marker="|", s=400, color="black", label="target", zorder=3)
    ax.scatter([c.threshold for c in cats], labels, marker="|", s=200, color="grey", label="pass threshold", zorder=3)
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel("category score (mean of case scores)")
    ax.set_title(f"overall {summary.overall:.2f} · {summary.passed}/{summary.total} passed")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=8, frameon=False)
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
    tmp.replace(path)
