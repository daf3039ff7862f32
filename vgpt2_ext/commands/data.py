"""`vgpt2 data build`: build, prove and register the SFT examples (what `make data` runs).

    vgpt2 data build                                          # embedded Vista catalog, tiny-cpu profile
    vgpt2 data build --catalog ../shared/fixtures/vista vgpt2.data.examples=20000   # = vgpt2.catalog=PATH

Writes dataset_info/vgpt2_sft*.jsonl, their dataset_info.json entries and DATA_CARD.md/.json, then prints a
one-screen summary. With `--if-stale` (what `make sft` runs before training) it builds only when the files are
missing or the card says they were built from another catalog or other settings.

`vgpt2 data audit`: prove an existing dataset (any LLaMA-Factory shape) row by row against the catalog, explain
every failure, and with `--repair` rewrite what has one right answer; the proven rows are registered as
`<name>_audited`:

    vgpt2 data audit ../shared/reference/vgpt2_v3_dpo_pairs.json --catalog ../shared/fixtures/vista --repair
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vgpt2_ext.commands.progress import progress_bars
from vgpt2_ext.commands.recipe_args import add_catalog_option, add_recipe_arguments, catalog_overrides


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="build the SFT datasets", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser("build", help="build, prove and register vgpt2_sft (make data)")
    build.add_argument("--recipe", default="sft", help="recipe whose settings drive the build (default: sft)")
    build.add_argument("--if-stale", action="store_true",
                       help="build only when the files are missing or were built from another catalog or settings")
    add_catalog_option(build)
    add_recipe_arguments(build)
    build.set_defaults(func=_build)
    _register_audit(actions)


def _build(args: argparse.Namespace) -> int:
    from vgpt2_ext.data.pipeline import DataRun, built_from, run_build
    from vgpt2_ext.recipe import compile_recipe

    run = DataRun.from_recipe(compile_recipe(args.recipe, args.profile, catalog_overrides(args)))
    console = Console()
    if args.if_stale:
        stale = built_from(run)
        if stale is None:
            console.print(f"vgpt2_sft in {run.out_dir}/ is up to date with this recipe (`make data` rebuilds it)",
                          highlight=False)
            return 0
        console.print(f"rebuilding vgpt2_sft: {stale}", highlight=False)
    started = time.perf_counter()
    with progress_bars(console, 18) as advance:
        result = run_build(run, progress=advance, step=advance)
    _summary(console, result, run, time.perf_counter() - started)
    return 0


def _summary(console: Console, result, run, seconds: float) -> None:
    card = result.card
    table = Table(title=f"vgpt2_sft: {card['examples']} examples in {seconds:.1f} s", title_justify="left")
    for name in ("category", "target", "written", "seed", "schema"):
        table.add_column(name, justify="left" if name == "category" else "right")
    for category, row in card["categories"].items():
        table.add_row(category, *(str(row[k]) for k in ("target", "written", "seed", "schema")))
    console.print(table)
    for category, why in card["stopped"].items():
        console.print(f"[yellow]{category} stopped short:[/] {why}")
    rejected = ", ".join(f"{reason} {v['count']}" for reason, v in card["rejected"].items()) or "none"
    console.print(f"rejected: {rejected}")
    coverage, decon, tokens = card["coverage"], card["decontamination"], card["tokens"]
    console.print(f"tables covered: {coverage['objects_used']} ({coverage['share_of_queryable']:.1%} of queryable); "
                  f"decontamination: {len(decon['removed'])} removed against {decon['case_count']} cases")
    console.print(f"tokens (p50/p99 total): {tokens['total']['p50']}/{tokens['total']['p99']} "
                  f"with {tokens['tokenizer']}")
    console.print(f"wrote {', '.join(sorted(result.files.values()))}, dataset_info.json and DATA_CARD.md "
                  f"in {run.out_dir}/")
    _targets(console, card)


def _targets(console: Console, card: dict) -> None:
    """The quality targets the build misses (all figures are in DATA_CARD.md, `## Quality`)."""
    from vgpt2_ext.data.quality import missed

    misses = missed(card["quality"])
    total = len(card["quality"]["figures"])
    if not misses:
        console.print(f"[green]quality: all {total} targets met[/] (DATA_CARD.md, Quality)")
        return
    console.print(f"[yellow]quality: {len(misses)} of {total} targets missed[/] (DATA_CARD.md, Quality):")
    for figure in misses:
        console.print(f"  {figure['label']}: {figure['value']:g} (target {figure['op']} {figure['target']:g})",
                      highlight=False)


def _register_audit(actions: argparse._SubParsersAction) -> None:
    from vgpt2_ext.audit.shapes import FORMATS

    audit = actions.add_parser(
        "audit", help="prove, explain and repair an existing dataset against the catalog",
        description="Prove every row of a dataset (alpaca or sharegpt, SFT or ranking, JSON or JSONL, or a "
                    "dataset_info.json entry name) with the proof our own data gets; write AUDIT.md/.json, the "
                    "rejected rows with reasons and a clean copy `<name>_audited` into DATASET_DIR/<name>_audit/.",
        epilog="example: vgpt2 data audit ../shared/reference/vgpt2_v3_dpo_pairs.json "
               "--catalog ../shared/fixtures/vista --repair")
    audit.add_argument("path", metavar="PATH", help="a JSON/JSONL dataset file, or a dataset name in DATASET_DIR")
    audit.add_argument("--catalog", help="schema catalog to prove against (YAML, CSV export folder or DDL)")
    audit.add_argument("--format", choices=FORMATS, default="auto", dest="fmt",
                       help="the dataset's shape (default: its dataset_info.json entry, else its first row)")
    audit.add_argument("--repair", action="store_true",
                       help="rewrite what has one right answer (Co -> APCo, base table -> view, LIMIT -> TOP, "
                            "NOLOCK) and keep the row when it then passes")
    audit.add_argument("--dataset-dir", type=Path, default=Path("dataset_info"),
                       help="where dataset names are looked up and the outputs are written (default: dataset_info)")
    audit.add_argument("--workers", type=int, default=2, help="processes proving rows (0: every CPU core)")
    audit.set_defaults(func=_audit)


def _audit(args: argparse.Namespace) -> int:
    from vgpt2_ext.audit.run import AuditRun, run_audit

    run = AuditRun(args.path, args.catalog, args.dataset_dir, args.fmt, args.repair, args.workers)
    console = Console()
    started = time.perf_counter()
    with progress_bars(console, 14) as advance:
        result = run_audit(run, progress=advance)
    _audit_summary(console, result.summary, result.folder, time.perf_counter() - started)
    return 0


def _audit_summary(console: Console, summary: dict, folder: Path, seconds: float) -> None:
    rows, source = summary["rows"], summary["input"]
    console.print(f"audit of {source['name']}: {rows:,} rows ({source['shape']}) against catalog "
                  f"`{summary['catalog']['name']}` in {seconds:.1f} s ({rows / max(seconds, 1e-9):,.0f} rows/s)",
                  highlight=False)
    table = Table()
    table.add_column("verdict")
    table.add_column("rows", justify="right")
    table.add_column("share", justify="right")
    for verdict, count in [*summary["verdicts"].items(), ("kept", summary["kept"])]:
        table.add_row(verdict, f"{count:,}", f"{count / rows:.1%}")
    console.print(table)
    trained = "chosen answer" if "preference" in summary else "answer"
    console.print(f"rows whose {trained} names a missing table or column: {summary['naming_missing']:,}",
                  highlight=False)
    if "preference" in summary:
        console.print("pairs: " + ", ".join(f"{reason} {n:,}" for reason, n in summary["preference"].items()),
                      highlight=False)
    top = ", ".join(f"{m['name']} {m['rows']:,}" + (f" (-> {m['closest'][0]})" if m["closest"] else "")
                    for m in summary["top_missing"][:8])
    console.print(f"top missing names: {top or 'none'}", highlight=False)
    reasons = ", ".join(f"{r['reason']} {sum(n for role, n in r['rows'].items() if role != 'rejected'):,}"
                        for r in summary["reasons"] if set(r["rows"]) - {"rejected"})
    console.print(f"failures: {reasons or 'none'}", highlight=False)
    if summary["repair"]:
        console.print("repairs: " + (", ".join(f"{rule} {n:,}" for rule, n in summary["repairs"].items()) or "none"),
                      highlight=False)
    console.print(f"wrote {folder}/ (AUDIT.md, {summary['files']['clean']}, {summary['files']['rejected']}); "
                  f"registered `{summary['dataset']}` in {folder.parent / 'dataset_info.json'}", highlight=False)
