"""Backends that answer prompts: the run's model through LLaMA-Factory (`hf`), any OpenAI-compatible endpoint
(`openai`), or recorded answers (`responses`).

A generating backend has one method,

    generate(prompts, *, n=1, temperature=0.0, max_new_tokens=512, progress=None) -> list[list[str]]

taking conversations (`[{"role": "system"|"user", "content": ...}]`, from `prompts.build_prompt`) and returning
`n` answers per prompt: greedy for validation, sampled (temperature > 0, n = K) for mining DPO pairs.
`progress`, when given, is called once per prompt answered.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from vgpt2_ext.judge.settings import ValidateSettings

Conversation = list[dict[str, str]]


class Backend(Protocol):
    def generate(self, prompts: Sequence[Conversation], *, n: int = 1, temperature: float = 0.0,
                 max_new_tokens: int = 512, progress: Callable[[], None] | None = None) -> list[list[str]]: ...


def generator(backend: str, config: dict, settings: ValidateSettings, *, batch_size: int | None = None) -> Backend:
    """The backend `backend` (`hf` or `openai`) for a compiled recipe `config` and its `vgpt2.validate` settings:
    the validation suite answers with it, the pair miner samples with it."""
    if backend == "openai":
        from vgpt2_ext.backends.openai import OpenAIBackend

        return OpenAIBackend(settings.endpoint, settings.api_model, api_key=os.environ.get(settings.api_key_env),
                             concurrency=settings.concurrency, timeout_s=settings.timeout_s, retries=settings.retries)
    from vgpt2_ext.backends.hf import HFBackend
    from vgpt2_ext.recipe import lf_args

    return HFBackend(lf_args(config, "infer"), batch_size=batch_size or settings.batch_size)
