"""The arguments every recipe-driven command shares: `[--profile NAME] [KEY=VALUE ...]`, and the exact command.

Not a subcommand: `train`, `recipe`, `export`, `data`, `pairs` and `validate` call `add_recipe_arguments` on
their parser so `make` can pass `--profile $(PROFILE) run_name=$(RUN) $(ARGS)` to any of them. `KEY=VALUE`
words may stand anywhere among the options (`vgpt2 validate k=v --report-dir d k2=v`): argparse reads the
first run of them, `vgpt2_ext.cli.parse` adds the rest, in order, so a later word wins.
"""

from __future__ import annotations

import argparse
import shlex

from vgpt2_ext.recipe import DEFAULT_PROFILE


def add_recipe_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", default=DEFAULT_PROFILE, metavar="NAME",
        help=f"profile under recipes/profiles/ (or a YAML path) to merge over the recipe (default: {DEFAULT_PROFILE})",
    )
    parser.add_argument(
        "overrides", nargs="*", metavar="KEY=VALUE",
        help="override a setting, e.g. learning_rate=5e-5 num_train_epochs=1 vgpt2.catalog=PATH",
    )
    parser.set_defaults(usage_parser=parser)  # whose usage a misplaced word is reported with


def add_catalog_option(parser: argparse.ArgumentParser) -> None:
    """`--catalog PATH`, the same as the override `vgpt2.catalog=PATH` (`catalog_overrides` applies it)."""
    parser.add_argument("--catalog", metavar="PATH",
                        help="schema catalog: a catalog YAML, a folder of INFORMATION_SCHEMA CSVs or T-SQL DDL; "
                             "the same as vgpt2.catalog=PATH (default: the recipe's)")


def catalog_overrides(args: argparse.Namespace) -> list[str]:
    """The command's overrides, `--catalog` last so it wins over a `vgpt2.catalog=` word."""
    if not args.catalog:
        return list(args.overrides)
    quoted = str(args.catalog).replace("'", "''")  # a YAML single-quoted string: any path reads back as itself
    return [*args.overrides, f"vgpt2.catalog='{quoted}'"]


def command_line(*words: str) -> str:
    """The shell command that repeats this invocation, as recorded in manifests."""
    return shlex.join(["vgpt2", *words])
