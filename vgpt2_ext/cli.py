"""The `vgpt2` command: one subcommand per module, each registered by a `register(subparsers)` function.

Subcommands of `vgpt2_ext` are listed in `COMMANDS`; other packages (`eval_suite`) add theirs through the
`vgpt2.commands` entry-point group, so `vgpt2_ext` never imports them. Each `register` adds a parser whose
`func(args) -> int` does the work. Only this layer prints errors: a `VGPT2Error` is one line on stderr and
exit 1; argparse usage errors exit 2.

Two things happen before a command runs. `KEY=VALUE` words are recipe overrides wherever they stand among the
options (argparse alone reads them only in one run after the recipe name). And the command runs in the
project folder (`vgpt2_ext.project`), so `recipes/`, `saves/` and `dataset_info/` are found from any folder
inside it; paths given as options stay relative to where the user typed them.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import sys
from importlib.metadata import entry_points
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from vgpt2_ext.errors import VGPT2Error
from vgpt2_ext.project import anchor_paths, find_root

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

DESCRIPTION = ("Train and validate a text-to-SQL assistant for the Viewpoint Vista ERP (T-SQL) on LLaMA-Factory: "
               "SFT on examples proven against a schema catalog, DPO on preference pairs, a six-category "
               "validation suite.")
EPILOG = """\
the flow (`make all` runs it on the embedded tiny model, CPU, offline):
  vgpt2 data build         make data       build and prove the SFT examples
  vgpt2 train sft          make sft        train stage 1 into saves/<run>/sft/
  vgpt2 validate           make validate   score the latest stage; report in saves/<run>/validation/
  vgpt2 pairs build        make pairs      build and prove the DPO preference pairs
  vgpt2 train dpo          make dpo        train stage 2 into saves/<run>/dpo/
  vgpt2 export             make export     merge the latest stage into one model

look before you train:
  vgpt2 catalog show APTH                  vgpt2 sql check "SELECT TOP 5 APTrans FROM APTH"
  vgpt2 recipe show sft                    vgpt2 validate --lint

Settings are KEY=VALUE words anywhere after the command (learning_rate=5e-5 vgpt2.catalog=PATH); `--profile`
picks the model and hardware. Run from any folder inside the project. `vgpt2 COMMAND --help` for details.
"""


def _registrars() -> list:
    registrars = [importlib.import_module(path).register for path in COMMANDS]
    registrars += [ep.load() for ep in entry_points(group="vgpt2.commands")]
    return registrars


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vgpt2", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in _registrars():
        register(subparsers)
    return parser


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse `argv`; `KEY=VALUE` words argparse left over (after an option) join the command's overrides."""
    args, extra = parser.parse_known_args(argv)
    words = [word for word in extra if _is_override(word)]
    if words and isinstance(getattr(args, "overrides", None), list):
        args.overrides += words
        extra = [word for word in extra if word not in words]
    if extra:
        usage = getattr(args, "usage_parser", parser)
        usage.error(f"unrecognized arguments: {' '.join(extra)}" + _hint(extra, hasattr(args, "overrides")))
    return args


def _is_override(word: str) -> bool:
    key, sep, _ = word.partition("=")
    return bool(sep and key) and not word.startswith("-")


def _hint(extra: list[str], takes_overrides: bool) -> str:
    option = next((word for word in extra if word.startswith("--")), None)
    if not (takes_overrides and option):
        return ""
    from vgpt2_ext.settings import Settings

    key = option[2:].split("=", 1)[0].replace("-", "_")
    if key in {field.name for field in dataclasses.fields(Settings)}:
        key = f"vgpt2.{key}"  # one of ours: `--catalog` where the command has none is `vgpt2.catalog=PATH`
    return f"; recipe settings are KEY=VALUE words, e.g. `{key}=VALUE` (see `vgpt2 recipe show`)"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    try:
        _check_arguments(argv)
        args = parse(parser, argv)
        root = find_root(Path.cwd())
        args = anchor_paths(args, root)
        with contextlib.chdir(root or Path.cwd()):
            return int(args.func(args) or 0)
    except VGPT2Error as error:
        message = str(error).encode("utf-8", "backslashreplace").decode("utf-8")  # printable, whatever it quotes
        Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(message)}", highlight=False)
        return 1
    except KeyboardInterrupt:
        return 130


def _check_arguments(argv: list[str]) -> None:
    """Arguments are text: bytes that are not UTF-8 reach Python as lone surrogates, which nothing downstream
    can print or write, so they are refused here, with the argument shown as its bytes."""
    for number, arg in enumerate(argv, 1):
        if any("\ud800" <= char <= "\udfff" for char in arg):
            raw = arg.encode("utf-8", "surrogateescape")
            raise VGPT2Error(f"argument {number} ({raw!r}) is not valid UTF-8 text; pass text (or a file) in UTF-8")


if __name__ == "__main__":
    sys.exit(main())
