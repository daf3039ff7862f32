"""`vgpt2 tiny-model`: build the embedded default model (tiny Qwen2 + BPE tokenizer) deterministically.

    vgpt2 tiny-model                              # models/tiny-qwen2, tokenizer from the catalog + seeds
    vgpt2 tiny-model --out /tmp/tiny --seed 1 --text my_corpus.txt
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from vgpt2_ext.errors import VGPT2Error
from vgpt2_ext.tiny_model import DEFAULT_DIR


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tiny-model", help="build the embedded tiny model", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help=f"output folder (default: {DEFAULT_DIR} in the project folder)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weight initialisation (default: 0)")
    parser.add_argument("--text", type=Path, action="append", metavar="FILE",
                        help="tokenizer training text (YAML/text, or JSON/JSONL string values); repeatable. "
                             "Default: the default catalog (overlay, sample, the export's names) and "
                             "vgpt2_ext/seeds/*.yaml")
    parser.set_defaults(func=_build)


def _build(args: argparse.Namespace) -> int:
    from vgpt2_ext.tiny_model import build_tiny_model

    for path in args.text or []:
        if not path.is_file():
            raise VGPT2Error(f"`--text {path}`: no such file")
    out = args.out or DEFAULT_DIR
    facts = build_tiny_model(out, args.text, args.seed)
    Console().print(f"built {out}: {facts['parameters']:,} parameters, tokenizer of "
                    f"{facts['tokenizer_size']:,} tokens, seed {facts['seed']}")
    return 0
