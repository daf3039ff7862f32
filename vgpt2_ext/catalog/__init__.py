"""The schema catalog and its loaders: `load_catalog(path)` is the one entry point.

`path` may be a catalog YAML (whole, or an overlay with `source:`), a folder holding a SQL Server
`INFORMATION_SCHEMA` CSV export, a folder of T-SQL DDL `.sql` files, or one `.sql` file. `None` means the
embedded sample catalog. Loaded catalogs are cached per path and modification time.
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
)
from vgpt2_ext.errors import CatalogError

SAMPLE_CATALOG = Path(__file__).resolve().parent.parent / "sample" / "vista_sample.yaml"

__all__ = [
    "SAMPLE_CATALOG", "Catalog", "CatalogObject", "Code", "Column", "Example", "HouseStyle", "Relationship",
    "Rule", "load_catalog",
]


def load_catalog(path: str | Path | None = None) -> Catalog:
    resolved = Path(path).expanduser().resolve() if path else SAMPLE_CATALOG
    if not resolved.exists():
        raise CatalogError(f"catalog `{path}` does not exist (give a YAML file, a CSV export folder or DDL)")
    return _load(resolved, _stamp(resolved))


def _stamp(path: Path) -> float:
    """The newest modification time under `path`, so an edited catalog is reloaded."""
    if path.is_file():
        return path.stat().st_mtime
    return max((p.stat().st_mtime for p in path.iterdir() if p.is_file()), default=0.0)


@lru_cache(maxsize=8)
def _load(path: Path, _stamp: float) -> Catalog:
    from vgpt2_ext.catalog.csv_loader import is_export_folder, load_csv_catalog

    if path.suffix.lower() in (".yaml", ".yml"):
        from vgpt2_ext.catalog.yaml_loader import load_yaml_catalog

        return load_yaml_catalog(path, load_source=load_catalog)
    if is_export_folder(path):
        return load_csv_catalog(path)
    if path.suffix.lower() == ".sql" or (path.is_dir() and any(path.glob("*.sql"))):
        from vgpt2_ext.catalog.ddl_loader import load_ddl_catalog

        return load_ddl_catalog(path)
    raise CatalogError(
        f"`{path}` is not a catalog: expected a .yaml file, a folder with `information_schema_columns.csv`, "
        "or T-SQL DDL (.sql files)"
    )
