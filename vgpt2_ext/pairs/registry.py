"""Writing the pairs where LLaMA-Factory finds them: `vgpt2_dpo*.jsonl` and their `dataset_info.json` entries.

`vgpt2_dpo` holds every pair; `vgpt2_dpo_synthetic` and `vgpt2_dpo_mined` one source each (for ablations:
`dataset: vgpt2_dpo_mined`). The entries add `ranking: true` and the `chosen`/`rejected` columns to the SFT
entry's sharegpt tags. Registration merges into `dataset_info.json` through the data registry: other
entries (`vgpt2_sft*`) are kept as they are and this build's are written. Every source keeps its entry: one
that produced nothing this time (no model to mine) gets an empty file, so no stale pairs stay behind and the
tracked `dataset_info.json` does not change from build to build. The files, the registry and the card are
written as one set (`atomic.FileSet`).
"""

from __future__ import annotations

from collections.abc import Sequence

from vgpt2_ext.atomic import FileSet
from vgpt2_ext.data.registry import ENTRY, jsonl
from vgpt2_ext.data.registry import register as data_register
from vgpt2_ext.pairs.pair import SOURCES, Pair

DATASET = "vgpt2_dpo"
RANKING_ENTRY = {**ENTRY, "ranking": True,
                 "columns": {**ENTRY["columns"], "chosen": "chosen", "rejected": "rejected"}}


def write_pairs(files: FileSet, pairs: Sequence[Pair]) -> dict[str, str]:
    """The merged file and one file per source (empty when it has no pairs), into the set; dataset name ->
    file name."""
    rows = [pair.to_row() for pair in pairs]
    written = {DATASET: f"{DATASET}.jsonl"}
    files.write_text(written[DATASET], jsonl(rows))
    for source in SOURCES:
        written[f"{DATASET}_{source}"] = f"{DATASET}_{source}.jsonl"
        files.write_text(written[f"{DATASET}_{source}"], jsonl([row for row in rows if row["source"] == source]))
    return written


def register(files: FileSet, written: dict[str, str]) -> dict:
    """Merge the pairs' entries into `dataset_info.json` (entries of unknown `vgpt2_dpo_*` sources go); returns
    them."""
    return data_register(files, written, dataset=DATASET, entry=RANKING_ENTRY)
