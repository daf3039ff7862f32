"""Column resolution: each column reference traced to the table it reads, with sqlglot's optimizer.

One statement at a time, on a tree of its own: note each table and column reference as written, normalise
identifiers (T-SQL compares names case-insensitively), qualify columns with `qualify_columns` over a schema
holding only the tables the statement names, then walk sqlglot's scopes to resolve every column through
aliases, derived tables, CTEs, APPLY and correlated subqueries. Scopes come innermost first, so a column
of a derived table is resolved before the outer references that read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.errors import OptimizeError, SchemaError
from sqlglot.optimizer.qualify_columns import qualify_columns
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.schema import MappingSchema

from vgpt2_ext.catalog.model import sqlglot_type
from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sql.cache import per_catalog
from vgpt2_ext.sql.model import ColumnRef, TableRef
from vgpt2_ext.sql.parse import DIALECT, dialect_of

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog, CatalogObject

NOLOCK_HINTS = frozenset({"NOLOCK", "READUNCOMMITTED"})
# the schema entry of a table the catalog lacks (or a temp table): known to sqlglot, owning no column,
# so qualification goes on instead of stopping at "missing source schemas"
_NO_COLUMNS = {"\x00": "int"}
# resolutions that place a column in a source
_FOUND = frozenset({"catalog", "derived", "temp"})


@dataclass
class Resolved:
    """One statement's scopes, table references and resolved columns."""

    scopes: list[Scope]
    tables: list[TableRef]
    columns: dict[int, ColumnRef] = field(default_factory=dict)  # id(Column node) -> resolution
    origins: dict[int, int] = field(default_factory=dict)  # id(Column node) -> id(source node it reads)
    stars: list[str] = field(default_factory=list)
    ctes: list[str] = field(default_factory=list)


def resolve_statement(statement: exp.Expression, catalog: Catalog) -> Resolved:
    """Resolve `statement` against `catalog`. The tree is changed (names lower-cased, columns qualified):
    pass a fresh parse or a copy, never a tree from the shared parse cache."""
    marked = _mark(statement, catalog)
    _drop_positions_over_stars(statement)
    try:
        qualify_columns(statement, _schema(catalog, frozenset(marked.keys)), expand_stars=False,
                        expand_alias_refs=False, allow_partial_qualification=True)
        scopes = traverse_scope(statement)
    except OptimizeError as error:
        raise SQLAnalysisError(f"cannot resolve the columns of the query: {error}") from None
    cte_references = {id(node) for scope in scopes for node, source in scope.selected_sources.values()
                      if isinstance(node, exp.Table) and isinstance(source, Scope)}
    tables = [t.meta["ref"] for t in marked.tables if id(t) not in cte_references]
    resolved = Resolved(scopes, tables, ctes=marked.ctes)
    _Resolver(resolved).run()
    return resolved


def _drop_positions_over_stars(tree: exp.Expression) -> None:
    """`SELECT * … ORDER BY 1` is valid T-SQL, but sqlglot can only expand a position into a named select
    (it asserts otherwise). A position names no column, so for analysis it becomes NULL."""
    for select in tree.find_all(exp.Select):
        if not any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and s.is_star) for s in select.selects):
            continue
        for clause in (select.args.get("order"), select.args.get("group")):
            for node in (clause.expressions if clause else []):
                term = node.this if isinstance(node, exp.Ordered) else node
                if isinstance(term, exp.Literal) and term.is_int:
                    term.replace(exp.Null())


@dataclass
class _Marked:
    keys: set[tuple[str, bool]] = field(default_factory=set)  # (lower-cased name, temporary) for the schema
    tables: list[exp.Table] = field(default_factory=list)  # in the order written
    ctes: list[str] = field(default_factory=list)  # as written


def _mark(tree: exp.Expression, catalog: Catalog) -> _Marked:
    """One pass: note each table, column and CTE name as written, then lower-case the identifiers (T-SQL
    names are case-insensitive; sqlglot's resolver compares them exactly). Parents come before their
    identifiers, so each name is noted before it is lower-cased."""
    marked = _Marked()
    normalize = dialect_of(DIALECT).normalize_identifier
    for node in tree.walk(bfs=False):
        if isinstance(node, exp.Identifier):
            normalize(node)
        elif isinstance(node, exp.Column):
            node.meta["written"] = [part.name for part in node.parts]
        elif isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):  # not a table function
            marked.keys.add(_mark_table(node, catalog))
            marked.tables.append(node)
        elif isinstance(node, exp.CTE):
            marked.ctes.append(node.alias)
    return marked


def _mark_table(table: exp.Table, catalog: Catalog) -> tuple[str, bool]:
    ident = table.this
    temporary = bool(ident.args.get("temporary") or ident.args.get("global_"))
    prefix = ("##" if ident.args.get("global_") else "#") if temporary else ""
    obj = None if temporary else catalog.find(ident.name)
    table.meta["object"] = obj
    table.meta["ref"] = TableRef(
        name=obj.name if obj else prefix + ident.name, alias=table.alias or None, known=obj is not None,
        temporary=temporary, nolock=_nolock(table))
    table.set("db", None)  # the catalog is one schema (dbo); a bare name is what the schema is keyed by
    table.set("catalog", None)
    return ident.name.lower(), temporary


def _nolock(table: exp.Table) -> bool:
    hints = table.args.get("hints") or []
    return any(isinstance(hint, exp.WithTableHint) and any(e.name.upper() in NOLOCK_HINTS for e in hint.expressions)
               for hint in hints)


@per_catalog(maxsize=4096)
def _schema(catalog: Catalog, keys: frozenset[tuple[str, bool]]) -> MappingSchema:
    """A schema of only the tables a statement names: building one for 3,000+ objects costs seconds."""
    mapping: dict[str, dict[str, str]] = {}
    for name, temporary in keys:
        obj = None if temporary else catalog.find(name)
        mapping[name] = {c.name.lower(): sqlglot_type(c) for c in obj.columns} if obj else _NO_COLUMNS
    try:
        return MappingSchema(mapping, dialect=DIALECT, normalize=False)
    except SchemaError as error:
        raise SQLAnalysisError(f"cannot build a schema for {sorted(mapping)}: {error}") from None


class _Resolver:
    """Resolves every column of one statement's scopes into `resolved.columns`."""

    def __init__(self, resolved: Resolved) -> None:
        self.resolved = resolved

    def run(self) -> None:
        for scope in self.resolved.scopes:
            for column in scope.columns:
                if id(column) not in self.resolved.columns and not _pivot_value(column):
                    found = self._column(column, scope)
                    if found is not None:
                        self.resolved.columns[id(column)] = found[0]
                        self.resolved.origins[id(column)] = found[1]
            self._stars(scope)

    def _column(self, column: exp.Column, scope: Scope) -> tuple[ColumnRef, int] | None:
        parts = column.meta.get("written") or [p.name for p in column.parts]
        written = ".".join(parts)
        if not column.table:
            return self._unqualified(column, scope, written)
        qualifier = parts[-2] if len(parts) > 1 else column.table  # sqlglot qualified it: its spelling
        source = _source(scope, column.table)
        if source is None:
            return ColumnRef(parts[-1], qualifier, written, "unknown_table"), 0
        return self._in_source(column.name, parts[-1], written, source, qualifier), id(source)

    def _in_source(self, name: str, as_written: str, written: str, source: exp.Table | Scope,
                   qualifier: str) -> ColumnRef:
        """What column `name` of `source` is: `qualifier` is how the query names the source."""
        if isinstance(source, Scope):
            return self._through_scope(name, as_written, written, source, qualifier)
        ref: TableRef | None = source.meta.get("ref")
        obj: CatalogObject | None = source.meta.get("object")
        if ref is None or obj is None:
            resolution = "temp" if ref is not None and ref.temporary else "unknown_table"
            return ColumnRef(as_written, ref.name if ref else qualifier, written, resolution)
        column = obj.column(name)
        if column is None:
            return ColumnRef(as_written, obj.name, written, "unknown_column")
        return ColumnRef(column.name, obj.name, written, "catalog")

    def _through_scope(self, name: str, as_written: str, written: str, scope: Scope, qualifier: str) -> ColumnRef:
        """An output of a derived table or CTE: the column it passes through, or `derived` if computed."""
        scope = _query_scope(scope)
        query = scope.expression
        for select in query.selects if isinstance(query, exp.Query) else ():
            if select.alias_or_name != name or select.is_star:
                continue
            inner = select.unalias()
            known = self.resolved.columns.get(id(inner)) if isinstance(inner, exp.Column) else None
            return replace(known, written=written) if known else ColumnRef(as_written, qualifier, written, "derived")
        found = [ref for star in _select_stars(query)
                 for ref in self._through_star(star, name, as_written, written, scope)]
        hits = [ref for ref in found if ref.resolution in _FOUND]
        if hits or len(found) == 1:
            return (hits or found)[0]
        return ColumnRef(as_written, qualifier, written, "unknown_column")

    def _through_star(self, star: exp.Expression, name: str, as_written: str, written: str,
                      scope: Scope) -> list[ColumnRef]:
        """The resolution of `name` in each source a `*` or `alias.*` of `scope` selects."""
        return [self._in_source(name, as_written, written, source, alias)
                for alias, source in _star_sources(star, scope)]

    def _unqualified(self, column: exp.Column, scope: Scope, written: str) -> tuple[ColumnRef, int] | None:
        """A bare column sqlglot could not place: in none of the sources, in several, or in an outer scope."""
        if isinstance(scope.expression, exp.SetOperation):
            return None  # ORDER BY over a UNION names its output, not a table
        searched: list[ColumnRef] = []
        current: Scope | None = scope
        while current is not None:
            found = [(self._in_source(column.name, written, written, source, alias), source)
                     for alias, (_, source) in current.selected_sources.items()]
            hits = [(ref, source) for ref, source in found if ref.resolution in _FOUND]
            if len(hits) == 1:
                return replace(hits[0][0], written=written), id(hits[0][1])
            if hits:
                return ColumnRef(written, None, written, "ambiguous", tuple(ref.table or "" for ref, _ in hits)), 0
            searched += [ref for ref, _ in found]
            current = current.parent if current.is_subquery or current.is_udtf else None
        return _unfound(written, searched), 0

    def _stars(self, scope: Scope) -> None:
        """Note the tables a select of this scope reads whole (`*`, `h.*`); `x.*` naming no source is an
        unknown qualifier."""
        query = scope.expression
        for star in _select_stars(query) if isinstance(query, exp.Select) else ():
            sources = _star_sources(star, scope)
            if not sources and isinstance(star, exp.Column):
                parts = star.meta.get("written") or [p.name for p in star.parts]
                self.resolved.columns[id(star)] = ColumnRef("*", parts[-2], ".".join(parts), "unknown_table")
            self.resolved.stars += [source.meta["ref"].name for _, source in sources
                                    if isinstance(source, exp.Table) and "ref" in source.meta]


def _unfound(written: str, searched: list[ColumnRef]) -> ColumnRef:
    """A bare column no source has: unresolved when a source's columns are unknowable, else unknown."""
    if any(ref.resolution in ("temp", "unknown_table") for ref in searched):
        return ColumnRef(written, None, written, "unresolved", tuple(ref.table or "" for ref in searched))
    tables = tuple(dict.fromkeys(ref.table for ref in searched if ref.table))
    return ColumnRef(written, tables[0] if len(tables) == 1 else None, written, "unknown_column", tables)


def _pivot_value(column: exp.Column) -> bool:
    """`[C]` in `PIVOT (... FOR PayMethod IN ([C], [E]))` names a value (an output column), not a column."""
    return isinstance(column.parent, exp.In) and column.arg_key == "expressions" and \
        isinstance(column.parent.parent, exp.Pivot)


def _source(scope: Scope, name: str) -> exp.Table | Scope | None:
    """The source `name` names in `scope` or, for a correlated subquery or APPLY, an enclosing scope."""
    current: Scope | None = scope
    while current is not None:
        if name in current.sources:
            return current.sources[name]
        current = current.parent
    return None


def _query_scope(scope: Scope) -> Scope:
    """The scope of the SELECT whose outputs `scope` exposes: a UNION's first branch, APPLY's subquery."""
    while not isinstance(scope.expression, exp.Select):
        if isinstance(scope.expression, exp.SetOperation):
            scope = scope.set_operation_scopes[0]
            continue
        # an APPLY's scope also lists the outer sources it may read (a CTE or derived table is a scope too):
        # its own outputs come from the subquery written inside it
        inner = [source for source in scope.sources.values()
                 if isinstance(source, Scope) and _inside(source.expression, scope.expression)]
        if len(inner) != 1:
            break
        scope = inner[0]
    return scope


def _select_stars(query: exp.Expression) -> list[exp.Expression]:
    return [e for e in query.selects if e.is_star] if isinstance(query, exp.Query) else []


def _star_sources(star: exp.Expression, scope: Scope) -> list[tuple[str, exp.Table | Scope]]:
    if isinstance(star, exp.Column) and star.table:
        source = scope.sources.get(star.table)
        return [(star.table, source)] if source is not None else []
    return [(alias, source) for alias, (_, source) in scope.selected_sources.items()]


def _inside(node: exp.Expression, ancestor: exp.Expression) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False
