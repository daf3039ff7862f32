"""Proof of a pair: the judge passes the chosen answer and fails the rejected one, for its stated reason.

The judge is the validation suite's (`vgpt2_ext.judge`), with the category's pass threshold from
`vgpt2.validate.thresholds`. What "fails for its stated reason" means depends on where the rejected answer
came from:

- synthetic: one of the corruption type's checks (`Corruption.fails`) fails on the rejected answer and passes
  on the chosen one, and the rejected answer scores lower. (A base table keeps every gate, so it can still
  score above the threshold; it loses `house_style`, and that is what the pair teaches.)
- mined: the sampled answer does not pass; its reasons are its failed gates, else its failed checks.

A pair that is not proven is dropped with one of the `DROPS` reasons and counted; none is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.judge import Case, Verdict, judge, passes

DROPS: dict[str, str] = {
    "empty": "the chosen or the rejected answer is empty",
    "identical": "chosen and rejected are the same text",
    "chosen_fails": "the chosen answer does not pass the judge",
    "rejected_passes": "the rejected answer passes the judge",
    "wrong_reason": "the rejected answer fails, but not for its stated reason",
    "no_margin": "the rejected answer scores no lower than the chosen one",
    "duplicate": "same prompt, chosen and rejected as a pair already kept",
    "contaminated": "the prompt copies or closely paraphrases a validation case",
}


@dataclass(frozen=True)
class Proof:
    """The verdicts on both answers; `drop` is None for a proven pair, whose `reasons` name the failed checks."""

    chosen: Verdict | None
    rejected: Verdict | None
    drop: str | None
    reasons: tuple[str, ...] = ()

    @property
    def detail(self) -> str:
        """`check: detail` of each stated reason, as the judge worded it."""
        if self.rejected is None:
            return ""
        return "; ".join(f"{name}: {self.rejected.check(name).detail}" for name in self.reasons)


class Prover:
    """Judges pairs against one catalog and sandbox; each answer is judged once per case (a chosen answer
    recurs across corruption types, a mined sample is judged to sort it, then proven)."""

    def __init__(self, catalog: Catalog, sandbox, thresholds) -> None:
        self.catalog, self.sandbox, self.thresholds = catalog, sandbox, thresholds
        self._verdicts: dict[tuple[str, str], Verdict] = {}

    def verdict(self, answer: str, case: Case) -> Verdict:
        key = (case.id, answer)
        if key not in self._verdicts:
            self._verdicts[key] = judge(answer, case, self.catalog, sandbox=self.sandbox)
        return self._verdicts[key]

    def passes(self, verdict: Verdict, case: Case) -> bool:
        return passes(verdict, getattr(self.thresholds, case.category))

    def prove(self, chosen: str, rejected: str, case: Case, fails: tuple[str, ...] | None) -> Proof:
        """`fails`: the checks a synthetic rejected answer must fail one of; None for a mined one."""
        if not chosen.strip() or not rejected.strip():
            return Proof(None, None, "empty")
        if _normal(chosen) == _normal(rejected):
            return Proof(None, None, "identical")
        good = self.verdict(chosen, case)
        if not self.passes(good, case):
            return Proof(good, None, "chosen_fails")
        bad = self.verdict(rejected, case)
        reasons = _stated(good, bad, fails) if fails is not None else _failed(bad)
        if not reasons or (fails is None and self.passes(bad, case)):
            return Proof(good, bad, "rejected_passes" if self.passes(bad, case) else "wrong_reason")
        if bad.score >= good.score:
            return Proof(good, bad, "no_margin")
        return Proof(good, bad, None, reasons)


def _stated(good: Verdict, bad: Verdict, fails: tuple[str, ...]) -> tuple[str, ...]:
    """The stated checks the rejected answer fails and the chosen one passes."""
    return tuple(name for name in fails if _failed_check(bad, name) and not _failed_check(good, name))


def _failed(verdict: Verdict) -> tuple[str, ...]:
    """Why a sampled answer fails: its failed gates, else every check that fell short."""
    return verdict.gates or tuple(check.name for check in verdict.failures)


def _failed_check(verdict: Verdict, name: str) -> bool:
    check = verdict.check(name)
    return check is not None and not check.passed


def _normal(text: str) -> str:
    return " ".join(text.split())
