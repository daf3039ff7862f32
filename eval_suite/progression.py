"""Base -> SFT -> DPO side by side: what each training stage changed, per category.

A run's validation folder keeps one `report-<stage>.json` per stage validated (`base` is the bare base model,
`vgpt2 validate --base`). Validating a later stage reads the earlier ones, in `ORDER`: the report then shows
every stage's score with its change from the stage before, so "did SFT teach anything, did DPO help" is one
table. The comparison with the one baseline (`--baseline`, or the stage just before) stays as it was.
"""

from __future__ import annotations

from pathlib import Path

ORDER = ("base", "sft", "dpo")  # the stages of a run, in the order they are trained


def earlier_reports(folder: Path, stage: str) -> list[Path]:
    """The reports of the stages before `stage` kept in `folder` (`report-base.json`, `report-sft.json`), in
    order; none when `stage` is not a run stage (recorded answers, an endpoint)."""
    if stage not in ORDER:
        return []
    found = [folder / f"report-{earlier}.json" for earlier in ORDER[:ORDER.index(stage)]]
    return [path for path in found if path.is_file()]


def progression(reports: list[dict], titles: dict[str, str]) -> dict:
    """{stages, rows: [{metric, values, changes}]}: overall, pass rate and each category, one value per stage,
    each change from the stage before (the first stage has none)."""
    metrics = [("Overall", lambda r: r["overall"]), ("Pass rate", lambda r: r["pass_rate"])]
    metrics += [(titles.get(name, name), _category(name)) for name in reports[-1]["categories"]]
    rows = []
    for metric, value in metrics:
        values = [_rounded(value(report)) for report in reports]
        changes = [None] + [None if a is None or b is None else round(b - a, 4) for a, b in zip(values, values[1:])]
        rows.append({"metric": metric, "values": values, "changes": changes})
    return {"stages": [report.get("stage") or "?" for report in reports], "rows": rows}


def _category(name: str):
    return lambda report: report["categories"].get(name, {}).get("score")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def progression_markdown(data: dict) -> list[str]:
    """The "Stages" section of report.md: one column per stage, each later one with its change."""
    found = data.get("stages")
    if not found:
        return []
    names = found["stages"]
    lines = [f"## Stages: {' → '.join(names)}", "", "| Metric | " + " | ".join(names) + " |",
             "|---|" + "---|" * len(names)]
    for row in found["rows"]:
        cells = [_cell(value, change) for value, change in zip(row["values"], row["changes"])]
        lines.append(f"| {row['metric']} | " + " | ".join(cells) + " |")
    return lines + [""]


def _cell(value: float | None, change: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.0f}%" + ("" if change is None else f" (**{change * 100:+.0f}**)")
