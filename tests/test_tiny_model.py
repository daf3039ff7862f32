"""The embedded tiny model: deterministic, a few million parameters, and what LLaMA-Factory's qwen template needs."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from vgpt2_ext.tiny_model import ENDOFTEXT, IM_END, IM_START, build_tiny_model


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_same_seed_gives_byte_identical_files_and_another_seed_other_weights(tiny_model_dir, tmp_path):
    build_tiny_model(tmp_path / "again", seed=0)
    build_tiny_model(tmp_path / "other", seed=1)
    assert _digests(tmp_path / "again") == _digests(tiny_model_dir)
    other = _digests(tmp_path / "other")
    assert other["model.safetensors"] != _digests(tiny_model_dir)["model.safetensors"]
    assert other["tokenizer.json"] == _digests(tiny_model_dir)["tokenizer.json"]


@pytest.mark.slow
def test_model_is_a_small_qwen2_with_the_qwen_special_tokens(tiny_model_dir):
    from transformers import AutoConfig, AutoTokenizer

    config = AutoConfig.from_pretrained(tiny_model_dir)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    facts = json.loads((tiny_model_dir / "vgpt2_tiny.json").read_text())
    assert config.model_type == "qwen2" and 1_000_000 < facts["parameters"] < 10_000_000
    assert (tokenizer.eos_token, tokenizer.pad_token) == (IM_END, ENDOFTEXT)
    assert config.eos_token_id == tokenizer.convert_tokens_to_ids(IM_END)
    assert config.vocab_size >= len(tokenizer)
    assert tokenizer.tokenize(IM_START) == [IM_START]  # special tokens are never split
    text = "SELECT TOP 10 * FROM APTH WITH (NOLOCK) WHERE APCo = @APCo;"
    assert tokenizer.decode(tokenizer.encode(text)) == text  # byte-level: lossless


@pytest.mark.slow
def test_llamafactory_qwen_template_adds_nothing_and_matches_the_chat_template(tiny_model_dir):
    from llamafactory.data import get_template_and_fix_tokenizer
    from llamafactory.hparams import DataArguments
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    size = len(tokenizer)
    template = get_template_and_fix_tokenizer(tokenizer, DataArguments(template="qwen"))
    assert len(tokenizer) == size and tokenizer.eos_token == IM_END
    messages = [{"role": "user", "content": "Which table holds AP vendors?"}, {"role": "assistant", "content": "APVM"}]
    system = "You are a helpful assistant."
    prompt_ids, answer_ids = template.encode_oneturn(tokenizer, messages, system)
    rendered = tokenizer.apply_chat_template(messages, tokenize=False)
    assert tokenizer.decode(prompt_ids + answer_ids) == rendered
    assert prompt_ids + answer_ids == tokenizer(rendered, add_special_tokens=False)["input_ids"]


@pytest.mark.slow
def test_the_command_prints_one_line_and_no_transformers_progress_bar(tmp_path, capfd):
    from vgpt2_ext.cli import main

    assert main(["tiny-model", "--out", str(tmp_path / "tiny")]) == 0
    out, err = capfd.readouterr()
    assert "Writing model shards" not in out + err and "it/s" not in out + err
    assert re.fullmatch(rf"built {re.escape(str(tmp_path / 'tiny'))}: [\d,]+ parameters, tokenizer of [\d,]+ "
                        r"tokens, seed 0", " ".join(out.split())) and err == ""
