"""What the judge returns: one `Check` per applicable check, and the case's `Verdict`.

Both serialise to stable JSON names (`to_json`), the shape `report.json`, the pair cards and the data
proofs all store.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One check's outcome: a score in 0..1 and a one-line reason.

    `skipped`: its prerequisite failed (no SQL, SQL that does not parse ...); it then scores 0 and keeps its
    weight, so a missing query costs everything that depends on it.
    """

    name: str
    score: float
    detail: str
    skipped: bool = False

    @property
    def passed(self) -> bool:
        return not self.skipped and self.score >= 1.0

    def to_json(self) -> dict:
        return {"name": self.name, "score": round(self.score, 4), "detail": self.detail, "skipped": self.skipped}

    @classmethod
    def from_json(cls, data: dict) -> Check:
        return cls(str(data["name"]), float(data["score"]), str(data["detail"]), bool(data.get("skipped", False)))


@dataclass(frozen=True)
class Verdict:
    """A case score in 0..1 (the weighted mean of the applicable checks, capped by any failed gate)."""

    score: float
    checks: tuple[Check, ...]
    gates: tuple[str, ...] = ()  # the failed gate checks that capped the score

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.passed)

    @property
    def reasons(self) -> tuple[str, ...]:
        """`name: detail` of every check that fell short, gates first."""
        failures = sorted(self.failures, key=lambda c: c.name not in self.gates)
        return tuple(f"{check.name}: {check.detail}" for check in failures)

    def check(self, name: str) -> Check | None:
        return next((check for check in self.checks if check.name == name), None)

    def to_json(self) -> dict:
        return {"score": round(self.score, 4), "gates": list(self.gates),
                "checks": [check.to_json() for check in self.checks]}

    @classmethod
    def from_json(cls, data: dict) -> Verdict:
        return cls(float(data["score"]), tuple(Check.from_json(c) for c in data.get("checks", [])),
                   tuple(data.get("gates", [])))
