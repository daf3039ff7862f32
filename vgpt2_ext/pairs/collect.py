"""Admitting pairs: decontamination, proof, de-duplication, and the tally of everything turned away.

Every candidate, synthetic or mined, goes through `Collector.offer`: its prompt must not be a validation case
(the SFT data's own `Decontaminator`, on the question and the chosen query), the judge must prove it
(`proof.Prover`), and no pair with the same prompt, chosen and rejected answer may be kept twice. What is
turned away is counted by (source, kind, reason), with a few examples per reason for the card.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from vgpt2_ext.data.example import Example
from vgpt2_ext.data.hygiene import Decontaminator
from vgpt2_ext.judge import Case
from vgpt2_ext.pairs.pair import Pair
from vgpt2_ext.pairs.proof import Proof, Prover
from vgpt2_ext.pairs.rows import SftRow
from vgpt2_ext.sql.extract import extract_sql

SHOWN = 3  # examples kept per drop reason


@dataclass(frozen=True)
class Offer:
    """A candidate pair: the row and its case, where it came from, the two answers and, for a synthetic
    one, the checks its rejected answer must fail (None for a mined one)."""

    row: SftRow
    case: Case
    source: str
    kind: str
    chosen: str
    rejected: str
    fails: tuple[str, ...] | None = None
    note: str = ""  # what the corruption did, for the card's examples
    fallback: bool = False


@dataclass
class Tally:
    dropped: Counter = field(default_factory=Counter)  # (source, kind, reason) -> count
    examples: dict[str, list[str]] = field(default_factory=dict)  # reason -> a few `row: detail` lines
    overlaps: list[dict] = field(default_factory=list)  # decontamination hits

    def drop(self, offer: Offer, reason: str, detail: str = "") -> None:
        self.dropped[(offer.source, offer.kind, reason)] += 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < SHOWN:
            shown.append(f"{offer.kind} on `{offer.row.id}`: {detail or offer.note}".rstrip(": "))


class Collector:
    def __init__(self, prover: Prover, decontaminator: Decontaminator | None) -> None:
        self.prover, self.decontaminator = prover, decontaminator
        self.tally = Tally()
        self._seen: set[tuple[str, str, str, str]] = set()
        self._clean: dict[str, bool] = {}

    def offer(self, offer: Offer) -> Pair | None:
        """The proven pair, or None (the reason counted)."""
        if not self._is_clean(offer):
            self.tally.drop(offer, "contaminated")
            return None
        key = (offer.row.system, offer.row.user, offer.chosen, offer.rejected)
        if key in self._seen:
            self.tally.drop(offer, "duplicate")
            return None
        proof = self.prover.prove(offer.chosen, offer.rejected, offer.case, offer.fails)
        if proof.drop is not None:
            self.tally.drop(offer, proof.drop, _why(proof))
            return None
        self._seen.add(key)
        return Pair(offer.row, offer.source, offer.kind, offer.chosen, offer.rejected, proof.reasons, proof.detail,
                    proof.chosen.score, proof.rejected.score, proof.rejected.gates, offer.fallback)

    def _is_clean(self, offer: Offer) -> bool:
        row = offer.row
        if self.decontaminator is None:
            return True
        if row.id not in self._clean:
            example = Example(row.category, "sft", row.id, row.question, row.answer)
            overlap = self.decontaminator.overlap(example, extract_sql(row.answer))
            if overlap is not None:
                self.tally.overlaps.append({"sft_id": row.id, "case": overlap.case, "field": overlap.field,
                                            "score": overlap.score})
            self._clean[row.id] = overlap is None
        return self._clean[row.id]


def _why(proof: Proof) -> str:
    if proof.drop == "chosen_fails" and proof.chosen is not None:
        return "; ".join(proof.chosen.reasons[:2])
    if proof.rejected is not None and proof.drop in ("rejected_passes", "wrong_reason", "no_margin"):
        return f"scores {proof.rejected.score:.2f}; " + "; ".join(proof.rejected.reasons[:2])
    return ""
