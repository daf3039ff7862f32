"""Backends that answer prompts: the run's model through LLaMA-Factory (`hf`), any OpenAI-compatible endpoint
(`openai`), or recorded answers (`responses`).

A generating backend has one method,

    generate(prompts, *, n=1, temperature=0.0, max_new_tokens=512, progress=None) -> list[list[str]]

taking conversations (`[{"role": "system"|"user", "content": ...}]`, from `prompts.build_prompt`) and returning
`n` answers per prompt: greedy for validation, sampled (temperature > 0, n = K) for mining DPO pairs.
`progress`, when given, is called once per prompt answered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

Conversation = list[dict[str, str]]


class Backend(Protocol):
    def generate(self, prompts: Sequence[Conversation], *, n: int = 1, temperature: float = 0.0,
                 max_new_tokens: int = 512, progress: Callable[[], None] | None = None) -> list[list[str]]: ...
