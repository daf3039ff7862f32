"""`vgpt2 pairs build` end to end: the validated SFT rows -> synthetic and mined pairs -> files, registry, card.

Reads the recipe's `vgpt2` section: `pairs.*` (what to build), `catalog`, `data.seeds_dir` (the invented names),
`data.decontaminate` and its thresholds (the SFT data's decontamination), `validate.thresholds` and
`validate.seed` (the judge's pass thresholds and sandbox). Pairs are shuffled with the pairs seed, so a
profile training on the first `max_samples` sees every kind; equal seeds and samples give byte-identical files.
The SFT rows were proven against one catalog (their card says which); pairs judged against another would lose
most candidates to names that catalog lacks, so that is refused before any work.
"""

from __future__ import annotations

import dataclasses
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vgpt2_ext.atomic import FileSet
from vgpt2_ext.catalog import Catalog, load_catalog
from vgpt2_ext.data.card import ESTIMATE_NOTE, load_tokenizer
from vgpt2_ext.data.hygiene import Decontaminator, load_validation_cases
from vgpt2_ext.data.pipeline import CARD as DATA_CARD
from vgpt2_ext.data.registry import DATASET as SFT_DATASET
from vgpt2_ext.data.registry import file_name
from vgpt2_ext.data.seeds import load_seeds
from vgpt2_ext.errors import DatasetError
from vgpt2_ext.pairs import mine
from vgpt2_ext.pairs.card import card_data, render_markdown
from vgpt2_ext.pairs.collect import Collector
from vgpt2_ext.pairs.pair import Pair
from vgpt2_ext.pairs.proof import Prover
from vgpt2_ext.pairs.registry import register, write_pairs
from vgpt2_ext.pairs.rows import load_rows, sft_file
from vgpt2_ext.pairs.synthetic import Material, material, synthetic_pairs
from vgpt2_ext.sandbox import sandbox_for

CARD = "PAIR_CARD"
MANIFEST = "PAIR_MANIFEST.json"  # written last: names and hashes of the set's files (`atomic.check_set`)
Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass(frozen=True)
class PairRun:
    """What one build needs: the recipe's `vgpt2` settings, the dataset folder, and who samples for mining.

    `sampler` makes the backend (loading a model is the caller's decision: None mines nothing unless
    `pairs.samples` names recorded samples); `model` says in words which model it is, or why there is none.
    """

    settings: Any  # vgpt2_ext.settings.Settings
    out_dir: Path
    sampler: Callable[[], Any] | None = None
    model: str = "no model to mine from"
    tokenizer_model: str | None = None


@dataclass(frozen=True)
class PairResult:
    card: dict
    files: dict[str, str]  # dataset name -> file name under out_dir
    pairs: list[Pair]


def run_build(run: PairRun, progress: Progress | None = None) -> PairResult:
    """Build, prove, write and register the pairs, then write the card."""
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    settings, pairs_settings = run.settings, run.settings.pairs
    catalog = load_catalog(settings.catalog)
    same_catalog(run, catalog)
    found = material(load_rows(sft_file(run.out_dir, pairs_settings.sft_dataset)), catalog,
                     load_seeds(settings.data.seeds_dir))
    prover = Prover(catalog, sandbox_for(catalog, settings.validate.seed), settings.validate.thresholds)
    collector = Collector(prover, _decontaminator(settings.data))
    synthetic, wanted = synthetic_pairs(found, pairs_settings.synthetic, pairs_settings.mix.weights(),
                                        pairs_settings.seed, collector, progress)
    seconds["synthetic"], clock = time.perf_counter() - clock, time.perf_counter()
    stats = mine.MineStats()
    mined, status = _mined(run, found, collector, stats, progress)
    seconds["mined"] = time.perf_counter() - clock
    pairs = synthetic + mined
    random.Random(pairs_settings.seed).shuffle(pairs)
    with FileSet(run.out_dir, MANIFEST) as fileset:  # the pairs, their registry entries and the card, as one
        files = write_pairs(fileset, pairs)
        fileset.facts = {"registry": register(fileset, files)}
        tokenizer, problem = load_tokenizer(run.tokenizer_model)
        note = f"`{run.tokenizer_model}` tokenizer" if tokenizer is not None else f"{ESTIMATE_NOTE}: {problem}"
        card = card_data(pairs, wanted, collector.tally, stats, mining=status, tokenizer=tokenizer,
                         tokenizer_note=note, settings=_shown(settings), seconds=seconds)
        fileset.write_json(f"{CARD}.json", card)
        fileset.write_text(f"{CARD}.md", render_markdown(card))
    return PairResult(card, files, pairs)


def same_catalog(run: PairRun, catalog: Catalog) -> None:
    """Refuse to judge the SFT rows against another catalog than the one their data card says they were
    built from (a `vgpt2_sft*` dataset with its card; other datasets carry no such record)."""
    if not run.settings.pairs.sft_dataset.startswith(SFT_DATASET):
        return
    try:
        built = json.loads((run.out_dir / f"{DATA_CARD}.json").read_text(encoding="utf-8")).get("catalog") or {}
    except (OSError, ValueError, AttributeError):
        return
    if built.get("fingerprint") in (None, catalog.fingerprint):
        return
    source = built.get("source") or "embedded sample"
    same = "leave `vgpt2.catalog` unset" if source == "embedded sample" else f"`--catalog {source}`"
    raise DatasetError(
        f"`{run.out_dir / file_name()}` was built from catalog `{built.get('name')}` ({source}), but the pairs "
        f"would be judged against `{catalog.name}` ({run.settings.catalog or 'embedded sample'}): build them "
        f"against the same catalog ({same}; `make pairs CATALOG=...`) or rebuild the SFT data (`make data`)")


def _mined(run: PairRun, found: Material, collector: Collector, stats: mine.MineStats,
          progress: Progress | None) -> tuple[list[Pair], str]:
    """Mined pairs from recorded samples, or from samples drawn now (and recorded); and what happened, in words."""
    settings = run.settings.pairs
    if settings.samples:
        samples = mine.load_samples(settings.samples)
        items = mine.recorded_items(found, samples, stats)
        status = f"recorded samples `{settings.samples}`"
    elif run.sampler is None or settings.prompts <= 0:
        return [], f"no mined pairs: {run.model if run.sampler is None else '`vgpt2.pairs.prompts` is 0'}"
    else:
        items = mine.mining_items(found, settings.prompts, settings.seed)
        done = iter(range(1, len(items) + 1))
        tick = (lambda: progress("sampling", next(done), len(items))) if progress else None
        samples = mine.sample(run.sampler().generate, items, settings.samples_per_prompt, settings.temperature,
                         settings.max_new_tokens, tick)
        mine.write_samples(run.out_dir / mine.SAMPLES_FILE, items, samples)
        status = (f"{settings.samples_per_prompt} samples per prompt at temperature {settings.temperature:g} from "
                  f"{run.model}, recorded in `{run.out_dir / mine.SAMPLES_FILE}`")
    pairs = mine.mined_pairs(items, samples, found, collector, settings.rejected_per_prompt, settings.seed, stats)
    return pairs, status


def _decontaminator(data) -> Decontaminator | None:
    cases = load_validation_cases(data.decontaminate)
    if not cases:
        return None
    return Decontaminator(cases, data.decontam_ngram, data.decontam_threshold, data.decontam_sql_threshold)


def _shown(settings) -> dict:
    return {"pairs": dataclasses.asdict(settings.pairs), "catalog": settings.catalog or "embedded default",
            "decontaminate": settings.data.decontaminate,
            "thresholds": dataclasses.asdict(settings.validate.thresholds)}
