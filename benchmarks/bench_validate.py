"""Validation speed: scoring recorded answers, and batched vs one-by-one generation with the embedded model.

1. The suite: the 49 shipped cases scored from recorded answers with a fresh sandbox, the way
   `vgpt2 validate --responses` does it (goal: under 2 s including the sandbox start: its worker process,
   started as scoring begins); the first run of the process (cold caches, imports done) is reported beside
   the median.
2. Throughput: 10,000 recorded answers (right and wrong ones from the test tables, cycled over the cases),
   each made unique by a trailing SQL comment and sentence so no parse or analysis cache serves it.
3. Generation: the 49 case prompts answered by the embedded tiny model through LLaMA-Factory, batched
   (`HFBackend.generate`) vs one at a time (LLaMA-Factory's own `ChatModel.chat`), greedy.
Every figure is the median of `--runs` runs. With `--baseline REV` the suite is also scored by the code of git
revision REV (its tree exported to a temporary folder; its own sandbox worker), alternating with this tree's in
processes of their own, so a ratio measured in the same minutes goes beside the seconds of a machine whose speed
drifts. Results: benchmarks/results/validate.{json,md}.
    .venv/bin/python benchmarks/bench_validate.py [--runs 3] [--answers 10000] [--model models/tiny-qwen2]
                                                  [--baseline REV]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from eval_suite.suite import score_cases, summarise
from vgpt2_ext.atomic import write_json, write_text
from vgpt2_ext.backends.responses import load_responses
from vgpt2_ext.catalog import load_catalog
from vgpt2_ext.judge import judge, load_cases
from vgpt2_ext.judge.settings import ValidateSettings
from vgpt2_ext.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
CASES = REPO / "eval_suite" / "cases"
IDEAL = REPO / "tests" / "eval_suite" / "ideal_answers.jsonl"
WRONG = REPO / "tests" / "judge" / "answers.yaml"
GOAL_SUITE_S = 2.0


def measure_suite(runs: int) -> dict:
    """Seconds to score the 49 recorded answers, sandbox start included (unique texts every run)."""
    cases, catalog = load_cases(CASES), load_catalog()
    times = []
    for run in range(runs):
        answers = {case_id: unique(answer, run) for case_id, answer in load_responses(IDEAL).items()}
        start = time.perf_counter()
        sandbox = Sandbox(catalog).start()  # as `vgpt2 validate` gets it: its worker starts while scoring begins
        outcomes = score_cases(cases, answers, catalog, ValidateSettings(), sandbox=sandbox)
        times.append(time.perf_counter() - start)
        sandbox.close()
    passed = summarise(outcomes, ValidateSettings()).passed
    return {"cases": len(cases), "passed": passed, "first_run_s": times[0], "seconds": statistics.median(times),
            "goal_s": GOAL_SUITE_S}


def compare_suite(commit: str, runs: int, rounds: int = 2) -> dict:
    """The suite's seconds with this tree and with `commit`'s, each in a process of its own, alternating."""
    times: dict[str, dict[str, list[float]]] = {"now": {"first": [], "all": []}, "baseline": {"first": [], "all": []}}
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", commit, "vgpt2_ext", "eval_suite", "benchmarks", "tests/eval_suite",
                                  "tests/judge"], cwd=REPO, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        for _ in range(rounds):
            for name, tree in (("baseline", Path(tmp)), ("now", REPO)):
                found = _suite_in(tree, runs)
                times[name]["first"].append(found["first_run_s"])
                times[name]["all"].append(found["seconds"])
    medians = {name: {"first_run_s": statistics.median(got["first"]), "seconds": statistics.median(got["all"])}
               for name, got in times.items()}
    return {"commit": commit, "rounds": rounds, **medians,
            "ratio": medians["now"]["seconds"] / medians["baseline"]["seconds"],
            "ratio_first_run": medians["now"]["first_run_s"] / medians["baseline"]["first_run_s"]}


def _suite_in(tree: Path, runs: int) -> dict:
    """`measure_suite` of the tree's own benchmark, run in `tree` (so its sandbox worker runs its code too)."""
    code = f"import json, bench_validate as b; print(json.dumps(b.measure_suite({runs})))"
    found = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), str(tree / "benchmarks")])})
    return json.loads(found.stdout.strip().splitlines()[-1])


def answer_pool() -> list[tuple[str, str]]:
    """(case id, answer): the ideal answers and the hand-written right and wrong ones."""
    pool = list(load_responses(IDEAL).items())
    entries = yaml.safe_load(WRONG.read_text(encoding="utf-8"))["answers"]
    return pool + [(entry["case"], entry["answer"]) for entry in entries]


def unique(answer: str, n: int) -> str:
    if "```sql" in answer:
        head, _, tail = answer.rpartition("\n```")
        return f"{head}\n-- answer {n}\n```{tail}\n(answer {n})"
    return f"{answer} (answer {n})"


def measure_throughput(runs: int, count: int) -> dict:
    cases = {case.id: case for case in load_cases(CASES)}
    catalog = load_catalog()
    pool = answer_pool()
    rates, passed = [], 0
    for run in range(runs):
        sandbox = Sandbox(catalog)
        work = [(cases[case_id], unique(answer, run * count + n)) for n, (case_id, answer) in
                enumerate(pool[i % len(pool)] for i in range(count))]
        start = time.perf_counter()
        verdicts = [judge(answer, case, catalog, sandbox=sandbox) for case, answer in work]
        rates.append(count / (time.perf_counter() - start))
        sandbox.close()
        passed = sum(v.score >= 0.6 and not v.gates for v in verdicts)
    return {"answers": count, "distinct_answers": len(pool), "answers_per_s": statistics.median(rates),
            "scored_at_least_0_6": passed}


def measure_generation(runs: int, model: Path, batch_size: int, max_new_tokens: int) -> dict:
    from vgpt2_ext.backends.hf import HFBackend

    system = yaml.safe_load((REPO / "recipes" / "base.yaml").read_text(encoding="utf-8"))["default_system"]
    backend = HFBackend({"model_name_or_path": str(model), "template": "qwen", "finetuning_type": "full",
                         "default_system": system}, batch_size=batch_size)
    prompts = [[{"role": "system", "content": system}, {"role": "user", "content": case.question}]
               for case in load_cases(CASES)]
    backend.generate(prompts[:batch_size], max_new_tokens=4)  # warm up
    batched, single = [], []
    for _ in range(runs):
        start = time.perf_counter()
        backend.generate(prompts, max_new_tokens=max_new_tokens)
        batched.append(time.perf_counter() - start)
        start = time.perf_counter()
        for prompt in prompts:
            backend.chat_one(prompt, max_new_tokens=max_new_tokens)
        single.append(time.perf_counter() - start)
    return {"model": str(model), "device": str(backend.model.device), "prompts": len(prompts),
            "batch_size": batch_size, "max_new_tokens": max_new_tokens,
            "batched_s": statistics.median(batched), "one_by_one_s": statistics.median(single),
            "speedup": statistics.median(single) / statistics.median(batched)}


def markdown(result: dict) -> str:
    suite, rate, gen = result["suite"], result["throughput"], result.get("generation")
    lines = [
        "# Validation speed", "",
        f"{result['runs']} runs per figure, medians; {result['machine']}.", "",
        "| what | figure | goal |", "| --- | --- | --- |",
        f"| score the {suite['cases']} shipped cases from recorded answers, fresh sandbox "
        f"| {suite['seconds']:.2f} s; first run {suite['first_run_s']:.2f} s ({suite['passed']} passed) "
        f"| < {suite['goal_s']:.0f} s |",
        f"| score {rate['answers']:,} recorded answers (unique texts, {rate['distinct_answers']} shapes) "
        f"| {rate['answers_per_s']:.0f} answers/s | |",
    ]
    base = result.get("baseline")
    if base:
        now, then = base["now"], base["baseline"]
        lines.append(f"| the same, this tree vs `{base['commit']}`, alternating in processes of their own "
                     f"({base['rounds']} rounds) | {now['seconds']:.2f} s vs {then['seconds']:.2f} s "
                     f"(x{base['ratio']:.2f}); first run {now['first_run_s']:.2f} s vs {then['first_run_s']:.2f} s "
                     f"(x{base['ratio_first_run']:.2f}) | |")
    if gen:
        lines += [f"| generate {gen['prompts']} answers, batched ({gen['batch_size']} a batch, "
                  f"{gen['max_new_tokens']} new tokens, {gen['device']}) | {gen['batched_s']:.2f} s | |",
                  f"| generate them one by one (LLaMA-Factory `ChatModel.chat`) | {gen['one_by_one_s']:.2f} s "
                  f"| batched x{gen['speedup']:.1f} |"]
    met = max(suite["seconds"], suite["first_run_s"]) < suite["goal_s"]
    lines += ["", f"Suite goal: {'met' if met else 'FAIL'}."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--model", type=Path, default=REPO / "models" / "tiny-qwen2")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--baseline", help="git revision whose suite scoring to time beside this tree's")
    args = parser.parse_args()
    os.chdir(REPO)
    result = {"runs": args.runs, "machine": f"{platform.processor() or platform.machine()}, "
                                           f"{len(os.sched_getaffinity(0))} CPU(s)",
              "suite": measure_suite(args.runs), "throughput": measure_throughput(args.runs, args.answers)}
    if args.baseline:
        result["baseline"] = compare_suite(args.baseline, args.runs)
    if (args.model / "config.json").is_file():
        result["generation"] = measure_generation(args.runs, args.model, args.batch_size, args.max_new_tokens)
    write_json(RESULTS / "validate.json", result)
    write_text(RESULTS / "validate.md", markdown(result))
    table = Table(title="validation speed")
    table.add_column("figure")
    table.add_column("value")
    for key, value in json.loads(json.dumps(result)).items():
        table.add_row(key, json.dumps(value))
    Console().print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
