"""A SQL Server catalog export: `INFORMATION_SCHEMA.COLUMNS` as CSV, plus optional tables and indexes CSVs.

The format a SQL Server user gets from `SELECT * FROM INFORMATION_SCHEMA.COLUMNS` (with DOMAIN_NAME for
the Vista user-defined type), `INFORMATION_SCHEMA.TABLES` with a BASE_TABLE column for the plain views,
and `sys.indexes` + `sys.index_columns` flattened to one row per index (see ../shared/fixtures/vista).
Report views' columns carry no type: they load untyped. Without `tables.csv`, an object `X` beside a
`bX` is taken as the view over it. The export may also come as a `.zip` of those CSVs (at its top or in one
folder), read in place: the embedded default catalog is one (under a tenth of the CSVs' size).
"""

from __future__ import annotations

import csv
import lzma
import zipfile
from collections import defaultdict
from pathlib import Path

from vgpt2_ext.catalog.model import (
    LENGTHLESS_TYPES,
    Catalog,
    CatalogObject,
    Column,
    canonical_type,
    module_of,
    rank_keys,
)
from vgpt2_ext.errors import CatalogError

COLUMNS_FILE = "information_schema_columns.csv"
TABLES_FILE = "tables.csv"
INDEXES_FILE = "indexes.csv"
COLUMN_HEADERS = ("TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION", "IS_NULLABLE", "DATA_TYPE")
TABLE_HEADERS = ("TABLE_NAME", "TABLE_TYPE")
INDEX_HEADERS = ("TABLE_NAME", "INDEX_NAME", "IS_UNIQUE", "IS_CLUSTERED", "COLUMNS")
TRUE_WORDS = ("YES", "1", "TRUE")
ExportPath = Path | zipfile.Path  # a CSV, or the folder of them, on disk or inside a .zip


def is_export_folder(path: Path) -> bool:
    return path.is_dir() and (path / COLUMNS_FILE).is_file()


def is_export_archive(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".zip"


def load_csv_catalog(location: Path) -> Catalog:
    """The export in `location` (a folder, or a .zip of its CSVs): every object of the columns CSV, plus views
    tables.csv lists without columns; keys from the unique indexes (a view inherits its base table's).
    Problems name the file (inside the archive) and row."""
    if location.is_dir():
        return _load_export(location, location.name, location)
    try:
        with zipfile.ZipFile(location) as archive:
            return _load_export(_archive_root(archive, location), location.stem, location)
    except (zipfile.BadZipFile, lzma.LZMAError, EOFError) as error:
        raise CatalogError(f"`{location}` is not a readable zip ({error}); zip the export's CSVs again") from None


def _archive_root(archive: zipfile.ZipFile, location: Path) -> zipfile.Path:
    """The folder of the archive holding the columns CSV: its top, or the first folder that does."""
    top = zipfile.Path(archive)
    for folder in (top, *(entry for entry in top.iterdir() if entry.is_dir())):
        if (folder / COLUMNS_FILE).is_file():
            return folder
    raise CatalogError(f"`{location}` holds no `{COLUMNS_FILE}` at its top or in a folder; zip the export's CSVs")


def _load_export(root: ExportPath, catalog_name: str, location: Path) -> Catalog:
    columns = _read_columns(root / COLUMNS_FILE)
    tables = _read_tables(root / TABLES_FILE) if (root / TABLES_FILE).is_file() else {}
    keys = _read_keys(root / INDEXES_FILE) if (root / INDEXES_FILE).is_file() else {}
    names = list(columns) + [name for name in tables if name not in columns]  # views listed without columns
    try:
        objects = [_object(name, columns.get(name, []), tables, keys, columns) for name in names]
    except CatalogError as error:
        raise CatalogError(f"`{root / COLUMNS_FILE}`: {error}") from None
    try:
        return Catalog(name=catalog_name, objects=tuple(objects), source=str(location), complete=True)
    except CatalogError as error:
        raise CatalogError(f"`{location}`: {error}") from None


def _rows(path: ExportPath, required: tuple[str, ...]):
    """(line number, row) pairs, after checking the header names the required columns."""
    line = 1
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise CatalogError(f"`{path}` is empty; expected a header with {list(required)}")
            twice = sorted({h for h in header if header.count(h) > 1})
            if twice:
                raise CatalogError(f"`{path}` header names {twice} more than once; which column holds the value? "
                                   "Export each column once")
            missing = [h for h in required if h not in header]
            if missing:
                raise CatalogError(f"`{path}` header lacks {missing} (found {header}); export it with its header row")
            for line, values in enumerate(reader, start=2):
                if any("\0" in value for value in values):
                    raise CatalogError(f"`{path}` row {line}: holds a NUL byte; is it really a CSV export?")
                if len(values) != len(header):
                    raise CatalogError(f"`{path}` row {line}: expected {len(header)} fields, got {len(values)}")
                yield line, dict(zip(header, values))
    except csv.Error as error:
        raise CatalogError(f"`{path}` row {line + 1}: malformed CSV ({error})") from None
    except UnicodeDecodeError as error:
        raise CatalogError(f"`{path}` is not UTF-8 text: {error.reason} at byte {error.start}") from None


def _read_columns(path: ExportPath) -> dict[str, list[tuple[int, Column]]]:
    by_table: dict[str, list[tuple[int, Column]]] = defaultdict(list)
    for line, row in _rows(path, COLUMN_HEADERS):
        where = f"`{path}` row {line}"
        if not row["TABLE_NAME"] or not row["COLUMN_NAME"]:
            raise CatalogError(f"{where}: TABLE_NAME and COLUMN_NAME must not be empty")
        nullable = row["IS_NULLABLE"].strip().upper()
        if nullable not in ("YES", "NO"):
            raise CatalogError(f"{where}: IS_NULLABLE {row['IS_NULLABLE']!r} must be YES or NO")
        column = Column(name=row["COLUMN_NAME"], sql_type=_sql_type(row, where),
                        domain=row.get("DOMAIN_NAME") or None, nullable=nullable == "YES")
        by_table[row["TABLE_NAME"]].append((_number(row, "ORDINAL_POSITION", where), column))
    return by_table


def _number(row: dict[str, str], field: str, where: str) -> int:
    try:
        return int(row[field])
    except ValueError:
        raise CatalogError(f"{where}: {field} {row[field]!r} is not a number") from None


def _sql_type(row: dict[str, str], where: str) -> str | None:
    """`varchar(30)`, `numeric(12,2)`, `tinyint` in the catalog's one spelling; None for untyped
    (report view) columns."""
    base = row["DATA_TYPE"].strip().lower()
    if not base:
        return None
    text = base
    if row.get("CHARACTER_MAXIMUM_LENGTH") and base not in LENGTHLESS_TYPES:
        length = _number(row, "CHARACTER_MAXIMUM_LENGTH", where)
        text = f"{base}({'max' if length == -1 else length})"
    elif base in ("numeric", "decimal") and row.get("NUMERIC_PRECISION"):
        scale = _number(row, "NUMERIC_SCALE", where) if row.get("NUMERIC_SCALE") else 0
        text = f"{base}({_number(row, 'NUMERIC_PRECISION', where)},{scale})"
    try:
        return canonical_type(text)
    except CatalogError as error:
        raise CatalogError(f"{where} DATA_TYPE: {error}") from None


def _read_tables(path: ExportPath) -> dict[str, tuple[str, str | None]]:
    """name -> (kind, base table). A name listed twice must say the same both times (the fixture lists
    VPCanvasGridSettings twice, identically)."""
    tables: dict[str, tuple[str, str | None]] = {}
    for line, row in _rows(path, TABLE_HEADERS):
        kind = "view" if row["TABLE_TYPE"].strip().upper() == "VIEW" else "table"
        entry = (kind, row.get("BASE_TABLE") or None)
        if tables.get(row["TABLE_NAME"], entry) != entry:
            raise CatalogError(f"`{path}` row {line}: `{row['TABLE_NAME']}` is listed again, differently "
                               f"({entry} after {tables[row['TABLE_NAME']]})")
        tables[row["TABLE_NAME"]] = entry
    return tables


def _read_keys(path: ExportPath) -> dict[str, tuple[tuple[str, ...], ...]]:
    """name -> unique keys, ranked (clustered first, surrogates last)."""
    found: dict[str, list[tuple[bool, tuple[str, ...]]]] = defaultdict(list)
    for line, row in _rows(path, INDEX_HEADERS):
        if row["IS_UNIQUE"].strip().upper() not in TRUE_WORDS:
            continue
        key = tuple(c.strip() for c in row["COLUMNS"].split(";") if c.strip())
        if not key:
            raise CatalogError(f"`{path}` row {line}: unique index `{row['INDEX_NAME']}` lists no columns")
        found[row["TABLE_NAME"]].append((row["IS_CLUSTERED"].strip().upper() in TRUE_WORDS, key))
    return {name: rank_keys(keys) for name, keys in found.items()}


def _object(name: str, cols: list[tuple[int, Column]], tables: dict, keys: dict, all_columns: dict):
    kind, base = tables.get(name, ("table", None))
    if not tables and f"b{name}" in all_columns:
        kind, base = "view", f"b{name}"  # no tables.csv: `X` beside `bX` is the view over it
    if base and base not in all_columns and base not in tables:
        base = None  # a view over an object the export does not list: keep it, unlinked
    own_keys = keys.get(name) or (keys.get(base, ()) if base else ())
    ordered = tuple(column for _, column in sorted(cols, key=lambda pc: pc[0]))
    names = {c.name.lower() for c in ordered}
    usable = tuple(k for k in own_keys if all(c.lower() in names for c in k))
    return CatalogObject(name=name, kind=kind, columns=ordered, keys=usable, base_table=base,
                         module=module_of(name))
