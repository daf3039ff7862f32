"""Catalog load time and memory on the real Vista export (../shared/fixtures/vista): 3,373 objects, 59,764 columns.

Each run is a fresh Python process (cold: no cached catalog, no warm sqlglot), which reports its import, load
and relationship-inference times and its peak resident memory; one more process measures the peak of Python
allocations with tracemalloc (slower, so it is not timed). Goals: median load < 2 s, peak RSS < 500 MB.
Relationship inference is timed on its own: it runs on first use of `catalog.relationships`, not on load.
Results: benchmarks/results/catalog.{json,md}. Skipped, with a message, where the export is absent.
    .venv/bin/python benchmarks/bench_catalog.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
FIXTURE = REPO.parent / "shared" / "fixtures" / "vista"
LOAD_TARGET_S = 2.0
RSS_TARGET_MB = 500.0


def child(path: str, trace: bool) -> dict:
    """One cold measurement, run inside a fresh interpreter."""
    import resource
    import tracemalloc

    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    from vgpt2_ext.catalog import load_catalog

    imported = time.perf_counter()
    catalog = load_catalog(path)
    loaded = time.perf_counter()
    relationships = len(catalog.relationships)
    inferred = time.perf_counter()
    result = {"import_s": imported - start, "load_s": loaded - imported, "infer_s": inferred - loaded,
              "objects": len(catalog.objects), "columns": sum(len(o.columns) for o in catalog.objects),
              "relationships": relationships,
              "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if trace:
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    return result


def _cold(path: Path, trace: bool = False) -> dict:
    command = [sys.executable, __file__, "--child", str(path)] + (["--trace"] if trace else [])
    done = subprocess.run(command, check=True, cwd=REPO, capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])


def measure(path: Path, runs: int) -> dict:
    timed = [_cold(path) for _ in range(runs)]
    traced = _cold(path, trace=True)
    median = {key: round(statistics.median(run[key] for run in timed), 3) for key in ("import_s", "load_s", "infer_s")}
    peak_rss = round(max(run["peak_rss_mb"] for run in timed), 1)
    return {
        "catalog": str(path), "runs": runs, "cpu_count": os.cpu_count(),
        "objects": timed[0]["objects"], "columns": timed[0]["columns"], "relationships": timed[0]["relationships"],
        "load_s": [round(run["load_s"], 3) for run in timed], "infer_s": [round(run["infer_s"], 3) for run in timed],
        "import_median_s": median["import_s"], "load_median_s": median["load_s"], "infer_median_s": median["infer_s"],
        "peak_rss_mb": peak_rss, "tracemalloc_peak_mb": round(traced["tracemalloc_peak_mb"], 1),
        "load_target_s": LOAD_TARGET_S, "rss_target_mb": RSS_TARGET_MB,
        "passed": median["load_s"] < LOAD_TARGET_S and peak_rss < RSS_TARGET_MB,
    }


def _markdown(result: dict) -> str:
    verdict = "pass" if result["passed"] else "FAIL"
    return "\n".join([
        "# Catalog load: the real Vista export",
        "",
        f"{result['objects']:,} objects, {result['columns']:,} columns, {result['relationships']:,} inferred or "
        f"declared join paths; {result['runs']} cold runs (a fresh process each), {result['cpu_count']} CPUs.",
        "",
        "| measure | median | goal |",
        "| --- | --- | --- |",
        f"| import `vgpt2_ext.catalog` | {result['import_median_s']} s | |",
        f"| load (CSV export -> frozen catalog) | {result['load_median_s']} s | < {result['load_target_s']} s |",
        f"| relationship inference (first use) | {result['infer_median_s']} s | |",
        f"| peak RSS of the process (max of runs) | {result['peak_rss_mb']} MB | < {result['rss_target_mb']} MB |",
        f"| peak Python allocations (tracemalloc) | {result['tracemalloc_peak_mb']} MB | |",
        "",
        f"Load and memory goals: {verdict}.",
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="cold runs (default: 7)")
    parser.add_argument("--catalog", type=Path, default=FIXTURE, help="the export to load (default: the fixture)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.trace)))
        return 0
    if not (args.catalog / "information_schema_columns.csv").is_file():
        print(f"bench_catalog: skipped, no catalog export at {args.catalog} (see ../shared/fixtures/vista)")
        return 0
    from vgpt2_ext.atomic import write_json, write_text

    result = measure(args.catalog.resolve(), args.runs)
    write_json(RESULTS / "catalog.json", result)
    write_text(RESULTS / "catalog.md", _markdown(result))
    print(_markdown(result))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
