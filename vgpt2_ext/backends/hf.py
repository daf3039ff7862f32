"""The run's model answering through LLaMA-Factory's own chat machinery, in batches.

`llamafactory.chat.ChatModel` loads the base model, stacks the adapters in order (SFT, then DPO) and fixes the
tokenizer and chat template exactly as training did (`template`, `default_system`). Its `chat` answers one
conversation at a time, so batches are encoded here with the same template (`Template.encode_oneturn`, as
LLaMA-Factory's HF engine does), grouped by length and decoded together (`decode.py`: key/value cache, a row
leaves the batch at the template's stop token). `chat_one` keeps LLaMA-Factory's own one-at-a-time path, for
comparison; `stats` counts the new tokens and seconds, for the report's throughput.

torch and LLaMA-Factory are imported when a backend is built, not when this module is. Loading logs at WARN
unless `LLAMAFACTORY_VERBOSITY` says otherwise: at INFO, LLaMA-Factory and transformers print the model's config
several times over, burying the progress bars and the summary of the command that loaded it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from vgpt2_ext.backends import Conversation
from vgpt2_ext.backends.decode import Decoding, decode


@dataclass
class GenerationStats:
    """What this backend generated so far: answers, new tokens (stop tokens not counted) and seconds decoding."""

    batch_size: int
    answers: int = 0
    new_tokens: int = 0
    seconds: float = 0.0

    def add(self, answers: int, new_tokens: int, seconds: float) -> None:
        self.answers += answers
        self.new_tokens += new_tokens
        self.seconds += seconds

    def to_json(self) -> dict:
        rate = self.new_tokens / self.seconds if self.seconds else 0.0
        return {"answers": self.answers, "new_tokens": self.new_tokens, "seconds": round(self.seconds, 2),
                "tokens_per_s": round(rate, 2), "batch_size": self.batch_size}


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
        self.stats = GenerationStats(batch_size=self.batch_size)

    def encode(self, conversation: Conversation) -> list[int]:
        """Prompt token ids, as LLaMA-Factory's HF engine builds them (system turn, then an empty assistant turn)."""
        system, messages = _split(conversation)
        ids, _ = self.template.encode_oneturn(self.tokenizer, messages + [{"role": "assistant", "content": ""}], system)
        return ids

    def generate(self, prompts: Sequence[Conversation], *, n: int = 1, temperature: float = 0.0,
                 max_new_tokens: int = 512, progress: Callable[[], None] | None = None) -> list[list[str]]:
        """`n` answers per prompt. Prompts are batched by length, longest first, so a batch pads little (and the
        slowest batch comes first); answers come back in the prompts' order."""
        encoded = [self.encode(conversation) for conversation in prompts]
        order = sorted(range(len(prompts)), key=lambda i: -len(encoded[i]))
        how = self.decoding(temperature, max_new_tokens)
        answers: list[list[str]] = [[] for _ in prompts]
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            rows = self._decode([encoded[i] for i in batch for _ in range(n)], how)
            for k, i in enumerate(batch):
                answers[i] = rows[k * n:(k + 1) * n]
                if progress is not None:
                    progress()
        return answers

    def decoding(self, temperature: float, max_new_tokens: int) -> Decoding:
        """Greedy or sampled decoding that stops at the chat template's stop tokens (`<|im_end|>`, eos)."""
        sampled = temperature > 0
        return Decoding(max_new_tokens=max_new_tokens, stop_ids=tuple(self.template.get_stop_token_ids(self.tokenizer)),
                        pad_id=self.tokenizer.pad_token_id, temperature=temperature,
                        top_p=self.defaults.get("top_p", 1.0) if sampled else 1.0,
                        top_k=self.defaults.get("top_k", 50) if sampled else 0,
                        repetition_penalty=self.defaults.get("repetition_penalty", 1.0))

    def _decode(self, rows: list[list[int]], how: Decoding) -> list[str]:
        started = time.perf_counter()
        found = decode(self.model, rows, how)
        self.stats.add(len(rows), sum(len(ids) for ids in found), time.perf_counter() - started)
        return self.tokenizer.batch_decode(found, skip_special_tokens=True, clean_up_tokenization_spaces=True)

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
