"""Interrupted builds and killed parents: the previous set of files stays whole (or is reported as not whole),
and no worker process outlives the process that started it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tests.hostile.conftest import REPO, tree
from vgpt2_ext.atomic import check_set
from vgpt2_ext.data import pipeline
from vgpt2_ext.data.pipeline import MANIFEST, DataRun, built_from, run_build
from vgpt2_ext.data.settings import DataSettings
from vgpt2_ext.settings import Settings

SMALL = ["vgpt2.data.examples=24", "vgpt2.data.decontaminate=null", "vgpt2.schema_context=none"]


def _run(out: Path, seed: int) -> DataRun:
    data = replace(DataSettings(), examples=24, workers=1, decontaminate=None, seed=seed)
    return DataRun(Settings(schema_context="none", data=data), "You are VGPT2.", out)


def test_a_build_interrupted_while_writing_its_card_leaves_the_previous_set_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The card is written ~8 s after the datasets in a real build: SIGINT between them used to leave datasets
    of one seed and a card of another, which `--if-stale` called up to date."""
    run_build(_run(tmp_path, seed=1))
    before = tree(tmp_path)

    def interrupted(card: dict) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "render_markdown", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_build(_run(tmp_path, seed=2))
    assert tree(tmp_path) == before  # nothing renamed, no temporary file left
    assert check_set(tmp_path, MANIFEST)[1] is None and built_from(_run(tmp_path, seed=1)) is None
    assert built_from(_run(tmp_path, seed=2)) is not None


def test_a_build_killed_in_the_middle_of_its_renames_is_not_called_up_to_date(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_build(_run(tmp_path, seed=1))
    real, renamed = os.replace, []

    def killed_after_two(source, target):
        if len(renamed) == 2:
            raise SystemExit("killed")  # what SIGKILL leaves: two files of the new set, the rest and the manifest old
        renamed.append(target)
        return real(source, target)

    monkeypatch.setattr(os, "replace", killed_after_two)
    with pytest.raises(SystemExit):
        run_build(_run(tmp_path, seed=2))
    monkeypatch.setattr(os, "replace", real)
    for seed in (1, 2):
        assert "is not the file the last build wrote" in built_from(_run(tmp_path, seed=seed))


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, pending = set(), [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.add(child)
            pending.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _build(out: Path) -> list[str]:
    return ["data", "build", f"dataset_dir={out}", "vgpt2.data.workers=2", "vgpt2.data.examples=3000", *SMALL[1:]]


def _audit(out: Path) -> list[str]:
    """An audit of 3,000 distinct rows, two proving processes."""
    rows = [{"instruction": f"Invoices of vendor {n}", "input": "",
             "output": f"SELECT APRef FROM APTH WITH (NOLOCK) WHERE APCo = 1 AND Vendor = {n}"} for n in range(3000)]
    (out / "rows.json").write_text(json.dumps(rows), encoding="utf-8")
    return ["data", "audit", str(out / "rows.json"), "--dataset-dir", str(out), "--workers", "2"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("command", [_build, _audit], ids=["build", "audit"])
def test_killing_a_build_or_an_audit_kills_its_provers_and_their_sandbox_workers(
        in_repo: Path, tmp_path: Path, command: Callable[[Path], list[str]]) -> None:
    """SIGKILL used to leave the two prover workers running with no parent (115 MB each, busy for minutes)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "dataset_info.json").write_text("{}", encoding="utf-8")
    args = command(out)
    before = tree(out)
    build = subprocess.Popen([sys.executable, "-m", "vgpt2_ext.cli", *args],
                             cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline, workers = time.monotonic() + 120, set()
    while time.monotonic() < deadline and build.poll() is None:
        workers = _descendants(build.pid)
        if len(workers) >= 4:  # two provers, each with its sandbox worker
            break
        time.sleep(0.2)
    assert len(workers) >= 4, f"it had {len(workers)} workers"
    build.kill()
    build.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]
    # what it had written so far is in a hidden temporary folder (SIGKILL leaves no time to remove it): the
    # files a user reads are as they were
    assert {name: data for name, data in tree(out).items() if not name.startswith(".")} == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_sandbox_worker_ends_with_the_process_that_started_it(tmp_path: Path) -> None:
    script = ("import time; from vgpt2_ext.catalog import load_catalog; from vgpt2_ext.sandbox import Sandbox\n"
              "s = Sandbox(load_catalog()); s.run('SELECT 1 AS a'); print(s.worker_pid, flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    worker = int(holder.stdout.readline())
    assert _alive(worker)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(worker):
        time.sleep(0.1)
    assert not _alive(worker)
