"""`report.html` in a real browser: headless Chromium (Debian's package; `.ci/run` installs it) loads the page
from disk with the network off, and a probe added to a copy of it reports what rendered."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from vgpt2_ext.cli import main

REPO = Path(__file__).resolve().parents[2]
IDEAL = Path(__file__).parent / "ideal_answers.jsonl"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars")
# runs on `load`: opens every test, then measures what a reader would see
PROBE = """<script>
window.addEventListener("load", () => {
  const img = document.querySelector("img.chart");
  const details = [...document.querySelectorAll("details")];
  details.forEach(d => { d.open = true; });
  const shown = sel => details.filter(d => [...d.querySelectorAll(sel)].some(e => e.offsetHeight > 0)).length;
  const gold = details.filter(d => d.querySelector("table tr + tr td") && d.textContent.includes("in the sandbox"));
  document.getElementById("probe").textContent = JSON.stringify({
    chart: img.complete ? img.naturalWidth : 0, chartShown: img.offsetWidth, details: details.length,
    answers: shown("pre"), checks: shown("table"), gold: gold.length,
    fail: document.querySelectorAll("summary .fail").length});
});
</script><pre id="probe"></pre>"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium is not installed: `.ci/run` installs Debian's `chromium` with apt-get, which "
                    "needs root (or sudo) and the Debian archive; this machine has neither")
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A real report: the ideal answers with one hallucination answered wrongly."""
    folder = tmp_path_factory.mktemp("report")
    rows = [json.loads(line) for line in IDEAL.read_text(encoding="utf-8").splitlines()]
    rows[next(i for i, row in enumerate(rows) if row["id"] == "halluc_001")]["response"] = "SELECT * FROM Invoice"
    answers = folder / "answers.jsonl"
    answers.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        assert main(["validate", "--responses", str(answers), "--report-dir", str(folder / "out")]) in (0, 1)
    return folder / "out" / "report.html"


def browse(page: Path, *args: str, cwd: Path) -> str:
    done = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={cwd / 'profile'}", *args, page.as_uri()],
                          cwd=cwd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_page_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert re.findall(r'(?:src|href)="(?!data:|#)[^"]*"', html) == []  # nothing fetched from anywhere
    assert html.count('src="data:image/png;base64,') == 1


def test_chromium_renders_the_chart_and_every_test_with_its_details(report: Path, tmp_path: Path) -> None:
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "\n</body>"), encoding="utf-8")
    dom = browse(probe, "--dump-dom", "--virtual-time-budget=5000", cwd=tmp_path)
    found = json.loads(re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1).replace("&quot;", '"'))
    assert found["chart"] == 900 and found["chartShown"] > 600  # the PNG decoded, shown near its own size
    assert found["details"] == 49 and found["answers"] == 49 and found["checks"] == 49
    assert found["gold"] >= 20  # the cases with gold SQL show the gold query's rows
    assert found["fail"] == 1


def test_a_screenshot_of_the_page_is_not_blank(report: Path, tmp_path: Path) -> None:
    from PIL import Image

    shot = tmp_path / "page.png"
    browse(report, f"--screenshot={shot}", "--window-size=1000,1400", cwd=tmp_path)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1000, 1400)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 100  # text, chart and tables, not an empty page
