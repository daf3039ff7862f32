"""The `vgpt2` command: one subcommand per module, each registered by a `register(subparsers)` function.

Subcommands of `vgpt2_ext` are listed in `COMMANDS`; other packages (`eval_suite`) add theirs through the
`vgpt2.commands` entry-point group, so `vgpt2_ext` never imports them. Each `register` adds a parser whose
`func(args) -> int` does the work. Only this layer prints errors: a `VGPT2Error` is one line on stderr and
exit 1; argparse usage errors exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from importlib.metadata import entry_points

from rich.console import Console
from rich.markup import escape

from vgpt2_ext.errors import VGPT2Error

# module paths whose `register(subparsers)` adds a subcommand; imported lazily so `vgpt2 --help` is fast
COMMANDS: tuple[str, ...] = (
    "vgpt2_ext.commands.catalog",
    "vgpt2_ext.commands.sql",
    "vgpt2_ext.commands.data",
    "vgpt2_ext.commands.pairs",
    "vgpt2_ext.commands.recipe",
    "vgpt2_ext.commands.tiny_model",
    "vgpt2_ext.commands.model",
    "vgpt2_ext.commands.train",
    "vgpt2_ext.commands.export",
)


def _registrars() -> list:
    registrars = [importlib.import_module(path).register for path in COMMANDS]
    registrars += [ep.load() for ep in entry_points(group="vgpt2.commands")]
    return registrars


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vgpt2", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in _registrars():
        register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except VGPT2Error as error:
        Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
