"""`vgpt2 data build`: build, prove and register the SFT examples (what `make data` runs).

    vgpt2 data build                                          # embedded sample catalog, tiny-cpu profile
    vgpt2 data build --profile qwen2.5-7b-lora vgpt2.catalog=../shared/fixtures/vista vgpt2.data.examples=20000

Writes dataset_info/vgpt2_sft*.jsonl, their dataset_info.json entries and DATA_CARD.md/.json, then prints a
one-screen summary. With `--if-stale` (what `make sft` runs before training) it builds only when the files are
missing or the card says they were built from another catalog or other settings.
"""

from __future__ import annotations

import argparse
import time

from rich.console import Console
from rich.table import Table

from vgpt2_ext.commands.progress import progress_bars
from vgpt2_ext.commands.recipe_args import add_recipe_arguments


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="build the SFT datasets", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser("build", help="build, prove and register vgpt2_sft (make data)")
    build.add_argument("--recipe", default="sft", help="recipe whose settings drive the build (default: sft)")
    build.add_argument("--if-stale", action="store_true",
                       help="build only when the files are missing or were built from another catalog or settings")
    add_recipe_arguments(build)
    build.set_defaults(func=_build)


def _build(args: argparse.Namespace) -> int:
    from vgpt2_ext.data.pipeline import DataRun, built_from, run_build
    from vgpt2_ext.recipe import compile_recipe

    run = DataRun.from_recipe(compile_recipe(args.recipe, args.profile, args.overrides))
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
