"""The judge on real answers: agreement with careful human labels, and the time it takes to score them.

The earlier model's 49 recorded answers (`../shared/reference/vgpt2_v3_dpo_answers.jsonl`) are scored against
the real Vista export with the reference cases, as
`vgpt2 validate --cases eval_suite/reference --catalog ../shared/fixtures/vista --responses ...` scores them,
and compared with the hand labels of `benchmarks/reference_labels.yaml`:
1. Agreement: the share of answers whose verdict (pass or fail) is the human label's, for the judge now, for
   the judge before round 2 (the labels' `before`) and for the keyword scorer the earlier project used (the
   answers' `seed_passed`); with the confusion counts and every disagreement.
2. The per-test verdicts: human, before, now, and the recorded reason; a verdict that changed from `before`
   without a recorded `change` reason is marked UNREVIEWED (the labels must then be reviewed again).
3. Scoring time: the 49 answers with a fresh sandbox (catalog loaded and its join paths inferred first),
   answers made unique per run so no analysis cache serves them; median and first run, wall and CPU seconds
   (CPU: the process, DuckDB's threads included, and the sandbox's worker process). Goal < 2 s. The baseline
   is the judge at `--baseline` (the round-2 branch point), checked out with `git archive` and timed in the
   same run, alternating with the judge now, each in its own process; its verdicts are checked against the
   labels' `before`.
Results: benchmarks/results/judge.{json,md}.
    .venv/bin/python benchmarks/bench_judge.py [--runs 3] [--baseline ff06a31]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from eval_suite.suite import score_cases
from vgpt2_ext.atomic import write_json, write_text
from vgpt2_ext.backends.responses import load_responses
from vgpt2_ext.catalog import load_catalog
from vgpt2_ext.judge import load_cases
from vgpt2_ext.judge.settings import ValidateSettings
from vgpt2_ext.sandbox import Sandbox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validate import unique  # noqa: E402 - the one way benchmarks make answers unique

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
CASES = REPO / "eval_suite" / "reference"
LABELS = REPO / "benchmarks" / "reference_labels.yaml"
ANSWERS = REPO.parent / "shared" / "reference" / "vgpt2_v3_dpo_answers.jsonl"
FIXTURE = REPO.parent / "shared" / "fixtures" / "vista"
GOAL_S = 2.0


def measure(runs: int) -> dict:
    """Score the answers `runs` times with the code on this process's path: verdicts of the last run, times."""
    cases, catalog = load_cases(CASES), load_catalog(FIXTURE)
    catalog.relationships  # noqa: B018 - inferred once per catalog, before scoring
    answers = load_responses(ANSWERS)
    wall, cpu, outcomes = [], [], []
    for run in range(runs):
        texts = {case_id: unique(answer, run) for case_id, answer in answers.items()}
        start, start_cpu = time.perf_counter(), cpu_seconds()
        sandbox = Sandbox(catalog)
        outcomes = score_cases(cases, texts, catalog, ValidateSettings(), sandbox=sandbox)
        wall.append(time.perf_counter() - start)
        getattr(sandbox, "close", lambda: None)()  # its worker process, reaped, counts among the children
        cpu.append(cpu_seconds() - start_cpu)
    return {"passed": {o.id: o.passed for o in outcomes}, "scores": {o.id: o.score for o in outcomes},
            "wall": wall, "cpu": cpu}


def cpu_seconds() -> float:
    """CPU seconds of this process (DuckDB's threads included) and of its reaped children: the sandbox's worker
    process, where queries run and tables are built, counts once its sandbox is closed."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(code: Path, runs: int) -> dict:
    """`measure` in a process of its own that imports the judge from `code` (a source tree)."""
    found = subprocess.run([sys.executable, __file__, "--worker", str(runs)], capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(code)}, cwd=REPO, check=True)
    return json.loads(found.stdout.strip().splitlines()[-1])


def baseline_tree(commit: str, into: Path) -> Path:
    """The judge's sources at `commit` (vgpt2_ext and eval_suite), unpacked under `into`."""
    archive = subprocess.run(["git", "archive", commit, "vgpt2_ext", "eval_suite"], cwd=REPO, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def compare_speed(runs: int, rounds: int, commit: str) -> tuple[dict, dict]:
    """Now and the baseline, alternating `rounds` times, `runs` scorings each: (now's last measure, timing)."""
    samples: dict[str, dict[str, list[float]]] = {"now": {"wall": [], "cpu": []}, "baseline": {"wall": [], "cpu": []}}
    last: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = baseline_tree(commit, Path(tmp))
        for _ in range(rounds):
            for name, code in (("baseline", base), ("now", REPO)):
                last[name] = timed(code, runs)
                samples[name]["wall"] += last[name]["wall"]
                samples[name]["cpu"] += last[name]["cpu"]
    timing = {name: {"first_run_s": got["wall"][0], "seconds": statistics.median(got["wall"]),
                     "cpu_seconds": statistics.median(got["cpu"]), "runs": len(got["wall"])}
              for name, got in samples.items()}
    timing["ratio_wall"] = timing["now"]["seconds"] / timing["baseline"]["seconds"]
    timing["ratio_cpu"] = timing["now"]["cpu_seconds"] / timing["baseline"]["cpu_seconds"]
    timing.update(goal_s=GOAL_S, baseline_commit=commit, answers=len(last["now"]["passed"]))
    return {**last["now"], "baseline_passed": last["baseline"]["passed"]}, timing


def agreement(measured: dict, labels: dict[str, dict], seeds: dict[str, bool]) -> dict:
    """Agreement of each scorer with the human labels, and the per-test rows."""
    rows = []
    for case_id, passed in measured["passed"].items():
        label = labels[case_id]
        now = "pass" if passed else "fail"
        reviewed = now == label["before"] or bool(label.get("change"))
        rows.append({"id": case_id, "human": label["human"], "before": label["before"], "now": now,
                     "baseline": "pass" if measured["baseline_passed"][case_id] else "fail",
                     "keyword": "pass" if seeds[case_id] else "fail", "score": measured["scores"][case_id],
                     "reviewed": reviewed, "why": " ".join(label["why"].split()),
                     "change": " ".join(label.get("change", "").split())})
    scorers = {name: _agree(rows, name) for name in ("now", "before", "keyword")}
    return {"scorers": scorers, "tests": rows}


def _agree(rows: list[dict], scorer: str) -> dict:
    counts = {f"{h}_{s}": sum(r["human"] == h and r[scorer] == s for r in rows)
              for h in ("pass", "fail") for s in ("pass", "fail")}
    agreed = counts["pass_pass"] + counts["fail_fail"]
    return {"agreed": agreed, "total": len(rows), "share": agreed / len(rows), **counts,
            "disagreements": [r["id"] for r in rows if r["human"] != r[scorer]]}


def markdown(result: dict) -> str:
    timing, scorers = result["timing"], result["agreement"]["scorers"]
    names = {"now": "judge (round 2)", "before": "judge before round 2", "keyword": "keyword scorer (v3 suite)"}
    now, base = timing["now"], timing["baseline"]
    met = max(now["seconds"], now["first_run_s"]) < timing["goal_s"]
    lines = ["# Judge: agreement with human labels and scoring time", "",
             f"The earlier model's {timing['answers']} recorded answers, reference cases, real Vista export; hand "
             f"labels in `benchmarks/reference_labels.yaml`. {result['machine']}.", "",
             "| scorer | agrees | share | passes what a human fails | fails what a human passes | disagreements |",
             "| --- | --- | --- | --- | --- | --- |"]
    for key, name in names.items():
        s = scorers[key]
        lines.append(f"| {name} | {s['agreed']}/{s['total']} | {s['share']:.0%} | {s['fail_pass']} | {s['pass_fail']} "
                     f"| {', '.join(s['disagreements']) or '-'} |")
    lines += ["", f"Scoring the {timing['answers']} answers with a fresh sandbox, medians of {now['runs']} runs, "
                  f"alternating with the baseline `{timing['baseline_commit']}` in the same session (load average "
                  f"{result['load']:.1f} on {result['cpus']} CPUs while measured):", "",
              "| judge | wall | CPU | first run |", "| --- | --- | --- | --- |",
              f"| before round 2 (`{timing['baseline_commit']}`) | {base['seconds']:.2f} s "
              f"| {base['cpu_seconds']:.2f} s | {base['first_run_s']:.2f} s |",
              f"| round 2 | {now['seconds']:.2f} s | {now['cpu_seconds']:.2f} s | {now['first_run_s']:.2f} s |",
              f"| ratio | x{timing['ratio_wall']:.2f} | x{timing['ratio_cpu']:.2f} | |", "",
              f"Goal < {timing['goal_s']:.0f} s: {'met' if met else 'not met on this machine under this load'}; "
              f"round 2 costs x{timing['ratio_cpu']:.2f} the CPU of the judge before it.", "",
              "## Per-test verdicts", "",
              "| test | human | before | now | score | reason (and what changed) |",
              "| --- | --- | --- | --- | --- | --- |"]
    for row in result["agreement"]["tests"]:
        mark = "" if row["reviewed"] else " **UNREVIEWED**"
        mark += "" if row["baseline"] == row["before"] else f" (baseline gave {row['baseline']})"
        change = f" Changed: {row['change']}" if row["now"] != row["before"] else ""
        verdict = row["now"] if row["now"] == row["human"] else f"**{row['now']}**"
        lines.append(f"| {row['id']} | {row['human']} | {row['before']} | {verdict}{mark} | {row['score']:.2f} "
                     f"| {row['why']}{change} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="scorings per process")
    parser.add_argument("--rounds", type=int, default=2, help="processes per judge, alternating")
    parser.add_argument("--baseline", default="ff06a31", help="the commit of the judge before round 2")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not (FIXTURE / "information_schema_columns.csv").is_file() or not ANSWERS.is_file():
        print(f"skipped: needs the real Vista export at {FIXTURE} and the answers at {ANSWERS}")
        return 0
    if args.worker:
        print(json.dumps(measure(args.worker)))
        return 0
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["labels"]
    seeds = {row["id"]: row["seed_passed"] for row in map(json.loads, ANSWERS.read_text(encoding="utf-8").splitlines())}
    measured, timing = compare_speed(args.runs, args.rounds, args.baseline)
    result = {"runs": args.runs, "machine": f"{platform.processor() or platform.machine()}, "
                                            f"{len(os.sched_getaffinity(0))} CPU(s)",
              "cpus": os.cpu_count(), "load": os.getloadavg()[0], "timing": timing,
              "agreement": agreement(measured, labels, seeds)}
    write_json(RESULTS / "judge.json", result)
    write_text(RESULTS / "judge.md", markdown(result))
    table = Table(title="judge: agreement with human labels")
    for column in ("scorer", "agrees", "disagreements"):
        table.add_column(column)
    for name, found in result["agreement"]["scorers"].items():
        table.add_row(name, f"{found['agreed']}/{found['total']} ({found['share']:.0%})",
                      ", ".join(found["disagreements"]))
    Console().print(table)
    Console().print(f"scoring: {timing['now']['seconds']:.2f} s median ({timing['now']['cpu_seconds']:.2f} s CPU); "
                    f"x{timing['ratio_cpu']:.2f} the CPU of `{args.baseline}`; goal < {GOAL_S:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
