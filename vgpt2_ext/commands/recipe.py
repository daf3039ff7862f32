"""`vgpt2 recipe show RECIPE`: print what a recipe compiles to, after profile, overrides and checks.

    vgpt2 recipe show sft
    vgpt2 recipe show --profile qwen2.5-7b-lora dpo pref_beta=0.2      # options before the recipe name
"""

from __future__ import annotations

import argparse

import yaml
from rich.console import Console
from rich.syntax import Syntax

from vgpt2_ext.commands.recipe_args import add_recipe_arguments
from vgpt2_ext.recipe import compile_recipe, lf_args, profile_names, recipe_names


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("recipe", help="inspect recipes", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="print a compiled recipe (YAML)")
    show.add_argument("recipe", help="recipe name under recipes/ (sft, dpo, validate, export) or a YAML path")
    show.add_argument("--lf", action="store_true", help="print only what LLaMA-Factory receives (no `vgpt2:`)")
    add_recipe_arguments(show)
    show.set_defaults(func=_show)
    listing = actions.add_parser("list", help="list recipes and profiles")
    listing.set_defaults(func=_list)


def _show(args: argparse.Namespace) -> int:
    config = compile_recipe(args.recipe, args.profile, args.overrides)
    if args.lf:
        config = lf_args(config, "train" if config.get("do_train") else "infer")
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=120)
    Console().print(Syntax(text, "yaml", theme="ansi_dark", background_color="default"))
    return 0


def _list(args: argparse.Namespace) -> int:
    console = Console()
    console.print("recipes:  " + ", ".join(recipe_names()))
    console.print("profiles: " + ", ".join(profile_names()))
    return 0
