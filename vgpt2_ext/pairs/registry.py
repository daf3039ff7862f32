"""Writing the pairs where LLaMA-Factory finds them: `vgpt2_dpo*.jsonl` and their `dataset_info.json` entries.

`vgpt2_dpo` holds every pair; `vgpt2_dpo_synthetic` and `vgpt2_dpo_mined` one source each (for ablations:
`dataset: vgpt2_dpo_mined`). The entries add `ranking: true` and the `chosen`/`rejected` columns to the SFT
entry's sharegpt tags. Registration merges into `dataset_info.json` through the data registry: other
entries (`vgpt2_sft*`) are kept as they are, this build's are written, and a stale `vgpt2_dpo_<source>` entry
(a source that produced nothing this time) is removed with its file. The files, the registry and the card
are written as one set (`atomic.FileSet`).
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
    """The merged file and one file per source that has pairs, into the set; dataset name -> file name."""
    rows = [pair.to_row() for pair in pairs]
    written = {DATASET: f"{DATASET}.jsonl"}
    files.write_text(written[DATASET], jsonl(rows))
    for source in SOURCES:
        mine = [row for row in rows if row["source"] == source]
        if mine:
            written[f"{DATASET}_{source}"] = f"{DATASET}_{source}.jsonl"
            files.write_text(written[f"{DATASET}_{source}"], jsonl(mine))
    return written


def register(files: FileSet, written: dict[str, str]) -> dict:
    """Merge the pairs' entries into `dataset_info.json` (stale `vgpt2_dpo_<source>` entries go); returns them."""
    return data_register(files, written, dataset=DATASET, entry=RANKING_ENTRY)
