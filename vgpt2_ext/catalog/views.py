"""The columns a `CREATE VIEW` outputs, and the one base table it selects from, read from its sqlglot tree.

Vista's plain views are `SELECT a.* FROM bAPTH a`: the view has the base table's columns and keys, and
the house style queries it instead. Other views (joins, report views) get the columns their select list
names: typed when the column comes straight from a known source, untyped when it is computed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from vgpt2_ext.catalog.model import Column

# source name -> its columns, or None when the scripts do not define it
SourceColumns = Callable[[str], "tuple[Column, ...] | None"]


def view_columns(create, source_columns: SourceColumns) -> tuple[tuple[Column, ...], str | None]:
    """(output columns, base table name or None) of a parsed CREATE VIEW (None: sqlglot could not read it)."""
    from sqlglot import exp

    query = getattr(create, "expression", None)
    select = query if isinstance(query, exp.Select) else query.find(exp.Select) if query else None
    if select is None:
        return (), None
    sources = _sources(select, source_columns)
    columns: dict[str, Column] = {}
    for projection in select.expressions:
        for column in _project(projection, sources):
            columns.setdefault(column.name.lower(), column)  # a repeated output name keeps its first source
    renamed = _renamed(tuple(columns.values()), create.this)
    single = len(sources) == 1 and not select.args.get("joins") and not select.args.get("group")
    return renamed, next(iter(sources.values()))[0] if single else None


def _sources(select, source_columns: SourceColumns) -> dict[str, tuple[str, tuple[Column, ...] | None]]:
    """alias (lower) -> (source name, its columns) for the FROM and JOIN items, in order."""
    from sqlglot import exp

    from_ = select.args.get("from_") or select.args.get("from")
    items = ([from_.this] if from_ else []) + [join.this for join in select.args.get("joins") or ()]
    sources = {}
    for item in items:
        if isinstance(item, exp.Table):
            sources[item.alias_or_name.lower()] = (item.name, source_columns(item.name))
        elif item.alias:
            sources[item.alias.lower()] = (item.alias, None)  # a derived table: columns unknown
    return sources


def _project(projection, sources) -> list[Column]:
    from sqlglot import exp

    if isinstance(projection, exp.Star):
        return [c for _, columns in sources.values() for c in columns or ()]
    if isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
        _, columns = sources.get(projection.table.lower(), ("", None))
        return list(columns or ())
    if isinstance(projection, exp.Column):
        return [_lookup(sources, projection.table, projection.name) or Column(projection.name)]
    if isinstance(projection, exp.Alias):
        inner = projection.this
        found = _lookup(sources, inner.table, inner.name) if isinstance(inner, exp.Column) else None
        return [replace(found, name=projection.alias) if found else Column(projection.alias)]
    return []  # an unnamed expression has no column name to expose


def _lookup(sources, alias: str, name: str) -> Column | None:
    candidates = [sources[alias.lower()]] if alias else list(sources.values())
    for _, columns in candidates:
        found = next((c for c in columns or () if c.name.lower() == name.lower()), None)
        if found:
            return found
    return None


def _renamed(columns: tuple[Column, ...], target) -> tuple[Column, ...]:
    """`CREATE VIEW v (A, B) AS ...` names the outputs positionally."""
    from sqlglot import exp

    if not isinstance(target, exp.Schema) or not target.expressions:
        return columns
    return tuple(replace(c, name=i.name) for c, i in zip(columns, target.expressions))
