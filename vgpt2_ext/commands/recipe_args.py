"""The arguments every recipe-driven command shares: `[--profile NAME] [KEY=VALUE ...]`, and the exact command.

Not a subcommand: `train`, `recipe`, `export` (and later `data`, `pairs`, `validate`) call `add_recipe_arguments`
on their parser so `make` can pass `--profile $(PROFILE) run_name=$(RUN) $(ARGS)` to any of them. Options go
before the recipe name or after every override: argparse reads the positional words in one run, so
`train sft --profile P lr=1` leaves `lr=1` unread (`train --profile P sft lr=1` is the form make uses).
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


def command_line(*words: str) -> str:
    """The shell command that repeats this invocation, as recorded in manifests."""
    return shlex.join(["vgpt2", *words])
