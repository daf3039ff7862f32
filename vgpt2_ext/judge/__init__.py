"""The judge: one scorer for validation answers, DPO pairs and SFT data proofs.

    verdict = judge(answer, case, catalog)       # Verdict(score, checks, gates)
    verdict.score, [c.to_json() for c in verdict.checks]

SQL is judged by parsing, grounding against the catalog and executing in the sandbox (`vgpt2_ext.sql`,
`vgpt2_ext.sandbox`); prose by a small negation-scope reading (`prose`). The checks, their weights and gate
caps are one table, `checks.CHECKS`. A case and its expectations are `case.Case`; `passes` applies a
category's pass threshold.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from vgpt2_ext.judge.case import CATEGORIES, Case, Expect, load_cases
from vgpt2_ext.judge.verdict import Check, Verdict

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog
    from vgpt2_ext.sandbox import Sandbox

__all__ = ["CATEGORIES", "Case", "Check", "Expect", "Verdict", "judge", "load_cases", "passes"]


def judge(answer: str, case: Case, catalog: Catalog, *, sandbox: Sandbox | None = None,
          checks: Collection[str] = ()) -> Verdict:
    """Score `answer` to `case` against `catalog` (executing in `sandbox`, default: the catalog's own).
    `checks`: only the checks of these names (default: all), for a caller that reads a few of them (each check
    depends only on the answer and the case, so it comes out the same), not the score."""
    from vgpt2_ext.judge.checks import CHECKS, run_checks
    from vgpt2_ext.judge.evidence import Evidence

    specs = tuple(spec for spec in CHECKS if spec.name in checks) if checks else CHECKS
    return run_checks(Evidence(answer, case, catalog, sandbox), specs)


def passes(verdict: Verdict, threshold: float) -> bool:
    """A case passes at or above its category's threshold, and never with a failed gate."""
    return not verdict.gates and round(verdict.score, 4) >= threshold
