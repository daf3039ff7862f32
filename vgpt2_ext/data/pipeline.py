"""`make data` end to end: compiled recipe -> examples -> prompts -> files, registry and card.

Reads from the compiled `sft` recipe: `vgpt2.catalog`, `vgpt2.schema_context`, `vgpt2.data.*`, the system
prompt `default_system`, `dataset_dir` (where LLaMA-Factory looks for `dataset_info.json`) and
`model_name_or_path` (the tokenizer the card measures with). The rows are shuffled with the data seed, so a
profile that trains on the first `max_samples` rows still sees every category; equal seeds give
byte-identical files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vgpt2_ext.atomic import FileSet, check_set
from vgpt2_ext.catalog import Catalog, load_catalog
from vgpt2_ext.data.build import BuildReport, Progress, build_examples
from vgpt2_ext.data.card import ESTIMATE_NOTE, card_data, load_tokenizer, render_markdown, token_lengths
from vgpt2_ext.data.hygiene import load_validation_cases
from vgpt2_ext.data.prover import Prover
from vgpt2_ext.data.quality import quality
from vgpt2_ext.data.registry import file_name, register, registered, row, write_datasets
from vgpt2_ext.data.seeds import load_seeds
from vgpt2_ext.data.settings import CATEGORIES
from vgpt2_ext.errors import RecipeError

CARD = "DATA_CARD"
MANIFEST = "DATA_MANIFEST.json"  # written last: names and hashes of the set's files, and what they were built from


@dataclass(frozen=True)
class DataRun:
    """What one build needs from the recipe."""

    settings: Any  # the recipe's `vgpt2` section (vgpt2_ext.settings.Settings)
    system: str
    out_dir: Path
    model: str | None = None

    @classmethod
    def from_recipe(cls, config: dict) -> DataRun:
        from vgpt2_ext.settings import load_settings

        system = config.get("default_system")
        if not system:
            raise RecipeError("the recipe sets no `default_system`: it is the system prompt every example starts "
                              "with; set it in recipes/base.yaml")
        return cls(load_settings(config.get("vgpt2") or {}), system, Path(config.get("dataset_dir") or "dataset_info"),
                   config.get("model_name_or_path"))


@dataclass(frozen=True)
class DataResult:
    card: dict
    files: dict[str, str]  # dataset name -> file name under out_dir
    report: BuildReport


def run_build(run: DataRun, progress: Progress | None = None, step: Progress | None = None) -> DataResult:
    """Build, prove, clean, write and register the examples, then write the card."""
    settings = run.settings
    catalog = load_catalog(settings.catalog)
    cases = load_validation_cases(settings.data.decontaminate)
    seeds = load_seeds(settings.data.seeds_dir)
    with Prover(catalog, settings.data.workers, settings.data.proof_rows) as prover:
        report = build_examples(catalog, seeds, settings.data, cases, progress, prover)
        rows = _rows(report, run, prover, step)
    with FileSet(run.out_dir, MANIFEST) as fileset:  # the datasets, their registry entries and the card, as one
        files = write_datasets(fileset, rows, CATEGORIES)
        entries = register(fileset, files)
        tokenizer, problem = load_tokenizer(run.model)
        note = f"`{run.model}` tokenizer" if tokenizer is not None else f"{ESTIMATE_NOTE}: {problem}"
        card = card_data(report, rows, catalog, settings.data, tokenizer_note=note,
                         lengths=token_lengths(rows, tokenizer), context=settings.schema_context,
                         cases_path=settings.data.decontaminate, cases=len(cases), source=settings.catalog)
        facts = {item.example.id: item.facts for items in report.accepted.values() for item in items}
        card["quality"] = quality(rows, catalog, facts)
        card["inputs"] = build_key(run, catalog)
        fileset.write_json(f"{CARD}.json", card)
        fileset.write_text(f"{CARD}.md", render_markdown(card))
        fileset.facts = {"inputs": card["inputs"], "registry": entries}
    return DataResult(card, files, report)


def build_key(run: DataRun, catalog: Catalog) -> str:
    """A digest of what decides the files besides the files Make watches (seeds, cases, code): the catalog's
    content, the data and prompt settings, the system prompt and the card's tokenizer. A recipe that gives
    another key (`CATALOG=...`, `ARGS="vgpt2.data.examples=20000"`) needs a rebuild, however new the files."""
    data = dataclasses.asdict(run.settings.data)
    data.pop("workers")  # how many processes prove the candidates does not change what they prove
    inputs = {"catalog": catalog.fingerprint, "complete": catalog.complete, "data": data,
              "schema_context": run.settings.schema_context,
              "system": run.system, "tokenizer": run.model}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()[:16]


def built_from(run: DataRun) -> str | None:
    """Why the files on disk are not what `run` would build, or None when they are (`--if-stale`): the set's
    manifest, written last, must describe every file as it is (an interrupted build leaves it not doing so),
    the registry must still hold the build's entries, and the build key must match."""
    if not (run.out_dir / file_name()).is_file():
        return f"no `{run.out_dir / file_name()}` yet"
    manifest, problem = check_set(run.out_dir, MANIFEST)
    if manifest is None or problem:
        return problem
    problem = registered(run.out_dir, manifest.get("registry") or {})
    if problem:
        return problem
    if manifest.get("inputs") != build_key(run, load_catalog(run.settings.catalog)):
        return "the files were built from another catalog or other `vgpt2.data` settings"
    return None


def _rows(report: BuildReport, run: DataRun, prover: Prover, step: Progress | None) -> list[dict]:
    """One sharegpt row per accepted example, with its prompt rendered, in the seed's shuffled order."""
    accepted = [item for category in CATEGORIES for item in report.accepted[category]]
    if step:
        step("prompts", 0, len(accepted))
    users = prover.render([(item.example.first_question, item.tables) for item in accepted], run.settings)
    rows = [row(item.example, run.system, user, item.tables) for item, user in zip(accepted, users)]
    if step:
        step("prompts", len(accepted), len(accepted))
    random.Random(run.settings.data.seed).shuffle(rows)
    return rows
