"""The decoding loop of the hf backend on the embedded tiny model: a padded batch decodes each prompt as it
decodes alone and as transformers' `generate` does, and a row that stops leaves the batch without changing the
others."""

from __future__ import annotations

from pathlib import Path

import pytest

from vgpt2_ext.backends.decode import Decoding, decode

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model_and_prompts(tiny_folder: Path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_folder)
    texts = ["What is APTH?", "List the open jobs of JC company 1: Job and Description, newest first.", "Hi"]
    return AutoModelForCausalLM.from_pretrained(tiny_folder).eval(), [tokenizer(t)["input_ids"] for t in texts], \
        tokenizer


def greedy(tokens: int, stop: tuple[int, ...], pad: int) -> Decoding:
    return Decoding(max_new_tokens=tokens, stop_ids=stop, pad_id=pad)


def test_a_padded_batch_decodes_as_each_prompt_alone_and_as_generate(model_and_prompts) -> None:
    import torch

    model, prompts, tokenizer = model_and_prompts
    how = greedy(12, (tokenizer.eos_token_id,), tokenizer.pad_token_id)
    batched = decode(model, prompts, how)
    assert batched == [decode(model, [prompt], how)[0] for prompt in prompts]
    for prompt, found in zip(prompts, batched):
        with torch.inference_mode():
            output = model.generate(torch.tensor([prompt]), max_new_tokens=12, do_sample=False,
                                    eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
        assert output[0, len(prompt):].tolist()[:len(found)] == found and len(found) == 12


def test_a_row_that_stops_leaves_the_batch_and_the_others_go_on_unchanged(model_and_prompts) -> None:
    model, prompts, tokenizer = model_and_prompts
    free = decode(model, prompts, greedy(12, (tokenizer.eos_token_id,), tokenizer.pad_token_id))
    stop_token = free[0][3]  # the first prompt stops where it would write its fourth token
    others = [i for i, found in enumerate(free) if stop_token not in found[:12]]
    assert others, "another prompt must not write the stop token, or nothing is shown"
    how = greedy(12, (tokenizer.eos_token_id, stop_token), tokenizer.pad_token_id)
    stopped = decode(model, prompts, how)
    assert stopped[0] == free[0][:free[0].index(stop_token)] and stop_token not in stopped[0]
    assert all(stopped[i] == free[i] for i in others)


def test_no_new_tokens_asked_gives_empty_answers(model_and_prompts) -> None:
    model, prompts, tokenizer = model_and_prompts
    assert decode(model, prompts, greedy(0, (tokenizer.eos_token_id,), tokenizer.pad_token_id)) == [[], [], []]
