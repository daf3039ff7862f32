"""Batched decoding that stops computing a row once it has finished: the generation loop of the `hf` backend.

Why not `model.generate`: it keeps every row of a batch in the forward pass until the longest one stops, so a
batch of answers of 40 to 400 tokens costs eight rows x 400 steps. On a CPU the cost of a decoding step grows
with its rows (measured: `benchmarks/results/generate.md`), so here a row that emits a stop token (the chat
template's, e.g. `<|im_end|>`) leaves the batch at once: its key/value cache entries are dropped and the steps
after it are computed for the rows still writing. Everything else is what `generate` does: a left-padded
prefill that computes the logits of the last position only, the key/value cache, position ids counted from the
attention mask (so padding shifts nothing), greedy or sampled with transformers' own logits processors
(repetition penalty, temperature, top-k, top-p) in `generate`'s order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Decoding:
    """How to decode: greedy when `temperature` is 0, else sampled."""

    max_new_tokens: int
    stop_ids: tuple[int, ...]
    pad_id: int
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0
    repetition_penalty: float = 1.0


def decode(model: Any, prompts: Sequence[Sequence[int]], how: Decoding) -> list[list[int]]:
    """The new token ids of each prompt, in order, without the stop token that ended it."""
    import torch
    from transformers import DynamicCache

    found: list[list[int]] = [[] for _ in prompts]
    if how.max_new_tokens <= 0 or not prompts:
        return found
    rows = _Rows.padded(prompts, how.pad_id, model.device)
    processors = _processors(how)
    stop = torch.tensor(how.stop_ids, device=model.device, dtype=torch.long)
    cache = DynamicCache(config=model.config)
    with torch.inference_mode():
        logits = model(input_ids=rows.ids, attention_mask=rows.mask, position_ids=rows.prefill_positions(),
                       past_key_values=cache, use_cache=True, logits_to_keep=1).logits[:, -1]
        for step in range(how.max_new_tokens):
            token = _next(processors(rows.ids, logits.float()), how)
            ended = torch.isin(token, stop)
            for row, value, end in zip(rows.live.tolist(), token.tolist(), ended.tolist()):
                if not end:
                    found[row].append(value)
            if ended.all() or step == how.max_new_tokens - 1:
                break
            if ended.any():
                keep = (~ended).nonzero().squeeze(1)
                cache.batch_select_indices(keep)
                rows, token = rows.select(keep), token[keep]
            rows = rows.extended(token)
            logits = model(input_ids=token[:, None], attention_mask=rows.mask, position_ids=rows.last_position(),
                           past_key_values=cache, use_cache=True).logits[:, -1]
    return found


@dataclass(frozen=True)
class _Rows:
    """The rows still writing: their original index, tokens so far (the repetition penalty reads them) and
    attention mask (0 over the left padding); a token's position counts the mask's ones before it."""

    live: Any
    ids: Any
    mask: Any

    @classmethod
    def padded(cls, prompts: Sequence[Sequence[int]], pad_id: int, device: Any) -> _Rows:
        import torch

        width = max(len(ids) for ids in prompts)
        ids = torch.tensor([[pad_id] * (width - len(p)) + list(p) for p in prompts], device=device)
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=device)
        return cls(torch.arange(len(prompts)), ids, mask)

    def prefill_positions(self) -> Any:
        return (self.mask.cumsum(-1) - 1).clamp(min=0)

    def last_position(self) -> Any:
        return self.mask.sum(-1, keepdim=True) - 1

    def select(self, keep: Any) -> _Rows:
        return _Rows(self.live[keep.cpu()], self.ids[keep], self.mask[keep])

    def extended(self, token: Any) -> _Rows:
        import torch

        one = torch.ones_like(token)[:, None]
        return _Rows(self.live, torch.cat([self.ids, token[:, None]], 1), torch.cat([self.mask, one], 1))


def _processors(how: Decoding):
    from transformers import (
        LogitsProcessorList,
        RepetitionPenaltyLogitsProcessor,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    processors = LogitsProcessorList()
    if how.repetition_penalty != 1.0:
        processors.append(RepetitionPenaltyLogitsProcessor(how.repetition_penalty))
    if how.temperature > 0:
        processors.append(TemperatureLogitsWarper(how.temperature))
        if how.top_k > 0:
            processors.append(TopKLogitsWarper(how.top_k))
        if how.top_p < 1.0:
            processors.append(TopPLogitsWarper(how.top_p))
    return processors


def _next(scores: Any, how: Decoding) -> Any:
    import torch

    if how.temperature <= 0:
        return scores.argmax(-1)
    return torch.multinomial(torch.softmax(scores, -1), 1).squeeze(1)
