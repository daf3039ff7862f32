"""Grounding: every table and column a query names must exist in the catalog, or be reported with the
closest real names.

A misplaced column is the usual hallucination in Vista SQL: `APTH.Status` (payment status lives on the
pay lines, `APTD.Status`), `APTH.GrossAmt` (`APTL.GrossAmt`), `JCCD.OrigEstCost` (`JCCP.OrigEstCost`). So
an unknown column on a real table is answered first with same-named columns of the other tables in the
query and of the tables related to it by a join path, then with similar names on the table itself.

>>> from vgpt2_ext.catalog import load_catalog
>>> g = ground("SELECT h.Status FROM APTH h WITH (NOLOCK)", load_catalog())
>>> g.ok, g.unknowns[0].suggestions[0]
(False, 'APTD.Status')
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from vgpt2_ext.catalog.model import closest, did_you_mean
from vgpt2_ext.sql.analysis import analyze
from vgpt2_ext.sql.cache import per_catalog
from vgpt2_ext.sql.model import Analysis, ColumnRef

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog, CatalogObject

UnknownKind = Literal["table", "column", "qualifier", "ambiguous"]
SUGGESTIONS = 5
OBJECT_SUGGESTIONS = 3  # closest object names offered for an unknown table


@dataclass(frozen=True)
class Unknown:
    """A name the catalog (or the query's own scope) lacks, with the closest real names."""

    kind: UnknownKind  # table | column | qualifier (an alias not in scope) | ambiguous (unqualified, several have it)
    name: str  # as written: `APTHH`, `h.Status`, `Status`
    table: str | None  # the table it was resolved against, catalog spelling; None for tables and bare columns
    suggestions: tuple[str, ...] = ()  # `APTH`, `APTD.Status`, `h.Vendor`

    @property
    def message(self) -> str:
        hint = did_you_mean(list(self.suggestions))
        bare = self.name.rpartition(".")[2]
        if self.kind == "table":
            return f"no table or view `{self.name}` in the catalog{hint}"
        if self.kind == "qualifier":
            return f"`{self.name}`: no table or alias `{self.name.rpartition('.')[0]}` in scope{hint}"
        if self.kind == "ambiguous":
            owners = ", ".join(f"`{s.rpartition('.')[0]}`" for s in self.suggestions)
            return f"column `{self.name}` is ambiguous: {owners} each have it; qualify it with its table or alias"
        where = f"`{self.table}` has no column `{bare}`" if self.table else f"no table in scope has column `{bare}`"
        return where + (f" (`{self.name}`)" if self.name != bare else "") + hint


@dataclass(frozen=True)
class Grounding:
    analysis: Analysis
    unknowns: tuple[Unknown, ...]

    @property
    def ok(self) -> bool:
        """Every table and column exists and every bare column is unambiguous."""
        return not self.unknowns

    @property
    def unknown_tables(self) -> tuple[Unknown, ...]:
        return tuple(u for u in self.unknowns if u.kind == "table")

    @property
    def unknown_columns(self) -> tuple[Unknown, ...]:
        return tuple(u for u in self.unknowns if u.kind in ("column", "qualifier"))

    @property
    def ambiguous(self) -> tuple[Unknown, ...]:
        return tuple(u for u in self.unknowns if u.kind == "ambiguous")

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(u.message for u in self.unknowns)


def ground(sql: str | Analysis, catalog: Catalog) -> Grounding:
    """Every unknown table and column of `sql` (text, or an analysis of it) with suggestions.

    An analysis made against another catalog is redone against this one. Raises SQLAnalysisError when
    the SQL does not parse.
    """
    analysis = sql if isinstance(sql, Analysis) and sql.catalog == catalog.fingerprint else None
    analysis = analysis or analyze(sql.sql if isinstance(sql, Analysis) else sql, catalog)
    unknowns = [Unknown("table", name, None, object_suggestions(catalog, name)) for name in analysis.unknown_tables]
    for column in analysis.columns:
        unknown = _column(column, analysis, catalog)
        if unknown is not None:
            unknowns.append(unknown)
    return Grounding(analysis, tuple(dict.fromkeys(unknowns)))


def _column(column: ColumnRef, analysis: Analysis, catalog: Catalog) -> Unknown | None:
    if column.resolution == "ambiguous":
        return Unknown("ambiguous", column.written, None, tuple(f"{t}.{column.name}" for t in column.candidates))
    if column.resolution == "unknown_table":
        return _qualifier(column, analysis)
    if column.resolution != "unknown_column":
        return None
    owners = (column.table,) if column.table else column.candidates
    suggestions = column_suggestions(catalog, owners, column.name, analysis.tables)
    return Unknown("column", column.written, column.table, suggestions)


def _qualifier(column: ColumnRef, analysis: Analysis) -> Unknown | None:
    """A qualifier naming no source in scope; None when it names an unknown table (reported as a table)."""
    qualifier = (column.table or "").lower()
    if any(not ref.known and qualifier in (ref.name.lower(), (ref.alias or "").lower()) for ref in analysis.table_refs):
        return None
    aliases = [ref.alias or ref.name for ref in analysis.table_refs if qualifier == ref.name.lower()]
    aliases = aliases or closest(qualifier, [ref.alias or ref.name for ref in analysis.table_refs])
    return Unknown("qualifier", column.written, None, tuple(f"{alias}.{column.name}" for alias in aliases))


def column_suggestions(catalog: Catalog, owners: tuple[str, ...], column: str,
                       query_tables: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Real columns meant by `column`, looked for in `owners`, closest first (`Table.Column`).

    Same-named columns of the query's other tables, then of tables related to an owner by a join path
    (same module, keyed, similar name first), then similar names on the owners, then on related tables
    of the owner's module.
    """
    objects = [obj for name in owners if (obj := catalog.find(name)) is not None]
    related = [obj for owner in objects for obj in _related(catalog, owner.name)]
    own = {obj.name for obj in objects}
    others = [obj for name in query_tables if (obj := catalog.find(name)) is not None and obj.name not in own]
    found = [f"{obj.name}.{obj.column(column).name}" for obj in others + related if obj.has_column(column)]
    found += [f"{obj.name}.{name}" for obj in objects for name in obj.suggest_columns(column)]
    if not found:
        modules = {obj.module for obj in objects}
        found = [f"{obj.name}.{name}" for obj in related if obj.module in modules
                 for name in obj.suggest_columns(column, n=1)]
    return tuple(dict.fromkeys(found))[:SUGGESTIONS]


@per_catalog(maxsize=4096)
def object_suggestions(catalog: Catalog, name: str) -> tuple[str, ...]:
    """`catalog.suggest_objects(name)`, once per catalog and name: invented names recur."""
    return tuple(catalog.suggest_objects(name, OBJECT_SUGGESTIONS))


@per_catalog(maxsize=4096)
def _related(catalog: Catalog, name: str) -> tuple[CatalogObject, ...]:
    """Objects joined to `name` by a relationship, most likely companions first."""
    owner = catalog.object(name)
    related = [catalog.object(other) for other in _join_index(catalog).get(owner.name, ())]
    return tuple(sorted(related, key=lambda obj: _companion_rank(owner, obj)))


def _companion_rank(owner: CatalogObject, obj: CatalogObject) -> tuple:
    """Same module, then keyed objects (real entities, not report views), then similar names (APTH ~ APTD)."""
    similarity = difflib.SequenceMatcher(None, owner.name.lower(), obj.name.lower()).ratio()
    return obj.module != owner.module, not obj.keys, -similarity, obj.name


@per_catalog(maxsize=8)
def _join_index(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """object name -> the objects it shares a relationship with (either direction), built once per catalog."""
    index: dict[str, set[str]] = defaultdict(set)
    for rel in catalog.relationships:
        index[rel.child].add(rel.parent)
        index[rel.parent].add(rel.child)
    return {name: tuple(sorted(others)) for name, others in index.items()}
