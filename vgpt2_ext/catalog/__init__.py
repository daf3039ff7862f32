"""The schema catalog and its loaders: `load_catalog(path)` is the one entry point.

`path` may be a catalog YAML (whole, or an overlay with `source:`), a folder holding a SQL Server
`INFORMATION_SCHEMA` CSV export (or a .zip of it), a folder of T-SQL DDL `.sql` files (searched recursively, as a
Redgate dump nests them), or one `.sql` file. `None` means the embedded default, `DEFAULT_CATALOG`: the real
Vista schema export (3,374 objects, zipped in the package) overlaid with descriptions, codes, rules and examples.
`SAMPLE_CATALOG` is a small standalone catalog of 27 described Vista views, for tests and reading. Loaded
catalogs are cached per path and modification time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from vgpt2_ext.catalog.model import (
    Catalog,
    CatalogObject,
    Code,
    Column,
    Example,
    HouseStyle,
    Relationship,
    Rule,
    canonical_type,
    module_of,
)
from vgpt2_ext.errors import CatalogError
from vgpt2_ext.processes import long_lived

EMBEDDED = Path(__file__).resolve().parent.parent / "sample"
DEFAULT_CATALOG = EMBEDDED / "vista.yaml"  # an overlay on DEFAULT_EXPORT that includes SAMPLE_CATALOG
DEFAULT_EXPORT = EMBEDDED / "vista_export.zip"  # ../shared/fixtures/vista, zipped
SAMPLE_CATALOG = EMBEDDED / "vista_sample.yaml"

__all__ = [
    "DEFAULT_CATALOG", "DEFAULT_EXPORT", "SAMPLE_CATALOG", "Catalog", "CatalogObject", "Code", "Column", "Example",
    "HouseStyle", "Relationship", "Rule", "canonical_type", "load_catalog", "module_of",
]


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The catalog at `path` (see the module docstring for the kinds), or the embedded default for None.

    One cached, frozen catalog per path and content stamp: every caller in a process shares it, and an
    edited file is read again. CatalogError, naming the file/key/row, when it cannot be loaded."""
    resolved = Path(path).expanduser().resolve() if path else DEFAULT_CATALOG
    if not resolved.exists():
        raise CatalogError(f"catalog `{path}` does not exist (give a YAML file, a CSV export folder or .zip, or DDL)")
    return _load(resolved, _stamp(resolved))


def _stamp(path: Path) -> float:
    """The newest modification time under `path` (DDL dumps nest folders), so an edited catalog is reloaded."""
    if path.is_file():
        return path.stat().st_mtime
    return max((p.stat().st_mtime for p in path.rglob("*") if p.is_file()), default=0.0)


@lru_cache(maxsize=8)
def _load(path: Path, _stamp: float) -> Catalog:
    with long_lived():  # kept for the process (the cache above)
        return _read(path)


def _read(path: Path) -> Catalog:
    from vgpt2_ext.catalog.csv_loader import is_export_archive, is_export_folder, load_csv_catalog

    if path.suffix.lower() in (".yaml", ".yml"):
        from vgpt2_ext.catalog.yaml_loader import load_yaml_catalog

        return load_yaml_catalog(path, load_source=load_catalog)
    if is_export_folder(path) or is_export_archive(path):
        return load_csv_catalog(path)
    if path.suffix.lower() == ".sql" or (path.is_dir() and any(path.rglob("*.sql"))):
        from vgpt2_ext.catalog.ddl_loader import load_ddl_catalog

        return load_ddl_catalog(path)
    raise CatalogError(
        f"`{path}` is not a catalog: expected a .yaml file, a folder with `information_schema_columns.csv` "
        "(or a .zip of it), or T-SQL DDL (a .sql file or a folder of them)"
    )
