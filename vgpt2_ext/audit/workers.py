"""Proving rows across processes, in file order, a bounded number of batches at a time.

Each worker holds the catalog, its own proof sandbox (tables built as its queries read them, with the SFT data
proof's row count) and its own `RowProver` caches. Batches go to whichever worker is free; results come back
in submission order, and a verdict depends only on its row, so the output is the same for any number of
workers. With one worker everything runs in this process. Only so many batches are in flight at once, so a
large file streams through in bounded memory.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from vgpt2_ext.audit.proof import RowProver
from vgpt2_ext.audit.shapes import AuditRow
from vgpt2_ext.audit.verdict import RowVerdict, judge_row
from vgpt2_ext.catalog import Catalog
from vgpt2_ext.data.settings import DataSettings

_WORKER: dict = {}  # this process's prover and repair switch


def _init(catalog: Catalog, repair: bool) -> None:
    from vgpt2_ext.sandbox import Sandbox

    _WORKER.clear()
    _WORKER.update(prover=RowProver(catalog, Sandbox(catalog, rows_per_table=DataSettings().proof_rows)),
                   repair=repair)


def _judge_all(rows: list[AuditRow]) -> list[RowVerdict]:
    return [judge_row(row, _WORKER["prover"], _WORKER["repair"]) for row in rows]


class Pool:
    """`with Pool(catalog, repair, workers) as pool: for batch, verdicts in pool.judge(batches): ...`"""

    def __init__(self, catalog: Catalog, repair: bool, workers: int = 1) -> None:
        self.catalog, self.repair = catalog, repair
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> Pool:
        if self.workers == 1:
            _init(self.catalog, self.repair)
            return self
        self.catalog.relationships  # noqa: B018 - inferred once here, inherited by the forked workers
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self._executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init,
                                             initargs=(self.catalog, self.repair))
        return self

    def __exit__(self, *exc) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        _WORKER.clear()

    def judge(self, batches: Iterable[list[AuditRow]]) -> Iterator[tuple[list[AuditRow], list[RowVerdict]]]:
        """Each batch with its verdicts, in order."""
        if self._executor is None:
            for batch in batches:
                yield batch, _judge_all(batch)
            return
        pending: deque[tuple[list[AuditRow], Future]] = deque()
        for batch in batches:
            pending.append((batch, self._executor.submit(_judge_all, batch)))
            if len(pending) > 2 * self.workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
