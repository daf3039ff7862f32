"""The data card (`DATA_CARD.md` and `DATA_CARD.json`): what a build wrote, what it refused, and why.

Counts per category and source, rejections by reason (every candidate not written is counted), the quality
section (every figure the data is held to beside its target, `quality`), token-length
percentiles of the user turn, the answer and the whole conversation measured with the run's tokenizer (the
profile's `model_name_or_path`, loaded offline; when it cannot be loaded the card says so and uses the
documented estimate of one token per 3 characters), the catalog objects covered, and the decontamination
measure, thresholds and removed examples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.data.build import BuildReport
from vgpt2_ext.data.context import CHARS_PER_TOKEN, estimate_tokens
from vgpt2_ext.data.proof import REASONS
from vgpt2_ext.data.quality import render as render_quality
from vgpt2_ext.data.settings import CATEGORIES, DataSettings

PERCENTILES = (50, 90, 99, 100)
ESTIMATE_NOTE = f"the estimate of 1 token per {CHARS_PER_TOKEN} characters"


def load_tokenizer(model: str | None):
    """(tokenizer, None), or (None, why not, and what to do): loaded from local files only, never downloaded."""
    from vgpt2_ext.tiny_model import DEFAULT_DIR as TINY_MODEL_DIR

    if not model:
        return None, "the recipe names no `model_name_or_path`"
    if Path(model) == TINY_MODEL_DIR and not (TINY_MODEL_DIR / "config.json").is_file():
        return None, f"the tiny model `{model}` is not built yet; run `vgpt2 tiny-model` (`make sft` does)"
    try:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(model, local_files_only=True), None
    except Exception as error:  # noqa: BLE001 - any failure means: measure with the estimate instead
        return None, f"tokenizer `{model}` is not loadable offline ({type(error).__name__})"


def token_lengths(rows: Sequence[dict], tokenizer) -> dict[str, list[int]]:
    """Tokens per row of its user turns, its answers and the whole conversation (every turn's text). Turns are
    read by position: the system turn, then user and answer turns alternating."""
    count = _counter(tokenizer)
    turns = [(i, position, t["value"]) for i, r in enumerate(rows) for position, t in enumerate(r["conversations"])]
    lengths = count([text for _, _, text in turns])
    found = {"user": [0] * len(rows), "answer": [0] * len(rows), "total": [0] * len(rows)}
    for (index, position, _), n in zip(turns, lengths):
        found["total"][index] += n
        if position:
            found["user" if position % 2 else "answer"][index] += n
    return found


def _counter(tokenizer):
    if tokenizer is None:
        return lambda texts: [estimate_tokens(t) for t in texts]
    return lambda texts: [len(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]] \
        if texts else []


def percentiles(values: list[int], at: tuple[int, ...] = PERCENTILES) -> dict[str, int]:
    ordered = sorted(values)
    return {f"p{p}": ordered[min(len(ordered) - 1, max(0, -(-p * len(ordered) // 100) - 1))] if ordered else 0
            for p in at}


def card_data(report: BuildReport, rows: Sequence[dict], catalog: Catalog, settings: DataSettings, *,
              tokenizer_note: str, lengths: dict[str, list[int]], context: str, cases_path: str | None,
              cases: int, source: str | None) -> dict:
    """Everything the card shows, as JSON-able data (the Markdown is rendered from it). `source` is the
    catalog as the recipe names it (null: the embedded default), so the card does not depend on the checkout's
    location."""
    used = {t for r in rows for t in r["tables"]}
    queryable = {o.name for o in catalog.queryable}
    return {
        "examples": len(rows),
        "catalog": {"name": catalog.name, "source": source or "embedded default",
                    "fingerprint": catalog.fingerprint, "objects": len(catalog.objects)},
        "settings": {"seed": settings.seed, "target": settings.examples, "mix": settings.mix.weights(),
                     "paraphrases": settings.paraphrases, "schema_context": context},
        "categories": _categories(report, rows),
        "sources": dict(sorted(Counter(r["source"].split("#")[0] for r in rows).items())),
        "rejected": _rejected(report),
        "surplus": report.surplus,
        "stopped": dict(report.stopped),
        "tokens": {"tokenizer": tokenizer_note, **{k: _lengths(v) for k, v in lengths.items()}},
        "coverage": {"objects_used": len(used), "queryable": len(queryable),
                     "share_of_queryable": round(len(used & queryable) / max(len(queryable), 1), 4),
                     "share_of_objects": round(len(used) / max(len(catalog.objects), 1), 4)},
        "decontamination": _decontamination(report, settings, cases_path, cases),
    }


def _lengths(values: list[int]) -> dict[str, float]:
    """The percentiles, p95 and the mean: what a row costs to train on (a 135M model on 2 CPU cores reads
    25-50 tokens per second)."""
    found = percentiles(values, (*PERCENTILES, 95))
    return found | {"mean": round(sum(values) / len(values), 1) if values else 0}


def _categories(report: BuildReport, rows: Sequence[dict]) -> dict:
    written = Counter(r["category"] for r in rows)
    kinds = Counter((r["category"], r["source"].split(":")[0]) for r in rows)
    return {c: {"target": report.targets[c], "written": written[c], "offered": report.offered[c],
                "seed": kinds[(c, "seed")], "schema": kinds[(c, "schema")]} for c in CATEGORIES}


def _rejected(report: BuildReport) -> dict:
    by_reason = Counter()
    for (_, reason), n in report.rejected.items():
        by_reason[reason] += n
    return {reason: {"count": n, "meaning": REASONS[reason], "examples": report.examples_of.get(reason, [])}
            for reason, n in by_reason.most_common()}


def _decontamination(report: BuildReport, settings: DataSettings, path: str | None, cases: int) -> dict:
    return {
        "cases": path, "case_count": cases,
        "measure": f"Jaccard similarity of word {settings.decontam_ngram}-gram shingles of normalised text",
        "question_threshold": settings.decontam_threshold, "sql_threshold": settings.decontam_sql_threshold,
        "removed": [{"example": o.example, "case": o.case, "field": o.field, "score": o.score}
                    for o in report.overlaps],
    }


def render_markdown(data: dict) -> str:
    """The card for people: the same figures as the JSON, in tables."""
    lines = [f"# Data card: vgpt2_sft ({data['examples']} examples)", "",
             f"Catalog `{data['catalog']['name']}` ({data['catalog']['objects']} objects, fingerprint "
             f"`{data['catalog']['fingerprint']}`, {data['catalog']['source']}); seed {data['settings']['seed']}; "
             f"schema context `{data['settings']['schema_context']}`.", "",
             "## Examples per category", "", "| category | target | written | seed | schema | offered |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {c} | {v['target']} | {v['written']} | {v['seed']} | {v['schema']} | {v['offered']} |"
              for c, v in data["categories"].items()]
    lines += _stopped(data) + ["", "## Sources", "", "| source | examples |", "| --- | ---: |"]
    lines += [f"| `{s}` | {n} |" for s, n in data["sources"].items()]
    lines += ["", "## Rejected candidates", "", "| reason | count | meaning | e.g. |", "| --- | ---: | --- | --- |"]
    lines += [f"| {r} | {v['count']} | {v['meaning']} | {_cell(v['examples'][:1])} |"
              for r, v in data["rejected"].items()] or ["| (none) | 0 | | |"]
    lines += ["", f"Proven examples beyond a full category's target (not written): {data['surplus']}."]
    quality = render_quality(data["quality"]) if "quality" in data else []
    return "\n".join(lines + quality + _tokens(data) + _coverage(data) + _decontam_lines(data)) + "\n"


def _stopped(data: dict) -> list[str]:
    return [""] + [f"- `{c}` stopped short: {why}." for c, why in data["stopped"].items()] if data["stopped"] else []


def _tokens(data: dict) -> list[str]:
    tokens = data["tokens"]
    head = ["", "## Token lengths", "", f"Measured with: {tokens['tokenizer']}; per row, every turn of the "
            "conversation (a follow-up row counts both questions and both answers).", "",
            "| turn | mean | p50 | p90 | p95 | p99 | max |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    return head + [f"| {k} | {v['mean']} | {v['p50']} | {v['p90']} | {v['p95']} | {v['p99']} | {v['p100']} |"
                   for k, v in tokens.items() if k != "tokenizer"]


def _coverage(data: dict) -> list[str]:
    c = data["coverage"]
    return ["", "## Tables covered", "",
            f"{c['objects_used']} catalog objects appear in at least one example: {c['share_of_queryable']:.1%} of "
            f"the {c['queryable']} objects the house style queries, {c['share_of_objects']:.1%} of all "
            f"{data['catalog']['objects']}."]


def _decontam_lines(data: dict) -> list[str]:
    d = data["decontamination"]
    if not d["cases"]:
        return ["", "## Decontamination", "", "Disabled (`vgpt2.data.decontaminate: null`)."]
    lines = ["", "## Decontamination", "",
             f"Against {d['case_count']} validation cases in `{d['cases']}`. Measure: {d['measure']}; an example is "
             f"removed at question similarity >= {d['question_threshold']} to a case question or SQL similarity >= "
             f"{d['sql_threshold']} to a case's gold SQL. Removed: {len(d['removed'])}.", ""]
    if d["removed"]:
        lines += ["| example | case | on | Jaccard |", "| --- | --- | --- | ---: |"]
        lines += [f"| `{r['example']}` | `{r['case']}` | {r['field']} | {r['score']:.2f} |" for r in d["removed"]]
    return lines


def _cell(texts: list[str]) -> str:
    text = " ".join(texts).replace("|", "\\|").replace("\n", " ")
    return text[:160] + ("..." if len(text) > 160 else "")

