"""Runaway SQL ends within the sandbox's limits, in time and memory, and the sandbox answers afterwards
(`limits.yaml`). Bounds are measured on a warm worker; a killed worker is replaced for the next query."""

from __future__ import annotations

import time

import pytest

from tests.hostile.conftest import HOSTILE_LIMITS, built, read_cases
from vgpt2_ext.sandbox import RunError, Sandbox
from vgpt2_ext.sandbox.result import GRACE_S

SLACK_S = 5.0  # the parent noticing and reaping a killed worker, on a machine shared with other work
BOUND_S = HOSTILE_LIMITS.prepare_s + HOSTILE_LIMITS.timeout_s + 2 * GRACE_S + SLACK_S


@pytest.mark.hostile("limits.yaml")
def test_a_runaway_query_ends_within_the_limits(case: dict, hostile_sandbox: Sandbox) -> None:
    sql = built(case)
    assert hostile_sandbox.run("SELECT 1 AS warm").rows == ((1,),)  # a fresh worker if the last case ended one
    started = time.monotonic()
    try:
        hostile_sandbox.run(sql)
        outcome = None
    except RunError as error:
        outcome = error
    seconds = time.monotonic() - started
    if outcome is None:
        assert case.get("ok"), "ran to completion, but the case must fail"
    else:
        assert outcome.kind in case["kinds"], str(outcome)
        assert case.get("says", "") in str(outcome) and "\n" not in str(outcome)
    assert seconds <= BOUND_S, f"took {seconds:.1f} s"
    assert hostile_sandbox.peak_kb <= hostile_sandbox.address_space_mb * 1024


def test_the_sandbox_answers_after_every_runaway_case(hostile_sandbox: Sandbox) -> None:
    assert hostile_sandbox.run("SELECT COUNT(*) AS n FROM HQCO").rows == ((4,),)


def test_a_batch_of_runaway_queries_gets_each_its_own_verdict_and_runs_the_rest(hostile_sandbox: Sandbox) -> None:
    """`run_many`, as the data proof and the audit send queries: a runaway query that fails softly, ends the worker
    after its reply, or has it killed mid-batch gets the verdict its own run gets, and the queries after it run."""
    cases = read_cases("limits.yaml")
    batch = [sql for case in cases for sql in (built(case), "SELECT 1 AS warm")]
    started = time.monotonic()
    outcomes = hostile_sandbox.run_many(batch)
    seconds = time.monotonic() - started
    assert len(outcomes) == len(batch)
    for case, outcome, after in zip(cases, outcomes[::2], outcomes[1::2]):
        if isinstance(outcome, RunError):
            assert outcome.kind in case["kinds"], f"{case['title']}: {outcome}"
            assert case.get("says", "") in str(outcome)
        else:
            assert case.get("ok"), f"{case['title']} ran to completion, but the case must fail"
        assert after.rows == ((1,),), f"the query after {case['title']!r}: {after}"
    assert seconds <= len(cases) * BOUND_S
    assert hostile_sandbox.peak_kb <= hostile_sandbox.address_space_mb * 1024
