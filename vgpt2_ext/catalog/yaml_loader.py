"""The project's own catalog YAML: a whole catalog, or an overlay on a CSV/DDL export (`source:`).

A whole catalog lists objects with their columns; `base: bAPTH` on a view adds the base table it selects
from, with the same columns and keys. An overlay (`source: path/to/export`) loads that export first and
then adds descriptions, modules, keys, codes, rules and examples to objects the export already has; it
never invents an object or column the export lacks (that is an error naming both).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from vgpt2_ext.catalog.model import (
    Catalog,
    CatalogObject,
    Code,
    Column,
    Example,
    HouseStyle,
    Relationship,
    Rule,
    closest,
    did_you_mean,
)
from vgpt2_ext.errors import CatalogError

TOP_KEYS = ("name", "source", "style", "objects", "relationships", "rules", "examples")
OBJECT_KEYS = ("base", "kind", "module", "description", "keys", "columns")
COLUMN_KEYS = ("type", "domain", "nullable", "description", "codes")
RULE_KEYS = ("id", "table", "text", "predicate", "measure")
RELATIONSHIP_KEYS = ("child", "columns", "parent", "parent_columns")
EXAMPLE_KEYS = ("question", "sql", "category")


def load_yaml_catalog(path: Path, load_source=None) -> Catalog:
    """Load `path`; `load_source(path)` loads the export an overlay names (injected to avoid a cycle)."""
    spec = _read(path)
    _check_keys(spec, TOP_KEYS, f"`{path}`")
    if "source" in spec:
        if load_source is None:
            raise CatalogError(f"`{path}`: `source:` overlays are loaded through `load_catalog`")
        base = load_source((path.parent / str(spec["source"])).resolve())
        objects = _overlay(base, spec.get("objects") or {}, path)
    else:
        base = None
        objects = tuple(_objects(spec.get("objects") or {}, path))
    return Catalog(
        name=str(spec.get("name") or (base.name if base else path.stem)),
        objects=objects,
        declared_relationships=(base.declared_relationships if base else ())
        + tuple(_relationship(r, path) for r in spec.get("relationships") or ()),
        rules=(base.rules if base else ()) + tuple(_rule(r, path) for r in spec.get("rules") or ()),
        style=_style(spec.get("style"), path, base.style if base else HouseStyle()),
        examples=(base.examples if base else ()) + tuple(_example(e, path) for e in spec.get("examples") or ()),
        source=str(path),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"catalog file `{path}` does not exist") from None
    except yaml.YAMLError as error:
        raise CatalogError(f"`{path}` is not valid YAML: {error}") from None
    if not isinstance(spec, dict):
        raise CatalogError(f"`{path}` must hold a mapping with `objects:`, got {type(spec).__name__}")
    return spec


def _check_keys(spec: Any, allowed: tuple[str, ...], where: str) -> None:
    if not isinstance(spec, dict):
        raise CatalogError(f"{where} must be a mapping, got {spec!r}")
    for key in spec:
        if key not in allowed:
            raise CatalogError(f"{where}: unknown key `{key}`" + did_you_mean(closest(str(key), allowed)))


# -- whole catalogs ---------------------------------------------------------------------------------
def _objects(specs: dict[str, Any], path: Path):
    for name, spec in specs.items():
        where = f"`{path}` object `{name}`"
        _check_keys(spec, OBJECT_KEYS, where)
        columns = tuple(_column(col, cspec, f"{where} column `{col}`") for col, cspec in
                        (spec.get("columns") or {}).items())
        keys = _keys(spec.get("keys"), where)
        common = dict(columns=columns, keys=keys, module=str(spec.get("module") or module_of(name)),
                      description=str(spec.get("description") or ""))
        try:
            if spec.get("base"):
                yield CatalogObject(name=str(spec["base"]), kind="table", **common)
                yield CatalogObject(name=str(name), kind="view", base_table=str(spec["base"]), **common)
            else:
                yield CatalogObject(name=str(name), kind=spec.get("kind", "table"), **common)
        except CatalogError as error:
            raise CatalogError(f"`{path}`: {error}") from None


def _column(name: str, spec: Any, where: str) -> Column:
    spec = spec or {}
    _check_keys(spec, COLUMN_KEYS, where)
    return Column(
        name=str(name), sql_type=spec.get("type"), domain=spec.get("domain"),
        nullable=bool(spec.get("nullable", True)), description=str(spec.get("description") or ""),
        codes=_codes(spec.get("codes"), where),
    )


def _codes(spec: Any, where: str) -> tuple[Code, ...]:
    if spec is None:
        return ()
    if not isinstance(spec, dict):
        raise CatalogError(f"{where}: `codes` must map each value to its meaning, got {spec!r}")
    return tuple(Code(str(value), str(meaning)) for value, meaning in spec.items())


def _keys(spec: Any, where: str) -> tuple[tuple[str, ...], ...]:
    if spec is None:
        return ()
    if not isinstance(spec, list) or not all(isinstance(k, list) and k for k in spec):
        raise CatalogError(f"{where}: `keys` must be a list of column lists, e.g. [[APCo, Mth, APTrans]]")
    return tuple(tuple(str(c) for c in key) for key in spec)


def module_of(name: str) -> str:
    """Vista modules are the first two letters of a view (APTH) or of a base table after `b`/`v` (bAPTH)."""
    stem = name[1:] if len(name) > 2 and name[0] in "bv" and name[1].isupper() else name
    return stem[:2].upper()


# -- overlays -----------------------------------------------------------------------------------------
def _overlay(base: Catalog, specs: dict[str, Any], path: Path) -> tuple[CatalogObject, ...]:
    """Apply each object spec to the object of that name and to its view/base twin."""
    patched = {obj.name: obj for obj in base.objects}
    for name, spec in specs.items():
        where = f"`{path}` object `{name}`"
        _check_keys(spec, OBJECT_KEYS, where)
        target = base.find(name)
        if target is None:
            raise CatalogError(f"{where}: the source catalog has no such object"
                               + did_you_mean(base.suggest_objects(name)))
        for twin in _twins(base, target):
            patched[twin.name] = _patch(patched[twin.name], spec, where)
    return tuple(patched[obj.name] for obj in base.objects)


def _twins(catalog: Catalog, obj: CatalogObject) -> list[CatalogObject]:
    twins = [obj]
    if obj.base_table:
        twins.append(catalog.object(obj.base_table))
    elif catalog.view_of(obj.name):
        twins.append(catalog.view_of(obj.name))
    return twins


def _patch(obj: CatalogObject, spec: dict[str, Any], where: str) -> CatalogObject:
    columns = {c.name.lower(): c for c in obj.columns}
    for name, cspec in (spec.get("columns") or {}).items():
        current = obj.column(str(name))
        if current is None:
            raise CatalogError(f"{where}: the source has no column `{name}`"
                               + did_you_mean(obj.suggest_columns(str(name))))
        extra = _column(name, cspec, f"{where} column `{name}`")
        columns[current.name.lower()] = replace(
            current,
            description=extra.description or current.description,
            codes=extra.codes or current.codes,
            domain=current.domain or extra.domain,
            sql_type=current.sql_type or extra.sql_type,
        )
    return replace(
        obj,
        columns=tuple(columns.values()),
        keys=_keys(spec.get("keys"), where) or obj.keys,
        module=str(spec.get("module") or obj.module),
        description=str(spec.get("description") or obj.description),
    )


# -- rules, relationships, examples, style -----------------------------------------------------------
def _rule(spec: Any, path: Path) -> Rule:
    _check_keys(spec, RULE_KEYS, f"`{path}` rule")
    missing = [k for k in ("id", "table", "text", "predicate") if not spec.get(k)]
    if missing:
        raise CatalogError(f"`{path}` rule {spec.get('id', '?')!r} lacks {missing}")
    return Rule(id=str(spec["id"]), table=str(spec["table"]), text=str(spec["text"]),
                predicate=str(spec["predicate"]), measure=str(spec.get("measure") or ""))


def _relationship(spec: Any, path: Path) -> Relationship:
    _check_keys(spec, RELATIONSHIP_KEYS, f"`{path}` relationship")
    try:
        return Relationship(str(spec["child"]), tuple(spec["columns"]), str(spec["parent"]),
                            tuple(spec["parent_columns"]), "declared")
    except KeyError as error:
        raise CatalogError(f"`{path}` relationship {spec!r} lacks `{error.args[0]}`") from None


def _example(spec: Any, path: Path) -> Example:
    _check_keys(spec, EXAMPLE_KEYS, f"`{path}` example")
    if not spec.get("question") or not spec.get("sql"):
        raise CatalogError(f"`{path}` example {spec!r} needs `question` and `sql`")
    return Example(str(spec["question"]), str(spec["sql"]), str(spec.get("category") or "sql_generation"))


def _style(spec: Any, path: Path, default: HouseStyle) -> HouseStyle:
    if spec is None:
        return default
    allowed = tuple(HouseStyle.__dataclass_fields__)
    _check_keys(spec, allowed, f"`{path}` style")
    return replace(default, **{k: bool(v) for k, v in spec.items()})
