"""A proven preference pair, and its row in LLaMA-Factory's ranking format.

LLaMA-Factory 0.9.5 reads a `ranking: true` sharegpt dataset (`llamafactory/data/converter.py`,
`SharegptDatasetConverter`) as: `conversations` = the prompt turns, a leading `system` turn taken as the system
prompt, then human/gpt turns alternating and ending with a human turn (an odd count, or the row is dropped with
only a warning); `chosen` and `rejected` = one gpt message each. So a row is the SFT prompt exactly:

    {"conversations": [{"from": "system", ...}, {"from": "human", ...}],
     "chosen": {"from": "gpt", "value": ...}, "rejected": {"from": "gpt", "value": ...}, <provenance>}

The provenance keys (`id`, `sft_id`, `category`, `question`, `source`, `kind`, `reasons`, `detail`, scores) are
for people and the pair card; the converter ignores them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from vgpt2_ext.pairs.rows import SftRow

SOURCES = ("synthetic", "mined")


@dataclass(frozen=True)
class Pair:
    row: SftRow
    source: str  # one of SOURCES
    kind: str  # the corruption type (synthetic) or `sampled` (mined)
    chosen: str
    rejected: str
    reasons: tuple[str, ...]  # judge checks the rejected answer fails (and the chosen one passes)
    detail: str  # the judge's words for them
    chosen_score: float
    rejected_score: float
    gates: tuple[str, ...] = ()  # gates the rejected answer fails: it scores below every pass threshold
    fallback: bool = False  # a synthetic pair standing in for a mined prompt whose samples all passed

    @property
    def id(self) -> str:
        """Stable across builds: the same prompt, chosen and rejected give the same id."""
        text = "\0".join((self.row.system, self.row.user, self.chosen, self.rejected))
        return f"{self.source}-{hashlib.sha1(text.encode()).hexdigest()[:12]}"

    def to_row(self) -> dict:
        return {
            "conversations": [{"from": "system", "value": self.row.system}, {"from": "human", "value": self.row.user}],
            "chosen": {"from": "gpt", "value": self.chosen},
            "rejected": {"from": "gpt", "value": self.rejected},
            "id": self.id, "sft_id": self.row.id, "category": self.row.category, "question": self.row.question,
            "source": self.source, "kind": self.kind, "fallback": self.fallback, "reasons": list(self.reasons),
            "gates": list(self.gates), "detail": self.detail, "chosen_score": self.chosen_score,
            "rejected_score": self.rejected_score,
        }
