"""`report.html`: the report as one self-contained page to share in a browser.

The same content as report.md (header, warnings, the chart, the category table, per-test results, the
comparison with a baseline), with every test as a `<details>` element that expands to its question, the
answer, the checks the judge ran and the gold query with its first rows. Nothing is fetched: the chart is a
data URI, the style is inline, there is no script. Every text from a case or an answer is escaped.
"""

from __future__ import annotations

import base64
from html import escape

from eval_suite.report import MARKS, TITLES, failure_reasons, heading, pct, points

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #212121; max-width: 980px;
       margin: 24px auto; padding: 0 16px; }
h1 { font-size: 26px; margin-bottom: 4px; } h2 { margin-top: 32px; border-bottom: 1px solid #e0e0e0; }
h3 { font-size: 17px; margin: 22px 0 6px; } h4 { margin: 12px 0 4px; font-size: 14px; color: #424242; }
.meta { color: #424242; margin: 2px 0; } .tiles { display: flex; gap: 12px; margin: 16px 0; }
.tile { border: 1px solid #e0e0e0; border-radius: 6px; padding: 8px 14px; }
.tile b { display: block; font-size: 22px; } .warning { background: #fff8e1; border-left: 4px solid #f9a825;
       padding: 8px 12px; margin: 8px 0; }
img.chart { max-width: 100%; height: auto; border: 1px solid #eeeeee; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border: 1px solid #e0e0e0; padding: 4px 8px;
       text-align: left; vertical-align: top; } th { background: #f5f5f5; }
details { border: 1px solid #e0e0e0; border-radius: 4px; margin: 4px 0; padding: 4px 10px; }
details[open] { background: #fafafa; } summary { cursor: pointer; }
.pass { color: #2e7d32; font-weight: bold; } .fail { color: #c62828; font-weight: bold; }
.met { color: #2e7d32; } .near { color: #b26a00; } .below { color: #c62828; }
.score { display: inline-block; min-width: 3em; } pre { white-space: pre-wrap; background: #f5f5f5;
       padding: 8px; border-radius: 4px; font-size: 13px; } td.num { text-align: right; }
"""


def report_html(data: dict, chart: bytes) -> str:
    """The page for a report (`report_json`'s dict) and its chart (PNG bytes)."""
    title = f"VGPT2 validation · run {data['run']} · stage {data['stage']}"
    body = [*_header(data), *(f'<p class="warning">⚠️ {escape(w)}</p>' for w in data.get("warnings", [])),
            f'<img class="chart" alt="category scores against targets" width="900" '
            f'src="data:image/png;base64,{base64.b64encode(chart).decode("ascii")}">',
            *_categories(data), *_tests(data), *_comparison(data)]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _header(data: dict) -> list[str]:
    failed = data["total"] - data["passed"]
    tiles = [("Overall score", f"{data['overall']:.2f}"), ("Passed", f"{data['passed']} / {data['total']}"),
             ("Pass rate", pct(data["pass_rate"], 1)), ("Failed", str(failed))]
    return ["<h1>VGPT2 Validation Report</h1>",
            f'<p class="meta">{escape(data["date"])} · run <b>{escape(data["run"])}</b> · stage '
            f'<b>{escape(data["stage"])}</b> · model {escape(data["model"])}</p>',
            f'<p class="meta">backend {escape(data["backend"])} · cases <code>{escape(data["cases"])}</code> · '
            f'catalog {escape(data["catalog"])}</p>',
            '<div class="tiles">' + "".join(f'<div class="tile">{name}<b>{value}</b></div>' for name, value in tiles)
            + "</div>"]


def _categories(data: dict) -> list[str]:
    base = data.get("baseline") or {}
    extra = f"<th>{escape(base['label'])}</th><th>Change</th>" if base else ""
    rows = []
    for name, cat in data["categories"].items():
        cells = [TITLES.get(name, name), f"<b>{pct(cat['score'])}</b>", pct(cat["target"]),
                 f"{cat['passed']}/{cat['total']}", _status(cat["status"])]
        if base:
            before = base.get("categories", {}).get(name)
            cells += ["", ""] if before is None else [pct(before), points(cat["score"] - before)]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return ["<h2>Category Breakdown</h2>", "<table><tr><th>Category</th><th>Score</th><th>Target</th>"
            f"<th>Passed</th><th>Status</th>{extra}</tr>", *rows, "</table>"]


def _tests(data: dict) -> list[str]:
    lines = ["<h2>Individual Test Results</h2>",
             "<p>Each test opens to its question, the answer, the judge's checks and the gold result.</p>"]
    for name, cat in data["categories"].items():
        lines.append(f"<h3>{escape(heading(name, cat))} · {_status(cat['status'])}</h3>")
        lines += [_test(test) for test in data["tests"] if test["category"] == name]
    return lines


def _status(status: str) -> str:
    """`● Meets target` in the status colour (the text of MARKS without its emoji)."""
    return f'<span class="{status}">● {MARKS[status].split(" ", 1)[1]}</span>'


def _test(test: dict) -> str:
    verdict = '<span class="pass">PASS</span>' if test["passed"] else '<span class="fail">FAIL</span>'
    why = "" if test["passed"] else f" <small>{escape(_clip(failure_reasons(test)))}</small>"
    answer = test["response"] or "(no answer)"
    return (f'<details id="{escape(test["id"])}"><summary><span class="score">{test["score"]:.2f}</span> {verdict} '
            f"<b>{escape(test['id'])}</b>{why}</summary>\n"
            f"<h4>Question</h4><p>{escape(test.get('question') or '')}</p>\n"
            f"<h4>Answer</h4><pre>{escape(answer)}</pre>\n<h4>Checks</h4>{_checks(test)}\n"
            f"<h4>Gold result</h4>{_gold(test.get('gold'))}\n</details>")


def _clip(text: str, width: int = 150) -> str:
    """A summary line stays one or two lines; the checks table below it has every word."""
    return text if len(text) <= width else text[:width - 1] + "…"


def _checks(test: dict) -> str:
    rows = []
    for check in test["checks"]:
        state = "skipped" if check.get("skipped") else "gate failed" if check["name"] in test.get("gates", []) else ""
        rows.append(f"<tr><td>{escape(check['name'])}</td><td class=\"num\">{check['score']:.2f}</td>"
                    f"<td>{escape(state)}</td><td>{escape(check['detail'])}</td></tr>")
    return ("<table><tr><th>check</th><th>score</th><th></th><th>detail</th></tr>" + "".join(rows) + "</table>"
            if rows else "<p>no checks ran</p>")


def _gold(gold: dict | None) -> str:
    if not gold:
        return "<p>no gold query: judged by the case's expectations (the checks above)</p>"
    sql = f"<pre>{escape(gold['sql'])}</pre>"
    if "error" in gold:
        return sql + f"<p>the gold query failed: {escape(gold['error'])}</p>"
    head = "".join(f"<th>{escape(column)}</th>" for column in gold["columns"])
    rows = "".join("<tr>" + "".join(f"<td>{escape('NULL' if v is None else v)}</td>" for v in row) + "</tr>"
                   for row in gold["rows"])
    shown = f"first {len(gold['rows'])} of {gold['row_count']} rows" if gold["row_count"] > len(gold["rows"]) \
        else f"{gold['row_count']} row(s)"
    return sql + f"<p>{shown} in the sandbox:</p><table><tr>{head}</tr>{rows}</table>"


def _comparison(data: dict) -> list[str]:
    base = data.get("baseline")
    if not base:
        return []
    rows = "".join(f"<tr><td>{escape(row['metric'])}</td><td>{pct(row['baseline'])}</td><td>{pct(row['now'])}</td>"
                   f"<td><b>{points(row['change'])}</b></td></tr>" for row in base["rows"])
    return [f"<h2>Comparison: {escape(base['label'])} vs {escape(base.get('now', 'now'))}</h2>",
            f"<table><tr><th>Metric</th><th>{escape(base['label'])}</th><th>{escape(base.get('now', 'now'))}</th>"
            f"<th>Change</th></tr>{rows}</table>"]
