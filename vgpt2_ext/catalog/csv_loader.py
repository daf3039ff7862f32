"""A SQL Server catalog export: `INFORMATION_SCHEMA.COLUMNS` as CSV, plus optional tables and indexes CSVs.

The format a SQL Server user gets from `SELECT * FROM INFORMATION_SCHEMA.COLUMNS` (with DOMAIN_NAME for
the Vista user-defined type), `INFORMATION_SCHEMA.TABLES` with a BASE_TABLE column for the plain views,
and `sys.indexes` + `sys.index_columns` flattened to one row per index (see ../shared/fixtures/vista).
Report views' columns carry no type: they load untyped. Without `tables.csv`, an object `X` beside a
`bX` is taken as the view over it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from vgpt2_ext.catalog.model import SURROGATE_COLUMNS, Catalog, CatalogObject, Column
from vgpt2_ext.catalog.yaml_loader import module_of
from vgpt2_ext.errors import CatalogError

COLUMNS_FILE = "information_schema_columns.csv"
TABLES_FILE = "tables.csv"
INDEXES_FILE = "indexes.csv"
COLUMN_HEADERS = ("TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION", "IS_NULLABLE", "DATA_TYPE")
TABLE_HEADERS = ("TABLE_NAME", "TABLE_TYPE")
INDEX_HEADERS = ("TABLE_NAME", "INDEX_NAME", "IS_UNIQUE", "IS_CLUSTERED", "COLUMNS")


def is_export_folder(path: Path) -> bool:
    return path.is_dir() and (path / COLUMNS_FILE).is_file()


def load_csv_catalog(folder: Path) -> Catalog:
    columns = _read_columns(folder / COLUMNS_FILE)
    tables = _read_tables(folder / TABLES_FILE) if (folder / TABLES_FILE).is_file() else {}
    keys = _read_keys(folder / INDEXES_FILE) if (folder / INDEXES_FILE).is_file() else {}
    names = list(columns) + [name for name in tables if name not in columns]  # views listed without columns
    objects = [_object(name, columns.get(name, []), tables, keys, columns) for name in names]
    return Catalog(name=folder.name, objects=tuple(objects), source=str(folder))


def _rows(path: Path, required: tuple[str, ...]):
    """(line number, row) pairs, after checking the header names the required columns."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise CatalogError(f"`{path}` is empty; expected a header with {list(required)}")
        missing = [h for h in required if h not in header]
        if missing:
            raise CatalogError(f"`{path}` header lacks {missing} (found {header})")
        for line, values in enumerate(reader, start=2):
            if len(values) != len(header):
                raise CatalogError(f"`{path}` row {line}: expected {len(header)} fields, got {len(values)}")
            yield line, dict(zip(header, values))


def _read_columns(path: Path) -> dict[str, list[tuple[int, Column]]]:
    by_table: dict[str, list[tuple[int, Column]]] = defaultdict(list)
    for line, row in _rows(path, COLUMN_HEADERS):
        try:
            position = int(row["ORDINAL_POSITION"])
        except ValueError:
            raise CatalogError(
                f"`{path}` row {line}: ORDINAL_POSITION {row['ORDINAL_POSITION']!r} is not a number") from None
        column = Column(
            name=row["COLUMN_NAME"], sql_type=_sql_type(row), domain=row.get("DOMAIN_NAME") or None,
            nullable=row["IS_NULLABLE"].upper() != "NO",
        )
        by_table[row["TABLE_NAME"]].append((position, column))
    return by_table


def _sql_type(row: dict[str, str]) -> str | None:
    """`varchar(30)`, `numeric(12,2)`, `tinyint`; None for untyped (report view) columns."""
    base = row["DATA_TYPE"].strip().lower()
    if not base:
        return None
    length = row.get("CHARACTER_MAXIMUM_LENGTH") or ""
    if length:
        return f"{base}({'max' if length == '-1' else length})"
    if base in ("numeric", "decimal") and row.get("NUMERIC_PRECISION"):
        return f"{base}({row['NUMERIC_PRECISION']},{row.get('NUMERIC_SCALE') or 0})"
    return base


def _read_tables(path: Path) -> dict[str, tuple[str, str | None]]:
    """name -> (kind, base table)."""
    tables = {}
    for _, row in _rows(path, TABLE_HEADERS):
        kind = "view" if row["TABLE_TYPE"].strip().upper() == "VIEW" else "table"
        tables[row["TABLE_NAME"]] = (kind, row.get("BASE_TABLE") or None)
    return tables


def _read_keys(path: Path) -> dict[str, list[tuple[str, ...]]]:
    """name -> unique keys, the clustered one first and single-column surrogates (KeyID) last."""
    found: dict[str, list[tuple[bool, bool, tuple[str, ...]]]] = defaultdict(list)
    for line, row in _rows(path, INDEX_HEADERS):
        if row["IS_UNIQUE"].strip().upper() not in ("YES", "1", "TRUE"):
            continue
        key = tuple(c.strip() for c in row["COLUMNS"].split(";") if c.strip())
        if not key:
            raise CatalogError(f"`{path}` row {line}: unique index `{row['INDEX_NAME']}` lists no columns")
        surrogate = all(c.lower() in SURROGATE_COLUMNS for c in key)
        clustered = row["IS_CLUSTERED"].strip().upper() in ("YES", "1", "TRUE")
        found[row["TABLE_NAME"]].append((surrogate, not clustered, key))
    return {name: [key for *_, key in sorted(keys, key=lambda k: k[:2])] for name, keys in found.items()}


def _object(name: str, cols: list[tuple[int, Column]], tables: dict, keys: dict, all_columns: dict):
    kind, base = tables.get(name, ("table", None))
    if not tables and name.lower() != f"b{name.lower()}" and f"b{name}" in all_columns:
        kind, base = "view", f"b{name}"
    if base and base not in all_columns and base not in tables:
        base = None  # a view over an object the export does not list: keep it, unlinked
    own_keys = keys.get(name) or (keys.get(base, []) if base else [])
    ordered = tuple(column for _, column in sorted(cols, key=lambda pc: pc[0]))
    names = {c.name.lower() for c in ordered}
    usable = tuple(k for k in own_keys if all(c.lower() in names for c in k))
    return CatalogObject(name=name, kind=kind, columns=ordered, keys=usable, base_table=base,
                         module=module_of(name))
