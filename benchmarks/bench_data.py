"""SFT data building throughput: candidates produced and examples validated per second, default and real Vista.

Each run is a whole `make data` build minus the command line: the six builders, the proof of every candidate
(prose reading, then each distinct SQL parsed, grounded, style-checked and executed in the sandbox), hygiene,
prompt rendering (`schema_context: pruned`), the files, the registry and the card. The process and its workers
are pinned to two CPUs. Figures per run: wall seconds, CPU seconds of all processes (the parent and its
workers; on a machine shared with other work the wall clock also measures the neighbours, the CPU time does
not), candidates offered and examples validated per wall second and per CPU second. Medians of `--runs`.
Goal: >= 20,000 validated examples in under 60 s on 2 cores for the real Vista export.
`--baseline REV` measures the builders of git revision REV in the same run (its tree exported to a temporary
folder and run in a subprocess on the same catalog and settings), each of its runs just before one of this
tree's, so a machine whose speed drifts compares like with like; the 1-minute load average before and after
each measurement is recorded beside it.
Results: benchmarks/results/data.{json,md}.
    .venv/bin/python benchmarks/bench_data.py [--runs 3] [--sample-examples 6000] [--fixture-examples 20000]
    .venv/bin/python benchmarks/bench_data.py --runs 1 --sample-examples 0 --baseline ff06a31
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vgpt2_ext.atomic import write_json, write_text
from vgpt2_ext.data.pipeline import DataRun, run_build
from vgpt2_ext.data.settings import DataSettings
from vgpt2_ext.settings import Settings

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
FIXTURE = REPO.parent / "shared" / "fixtures" / "vista"
GOAL = {"examples": 20_000, "seconds": 60.0, "cores": 2}


def cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one_run(catalog: str | None, examples: int, seed: int, baseline: str | None = None) -> dict:
    if baseline:
        return _baseline_run(baseline, catalog, examples, seed)
    data = replace(DataSettings(), examples=examples, workers=GOAL["cores"], seed=seed,
                   decontaminate=str(REPO / "eval_suite" / "cases"))
    settings = Settings(catalog=catalog, schema_context="pruned", data=data)
    with tempfile.TemporaryDirectory() as out:
        cpu, wall = cpu_seconds(), time.perf_counter()
        result = run_build(DataRun(settings, "You are VGPT2.", Path(out), model=None))
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    offered = sum(result.report.offered.values())
    validated = result.card["examples"]
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "offered": offered, "validated": validated,
            "build_s": round(result.report.seconds, 2), "offered_per_s": round(offered / wall, 1),
            "validated_per_s": round(validated / wall, 1), "validated_per_cpu_s": round(validated / cpu, 1),
            "objects_used": result.card["coverage"]["objects_used"]}


def _baseline_run(tree: str, catalog: str | None, examples: int, seed: int) -> dict:
    """`one_run` of the builders in `tree` (an exported revision), in a subprocess that imports them."""
    code = (f"import json, sys; sys.path.insert(0, {str(REPO / 'benchmarks')!r}); import bench_data as b; "
            f"print(json.dumps(b.one_run({catalog!r}, {examples}, {seed})))")
    env = {**os.environ, "PYTHONPATH": tree}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(name: str, catalog: str | None, examples: int, runs: int, baseline: str | None = None,
            baseline_name: str = "") -> list[dict]:
    """This tree's runs (and, with `baseline`, that tree's, each seed's run of it just before this tree's)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    results, then = [], []
    for seed in range(runs):
        if baseline:
            then.append(one_run(catalog, examples, seed, baseline))
        results.append(one_run(catalog, examples, seed))
    after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return [_entry(label, examples, found, load, after)
            for label, found in ((name, results), (baseline_name, then)) if found]


def _entry(name: str, examples: int, results: list[dict], load: float | None, after: float | None) -> dict:
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    return {"catalog": name, "examples": examples, "runs": results, "median": median,
            "cpu_s_per_core": round(median["cpu_s"] / GOAL["cores"], 2), "load_before": load, "load_after": after}


def export_revision(revision: str) -> str:
    """The tree of git `revision` in a temporary folder (the old code, importable from there), its bytecode
    compiled as `make install` compiles ours (else every process of the baseline compiles it again)."""
    folder = tempfile.mkdtemp(prefix="bench-data-")
    archive = subprocess.run(["git", "archive", revision], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "vgpt2_ext", "eval_suite", "benchmarks"], cwd=folder,
                   env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""}, capture_output=True, check=True)
    return folder


def goal_check(fixture: dict | None) -> dict:
    if fixture is None:
        return {"met": None, "why": "the real Vista export is absent"}
    median = fixture["median"]
    met = median["validated"] >= GOAL["examples"] and median["wall_s"] < GOAL["seconds"]
    return {"met": met, "wall_s": median["wall_s"], "cpu_s_per_core": fixture["cpu_s_per_core"],
            "validated": median["validated"]}


def markdown(report: dict) -> str:
    lines = ["# Data building benchmark", "", report["note"], "",
             "| catalog | examples | wall s | CPU s | CPU s / 2 cores | offered/s | validated/s | validated/CPU s "
             "| objects used | load before/after |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for entry in report["catalogs"]:
        m = entry["median"]
        lines.append(f"| {entry['catalog']} | {m['validated']:.0f} | {m['wall_s']} | {m['cpu_s']} | "
                     f"{entry['cpu_s_per_core']} | {m['offered_per_s']} | {m['validated_per_s']} | "
                     f"{m['validated_per_cpu_s']} | {m['objects_used']:.0f} | "
                     f"{entry['load_before']:.1f} / {entry['load_after']:.1f} |")
    goal = report["goal"]
    lines += ["", f"Goal: >= {GOAL['examples']} validated examples in under {GOAL['seconds']:.0f} s on "
                  f"{GOAL['cores']} cores (real Vista export): "
                  + ("not measured (" + goal["why"] + ")" if goal["met"] is None else
                     f"{'met' if goal['met'] else 'NOT met'} by wall clock ({goal['wall_s']} s); CPU time spread "
                     f"over {GOAL['cores']} cores is {goal['cpu_s_per_core']} s.")]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample-examples", type=int, default=6000)
    parser.add_argument("--fixture-examples", type=int, default=20_000)
    parser.add_argument("--fixture", default=str(FIXTURE))
    parser.add_argument("--baseline", help="git revision whose builders to measure in the same run, for a ratio")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: GOAL["cores"]])
    old = export_revision(args.baseline) if args.baseline else None
    catalogs = (measure("embedded default (real Vista + overlay)", None, args.sample_examples, args.runs)
                if args.sample_examples else [])
    has_fixture = (Path(args.fixture) / "information_schema_columns.csv").is_file()
    if has_fixture:
        catalogs += measure("real Vista export", args.fixture, args.fixture_examples, args.runs, old,
                            f"real Vista export, builders of {args.baseline}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    fixture = next((c for c in catalogs if c["catalog"] == "real Vista export"), None)
    report = {"catalogs": catalogs, "goal": goal_check(fixture), "load_average": load,
              "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
              "note": f"Medians of {args.runs} runs (seeds 0..{args.runs - 1}), two worker processes, pruned "
                      f"prompts; 1-minute load average at the end: {load:.1f} on {os.cpu_count()} CPUs."}
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_json(RESULTS / "data.json", report)
    write_text(RESULTS / "data.md", markdown(report))
    table = Table(title="data building (medians)")
    for column in ("catalog", "validated", "wall s", "CPU s", "validated/s"):
        table.add_column(column)
    for entry in catalogs:
        m = entry["median"]
        table.add_row(entry["catalog"], f"{m['validated']:.0f}", str(m["wall_s"]), str(m["cpu_s"]),
                      str(m["validated_per_s"]))
    Console().print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
