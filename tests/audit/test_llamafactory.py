"""LLaMA-Factory's own loader reads every clean copy through the entry the audit registered, dropping no row.

The audit writes the clean copy in the input's own shape; LLaMA-Factory skips a malformed row with only a
warning, so the test counts what comes out of its pipeline (registry -> loader -> converter -> tokenised
examples; `sft` for SFT rows, `rm` for pairs as its DPO workflow loads them) against the rows written.
"""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(("shape", "ranking"), [("alpaca", False), ("openai", False), ("sharegpt", True),
                                                ("alpaca", True)],
                         ids=["alpaca SFT", "openai messages SFT", "sharegpt ranking", "alpaca ranking"])
def test_llamafactory_reads_the_clean_copy_of_every_shape(audit, tmp_path, write_rows, sft_shapes, pair_shapes,
                                                         answer_cases, pair_cases, llamafactory_load, shape, ranking):
    rows = [pair_shapes[shape](c["question"], c["chosen"], c["rejected"]) for c in pair_cases] if ranking else \
        [sft_shapes[shape](c["question"], c["answer"]) for c in answer_cases]
    assert audit(write_rows(tmp_path / "d.jsonl", rows), "--repair")[0] == 0
    out = tmp_path / "out"
    written = (out / json.loads((out / "dataset_info.json").read_text())["d_audited"]["file_name"]).read_text()
    loaded = llamafactory_load("d_audited", out, "rm" if ranking else "sft")["train_dataset"]
    assert 0 < len(loaded) == len(written.splitlines())
