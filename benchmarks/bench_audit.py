"""Dataset audit throughput: SFT rows proven per second on the real Vista export, on two cores.

Workloads (all against ../shared/fixtures/vista):
- `earlier VGPT2 SFT answers`: the earlier project's answers as alpaca SFT rows (instruction, input and the
  chosen answer of each of the 2,584 pairs in ../shared/reference/vgpt2_v3_dpo_pairs.json): third-party data,
  most of it failing grounding, audited with `--repair` as a team would.
- `vgpt2_sft on the Vista export`: our own SFT data built on the export (`--sft-examples`, seed 0; built once,
  not timed): every row passes, so every distinct query is parsed, grounded and executed in the sandbox.
- `earlier VGPT2 DPO pairs`: the pair file itself with `--repair` (both answers proven), for the README figures.

Each run is a fresh process pinned to two CPUs (its workers inherit the pinning), so no cache survives from
one run to the next. Figures per run: `setup_s` (imports done -> catalog loaded and its join paths inferred,
what any command on the export pays first), `audit_s` (`run_audit`: reading, proving, repairing, writing the
set of files), CPU seconds of the audit (the process and its workers), rows per second of `audit_s` (the goal)
and of the whole (`setup_s + audit_s`). Medians of `--runs` with two workers; one run with one worker in the
same session is the baseline of the speedup, and for our own rows the SFT data proof alone on the same rows
(one process and its sandbox worker) is the baseline of the audit's CPU cost. The load average (1 minute) is
recorded before and after: the machine is shared, and wall-clock figures measure the neighbours too (CPU seconds
do not). With `--baseline REV` each run of the two SFT workloads is paired with a run of git revision REV's code,
one after the other, so the ratio of the two medians compares code measured in the same minutes (this machine's
speed drifts 2x in an hour).
Goal: >= 500 SFT rows/s on 2 cores on the real Vista export. Results: benchmarks/results/audit.{json,md}.
    .venv/bin/python benchmarks/bench_audit.py [--runs 3] [--sft-examples 6000] [--baseline REV]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bench_data import export_revision
from rich.console import Console
from rich.table import Table

from vgpt2_ext.atomic import write_json, write_text

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
SHARED = REPO.parent / "shared"
FIXTURE = SHARED / "fixtures" / "vista"
PAIRS = SHARED / "reference" / "vgpt2_v3_dpo_pairs.json"
GOAL = {"rows_per_s": 500, "cores": 2}

# CPU seconds of a process and of its children it has reaped (workers, sandbox workers), for both scripts below
CPU = """
import resource

def cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
"""

# one run, in a fresh process: times the setup and the audit apart, prints the figures as JSON
RUN = CPU + """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from vgpt2_ext.audit.run import AuditRun, run_audit
from vgpt2_ext.catalog import load_catalog

target, catalog, out, repair, workers = sys.argv[1:6]
imported = time.perf_counter()
load_catalog(catalog).relationships
setup = time.perf_counter()
cpu0 = cpu()
result = run_audit(AuditRun(target, catalog, Path(out), repair=repair == "1", workers=int(workers)))
done = time.perf_counter()
print(json.dumps({"import_s": imported - start, "setup_s": setup - imported, "audit_s": done - setup,
                  "cpu_s": cpu() - cpu0, "rows": result.summary["rows"], "verdicts": result.summary["verdicts"]}))
"""


# the baseline, in a fresh process: the SFT data proof alone, as the build runs it (`prove_example` of every row,
# then `prove_sqls` of the distinct texts in one sandbox batch, in one process and its sandbox worker) on rows
# `make data` wrote, what the audit of those rows does at least; CPU seconds of both processes, as the audit's
# figure counts its workers and their sandboxes
BASELINE = CPU + """
import json, sys
from vgpt2_ext.catalog import load_catalog
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.proof import prove_example, prove_sqls
from vgpt2_ext.data.settings import DataSettings
from vgpt2_ext.sandbox import Sandbox

path, catalog = sys.argv[1:3]
catalog = load_catalog(catalog)
catalog.relationships
rows = [json.loads(line) for line in open(path, encoding="utf-8")]
cpu0 = cpu()
sandbox = Sandbox(catalog, rows_per_table=DataSettings().proof_rows)
found = [prove_example(Example(row["category"], row["source"], "", row["question"], row["conversations"][2]["value"],
                               tuple(row["tables"]), tuple(row["missing"]), tuple(row["suggest"])), catalog)
         for row in rows]
texts = list(dict.fromkeys(sql for one in found for sql in one.sqls))
proven = dict(zip(texts, prove_sqls(texts, catalog, sandbox)))
failed = sum(one.rejection is not None or any(proven[sql].rejection for sql in one.sqls) for one in found)
sandbox.close()  # its worker reaped, so its CPU time is counted
print(json.dumps({"cpu_s": cpu() - cpu0, "rows": len(rows), "failed": failed}))
"""


def baseline(target: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    found = subprocess.run([sys.executable, "-c", BASELINE, str(target), str(FIXTURE)], capture_output=True,
                           text=True, env=env, cwd=REPO, check=True)
    figures = json.loads(found.stdout.strip().splitlines()[-1])
    return {"rows": figures["rows"], "cpu_s": round(figures["cpu_s"], 2), "failed": figures["failed"]}


def load() -> float:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else float("nan")


def one_run(target: Path, repair: bool, workers: int, tree: Path = REPO) -> dict:
    """One audit in a fresh process running the code of `tree` (this checkout, or an exported revision)."""
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
        found = subprocess.run([sys.executable, "-c", RUN, str(target), str(FIXTURE), out, "1" if repair else "0",
                                str(workers)], capture_output=True, text=True, env=env, cwd=tree, check=True)
    figures = json.loads(found.stdout.strip().splitlines()[-1])
    rows, audit, setup = figures["rows"], figures["audit_s"], figures["setup_s"]
    return {"rows": rows, "setup_s": round(setup, 2), "audit_s": round(audit, 2), "cpu_s": round(figures["cpu_s"], 2),
            "rows_per_s": round(rows / audit, 1), "rows_per_s_with_setup": round(rows / (setup + audit), 1),
            "rows_per_cpu_s": round(rows / figures["cpu_s"], 1), "verdicts": figures["verdicts"]}


def measure(name: str, target: Path, repair: bool, runs: int, one_worker: bool, proof_alone: bool = False,
            against: tuple[str, Path] | None = None) -> dict:
    before = load()
    results, then = [], []
    for _ in range(runs):
        if against is not None:
            then.append(one_run(target, repair, GOAL["cores"], against[1]))
        results.append(one_run(target, repair, GOAL["cores"]))
    median = _median(results)
    entry = {"workload": name, "repair": repair, "runs": results, "median": median, "load_before": before}
    if then:
        entry["baseline"] = {"commit": against[0], "runs": then, "median": _median(then)}
        entry["ratio_to_baseline"] = round(median["audit_s"] / entry["baseline"]["median"]["audit_s"], 2)
    if one_worker:
        one = one_run(target, repair, 1)
        entry["one_worker"] = one
        entry["speedup"] = round(one["audit_s"] / median["audit_s"], 2)
    if proof_alone:
        entry["data_proof_alone"] = found = baseline(target)
        entry["cpu_ratio_to_data_proof"] = round(entry["one_worker"]["cpu_s"] / found["cpu_s"], 2)
    entry["load_after"] = load()
    return entry


def _median(results: list[dict]) -> dict:
    numeric = [key for key, value in results[0].items() if isinstance(value, (int, float))]
    return {key: statistics.median(r[key] for r in results) for key in numeric}


def sft_rows(folder: Path) -> Path:
    """The earlier project's pairs as alpaca SFT rows: the instruction, its input and the chosen answer."""
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))
    rows = [{"instruction": p["instruction"], "input": p["input"], "output": p["chosen"]} for p in pairs]
    path = folder / "vgpt2_v3_sft.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


def own_sft(folder: Path, examples: int) -> Path:
    """vgpt2_sft built on the Vista export (seed 0, two workers): the rows `make data CATALOG=...` writes."""
    from vgpt2_ext.data.pipeline import DataRun, run_build
    from vgpt2_ext.data.settings import DataSettings
    from vgpt2_ext.settings import Settings

    data = replace(DataSettings(), examples=examples, workers=GOAL["cores"], seed=0, decontaminate=None)
    settings = Settings(catalog=str(FIXTURE), schema_context="pruned", data=data)
    run_build(DataRun(settings, "You are VGPT2.", folder, model=None))
    return folder / "vgpt2_sft.jsonl"


def markdown(report: dict) -> str:
    lines = ["# Dataset audit benchmark", "", report["note"], "",
             "| workload | rows | repair | setup s | audit s | CPU s | rows/s | rows/s with setup | rows/CPU s "
             "| 1 worker: audit s | speedup | load before/after |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for entry in report["workloads"]:
        m, one = entry["median"], entry.get("one_worker")
        lines.append(f"| {entry['workload']} | {m['rows']:.0f} | {'on' if entry['repair'] else 'off'} | "
                     f"{m['setup_s']} | {m['audit_s']} | {m['cpu_s']} | {m['rows_per_s']} | "
                     f"{m['rows_per_s_with_setup']} | {m['rows_per_cpu_s']} | {one['audit_s'] if one else '-'} | "
                     f"{entry.get('speedup', '-')} | {entry['load_before']}/{entry['load_after']} |")
    for entry in report["workloads"]:
        if "baseline" in entry:
            then = entry["baseline"]["median"]
            lines += ["", f"Same-run baseline ({entry['workload']}): the code of `{entry['baseline']['commit']}`, each "
                          f"of its runs beside one of this tree's: {then['audit_s']} s, {then['rows_per_s']} rows/s; "
                          f"this tree / baseline = {entry['ratio_to_baseline']}."]
    for entry in report["workloads"]:
        if "data_proof_alone" in entry:
            alone = entry["data_proof_alone"]
            lines += ["", f"Baseline ({entry['workload']}): the SFT data proof alone on the same rows, one process "
                          f"and its sandbox worker (`prove_example` of each row, then `prove_sqls` of the distinct "
                          f"texts in one batch): "
                          f"{alone['cpu_s']} CPU s; the audit with one worker: {entry['one_worker']['cpu_s']} CPU s, "
                          f"ratio {entry['cpu_ratio_to_data_proof']}."]
    goal = report["goal"]
    lines += ["", f"Goal: >= {GOAL['rows_per_s']} SFT rows/s on {GOAL['cores']} cores on the real Vista export: "
              + "; ".join(f"{name}: {figure} rows/s ({'met' if figure >= GOAL['rows_per_s'] else 'NOT met'})"
                          for name, figure in goal.items()) + "."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sft-examples", type=int, default=6000)
    parser.add_argument("--baseline", help="git revision whose audit to run beside this tree's, for same-run ratios")
    args = parser.parse_args(argv)
    if not (FIXTURE / "information_schema_columns.csv").is_file() or not PAIRS.is_file():
        print(f"skipped: needs {FIXTURE} and {PAIRS}")
        return 0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: GOAL["cores"]])
    against = (args.baseline, Path(export_revision(args.baseline))) if args.baseline else None
    with tempfile.TemporaryDirectory() as folder:
        reference, own = sft_rows(Path(folder)), own_sft(Path(folder), args.sft_examples)
        workloads = [measure("earlier VGPT2 SFT answers", reference, True, args.runs, one_worker=True,
                             against=against),
                     measure("vgpt2_sft on the Vista export", own, False, args.runs, one_worker=True,
                             proof_alone=True, against=against),
                     measure("earlier VGPT2 DPO pairs", PAIRS, True, args.runs, one_worker=False)]
    goal = {entry["workload"]: entry["median"]["rows_per_s"] for entry in workloads[:2]}
    report = {"workloads": workloads, "goal": goal, "cpus": GOAL["cores"],
              "note": f"Medians of {args.runs} runs, each a fresh process pinned to {GOAL['cores']} of the machine's "
                      f"{os.cpu_count()} CPUs with two workers; the machine is shared with other work: the load "
                      f"average (1 minute) before and after each workload is in the last column."}
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_json(RESULTS / "audit.json", report)
    write_text(RESULTS / "audit.md", markdown(report))
    table = Table(title="dataset audit (medians, 2 workers on 2 CPUs)")
    for column in ("workload", "rows", "audit s", "rows/s", "rows/CPU s", "speedup", "load"):
        table.add_column(column)
    for entry in workloads:
        m = entry["median"]
        table.add_row(entry["workload"], f"{m['rows']:.0f}", str(m["audit_s"]), str(m["rows_per_s"]),
                      str(m["rows_per_cpu_s"]), str(entry.get("speedup", "-")),
                      f"{entry['load_before']}/{entry['load_after']}")
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
