"""Proving rows across processes, in file order, a bounded window of rows at a time.

Each worker holds the catalog, its own proof sandbox (tables built as its queries read them, with the SFT data
proof's row count) and its own `RowProver` caches. So rows are routed by what they read, as the data build
routes its candidates: a row `make data` wrote by the first table its provenance names, any other row by its
first query's text. A worker then builds mostly its share of the tables, and rows repeating a query meet its
proof in one worker's cache. Results are put back in file order, and a verdict depends only on its row, so the
output is the same for any number of workers. With one worker everything runs in this process. Two windows are
in flight at once: the workers prove one while this process writes the other, and memory stays bounded.
"""

from __future__ import annotations

import multiprocessing
import os
import zlib
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from vgpt2_ext.audit.proof import RowProver
from vgpt2_ext.audit.shapes import AuditRow
from vgpt2_ext.audit.verdict import RowVerdict, judge_row
from vgpt2_ext.catalog import Catalog
from vgpt2_ext.data.settings import DataSettings
from vgpt2_ext.sql.extract import extract_sql

WINDOW = 256  # rows split across the workers at a time
_WORKER: dict = {}  # this process's prover and repair switch
Share = list[tuple[list[int], Future]]


def _init(catalog: Catalog, repair: bool) -> None:
    from vgpt2_ext.sandbox import Sandbox

    _WORKER.clear()
    _WORKER.update(prover=RowProver(catalog, Sandbox(catalog, rows_per_table=DataSettings().proof_rows)),
                   repair=repair)


def _judge_all(rows: list[AuditRow]) -> list[RowVerdict]:
    return [judge_row(row, _WORKER["prover"], _WORKER["repair"]) for row in rows]


def route(row: AuditRow) -> str:
    """What a row is routed by: the first table its provenance names, else its first query, else its first answer."""
    tables = row.data.get("tables")
    if isinstance(tables, list) and tables and isinstance(tables[0], str):
        return tables[0]
    answer = next((answer.text for answer in row.answers if answer.role != "rejected"), "")
    return next(iter(extract_sql(answer)), answer)


class Pool:
    """`with Pool(catalog, repair, workers) as pool: for row, verdict in pool.judge(rows): ...`"""

    def __init__(self, catalog: Catalog, repair: bool, workers: int = 1) -> None:
        self.catalog, self.repair = catalog, repair
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self._executors: list[ProcessPoolExecutor] = []

    def __enter__(self) -> Pool:
        if self.workers == 1:
            _init(self.catalog, self.repair)
            return self
        self.catalog.relationships  # noqa: B018 - inferred once here, inherited by the forked workers
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self._executors = [ProcessPoolExecutor(1, mp_context=context, initializer=_init,
                                               initargs=(self.catalog, self.repair)) for _ in range(self.workers)]
        return self

    def __exit__(self, *exc) -> None:
        for executor in self._executors:
            executor.shutdown(wait=True, cancel_futures=True)
        self._executors = []
        _WORKER.clear()

    def judge(self, rows: Iterable[AuditRow]) -> Iterator[tuple[AuditRow, RowVerdict]]:
        """Every row with its verdict, in order."""
        if not self._executors:
            for row in rows:
                yield row, judge_row(row, _WORKER["prover"], _WORKER["repair"])
            return
        iterator, pending = iter(rows), deque()
        while window := list(islice(iterator, WINDOW)):
            pending.append((window, self._submit(window)))
            if len(pending) > 1:
                yield from _collect(*pending.popleft())
        while pending:
            yield from _collect(*pending.popleft())

    def _submit(self, window: list[AuditRow]) -> Share:
        shares: dict[int, list[int]] = defaultdict(list)
        for index, row in enumerate(window):
            shares[zlib.crc32(route(row).encode()) % self.workers].append(index)
        return [(indexes, self._executors[worker].submit(_judge_all, [window[i] for i in indexes]))
                for worker, indexes in shares.items()]


def _collect(window: list[AuditRow], shares: Share) -> Iterator[tuple[AuditRow, RowVerdict]]:
    verdicts: list[RowVerdict | None] = [None] * len(window)
    for indexes, future in shares:
        for index, verdict in zip(indexes, future.result()):
            verdicts[index] = verdict
    yield from zip(window, verdicts)  # type: ignore[misc]
