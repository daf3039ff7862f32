"""`vgpt2 export`: merge the run's latest finished stage (base + adapters, in order) into one standalone model.

    vgpt2 export                       # saves/vgpt2/export/
    vgpt2 export run_name=exp1 export_size=2
"""

from __future__ import annotations

import argparse

from rich.console import Console

from vgpt2_ext import launcher
from vgpt2_ext.commands.recipe_args import add_recipe_arguments, command_line


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="merge a run's adapters into a standalone model",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_recipe_arguments(parser)
    parser.set_defaults(func=_export)


def _export(args: argparse.Namespace) -> int:
    command = command_line("export", "--profile", args.profile, *args.overrides)
    launch = launcher.prepare_export(args.profile, args.overrides, command)
    console = Console()
    config = launch.config
    console.print(f"exporting {config['model_name_or_path']} + adapters {config.get('adapter_name_or_path') or '-'}"
                  f" → {launch.folder}")
    status = launcher.run(launch)
    if status != 0:
        console.print(f"[bold red]llamafactory-cli export failed (exit {status})[/]; its log is above")
    return status
