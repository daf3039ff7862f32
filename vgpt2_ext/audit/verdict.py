"""The verdict on one row: pass, repaired or fail, each failure with its reason and the closest real names.

An SFT row passes when every answer LLaMA-Factory trains on passes the row proof. A ranking row teaches a
preference, so it passes when its chosen answer passes and its rejected one fails, for a reason (what it
fails is recorded: that is what the pair teaches against). A pair whose chosen answer fails, or whose two
answers fail alike, teaches the wrong preference; one whose rejected answer passes teaches none.

With repair on, a failing answer (a ranking row's chosen one only) whose every failure is of a repairable
kind has its failing queries rewritten (`repair`) and the whole row is proven again: it is kept as
`repaired` only when it then passes; otherwise it stays failed, with what the attempt left recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from vgpt2_ext.audit.proof import Failure, RowProver
from vgpt2_ext.audit.repair import Fix
from vgpt2_ext.audit.shapes import Answer, AuditRow, Path
from vgpt2_ext.data.proof import REASONS
from vgpt2_ext.pairs.proof import DROPS

PAIR_REASONS: dict[str, str] = {
    "chosen_fails": "the chosen answer fails the proof: the pair teaches the wrong preference",
    "fail_alike": "chosen and rejected fail for the same reasons: the pair teaches the wrong preference",
    "rejected_passes": "the rejected answer passes the proof: the pair teaches no preference",
    "identical": DROPS["identical"],
}
ALL_REASONS: dict[str, str] = {**REASONS, "empty": "the answer is empty", **PAIR_REASONS}
# the failures a rewrite can remove (`repair.RULES`): a generic company column, a base table, LIMIT, NOLOCK
REPAIRABLE = frozenset({"unknown_column", "style_prefer_views", "style_require_nolock", "sql_dialect"})


@dataclass(frozen=True)
class RowVerdict:
    number: int
    verdict: str  # pass | repaired | fail
    failures: tuple[Failure, ...] = ()  # of the row as read
    teaches: tuple[Failure, ...] = ()  # a ranking row: what its rejected answer fails
    fixes: tuple[Fix, ...] = ()  # the rewrites a repaired row was kept with, or the ones a failed attempt made
    left: tuple[Failure, ...] = ()  # a failed repair attempt: the failures it left
    texts: tuple[tuple[Path, str], ...] = ()  # a repaired row: (answer path, repaired text)

    @property
    def kept(self) -> bool:
        return self.verdict != "fail"

    def to_json(self) -> dict:
        found: dict = {"row": self.number, "verdict": self.verdict,
                       "failures": [failure.to_json() for failure in self.failures]}
        if self.teaches:
            found["rejected_fails"] = [failure.reason for failure in self.teaches]
        if self.fixes:
            found["repairs"] = [{"rule": fix.rule, "detail": fix.detail} for fix in self.fixes]
        if self.left:
            found["after_repair"] = [failure.to_json() for failure in self.left]
        return found


def judge_row(row: AuditRow, prover: RowProver, repair: bool) -> RowVerdict:
    failures, teaches = row_failures(row, row.answers, prover)
    if not failures:
        return RowVerdict(row.number, "pass", teaches=teaches)
    if repair:
        attempt = _repair(row, failures, prover)
        if attempt is not None:
            return attempt
    return RowVerdict(row.number, "fail", failures, teaches)


def row_failures(row: AuditRow, answers: tuple[Answer, ...], prover: RowProver) \
        -> tuple[tuple[Failure, ...], tuple[Failure, ...]]:
    """(the row's failures, what its rejected answer fails) for `answers` (the row's, or repaired ones)."""
    proven = {answer.role: prover.prove(answer, row) for answer in answers if answer.role != "answer"}
    own = tuple(f for answer in answers if answer.role == "answer" for f in prover.prove(answer, row))
    if not proven:
        return own, ()
    chosen, rejected = (next(a for a in answers if a.role == role) for role in ("chosen", "rejected"))
    return own + proven["chosen"] + _pair(chosen, rejected, proven["chosen"], proven["rejected"]), \
        proven["rejected"]


def _pair(chosen: Answer, rejected: Answer, good: tuple[Failure, ...], bad: tuple[Failure, ...]) \
        -> tuple[Failure, ...]:
    if " ".join(chosen.text.split()) == " ".join(rejected.text.split()):
        return (Failure("identical", PAIR_REASONS["identical"], "pair", "pair"),)
    if good:
        alike = bool(bad) and {f.reason for f in good} == {f.reason for f in bad}
        reason = "fail_alike" if alike else "chosen_fails"
        detail = f"{PAIR_REASONS[reason]} ({', '.join(sorted({f.reason for f in good}))})"
        return (Failure(reason, detail, "pair", "pair"),)
    if not bad:
        return (Failure("rejected_passes", PAIR_REASONS["rejected_passes"], "pair", "pair"),)
    return ()


def _repair(row: AuditRow, failures: tuple[Failure, ...], prover: RowProver) -> RowVerdict | None:
    """The row repaired and proven again, or None when something about it is not repairable."""
    own = [f for f in failures if f.role != "pair"]
    if not own or any(f.reason not in REPAIRABLE for f in own):
        return None  # no answer fails (a pair of identical answers, or whose rejected one passes), or not so
    answers, fixes, texts = list(row.answers), [], []
    for i, answer in enumerate(answers):
        mine = [f for f in own if f.where == answer.label]
        if not mine:
            continue
        text, found = _rewrite(answer.text, mine, prover)
        if not found:
            return None
        answers[i] = replace(answer, text=text)
        fixes += found
        texts.append((answer.path, text))
    left, teaches = row_failures(row, tuple(answers), prover)
    if left:
        return RowVerdict(row.number, "fail", failures, teaches, tuple(fixes), left)
    return RowVerdict(row.number, "repaired", failures, teaches, tuple(fixes), texts=tuple(texts))


def _rewrite(text: str, failures: list[Failure], prover: RowProver) -> tuple[str, list[Fix]]:
    """`text` with each failing query rewritten; no fixes when one of them has no repair."""
    fixes = []
    for sql in dict.fromkeys(f.sql for f in failures):
        repaired = prover.repair(sql) if sql else None
        if repaired is None:
            return text, []
        text = text.replace(sql, repaired.sql, 1)
        fixes += repaired.fixes
    return text, fixes
