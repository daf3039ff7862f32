"""The run's model answering through LLaMA-Factory's own chat machinery, in batches.

`llamafactory.chat.ChatModel` loads the base model, stacks the adapters in order (SFT, then DPO) and fixes the
tokenizer and chat template exactly as training did (`template`, `default_system`). Its `chat` answers one
conversation at a time, so batches are encoded here with the same template (`Template.encode_oneturn`, as
LLaMA-Factory's HF engine does), left-padded, and generated together with `model.generate`, stopping at the
template's stop tokens. `chat_one` keeps LLaMA-Factory's own one-at-a-time path, for comparison.

torch and LLaMA-Factory are imported when a backend is built, not when this module is. Loading logs at WARN
unless `LLAMAFACTORY_VERBOSITY` says otherwise: at INFO, LLaMA-Factory and transformers print the model's config
several times over, burying the progress bars and the summary of the command that loaded it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from vgpt2_ext.backends import Conversation


class HFBackend:
    """Greedy (temperature 0) or sampled generation from a base model plus adapters, `batch_size` prompts at once."""

    def __init__(self, lf_args: dict[str, Any], batch_size: int = 8) -> None:
        with _quiet_loading():
            from llamafactory.chat import ChatModel

            self.chat_model = ChatModel(dict(lf_args))
        engine = self.chat_model.engine
        self.model, self.tokenizer, self.template = engine.model, engine.tokenizer, engine.template
        self.defaults = engine.generating_args
        self.batch_size = max(1, batch_size)

    def encode(self, conversation: Conversation) -> list[int]:
        """Prompt token ids, as LLaMA-Factory's HF engine builds them (system turn, then an empty assistant turn)."""
        system, messages = _split(conversation)
        ids, _ = self.template.encode_oneturn(self.tokenizer, messages + [{"role": "assistant", "content": ""}], system)
        return ids

    def generate(self, prompts: Sequence[Conversation], *, n: int = 1, temperature: float = 0.0,
                 max_new_tokens: int = 512, progress: Callable[[], None] | None = None) -> list[list[str]]:
        answers: list[list[str]] = []
        for start in range(0, len(prompts), self.batch_size):
            batch = prompts[start:start + self.batch_size]
            answers += self._batch(batch, n, temperature, max_new_tokens)
            for _ in batch:
                if progress is not None:
                    progress()
        return answers

    def batch_inputs(self, batch: Sequence[Conversation]) -> dict[str, Any]:
        """`input_ids` and `attention_mask` of a batch, left-padded so every prompt ends where generation starts."""
        import torch

        encoded = [self.encode(conversation) for conversation in batch]
        width = max(len(ids) for ids in encoded)
        pad = self.tokenizer.pad_token_id
        device = self.model.device
        return {"input_ids": torch.tensor([[pad] * (width - len(ids)) + ids for ids in encoded], device=device),
                "attention_mask": torch.tensor([[0] * (width - len(ids)) + [1] * len(ids) for ids in encoded],
                                               device=device)}

    def _batch(self, batch: Sequence[Conversation], n: int, temperature: float, max_new_tokens: int) -> list[list[str]]:
        import torch
        from transformers import GenerationConfig

        inputs = self.batch_inputs(batch)
        width = inputs["input_ids"].shape[1]
        config = GenerationConfig(**self._generation(n, temperature, max_new_tokens))
        with torch.inference_mode():
            output = self.model.generate(**inputs, generation_config=config)
        texts = self.tokenizer.batch_decode(output[:, width:], skip_special_tokens=True,
                                            clean_up_tokenization_spaces=True)
        return [texts[i * n:(i + 1) * n] for i in range(len(batch))]

    def _generation(self, n: int, temperature: float, max_new_tokens: int) -> dict[str, Any]:
        kwargs = {
            "max_new_tokens": max_new_tokens, "num_return_sequences": n, "do_sample": temperature > 0,
            "repetition_penalty": self.defaults.get("repetition_penalty", 1.0),
            "eos_token_id": self.template.get_stop_token_ids(self.tokenizer),
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if temperature > 0:
            kwargs |= {"temperature": temperature, "top_p": self.defaults.get("top_p", 1.0),
                       "top_k": self.defaults.get("top_k", 50)}
        return kwargs

    def chat_one(self, conversation: Conversation, max_new_tokens: int = 512) -> str:
        """One greedy answer through LLaMA-Factory's own `ChatModel.chat` (one conversation at a time)."""
        system, messages = _split(conversation)
        responses = self.chat_model.chat(messages, system=system, do_sample=False, max_new_tokens=max_new_tokens)
        return responses[0].response_text


@contextmanager
def _quiet_loading() -> Iterator[None]:
    """LLaMA-Factory and transformers at `LLAMAFACTORY_VERBOSITY` (WARN unless set) while the model loads; the
    variable and LLaMA-Factory's logger level are put back after, so what this process runs later logs as usual."""
    before = os.environ.get("LLAMAFACTORY_VERBOSITY")
    logger = logging.getLogger("llamafactory")  # it may be set up already, before the variable is read
    level_before = logger.level
    os.environ["LLAMAFACTORY_VERBOSITY"] = before or "WARN"
    logger.setLevel(os.environ["LLAMAFACTORY_VERBOSITY"].upper())
    try:
        yield
    finally:
        logger.setLevel(level_before)
        if before is None:
            del os.environ["LLAMAFACTORY_VERBOSITY"]


def _split(conversation: Conversation) -> tuple[str | None, list[dict[str, str]]]:
    system = next((m["content"] for m in conversation if m["role"] == "system"), None)
    return system, [m for m in conversation if m["role"] != "system"]
