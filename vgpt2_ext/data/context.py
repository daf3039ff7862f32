"""The user message of a prompt, for training and validation alike: `render_user_message`.

With `vgpt2.schema_context: none` (closed book) the message is the question. With `pruned` it carries the
DDL of the tables the question needs, found by schema linking on the question text (so a validation prompt is
built exactly like a training prompt), plus their relationship neighbours and the join conditions between
them, within `vgpt2.data.context_budget` estimated tokens. At training time the builder may pass the gold
tables as `required`: a gold table the linker missed takes the place of the lowest-ranked linked one, so the
model learns from prompts that hold what the answer uses (validation prompts never get this help).

Tokens are estimated as one per 3 characters, a conservative figure for BPE tokenizers on DDL; it keeps
prompt building independent of any model download and identical across backends.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vgpt2_ext.catalog import Catalog, CatalogObject, Column, Relationship
from vgpt2_ext.data.linking import link_index, words

CHARS_PER_TOKEN = 3
SCHEMA_HEADER = "Schema (T-SQL DDL of the Vista tables this question likely needs):"
QUESTION_MARK = "\n\nQuestion: "  # between the schema and the question


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def render_user_message(question: str, catalog: Catalog, settings: Any, *, required: Sequence[str] = ()) -> str:
    """The user turn for `question`: the question alone, or the pruned schema followed by the question.

    `settings` is the recipe's `vgpt2` section (`Settings`, reading `schema_context` and `data.context_*`).
    """
    if settings.schema_context == "none":
        return question
    data = settings.data
    tables = pick_tables(question, catalog, data.context_tables, data.context_neighbours, required)
    schema = render_schema(tables, question, catalog, data.context_budget)
    return f"{schema}{QUESTION_MARK}{question}" if schema else question


def question_of(message: str) -> str:
    """The question inside a user message `render_user_message` wrote: the schema before it is context the
    prompt carries, not what the user asked (the message as it is when it holds no schema)."""
    if message.startswith(SCHEMA_HEADER) and QUESTION_MARK in message:
        return message.rsplit(QUESTION_MARK, 1)[1]
    return message


def pick_tables(question: str, catalog: Catalog, limit: int, neighbours: int,
                required: Sequence[str] = ()) -> list[str]:
    """Linked tables (gold ones swapped in for the weakest when missed), then their best-ranked neighbours."""
    index = link_index(catalog)
    scores = index.scores(question)
    picked = [name for name, _ in index.rank(question, limit, scores)]
    wanted = [catalog.preferred(name).name for name in required if catalog.find(name)]
    missed = [name for name in dict.fromkeys(wanted) if name not in picked]
    if missed:
        picked = picked[: max(limit - len(missed), 0)] + missed
    joins = relations(catalog)
    around = {rel.parent if rel.child == name else rel.child for name in picked for rel in joins.get(name, ())}
    around -= set(picked)
    best = heapq.nsmallest(neighbours, around, key=lambda n: (-index.score(scores, n), n))
    return picked + best


_JOINS: dict[str, dict[str, tuple[Relationship, ...]]] = {}


def relations(catalog: Catalog) -> dict[str, tuple[Relationship, ...]]:
    """object -> its relationships (as child or parent), built once per catalog: `Catalog.joins` scans them all."""
    if catalog.fingerprint not in _JOINS:
        found: dict[str, list[Relationship]] = defaultdict(list)
        for rel in catalog.relationships:
            found[rel.child].append(rel)
            found[rel.parent].append(rel)
        _JOINS[catalog.fingerprint] = {name: tuple(rels) for name, rels in found.items()}
    return _JOINS[catalog.fingerprint]


def render_schema(tables: Sequence[str], question: str, catalog: Catalog, budget: int) -> str:
    """DDL of `tables` in order, then their join conditions, in at most `budget` estimated tokens.

    A table that does not fit whole keeps its key, the columns the question mentions and as many others as
    fit; a table whose key alone does not fit is left out, as are join lines that do not fit.
    """
    lines = [SCHEMA_HEADER]
    used = estimate_tokens(SCHEMA_HEADER) + 1
    kept: list[str] = []
    terms = set(words(question))
    for name in tables:
        ddl = _ddl(_layout(catalog, name), terms, budget - used)
        if ddl is None:
            continue
        lines.append(ddl)
        used += estimate_tokens(ddl) + 1
        kept.append(name)
    for line in _join_lines(kept, catalog):
        if used + estimate_tokens(line) + 1 <= budget:
            lines.append(line)
            used += estimate_tokens(line) + 1
    return "\n".join(lines) if kept else ""


@dataclass(frozen=True)
class _Layout:
    """An object's DDL in parts, worked out once per catalog: every prompt naming the object reuses them."""

    obj: CatalogObject
    full: str  # the whole `CREATE TABLE`, with the description
    columns: tuple[str, ...]  # each column's DDL
    key: tuple[int, ...]  # the key columns' positions
    mentions: dict[str, tuple[int, ...]]  # a search term -> the positions of the non-key columns it names


_LAYOUTS: dict[str, dict[str, _Layout]] = {}


def _layout(catalog: Catalog, name: str) -> _Layout:
    layouts = _LAYOUTS.setdefault(catalog.fingerprint, {})
    if name not in layouts:
        obj = catalog.object(name)
        columns = tuple(_column_ddl(column) for column in obj.columns)
        key_names = {column.lower() for column in obj.key}
        key = tuple(i for i, column in enumerate(obj.columns) if column.name.lower() in key_names)
        mentions: dict[str, list[int]] = defaultdict(list)
        for i, column in enumerate(obj.columns):
            if i not in key:
                for term in dict.fromkeys(words(column.name)):
                    mentions[term].append(i)
        layouts[name] = _Layout(obj, _create(obj, columns, 0, described=True), columns, key,
                                {term: tuple(found) for term, found in mentions.items()})
    return layouts[name]


def _ddl(layout: _Layout, terms: set[str], budget: int) -> str | None:
    """`CREATE TABLE ...` for the object within `budget` tokens; when it does not fit whole, without the
    description and with the columns the question does not mention trimmed (the key first, then the columns
    the question mentions, then the others, each group in table order)."""
    if estimate_tokens(layout.full) <= budget:
        return layout.full
    columns, keep = layout.columns, list(layout.key)
    mentioned = sorted({i for term in terms for i in layout.mentions.get(term, ())})
    named = set(mentioned)
    ranked = mentioned + [i for i in range(len(columns)) if i not in named and i not in layout.key]
    used = len(_create(layout.obj, [columns[i] for i in keep], len(columns) - len(keep)))
    for index in ranked:
        added = len(columns[index]) + 2  # ", " and the column
        if math.ceil((used + added) / CHARS_PER_TOKEN) > budget:
            break
        keep.append(index)
        used += added
    while True:  # the count of left-out columns may have changed length: check the real text
        text = _create(layout.obj, [columns[i] for i in sorted(keep)], len(columns) - len(keep))
        if estimate_tokens(text) <= budget or len(keep) <= len(layout.key):
            return text if estimate_tokens(text) <= budget else None
        keep.pop()


def _create(obj: CatalogObject, columns: Sequence[str], left_out: int, described: bool = False) -> str:
    """The `CREATE TABLE` of `obj` with these column definitions, noting how many were left out."""
    about = f"-- {obj.name}: {obj.description}" if obj.description and described else f"-- {obj.name}"
    if obj.base_table:
        about += f" (view over {obj.base_table})"
    parts = list(columns)
    if left_out:
        parts.append(f"/* {left_out} more columns */")
    if obj.key:
        parts.append(f"PRIMARY KEY ({', '.join(obj.key)})")
    return f"{about}\nCREATE TABLE {obj.name} ({', '.join(parts)});"


def _column_ddl(column: Column) -> str:
    text = " ".join(filter(None, (column.name, column.domain or column.sql_type)))
    if not column.nullable:
        text += " NOT NULL"
    if column.codes:
        text += " /* " + ", ".join(f"{code.value}={code.meaning}" for code in column.codes) + " */"
    return text


def _join_lines(tables: list[str], catalog: Catalog) -> list[str]:
    """`-- join: A.x = B.x AND ...` for each relationship among the rendered tables."""
    present = set(tables)
    found = []
    joins = relations(catalog)
    for name in tables:
        for rel in joins.get(name, ()):
            if rel.child == name and rel.parent in present:
                found.append(f"-- join: {rel.condition()}")
    return found
