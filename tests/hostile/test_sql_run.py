"""`vgpt2 sql run` on any query ends within the documented limits plus process start, under the documented
memory limit plus the fixed allowance (README, "the sandbox's limits"), measured on the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.hostile.conftest import REPO
from vgpt2_ext.sandbox import Limits
from vgpt2_ext.sandbox.result import ALLOWANCE_MB, GRACE_S

DEFAULTS = Limits()
# the most one query may take after the worker has started: prepare and execute, each killed at limit + grace
QUERY_BOUND_S = DEFAULTS.prepare_s + DEFAULTS.timeout_s + 2 * GRACE_S
SLACK_S = 3.0  # a loaded machine starting two interpreters
# run the command under a wrapper that reports the peak memory of its descendants (the CLI and its worker)
WRAPPER = ("import json, resource, subprocess, sys, time; t = time.monotonic(); "
           "r = subprocess.run(sys.argv[1:], input=sys.stdin.read(), capture_output=True, text=True); "
           "print(json.dumps({'code': r.returncode, 'err': r.stderr, 'seconds': time.monotonic() - t, "
           "'peak_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")


def sql_run(sql: str) -> dict:
    command = [sys.executable, "-c", WRAPPER, sys.executable, "-m", "vgpt2_ext.cli", "sql", "run", "-"]
    done = subprocess.run(command, input=sql, capture_output=True, text=True, cwd=REPO, check=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def process_start() -> float:
    """Wall seconds of `vgpt2 sql run` on a trivial query: the interpreter, the catalog and the worker's start."""
    found = sql_run("SELECT 1 AS one")
    assert found["code"] == 0, found["err"]
    return found["seconds"]


@pytest.mark.parametrize(("sql", "says"), [
    ("SELECT LEN(REPLICATE('x', 2000000000)) AS n", "error: memory"),
    ("SELECT LEN(REPLACE(REPLICATE('ab', 100000000), 'a', 'bb')) AS n", "error: "),
    ("WITH r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) AS n FROM r", "error: timeout"),
    ("SELECT 1 AS x" + " UNION ALL SELECT 1" * 25000, "error: refused: the SQL is 475,013 characters"),
    ("SELECT 1 AS x WHERE " + "NOT " * 500 + "1 = 1", "error: SQL nests too deeply"),
], ids=["2 GB string", "single long call", "endless recursion", "480 KB union chain", "500 NOTs"])
def test_sql_run_ends_within_the_documented_limits(sql: str, says: str, process_start: float) -> None:
    found = sql_run(sql)
    assert found["code"] == 1 and "Traceback" not in found["err"]
    assert found["err"].startswith(says), found["err"]
    assert found["seconds"] <= process_start + QUERY_BOUND_S + SLACK_S, found
    assert found["peak_kb"] <= (DEFAULTS.memory_mb + ALLOWANCE_MB) * 1024, found


def test_a_trivial_query_starts_within_seconds(process_start: float) -> None:
    started = time.monotonic()
    assert process_start < 30, process_start
    assert time.monotonic() - started < 1
