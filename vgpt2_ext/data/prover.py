"""Proving candidates (and rendering the prompts of the accepted ones) across processes.

Every worker holds the catalog and its own sandbox, which builds a table the first time a query reads it (on
the real Vista export that building is most of the cost). So candidates are routed by their anchor (the
object a template was built around, or the seed intent): a worker proves the examples of its share of the
catalog, its sandbox builds mostly those tables, and paraphrases of one intent, which share their SQL, meet
the worker's SQL proof cache. Results come back in submission order, so the build is deterministic whatever
the number of workers. The same workers then render the user messages of the accepted examples (schema
linking and DDL over the catalog they already hold). With one worker everything runs in this process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.proof import ExampleProof, Rejection, SQLProof, prove_example, prove_sqls
from vgpt2_ext.processes import Workers
from vgpt2_ext.sql.analysis import sql_facts
from vgpt2_ext.sql.features import SQLFacts

_WORKER: dict = {}  # this process's catalog and SQL proof cache


@dataclass(frozen=True)
class Proof:
    """The verdict on one candidate, the SQL texts its answer holds and the catalog objects it uses."""

    rejection: Rejection | None
    sqls: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    facts: SQLFacts | None = None  # what the card counts about the last query (None: the answer has none)


def _init(catalog: Catalog, rows: int) -> None:
    _WORKER.clear()
    _WORKER.update(catalog=catalog, rows=rows, sql={}, sandbox=None)


def _prove_all(examples: Sequence[Example]) -> list[Proof]:
    """The prose of every example first, then every SQL text not proven before in one sandbox batch, then the
    verdicts: a batch spares the worker a round trip per query."""
    catalog, cache = _WORKER["catalog"], _WORKER["sql"]
    sandbox = _sandbox(catalog)  # its worker starts while the prose is read
    found = [prove_example(example, catalog) for example in examples]
    texts = list(dict.fromkeys(sql for one in found if one.rejection is None for sql in one.sqls if sql not in cache))
    cache.update(zip(texts, prove_sqls(texts, catalog, sandbox)))
    return [_proof(one, cache, catalog) for one in found]


def _proof(found: ExampleProof, cache: dict[str, SQLProof], catalog: Catalog) -> Proof:
    if found.rejection is not None:
        return Proof(found.rejection, found.sqls)
    tables = list(found.tables)
    for sql in found.sqls:
        proof = cache[sql]
        if proof.rejection is not None:
            return Proof(proof.rejection, found.sqls)
        tables += proof.tables
    facts = (sql_facts(found.sqls[-1], catalog) or SQLFacts()) if found.sqls else None
    return Proof(None, found.sqls, tuple(dict.fromkeys(tables)), facts)


def _sandbox(catalog: Catalog):
    """This process's proof sandbox, created on first use (its tables are built as queries read them)."""
    if _WORKER["sandbox"] is None:
        from vgpt2_ext.sandbox import Sandbox

        _WORKER["sandbox"] = Sandbox(catalog, rows_per_table=_WORKER["rows"]).start()
    return _WORKER["sandbox"]


def _render_all(items: Sequence[tuple[str, tuple[str, ...]]], settings: Any) -> list[str]:
    from vgpt2_ext.data.context import render_user_message

    catalog = _WORKER["catalog"]
    return [render_user_message(question, catalog, settings, required=tables) for question, tables in items]


class Prover:
    """`with Prover(catalog, workers, rows) as prover: proofs = prover.prove(examples)`; `rows` per synthetic
    table of the proof sandbox."""

    def __init__(self, catalog: Catalog, workers: int = 1, rows: int = 10) -> None:
        self.catalog, self.rows = catalog, rows
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self._workers: Workers | None = None

    def __enter__(self) -> Prover:
        _init(self.catalog, self.rows)
        if self.workers > 1:
            self._workers = Workers(self.workers, _init, (self.catalog, self.rows))
        return self

    def __exit__(self, *exc) -> None:
        if self._workers is not None:
            self._workers.close()
        self._workers = None

    def prove(self, examples: Sequence[Example]) -> list[Proof]:
        """One proof per example, in order."""
        return self.submit(examples)()

    def submit(self, examples: Sequence[Example]) -> Callable[[], list[Proof]]:
        """Start proving `examples`; calling the result waits for their proofs, in order. The workers go on
        with what was submitted while this process does other work (screening the proofs of the chunk before).
        An anchor table's candidates meet one worker, whose sandbox holds its tables."""
        if self._workers is None:
            return lambda: _prove_all(examples)
        return self._workers.submit(_prove_all, examples, key=lambda example: example.anchor or example.intent)

    def render(self, items: Sequence[tuple[str, tuple[str, ...]]], settings: Any) -> list[str]:
        """The user message of each (question, tables the answer uses), in order, split across the workers."""
        if self._workers is None:
            return _render_all(items, settings)
        return self._workers.spread(_render_all, items, settings)
