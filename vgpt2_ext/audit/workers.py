"""Proving rows across processes, in file order, a bounded window of rows at a time.

Each worker holds the catalog, its own proof sandbox (tables built as its queries read them, with the SFT data
proof's row count) and its own `RowProver` caches. So rows are routed by what they read: a row `make data`
wrote by the module of the first table its provenance names (a module's tables join one another: auditing 6,000
rows of the Vista export, the two sandboxes built 1,104 tables routed by the table itself, 1,007 by its module),
any other row by its first query's text, a new key to the worker given the fewest rows so far
(`Workers(balance=True)`: the earlier VGPT2 answers repeat one query in groups of up to 160 rows). A worker then
builds mostly its share of the tables, and rows repeating a query meet its proof in one worker's cache. Results
are put back in file order, and a verdict depends only on its row, so the output is the same for any number of
workers. With one worker everything runs in this process. Two windows are in flight at once: the workers prove
one while this process writes the other, and memory stays bounded.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import islice

from vgpt2_ext.audit.proof import RowProver
from vgpt2_ext.audit.shapes import AuditRow
from vgpt2_ext.audit.verdict import RowVerdict, judge_row
from vgpt2_ext.catalog import Catalog
from vgpt2_ext.data.settings import DataSettings
from vgpt2_ext.processes import Workers
from vgpt2_ext.sandbox import Sandbox
from vgpt2_ext.sql.extract import extract_sql

WINDOW = 256  # rows split across the workers at a time
_WORKER: dict = {}  # this process's prover and repair switch


def _init(catalog: Catalog, repair: bool) -> None:
    _WORKER.clear()
    sandbox = Sandbox(catalog, rows_per_table=DataSettings().proof_rows).start()  # boots while the rows are read
    _WORKER.update(prover=RowProver(catalog, sandbox), repair=repair)


def _judge_all(rows: list[AuditRow]) -> list[RowVerdict]:
    """The rows' queries proven in one sandbox batch first, then each row judged (meeting its proofs cached)."""
    prover = _WORKER["prover"]
    prover.prefetch(sql for row in rows for answer in row.answers for sql in extract_sql(answer.text))
    return [judge_row(row, prover, _WORKER["repair"]) for row in rows]


def route(row: AuditRow, catalog: Catalog) -> str:
    """What a row is routed by: the module of the first table its provenance names (the table, when the catalog
    gives it none), else its first query, else its first answer."""
    tables = row.data.get("tables")
    if isinstance(tables, list) and tables and isinstance(tables[0], str):
        obj = catalog.find(tables[0])
        return tables[0] if obj is None else obj.module or obj.name
    answer = next((answer.text for answer in row.answers if answer.role != "rejected"), "")
    return next(iter(extract_sql(answer)), answer)


class Pool:
    """`with Pool(catalog, repair, workers) as pool: for row, verdict in pool.judge(rows): ...`"""

    def __init__(self, catalog: Catalog, repair: bool, workers: int = 1) -> None:
        self.catalog, self.repair = catalog, repair
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self._workers: Workers | None = None

    def __enter__(self) -> Pool:
        if self.workers == 1:
            _init(self.catalog, self.repair)
            return self
        self.catalog.relationships  # noqa: B018 - inferred once here, inherited by the forked workers
        self.catalog.fingerprint  # noqa: B018 - what their caches are keyed by: computed once here too
        self._workers = Workers(self.workers, _init, (self.catalog, self.repair), balance=True)
        return self

    def __exit__(self, *exc) -> None:
        if self._workers is not None:
            self._workers.close()
        self._workers = None
        _WORKER.clear()

    def judge(self, rows: Iterable[AuditRow]) -> Iterator[tuple[AuditRow, RowVerdict]]:
        """Every row with its verdict, in order."""
        iterator, pending = iter(rows), deque()
        if self._workers is None:
            while window := list(islice(iterator, WINDOW)):
                yield from zip(window, _judge_all(window))
            return
        while window := list(islice(iterator, WINDOW)):
            pending.append((window, self._workers.submit(_judge_all, window, key=partial(route, catalog=self.catalog))))
            if len(pending) > 1:
                done, verdicts = pending.popleft()
                yield from zip(done, verdicts())
        for done, verdicts in pending:
            yield from zip(done, verdicts())
