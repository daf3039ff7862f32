"""Generation throughput of the real model: one by one vs batched, and `model.generate` vs our decoding loop.

The validation prompts as a profile builds them (system prompt, pruned schema, question) answered greedily by
the profile's model (SmolLM2-135M-Instruct on `smollm2-cpu`, fetched by `vgpt2 model get smollm2-135m` when
missing), four ways on the same prompts:
1. one by one through LLaMA-Factory's own `ChatModel.chat` (the path `HFBackend.chat_one` keeps);
2. batched with transformers' `model.generate` (left-padded, in the cases' order: the backend before issue 11);
3. batched with `vgpt2_ext.backends.decode` in the cases' order (a row leaves the batch at its stop token);
4. the backend as validation runs it: batches grouped by prompt length, then decoded as in 3.
New tokens per second of wall time and of CPU time (the machine may be shared; the load average is recorded),
medians of `--runs`. Results: benchmarks/results/generate.{json,md}.
    .venv/bin/python benchmarks/bench_generate.py [--prompts 16] [--max-new-tokens 128] [--batch-size 8] [--runs 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vgpt2_ext.atomic import write_json, write_text

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"


def backend_and_prompts(profile: str, count: int, batch_size: int):
    from vgpt2_ext.backends.hf import HFBackend
    from vgpt2_ext.backends.prompts import build_prompt
    from vgpt2_ext.catalog import load_catalog
    from vgpt2_ext.judge import load_cases
    from vgpt2_ext.recipe import compile_recipe, lf_args

    config = compile_recipe("validate", profile, ["vgpt2.model_from=null"])
    catalog = load_catalog(config["vgpt2"]["catalog"])
    cases = load_cases(config["vgpt2"]["validate"]["cases"])
    step = max(1, len(cases) // count)  # every category, not only the first file's cases
    prompts = [build_prompt(case.question, catalog, config) for case in cases[::step][:count]]
    return HFBackend(lf_args(config, "infer"), batch_size=batch_size), prompts, config


def one_by_one(backend, prompts, limit: int) -> int:
    return sum(len(backend.tokenizer(backend.chat_one(p, max_new_tokens=limit))["input_ids"]) for p in prompts)


def hf_generate(backend, prompts, limit: int) -> int:
    """The backend before issue 11: left-padded batches in order, `model.generate` until the longest row stops."""
    import torch

    stop = backend.template.get_stop_token_ids(backend.tokenizer)
    pad, new = backend.tokenizer.pad_token_id, 0
    for start in range(0, len(prompts), backend.batch_size):
        encoded = [backend.encode(p) for p in prompts[start:start + backend.batch_size]]
        width = max(len(ids) for ids in encoded)
        ids = torch.tensor([[pad] * (width - len(e)) + e for e in encoded])
        mask = torch.tensor([[0] * (width - len(e)) + [1] * len(e) for e in encoded])
        with torch.inference_mode():
            out = backend.model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=limit, do_sample=False,
                                         eos_token_id=stop, pad_token_id=pad)
        new += int((~torch.isin(out[:, width:], torch.tensor(stop + [pad]))).sum())
    return new


def decode_in_order(backend, prompts, limit: int) -> int:
    from vgpt2_ext.backends.decode import decode

    how = backend.decoding(0.0, limit)
    return sum(len(ids) for start in range(0, len(prompts), backend.batch_size)
               for ids in decode(backend.model, [backend.encode(p) for p in prompts[start:start + backend.batch_size]],
                                 how))


def as_validation(backend, prompts, limit: int) -> int:
    before = backend.stats.new_tokens
    backend.generate(prompts, max_new_tokens=limit)
    return backend.stats.new_tokens - before


WAYS = {"one by one (ChatModel.chat)": one_by_one, "batched, model.generate": hf_generate,
        "batched, decode loop": decode_in_order, "batched by length, decode loop (validation)": as_validation}


def measure(way, backend, prompts, limit: int, runs: int) -> dict:
    found = []
    for _ in range(runs):
        load, wall, cpu = os.getloadavg()[0], time.perf_counter(), time.process_time()
        tokens = way(backend, prompts, limit)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        found.append({"new_tokens": tokens, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                      "tokens_per_s": round(tokens / wall, 2), "tokens_per_cpu_s": round(tokens / cpu, 2),
                      "load_before": round(load, 2), "load_after": round(os.getloadavg()[0], 2)})
    return {"runs": found, **{key: statistics.median(run[key] for run in found)
                              for key in ("new_tokens", "wall_s", "tokens_per_s", "tokens_per_cpu_s")}}


def markdown(report: dict) -> str:
    lines = ["# Generation throughput", "", report["note"], "",
             "| way | new tokens | wall s | tokens/s | tokens per CPU s | load before → after | vs one by one |",
             "| --- | ---: | ---: | ---: | ---: | --- | ---: |"]
    base = report["ways"]["one by one (ChatModel.chat)"]["tokens_per_s"]
    for name, found in report["ways"].items():
        loads = ", ".join(f"{r['load_before']:.1f} → {r['load_after']:.1f}" for r in found["runs"])
        lines.append(f"| {name} | {found['new_tokens']} | {found['wall_s']} | {found['tokens_per_s']} | "
                     f"{found['tokens_per_cpu_s']} | {loads} | x{found['tokens_per_s'] / base:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="smollm2-cpu")
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    os.chdir(REPO)
    _ensure_model(args.profile)
    backend, prompts, config = backend_and_prompts(args.profile, args.prompts, args.batch_size)
    backend.generate(prompts[:2], max_new_tokens=4)  # warm up
    import torch

    ways = {name: measure(way, backend, prompts, args.max_new_tokens, args.runs) for name, way in WAYS.items()}
    note = (f"{len(prompts)} validation prompts of profile `{args.profile}` (model `{config['model_name_or_path']}`, "
            f"{config.get('infer_dtype', 'auto')} inference), greedy, at most {args.max_new_tokens} new tokens, "
            f"{args.batch_size} prompts a batch; {len(os.sched_getaffinity(0))} CPUs, torch threads "
            f"{torch.get_num_threads()}; medians of {args.runs} run(s). The machine may be shared: tokens per CPU "
            "second is the figure that does not depend on the load.")
    report = {"note": note, "ways": ways}
    write_json(RESULTS / "generate.json", report)
    write_text(RESULTS / "generate.md", markdown(report))
    table = Table(title="generation throughput")
    for column in ("way", "new tokens", "tokens/s", "tokens per CPU s"):
        table.add_column(column)
    for name, found in ways.items():
        table.add_row(name, str(found["new_tokens"]), str(found["tokens_per_s"]), str(found["tokens_per_cpu_s"]))
    Console().print(table)
    return 0


def _ensure_model(profile: str) -> None:
    from vgpt2_ext.models import MODELS, get_model
    from vgpt2_ext.recipe import compile_recipe

    model = str(compile_recipe("validate", profile, ["vgpt2.model_from=null"], check_files=False)["model_name_or_path"])
    spec = next((s for s in MODELS.values() if str(s.out_dir) == model), None)
    if spec is not None and not (spec.out_dir / "config.json").is_file():
        get_model(spec.name)


if __name__ == "__main__":
    raise SystemExit(main())
