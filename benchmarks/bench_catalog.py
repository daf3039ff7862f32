"""Catalog load time and memory at real Vista scale (3,373 objects, 59,764 columns): the embedded default
(`load_catalog(None)`: the export zipped in the package, read in place, with the described overlay laid over
it) and, as the baseline in the same run, the uncompressed export in ../shared/fixtures/vista.

Each run is a fresh Python process (cold: no cached catalog, no warm sqlglot), which reports its import, load,
cached second load and relationship-inference times, the CPU time of the load (what a busy shared machine does
not inflate) and its peak resident memory; one more process per
catalog measures the peak of Python allocations with tracemalloc (slower, so it is not timed). Goals: median
load < 2 s, peak RSS < 500 MB. Relationship inference is timed on its own: it runs on first use of
`catalog.relationships`, not on load. Results: benchmarks/results/catalog.{json,md}. The fixture is skipped,
with a message, where it is absent; the default is always there.
    .venv/bin/python benchmarks/bench_catalog.py [--runs 7] [--catalog PATH]
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
DEFAULT = "default"  # the child's word for load_catalog(None)
LOAD_TARGET_S = 2.0
RSS_TARGET_MB = 500.0
TIMED = ("import_s", "load_s", "load_cpu_s", "cached_s", "infer_s")


def child(path: str, trace: bool) -> dict:
    """One cold measurement, run inside a fresh interpreter."""
    import resource
    import tracemalloc

    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    from vgpt2_ext.catalog import load_catalog

    imported, cpu = time.perf_counter(), time.process_time()
    catalog = load_catalog(None if path == DEFAULT else path)
    loaded, load_cpu = time.perf_counter(), time.process_time() - cpu
    load_catalog(None if path == DEFAULT else path)
    cached = time.perf_counter()
    relationships = len(catalog.relationships)
    inferred = time.perf_counter()
    result = {"import_s": imported - start, "load_s": loaded - imported, "load_cpu_s": load_cpu,
              "cached_s": cached - loaded,
              "infer_s": inferred - cached, "objects": len(catalog.objects),
              "columns": sum(len(o.columns) for o in catalog.objects), "relationships": relationships,
              "described": sum(1 for o in catalog.objects if o.description and o.kind == "view"),
              "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if trace:
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    return result


def _cold(path: str, trace: bool = False) -> dict:
    command = [sys.executable, __file__, "--child", path] + (["--trace"] if trace else [])
    done = subprocess.run(command, check=True, cwd=REPO, capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])


def measure(path: str, runs: int) -> dict:
    """`runs` cold runs of one catalog, interleaving nothing: call it once per catalog."""
    timed = [_cold(path) for _ in range(runs)]
    traced = _cold(path, trace=True)
    first = timed[0]
    result = {"catalog": path, "objects": first["objects"], "columns": first["columns"],
              "relationships": first["relationships"], "described_views": first["described"]}
    for key in TIMED:
        result[key] = [round(run[key], 4) for run in timed]
        result[key.replace("_s", "_median_s")] = round(statistics.median(run[key] for run in timed), 4)
    result["peak_rss_mb"] = round(max(run["peak_rss_mb"] for run in timed), 1)
    result["tracemalloc_peak_mb"] = round(traced["tracemalloc_peak_mb"], 1)
    result["passed"] = result["load_median_s"] < LOAD_TARGET_S and result["peak_rss_mb"] < RSS_TARGET_MB
    return result


def _markdown(result: dict) -> str:
    measured = result["catalogs"]
    names = list(measured)
    lines = [
        "# Catalog load: real Vista",
        "",
        f"{result['runs']} cold runs per catalog (a fresh process each), {result['cpu_count']} CPUs, load average "
        f"{result['load_average']} at the start. `default` is `load_catalog(None)`: the export zipped in the "
        "package plus the described overlay; `fixture` is the same export as plain CSVs.",
        "",
        "| measure (median) | " + " | ".join(names) + " | goal |",
        "| --- | " + " | ".join("---" for _ in names) + " | --- |",
        _row("objects / columns", [f"{m['objects']:,} / {m['columns']:,}" for m in measured.values()]),
        _row("described views", [f"{m['described_views']:,}" for m in measured.values()]),
        _row("import `vgpt2_ext.catalog`", [f"{m['import_median_s']} s" for m in measured.values()]),
        _row("load (-> frozen catalog)", [f"{m['load_median_s']} s" for m in measured.values()],
             f"< {LOAD_TARGET_S} s"),
        _row("load, CPU time", [f"{m['load_cpu_median_s']} s" for m in measured.values()]),
        _row("second load (cached)", [f"{m['cached_median_s']} s" for m in measured.values()]),
        _row("relationship inference (first use)", [f"{m['infer_median_s']} s" for m in measured.values()]),
        _row("peak RSS (max of runs)", [f"{m['peak_rss_mb']} MB" for m in measured.values()],
             f"< {RSS_TARGET_MB} MB"),
        _row("peak Python allocations (tracemalloc)", [f"{m['tracemalloc_peak_mb']} MB" for m in measured.values()]),
        "",
    ]
    if "baseline" in result:
        lines += [f"Default load / {result['baseline']} load: {result['default_vs_baseline_load']}x wall, "
                  f"{result['default_vs_baseline_load_cpu']}x CPU time (medians, same run).", ""]
    lines += [f"Load and memory goals: {'pass' if result['passed'] else 'FAIL'}.", ""]
    return "\n".join(lines)


def _row(label: str, values: list[str], goal: str = "") -> str:
    return f"| {label} | " + " | ".join(values) + f" | {goal} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="cold runs per catalog (default: 7)")
    parser.add_argument("--catalog", type=Path, default=FIXTURE,
                        help="the catalog to compare the default with (default: the fixture)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.trace)))
        return 0
    from vgpt2_ext.atomic import write_json, write_text

    targets = {DEFAULT: DEFAULT}
    baseline = "fixture" if args.catalog.resolve() == FIXTURE.resolve() else args.catalog.name
    if args.catalog.exists():
        targets[baseline] = str(args.catalog.resolve())
    else:
        print(f"bench_catalog: no catalog export at {args.catalog} (see ../shared/fixtures/vista): default only")
    load_average = round(os.getloadavg()[0], 2)
    measured = {name: measure(path, args.runs) for name, path in targets.items()}
    result = {"runs": args.runs, "cpu_count": os.cpu_count(), "load_average": load_average, "catalogs": measured,
              "load_target_s": LOAD_TARGET_S, "rss_target_mb": RSS_TARGET_MB,
              "passed": all(m["passed"] for m in measured.values())}
    if baseline in measured:
        result["baseline"] = baseline
        for key in ("load", "load_cpu"):
            result[f"default_vs_baseline_{key}"] = round(
                measured[DEFAULT][f"{key}_median_s"] / measured[baseline][f"{key}_median_s"], 2)
    write_json(RESULTS / "catalog.json", result)
    write_text(RESULTS / "catalog.md", _markdown(result))
    print(_markdown(result))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
