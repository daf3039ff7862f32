"""The hf backend on the embedded tiny model: batched generation through LLaMA-Factory's template gives what
LLaMA-Factory's own one-at-a-time chat gives, and sampling returns K answers per prompt."""

from __future__ import annotations

from pathlib import Path

import pytest

SYSTEM = "You are VGPT2, an expert on the Viewpoint Vista ERP database."
QUESTIONS = ["What is APTH?", "List the open jobs of JC company 1: Job and Description.", "Hi",
             "Which table holds the payment status of AP invoices, and in which column?", "What is the key of JCJM?"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def backend(tiny_folder: Path):
    from vgpt2_ext.backends.hf import HFBackend

    return HFBackend({"model_name_or_path": str(tiny_folder), "template": "qwen", "finetuning_type": "full",
                      "default_system": SYSTEM}, batch_size=3)


def conversations(system: bool = True) -> list[list[dict[str, str]]]:
    head = [{"role": "system", "content": SYSTEM}] if system else []
    return [head + [{"role": "user", "content": question}] for question in QUESTIONS]


def test_batched_greedy_answers_equal_llamafactorys_own_chat(backend) -> None:
    batched = backend.generate(conversations(), max_new_tokens=8)
    single = [backend.chat_one(conversation, max_new_tokens=8) for conversation in conversations()]
    assert [found[0] for found in batched] == single


def test_the_prompt_is_llamafactorys_template_with_the_system_turn(backend) -> None:
    ids = backend.encode(conversations()[0])
    text = backend.tokenizer.decode(ids)
    assert text == f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\nWhat is APTH?<|im_end|>\n" \
                   "<|im_start|>assistant\n"
    assert backend.encode(conversations(system=False)[0]) == ids  # the recipe's default_system fills in


def test_sampling_gives_k_answers_per_prompt(backend) -> None:
    answers = backend.generate(conversations()[:2], n=3, temperature=1.0, max_new_tokens=8)
    assert [len(found) for found in answers] == [3, 3]
    assert len(set(answers[0])) > 1


def test_loading_quietly_leaves_the_environment_as_it_was(backend, monkeypatch) -> None:
    """A training run launched later from this process (tests, notebooks) must log as usual: the quiet level
    holds while the model loads, not after."""
    import logging
    import os

    from vgpt2_ext.backends.hf import _quiet_loading

    monkeypatch.delenv("LLAMAFACTORY_VERBOSITY", raising=False)
    logger = logging.getLogger("llamafactory")
    monkeypatch.setattr(logger, "level", logging.INFO)
    with _quiet_loading():
        assert os.environ["LLAMAFACTORY_VERBOSITY"] == "WARN" and logger.level == logging.WARNING
    assert "LLAMAFACTORY_VERBOSITY" not in os.environ and logger.level == logging.INFO
    monkeypatch.setenv("LLAMAFACTORY_VERBOSITY", "DEBUG")
    with _quiet_loading():
        assert os.environ["LLAMAFACTORY_VERBOSITY"] == "DEBUG"
    assert os.environ["LLAMAFACTORY_VERBOSITY"] == "DEBUG"
