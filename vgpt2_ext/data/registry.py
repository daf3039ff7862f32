"""Writing the datasets the way LLaMA-Factory 0.9.5 reads them: sharegpt JSONL plus `dataset_info.json` entries.

A row is `{"conversations": [system, human, gpt], ...}`, the system turn first (LLaMA-Factory's sharegpt
converter takes a leading `system` turn as the system prompt, then requires human/gpt turns alternating and
ending with gpt, or drops the row with only a warning). A follow-up row carries more turns in the same shape
(`[system, human, gpt, human, gpt]`): the first human turn holds the schema context and the first question,
the later ones the follow-up questions. The other keys of a row (`id`, `category`, `source`, `question` (the
first question), `follow_ups`, `tables`, `missing`, `suggest`, `columns`, `kind`) are provenance for the DPO
pair builder, the card and people; the converter ignores them.

Registration merges into `dataset_info.json`: entries of other datasets (the DPO engineer's `vgpt2_dpo*`)
are kept as they are, this build's entries are written, and `<dataset>_*` entries this build does not know
are removed together with their files. The set of entries is fixed (the merged file and one per category,
written empty when a category produced nothing), so the tracked `dataset_info.json` reads the same after
every build and a build never leaves the checkout dirty. The files, the registry and the card are written as
one set (`atomic.FileSet`): renamed into place together, with a manifest last.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from vgpt2_ext.atomic import FileSet
from vgpt2_ext.data.example import Example
from vgpt2_ext.errors import DatasetError

DATASET = "vgpt2_sft"
REGISTRY = "dataset_info.json"
# what LLaMA-Factory's DatasetAttr reads for a sharegpt dataset (llamafactory/data/parser.py)
ENTRY = {
    "formatting": "sharegpt",
    "columns": {"messages": "conversations"},
    "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt",
             "system_tag": "system"},
}


def row(example: Example, system: str, user: str, tables: Sequence[str]) -> dict:
    """One sharegpt row: the conversation (the first human turn is `user`, the rendered first question), then
    provenance."""
    turns = [(question, text) for question, text in example.history] + [(example.question, example.answer)]
    conversation = [{"from": "system", "value": system}]
    for index, (question, text) in enumerate(turns):
        conversation += [{"from": "human", "value": user if index == 0 else question},
                         {"from": "gpt", "value": text}]
    return {
        "conversations": conversation,
        "id": example.id,
        "category": example.category,
        "source": example.source,
        "question": example.first_question,
        "follow_ups": [question for question, _ in turns[1:]],
        "tables": list(tables),
        "missing": list(example.missing),
        "suggest": list(example.suggest),
        "columns": list(example.columns),
        "kind": example.kind,
    }


def jsonl(rows: Sequence[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def file_name(category: str | None = None) -> str:
    return f"{DATASET}_{category}.jsonl" if category else f"{DATASET}.jsonl"


def write_datasets(files: FileSet, rows: Sequence[dict], categories: Sequence[str]) -> dict[str, str]:
    """The merged file and one file per category (empty when it has no rows), into the set; dataset name ->
    file name. A category without rows keeps its entry: an empty file, not a registry that changes."""
    written = {DATASET: file_name()}
    files.write_text(file_name(), jsonl(rows))
    for category in categories:
        written[f"{DATASET}_{category}"] = file_name(category)
        files.write_text(file_name(category), jsonl([r for r in rows if r["category"] == category]))
    return written


def register(files: FileSet, written: dict[str, str], *, dataset: str = DATASET, entry: dict = ENTRY) -> dict:
    """Merge this build's entries into `dataset_info.json`, in the set: `dataset` and its `<dataset>_*` parts
    that this build did not write are stale and go with their files; every other dataset's entry is kept as
    it is. Returns this build's entries (the manifest records them)."""
    registry = read_registry(files.folder / REGISTRY)
    for name in [n for n in registry if (n == dataset or n.startswith(f"{dataset}_")) and n not in written]:
        stale = registry.pop(name).get("file_name")
        if stale:
            files.remove(stale)
    mine = {name: {"file_name": file, **entry} for name, file in written.items()}
    files.write_json(REGISTRY, {**registry, **mine}, tracked=False)  # other sets' entries live there too
    return mine


def registered(directory: Path, entries: dict) -> str | None:
    """Why `dataset_info.json` no longer registers `entries` as a build wrote them, or None when it does."""
    registry = read_registry(directory / REGISTRY)
    changed = [name for name, entry in entries.items() if registry.get(name) != entry]
    return f"`{directory / REGISTRY}` no longer registers {changed} as the build did" if changed else None


def read_registry(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        registry = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DatasetError(f"`{path}` is not valid JSON ({error.msg} at line {error.lineno}); fix or delete it "
                           "and run `make data` again") from None
    if not isinstance(registry, dict):
        raise DatasetError(f"`{path}` must hold a JSON object mapping dataset names to entries")
    return registry
