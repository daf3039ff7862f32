"""`vgpt2 recipe show RECIPE`: print what a recipe compiles to, after profile, overrides and checks.

    vgpt2 recipe show sft
    vgpt2 recipe show --profile qwen2.5-7b-lora dpo pref_beta=0.2      # options before the recipe name

A recipe that cannot launch yet (its model not downloaded, the SFT stage a DPO recipe continues from not
trained) is still shown, unchained, with what stands in the way; a wrong key or value is an error.

The YAML is printed byte for byte as LLaMA-Factory gets it, never cut or wrapped at the terminal's width:
plain when piped or redirected (`vgpt2 recipe show --lf sft > sft.yaml`), coloured on a terminal.
"""

from __future__ import annotations

import argparse
import sys

import yaml
from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax

from vgpt2_ext.commands.recipe_args import add_recipe_arguments
from vgpt2_ext.errors import RecipeError
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
    config, blocked = _compile_or_preview(args)
    if args.lf:
        config = lf_args(config, "train" if config.get("do_train") else "infer")
    _print_yaml(yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=120))
    if blocked is not None:
        Console(stderr=True, soft_wrap=True).print(f"[bold yellow]cannot launch yet:[/] {escape(str(blocked))}",
                                                   highlight=False)
    return 0


def _print_yaml(text: str) -> None:
    """`text` exactly: a terminal gets it highlighted, long lines left to the terminal to wrap (soft wrap)."""
    console = Console()
    if not console.is_terminal:
        sys.stdout.write(text)
        return
    highlighted = Syntax(text, "yaml", theme="ansi_dark", background_color="default").highlight(text)
    console.print(highlighted, soft_wrap=True, end="")


def _compile_or_preview(args: argparse.Namespace) -> tuple[dict, RecipeError | None]:
    """The compiled recipe; else, when only its files stand in the way, its preview and why it cannot launch."""
    try:
        return compile_recipe(args.recipe, args.profile, args.overrides), None
    except RecipeError as error:
        try:
            return compile_recipe(args.recipe, args.profile, args.overrides, check_files=False), error
        except RecipeError:
            raise error from None


def _list(args: argparse.Namespace) -> int:
    console = Console()
    console.print("recipes:  " + ", ".join(recipe_names()))
    console.print("profiles: " + ", ".join(profile_names()))
    return 0
