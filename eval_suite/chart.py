"""The report's picture (`report.png`): one row per category, read at a glance at the size report.md shows it.

Each row has the category's score as a bar coloured by its status (the same status the tables show), its value
and pass count written on the bar, the target as a black line across the row and the case pass threshold as
a grey triangle above it (two shapes, so a target equal to the threshold still shows both). With a baseline,
a grey bar above the current one carries the baseline's score. The title names the run, the stage and the
model; the legend sits under the axis in a frame. Drawn with matplotlib's Agg backend, 900 px wide at 100 dpi:
report.md and report.html show it at that size.
"""

from __future__ import annotations

import io
from typing import Any

STATUS_COLOURS = {"met": "#2e7d32", "near": "#f9a825", "below": "#c62828"}
STATUS_TEXT = {"met": "white", "near": "black", "below": "white"}
STATUS_LABELS = {"met": "meets target", "near": "near target (within 5 pts)", "below": "below target"}
BASELINE_COLOUR = "#b8b8b8"
WIDTH_IN, DPI = 9.0, 100
INSIDE = 0.22  # a bar at least this long carries its label inside


def chart_png(data: dict) -> bytes:
    """The PNG of a report (`report_json`'s dict): category scores against targets, baseline beside them."""
    from matplotlib import pyplot as plt

    fig = chart_figure(data)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()


def chart_figure(data: dict) -> Any:
    """The matplotlib figure `chart_png` saves (the caller closes it)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    from eval_suite.report import TITLES

    names = list(data["categories"])
    baseline = (data.get("baseline") or {}).get("categories") or {}
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.5 + len(names) * (0.85 if baseline else 0.6)), dpi=DPI)
    for row, name in enumerate(names):
        _row(ax, row, data["categories"][name], baseline.get(name), bool(baseline))
    ax.set_yticks(range(len(names)), [TITLES.get(name, name) for name in names], fontsize=11)
    ax.set_ylim(len(names) - 0.45, -0.7)
    ax.set_xlim(0, 1)
    ax.set_xticks([i / 5 for i in range(6)], [f"{i * 20}%" for i in range(6)], fontsize=10)
    ax.set_xlabel("category score (mean of its case scores)", fontsize=10)
    ax.grid(axis="x", color="#e0e0e0", zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    _title(fig, data)
    _legend(fig, data, baseline)
    return fig


def _row(ax: Any, row: int, cat: dict, base: float | None, paired: bool) -> None:
    """One category: its bar (and the baseline's above it), the target line, the threshold triangle. Each
    artist carries a `gid` naming its part, for the tests and for anyone reading the figure."""
    height = 0.34 if paired else 0.56
    y = row + (height / 2 + 0.02 if paired else 0)
    ax.barh(y, cat["score"], height=height, color=STATUS_COLOURS[cat["status"]], zorder=2, gid="score")
    _label(ax, y, cat["score"], f"{cat['score']:.0%} · {cat['passed']}/{cat['total']} passed",
           STATUS_TEXT[cat["status"]])
    if base is not None:
        y_base = row - height / 2 - 0.02
        ax.barh(y_base, base, height=height, color=BASELINE_COLOUR, zorder=2, gid="baseline")
        _label(ax, y_base, base, f"{base:.0%}", "black")
    top, bottom = row - 0.42, row + 0.36
    ax.plot([cat["target"]] * 2, [top + 0.06, bottom], color="black", linewidth=2.5, zorder=4, gid="target")
    ax.plot(cat["threshold"], top, marker="v", markersize=9, color="#616161", zorder=5, clip_on=False,
            gid="threshold")


def _label(ax: Any, y: float, value: float, text: str, colour: str) -> None:
    """At the start of a bar long enough to hold it (clear of the target line at its end), else after it."""
    if value >= INSIDE:
        ax.text(0.012, y, text, ha="left", va="center", fontsize=10, color=colour, fontweight="bold", zorder=3,
                gid="value")
    else:
        ax.text(value + 0.012, y, text, ha="left", va="center", fontsize=10, color="black", zorder=3, gid="value")


MODEL_CHARS = 68  # of the model's path in the subtitle: with the scores before it, the line fits the figure


def _title(fig: Any, data: dict) -> None:
    height = fig.get_figheight()
    fig.text(0.02, 1 - 0.38 / height, f"VGPT2 validation · run {data['run']} · stage {data['stage']}", fontsize=13,
             fontweight="bold", ha="left")
    model = str(data.get("model", ""))
    if len(model) > MODEL_CHARS:  # the base model's name starts it, the stages end it: the middle goes
        half = (MODEL_CHARS - 1) // 2
        model = model[:half] + "…" + model[-half:]
    fig.text(0.02, 1 - 0.68 / height, f"overall {data['overall']:.2f} · {data['passed']}/{data['total']} passed "
             f"({data['pass_rate']:.0%}) · model: {model}", fontsize=10, color="#424242", ha="left")


def _legend(fig: Any, data: dict, baseline: dict) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    shown = [status for status in STATUS_COLOURS if any(c["status"] == status for c in data["categories"].values())]
    handles = [Patch(color=STATUS_COLOURS[status], label=f"score: {STATUS_LABELS[status]}") for status in shown]
    if baseline:
        handles.append(Patch(color=BASELINE_COLOUR, label=f"baseline: {data['baseline']['label']}"))
    handles += [Line2D([], [], color="black", linewidth=2.5, label="target"),
                Line2D([], [], color="#616161", marker="v", markersize=9, linestyle="none",
                       label="pass threshold of a case")]
    height = fig.get_figheight()
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=10, frameon=True, edgecolor="#9e9e9e",
               bbox_to_anchor=(0.5, 0.06 / height))
    fig.subplots_adjust(left=0.19, right=0.97, top=1 - 0.95 / height, bottom=1.3 / height)
