"""The data and pair builds refuse bad settings and bad input files before writing anything (`builds.yaml`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.conftest import fill, one_message, tree, write_files

SFT_ENTRY = {"vgpt2_sft": {"file_name": "vgpt2_sft.jsonl", "formatting": "sharegpt"}}


@pytest.mark.hostile("builds.yaml")
def test_a_build_with_bad_input_writes_nothing(case: dict, cli, in_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    registry = SFT_ENTRY if "sft" in case else {}
    (out / "dataset_info.json").write_text(json.dumps(registry), encoding="utf-8")
    write_files(tmp_path, {**case.get("files", {}), **({"out/vgpt2_sft.jsonl": case["sft"]} if "sft" in case else {})},
                tmp_path)
    before = tree(tmp_path)
    extra = ["vgpt2.pairs.model=null"] if case["command"] == "pairs" else []
    code, _, err = cli(case["command"], "build", f"dataset_dir={out}", *extra,
                       *(fill(arg, tmp_path) for arg in case.get("args", [])))
    message = one_message(err)
    assert code == 1
    for text in case["says"]:
        assert text in message, message
    assert tree(tmp_path) == before
