"""Resolving what a DDL dump declares into catalog objects: user-defined types into domains and base types,
keys ranked, views expanded from their sources (memoised, so a chain of views is read once), foreign keys
kept where both tables are in the dump.

`ddl_loader` fills a `Dump` statement by statement, in file order; only here, once every file is read, may
a column's type or a view's source be looked up (Redgate writes Tables/ before Types/ and Views/).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from vgpt2_ext.catalog.model import (
    CatalogObject,
    Code,
    Column,
    Relationship,
    canonical_type,
    module_of,
    normalise_name,
    rank_keys,
    render_type,
)
from vgpt2_ext.catalog.views import view_columns
from vgpt2_ext.errors import CatalogError


@dataclass
class TableSpec:
    """A CREATE TABLE as read: columns with their declared types, keys as (clustered, columns)."""

    name: str
    columns: list  # (name, sqlglot DataType or None, explicit nullability or None)
    where: str
    keys: list[tuple[bool, tuple[str, ...]]] = field(default_factory=list)


@dataclass
class Dump:
    """What the statements of a dump declare, before it is resolved into catalog objects."""

    types: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # lower name -> (name, base, nullable)
    tables: dict[str, TableSpec] = field(default_factory=dict)  # lower name -> table
    views: dict[str, tuple[str, object]] = field(default_factory=dict)  # lower name -> (name, parsed CREATE)
    foreign_keys: list[Relationship] = field(default_factory=list)
    codes: dict[tuple[str, str], tuple[Code, ...]] = field(default_factory=dict)  # (table, column) lower


def resolve(dump: Dump) -> tuple[tuple[CatalogObject, ...], tuple[Relationship, ...]]:
    """The catalog objects (tables, then views, in declaration order) and declared relationships."""
    tables = {key: _build_table(dump, spec) for key, spec in dump.tables.items()}
    views = _Views(dump, tables)
    objects = tuple(tables.values()) + tuple(views.build(key) for key in dump.views)
    return objects, _relationships(dump, objects)


def _build_table(dump: Dump, table: TableSpec) -> CatalogObject:
    columns = tuple(_build_column(dump, table, *spec) for spec in table.columns)
    known = {c.name.lower() for c in columns}
    for _, key in table.keys:
        missing = [c for c in key if c.lower() not in known]
        if missing:
            raise CatalogError(f"{table.where}: a key of `{table.name}` names missing columns {missing}")
    return CatalogObject(name=table.name, kind="table", columns=columns, keys=rank_keys(table.keys),
                         module=module_of(table.name))


def _build_column(dump: Dump, table: TableSpec, name: str, data_type, nullable: bool | None) -> Column:
    sql_type, domain, type_nullable = _resolve_type(dump, table, name, data_type)
    return Column(name=name, sql_type=sql_type, domain=domain,
                  nullable=type_nullable if nullable is None else nullable,
                  codes=dump.codes.get((table.name.lower(), name.lower()), ()))


def _resolve_type(dump: Dump, table: TableSpec, column: str, data_type) -> tuple[str | None, str | None, bool]:
    """(base SQL type, Vista domain, nullability the type implies) of a column's declared type."""
    from sqlglot import exp

    if data_type is None:
        return None, None, True  # a computed column: its type is the expression's
    if data_type.this != exp.DataType.Type.USERDEFINED:
        return render_type(data_type), None, True
    declared = str(data_type.args.get("kind")).split(".")[-1].strip("[]")
    if declared.lower() in dump.types:
        domain, base, nullable = dump.types[declared.lower()]
        return base, domain, nullable
    try:
        return canonical_type(declared), None, True  # a built-in alias such as sysname
    except CatalogError:
        raise CatalogError(f"{table.where}: column `{table.name}.{column}` has type `{declared}`, which no "
                           "CREATE TYPE in the DDL defines; include the dump's user-defined types") from None


class _Views:
    """Views built on demand, each once: a view's columns come from its sources, which may be views."""

    def __init__(self, dump: Dump, tables: dict[str, CatalogObject]) -> None:
        self.dump, self.tables = dump, tables
        self.built: dict[str, CatalogObject | None] = {}  # None while being built: a cycle reads as unknown

    def build(self, key: str) -> CatalogObject:
        if key not in self.built:
            self.built[key] = None
            name, create = self.dump.views[key]
            self.built[key] = self._view(name, create)
        return self.built[key]

    def _view(self, name: str, create) -> CatalogObject:
        columns, base = view_columns(create, self._source_columns)
        base_object = self.tables.get(base.lower()) if base else None
        known = {c.name.lower() for c in columns}
        keys = tuple(k for k in (base_object.keys if base_object else ()) if all(c.lower() in known for c in k))
        coded = {c.name.lower(): c.codes for c in (base_object.columns if base_object else ()) if c.codes}
        columns = tuple(replace(c, codes=coded.get(c.name.lower(), c.codes)) for c in columns)
        return CatalogObject(name=name, kind="view", columns=columns, keys=keys,
                             base_table=base_object.name if base_object else None, module=module_of(name))

    def _source_columns(self, source: str) -> tuple[Column, ...] | None:
        """Columns of a table or view a view selects from; None when the dump does not define it."""
        key = normalise_name(source)
        if key in self.tables:
            return self.tables[key].columns
        if key in self.dump.views and self.built.get(key, True) is not None:
            return self.build(key).columns
        return None


def _relationships(dump: Dump, objects: tuple[CatalogObject, ...]) -> tuple[Relationship, ...]:
    """Declared foreign keys between loaded tables, and the same path between their views."""
    by_name = {obj.name.lower(): obj for obj in objects}
    views = {obj.base_table.lower(): obj for obj in objects if obj.base_table}
    found: list[Relationship] = []
    for fk in dump.foreign_keys:
        child, parent = by_name.get(fk.child.lower()), by_name.get(normalise_name(fk.parent))
        if child is None or parent is None:
            continue  # a reference to a table outside these scripts
        found.append(replace(fk, child=child.name, parent=parent.name))
        child_view, parent_view = views.get(child.name.lower()), views.get(parent.name.lower())
        if child_view and parent_view and all(child_view.has_column(c) for c in fk.child_columns) \
                and all(parent_view.has_column(c) for c in fk.parent_columns):
            found.append(replace(fk, child=child_view.name, parent=parent_view.name))
    return tuple(found)
