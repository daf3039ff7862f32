"""The report as a user reads it: one status per category, changes in points, a chart read at a glance."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from eval_suite.chart import chart_figure, chart_png
from eval_suite.cli import _summary_table
from eval_suite.report import Meta, report_json, report_markdown, write_report
from eval_suite.report_html import report_html
from eval_suite.suite import Outcome, summarise
from vgpt2_ext.cli import main
from vgpt2_ext.judge import Verdict, passes
from vgpt2_ext.judge.settings import ValidateSettings

# Hallucination: mean 0.90 = its target, yet 4 of 10 cases fall under its 0.90 pass threshold
SCORES = {"sql_generation": [0.9, 0.8, 0.7], "hallucination": [1, 1, 1, 1, 1, 1, 0.85, 0.85, 0.65, 0.65],
          "business_logic": [0.2, 0.4]}
META = Meta("exp1", "dpo", "Qwen/Qwen2.5-7B-Instruct + adapters saves/exp1/sft,saves/exp1/dpo", "hf",
            "eval_suite/cases", "vista-sample (e970eb4caf58262a)", date="2026-01-01 12:00")


def summary_of(scores: dict[str, list[float]]):
    settings = ValidateSettings()
    outcomes = [Outcome(f"{category}_{n:03}", category, f"question {n}", "answer", Verdict(score, ()),
                        passes(Verdict(score, ()), getattr(settings.thresholds, category)))
                for category, values in scores.items() for n, score in enumerate(values, 1)]
    return summarise(outcomes, settings)


@pytest.fixture(scope="module")
def compared() -> dict:
    """The DPO report above compared with an SFT report whose hallucination cases all scored 0.74."""
    sft = Meta("exp1", "sft", "m", "hf", "eval_suite/cases", META.catalog, date="2025-12-31 12:00")
    before = report_json(summary_of({**SCORES, "hallucination": [0.74] * 10}), sft)
    return report_json(summary_of(SCORES), META, before)


def cells(table, column: int) -> dict[str, str]:
    return dict(zip(table.columns[0].cells, table.columns[column].cells))


def test_a_category_has_one_status_everywhere(compared) -> None:
    markdown = report_markdown(compared)
    assert "| Hallucination | **90%** | 90% | 6/10 | ✅ Meets target |" in markdown
    assert "### Hallucination (6/10 PASS, pass at 0.90) · ✅ Meets target" in markdown
    section = markdown.split("### Hallucination")[1].split("###")[0]
    assert "❌" not in section and "6/10" in section
    assert "### Business Logic (0/2 PASS, pass at 0.60) · ❌ Below target" in markdown
    html = report_html(compared, b"")
    assert '<h3>Hallucination (6/10 PASS, pass at 0.90) · <span class="met">● Meets target</span></h3>' in html
    assert cells(_summary_table(summary_of(SCORES), None), 4)["Hallucination"] == "✅ Meets target"


def test_changes_between_two_shares_are_points_not_percent(compared) -> None:
    markdown = report_markdown(compared)
    assert "| Hallucination | 74% | 90% | **+16 pts** |" in markdown and "+16%" not in markdown
    assert "<td>74%</td><td>+16 pts</td>" in report_html(compared, b"")
    baseline = {"categories": {"hallucination": {"score": 0.74}}}
    assert cells(_summary_table(summary_of(SCORES), baseline), 5)["Hallucination"] == "74% (+16 pts)"


def test_the_chart_carries_values_title_legend_and_baseline_without_overlaps(compared) -> None:
    from matplotlib import pyplot as plt

    fig = chart_figure(compared)
    try:
        ax = fig.axes[0]
        values = [text.get_text() for text in ax.texts if text.get_gid() == "value"]
        assert values == ["80% · 3/3 passed", "80%", "30% · 0/2 passed", "30%", "90% · 6/10 passed", "74%"]
        titles = " ".join(text.get_text() for text in fig.texts)
        assert "run exp1 · stage dpo" in titles and "model: Qwen/Qwen2.5-7B-Instruct + adapters" in titles
        labels = [text.get_text() for text in fig.legends[0].get_texts()]
        assert labels == ["score: meets target", "score: below target", "baseline: sft", "target",
                          "pass threshold of a case"]
        assert all(text.get_fontsize() >= 10 for text in [*fig.legends[0].get_texts(), *ax.get_yticklabels()])
        assert len([bar for bar in ax.patches if bar.get_gid() == "baseline"]) == 3
        _no_overlap(fig, ax)
    finally:
        plt.close(fig)


def _no_overlap(fig, ax) -> None:
    """The value labels clear every target line; a threshold triangle never sits on its target line, even where
    both are 0.90 (hallucination)."""
    renderer = fig.canvas.get_renderer()
    targets = [line for line in ax.lines if line.get_gid() == "target"]
    thresholds = [line for line in ax.lines if line.get_gid() == "threshold"]
    for text in (t for t in ax.texts if t.get_gid() == "value"):
        box = text.get_window_extent(renderer)
        for line in targets:
            x = ax.transData.transform((line.get_xdata()[0], 0))[0]
            assert not box.x0 <= x <= box.x1, f"{text.get_text()!r} is crossed by a target line"
    for target, threshold in zip(targets, thresholds):
        assert threshold.get_marker() == "v" and target.get_marker() in ("None", "", None)
        assert threshold.get_ydata()[0] < min(target.get_ydata())  # above the line (the y axis points down)


def test_the_png_is_900_pixels_wide_as_report_md_shows_it(compared) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(chart_png(compared)))
    assert image.format == "PNG" and image.size[0] == 900 and 300 < image.size[1] < 900


def test_validate_help_names_the_baseline_file_validation_writes(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    assert "--baseline saves/exp1/validation/report-sft.json" in capsys.readouterr().out
    data = report_json(summary_of(SCORES), Meta("exp1", "sft", "m", "hf", "c", "k"))
    paths = write_report(data, tmp_path / "saves" / "exp1" / "validation", ())
    assert (tmp_path / "saves" / "exp1" / "validation" / "report-sft.json").is_file()
    assert [p.name for p in paths] == ["report.md", "report.json", "report.png", "report.html", "responses.jsonl"]
    assert json.loads(paths[1].read_text())["stage"] == "sft"


def test_a_long_model_path_keeps_the_subtitle_inside_the_chart(compared) -> None:
    from matplotlib import pyplot as plt

    model = "/home/someone/projects/vgpt2/models/smollm2-135m-instruct + adapters saves/quality/sft,saves/quality/dpo"
    fig = chart_figure({**compared, "model": model})
    try:
        renderer, width = fig.canvas.get_renderer(), fig.bbox.width
        subtitle = next(text for text in fig.texts if "model:" in text.get_text())
        assert subtitle.get_window_extent(renderer).x1 <= width
        assert "/home/someone" in subtitle.get_text() and subtitle.get_text().endswith("saves/quality/dpo")
    finally:
        plt.close(fig)
