"""The summary of a finished training stage, read from the trainer state LLaMA-Factory leaves in its folder.

`trainer_state.json` holds `log_history`: a row per logging step with the loss and, for DPO, the implicit
rewards (`rewards/chosen` and `rewards/rejected` = beta x the policy's log-ratio to the reference model on each
answer, `rewards/margins` = their difference, `rewards/accuracies` = the share of pairs where chosen out-rewards
rejected). Where it is missing, `trainer_log.jsonl` gives the loss (and, for DPO, the accuracy). The summary
keeps, per metric, its first and last logged value and the mean of the last quarter of the run (less noisy
than one step), and draws the curves:

    saves/<run>/<stage>/summary.json          the figures and the curves' points
    saves/<run>/<stage>/<stage>_curves.png    loss; for DPO also accuracy and margins (chosen/rejected rewards)

At step 1 of a DPO run that starts from its reference (the SFT model), both rewards are 0: the policy *is* the
reference until the first update. A non-zero first reward means the reference is another model.
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.table import Table

from vgpt2_ext.atomic import write_json

METRICS = ("loss", "rewards/accuracies", "rewards/margins", "rewards/chosen", "rewards/rejected")
_FROM_LOG = {"loss": "loss", "accuracy": "rewards/accuracies"}  # trainer_log.jsonl names -> ours


def history(folder: str | Path) -> list[dict]:
    """The logged training steps (rows with a `step` and a loss), from the trainer state or the trainer log."""
    folder = Path(folder)
    try:
        rows = json.loads((folder / "trainer_state.json").read_text(encoding="utf-8"))["log_history"]
        return [row for row in rows if "loss" in row and "step" in row]
    except (OSError, ValueError, KeyError, TypeError):
        return _from_log(folder / "trainer_log.jsonl")


def _from_log(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    rows = [json.loads(line) for line in lines if line.strip()]
    return [{"step": row["current_steps"], **{ours: row[theirs] for theirs, ours in _FROM_LOG.items() if theirs in row}}
            for row in rows if "loss" in row]


def summarise(rows: list[dict], stage: str) -> dict:
    """Per metric: first, last and last-quarter mean, and the curve's points."""
    curves = {m: [[row["step"], row[m]] for row in rows if isinstance(row.get(m), (int, float))] for m in METRICS}
    curves = {m: points for m, points in curves.items() if points}
    figures = {}
    for metric, points in curves.items():
        tail = [value for _, value in points[-max(1, len(points) // 4):]]
        figures[metric] = {"first": points[0][1], "last": points[-1][1], "tail_mean": sum(tail) / len(tail)}
    return {"stage": stage, "steps": rows[-1]["step"] if rows else 0, "metrics": figures, "curves": curves}


def write_summary(folder: str | Path, stage: str) -> dict | None:
    """Write `summary.json` and `<stage>_curves.png` into a finished stage's folder; None without a history."""
    folder = Path(folder)
    rows = history(folder)
    if not rows:
        return None
    summary = summarise(rows, stage)
    summary["files"] = {"summary": str(folder / "summary.json"), "curves": str(folder / f"{stage}_curves.png")}
    write_json(folder / "summary.json", summary)
    draw(summary, folder / f"{stage}_curves.png")
    return summary


def draw(summary: dict, path: Path) -> None:
    """One panel per group: loss; accuracy; margins with the chosen and rejected rewards (Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    curves = summary["curves"]
    panels = [group for group in (("loss",), ("rewards/accuracies",),
                                  ("rewards/margins", "rewards/chosen", "rewards/rejected"))
              if any(m in curves for m in group)]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.4), squeeze=False)
    for ax, group in zip(axes[0], panels):
        for metric in (m for m in group if m in curves):
            steps, values = zip(*curves[metric])
            ax.plot(steps, values, label=metric, marker="." if len(steps) < 30 else None)
        ax.set_xlabel("step")
        ax.set_title(group[0])
        ax.legend(fontsize=7)
    fig.suptitle(f"{summary['stage']}: {summary['steps']} steps")
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
    tmp.replace(path)


def summary_table(summary: dict) -> Table:
    table = Table(title=f"{summary['stage']} run summary ({summary['steps']} steps)", title_justify="left")
    for name in ("metric", "first", "last", "last-quarter mean"):
        table.add_column(name, justify="left" if name == "metric" else "right")
    for metric, values in summary["metrics"].items():
        table.add_row(metric, *(f"{values[k]:.4g}" for k in ("first", "last", "tail_mean")))
    table.caption = f"{summary['files']['summary']}, {summary['files']['curves']}"
    return table
