"""The project's own catalog YAML: a whole catalog, or an overlay on a CSV/DDL export (`source:`).

A whole catalog lists objects with their columns; `base: bAPTH` on a view adds the base table it selects
from, with the same columns and keys. An overlay (`source: path/to/export`, relative to the YAML file)
loads that export first and then adds descriptions, modules, keys, codes, rules and examples to objects
the export already has. It never invents an object or column the export lacks (that is an error naming
both), and the export's facts (types, domains, nullability) win over the overlay's: a YAML written for
one Vista version stays usable on another whose column lengths differ.

`include: [other.yaml]` lays another file's objects, relationships, rules, examples and style under this
file's own (its name and source do not matter), so one set of descriptions serves both a standalone catalog
and an overlay: the embedded default (`vista.yaml`) includes the standalone sample (`vista_sample.yaml`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

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
    closest,
    did_you_mean,
    module_of,
)
from vgpt2_ext.errors import CatalogError
from vgpt2_ext.reading import read_yaml

TOP_KEYS = ("name", "source", "include", "complete", "style", "objects", "relationships", "rules", "examples")
OBJECT_KEYS = ("base", "kind", "module", "description", "keys", "columns")
COLUMN_KEYS = ("type", "domain", "nullable", "description", "codes")
RULE_KEYS = ("id", "table", "text", "predicate", "measure")
RELATIONSHIP_KEYS = ("child", "columns", "parent", "parent_columns")
EXAMPLE_KEYS = ("question", "sql", "category")
OBJECT_KINDS = ("table", "view")

INCLUDED_KEYS = ("relationships", "rules", "examples")
SourceLoader = Callable[[Path], Catalog]


def load_yaml_catalog(path: Path, load_source: SourceLoader | None = None) -> Catalog:
    """Load `path`; `load_source(path)` loads the export an overlay names (injected to avoid a cycle)."""
    spec = _with_includes(_read(path), path)
    objects_spec = _mapping(spec.get("objects"), f"`{path}` key `objects`")
    base = _source(spec, path, load_source) if "source" in spec else None
    objects = _overlay(base, objects_spec, path) if base else tuple(_objects(objects_spec, path))
    relationships = tuple(_relationship(r, path) for r in _list(spec.get("relationships"), path, "relationships"))
    rules = tuple(_rule(r, path) for r in _list(spec.get("rules"), path, "rules"))
    examples = tuple(_example(e, path) for e in _list(spec.get("examples"), path, "examples"))
    style = _style(spec.get("style"), path, base.style if base else HouseStyle())
    try:
        return Catalog(
            name=str(spec.get("name") or (base.name if base else path.stem)), objects=objects, style=style,
            declared_relationships=(base.declared_relationships if base else ()) + relationships,
            rules=(base.rules if base else ()) + rules, examples=(base.examples if base else ()) + examples,
            source=str(path), complete=_complete(spec, path, base))
    except CatalogError as error:
        raise CatalogError(f"`{path}`: {error}") from None


def _read(path: Path) -> dict[str, Any]:
    """The file's mapping, read strictly (UTF-8, no key twice, no alias bomb: `vgpt2_ext.reading`)."""
    if not path.is_file():
        raise CatalogError(f"catalog file `{path}` does not exist")
    spec = read_yaml(path, CatalogError)
    if not isinstance(spec, dict):
        raise CatalogError(f"`{path}` must hold a mapping with `objects:`, got {type(spec).__name__}")
    return spec


def _with_includes(spec: dict[str, Any], path: Path) -> dict[str, Any]:
    """`spec` with the objects, relationships, rules, examples and style of the files it includes laid under its
    own. An object described in two of the files is an error: there is one place to look for its words."""
    _check_keys(spec, TOP_KEYS, f"`{path}`")
    merged = dict(spec)
    for name in _list(spec.get("include"), path, "include"):
        included_path = (path.parent / Path(str(name)).expanduser()).resolve()
        where = f"`{path}` key `include`"
        try:
            included = _read(included_path)
        except CatalogError as error:
            raise CatalogError(f"{where}: {error}") from None
        _check_keys(included, TOP_KEYS, f"`{included_path}`")
        if "include" in included:
            raise CatalogError(f"{where}: `{included_path}` includes other files itself; include each one directly")
        merged["objects"] = _merge_objects(_mapping(included.get("objects"), f"`{included_path}` key `objects`"),
                                           _mapping(merged.get("objects"), f"`{path}` key `objects`"), path)
        for key in INCLUDED_KEYS:
            merged[key] = _list(included.get(key), included_path, key) + _list(merged.get(key), path, key)
        merged["style"] = {**_mapping(included.get("style"), f"`{included_path}` key `style`"),
                           **_mapping(merged.get("style"), f"`{path}` key `style`")}
    return merged


def _merge_objects(first: dict[str, Any], then: dict[str, Any], path: Path) -> dict[str, Any]:
    twice = sorted({str(n).lower() for n in first} & {str(n).lower() for n in then})
    if twice:
        raise CatalogError(f"`{path}`: objects {twice} are described both here and in an included file; "
                           "describe each object in one file")
    return {**first, **then}


def _check_keys(spec: Any, allowed: tuple[str, ...], where: str) -> None:
    if not isinstance(spec, dict):
        raise CatalogError(f"{where} must be a mapping, got {spec!r}")
    for key in spec:
        if key not in allowed:
            raise CatalogError(f"{where}: unknown key `{key}`" + did_you_mean(closest(str(key), allowed)))


def _mapping(spec: Any, where: str) -> dict[str, Any]:
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise CatalogError(f"{where} must be a mapping of names, got {type(spec).__name__}")
    return spec


def _list(spec: Any, path: Path, key: str) -> list[Any]:
    if spec is None:
        return []
    if not isinstance(spec, list):
        raise CatalogError(f"`{path}` key `{key}` must be a list, got {type(spec).__name__}")
    return spec


# -- whole catalogs ---------------------------------------------------------------------------------
def _objects(specs: dict[str, Any], path: Path):
    for name, spec in specs.items():
        where = f"`{path}` object `{name}`"
        _check_keys(spec, OBJECT_KEYS, where)
        columns_spec = _mapping(spec.get("columns"), f"{where} key `columns`")
        columns = tuple(_column(col, cspec, f"{where} column `{col}`") for col, cspec in columns_spec.items())
        common = dict(columns=columns, keys=_keys(spec.get("keys"), where),
                      module=str(spec.get("module") or module_of(str(name))),
                      description=str(spec.get("description") or ""))
        kind = spec.get("kind", "view" if spec.get("base") else "table")
        if kind not in OBJECT_KINDS or (spec.get("base") and kind != "view"):
            raise CatalogError(f"{where}: `kind` must be one of {list(OBJECT_KINDS)} (`view` with `base`), "
                               f"got {kind!r}")
        try:
            if spec.get("base"):
                yield CatalogObject(name=str(spec["base"]), kind="table", **common)
            yield CatalogObject(name=str(name), kind=kind, base_table=spec.get("base") and str(spec["base"]), **common)
        except CatalogError as error:
            raise CatalogError(f"{where}: {error}") from None


def _column(name: Any, spec: Any, where: str) -> Column:
    spec = {} if spec is None else spec
    _check_keys(spec, COLUMN_KEYS, where)
    nullable = spec.get("nullable", True)
    if not isinstance(nullable, bool):
        raise CatalogError(f"{where}: `nullable` must be true or false, got {nullable!r}")
    try:
        sql_type = canonical_type(str(spec["type"])) if spec.get("type") else None
    except CatalogError as error:
        raise CatalogError(f"{where} key `type`: {error}") from None
    return Column(name=str(name), sql_type=sql_type, domain=spec.get("domain") and str(spec["domain"]),
                  nullable=nullable, description=str(spec.get("description") or ""),
                  codes=_codes(spec.get("codes"), where))


def _codes(spec: Any, where: str) -> tuple[Code, ...]:
    if spec is None:
        return ()
    if not isinstance(spec, dict):
        raise CatalogError(f"{where}: `codes` must map each value to its meaning, got {spec!r}")
    for value, meaning in spec.items():
        if isinstance(value, bool) or not isinstance(meaning, str):
            raise CatalogError(f"{where}: code {value!r}: {meaning!r} must be a value and a text meaning; "
                               "quote values and meanings YAML reads as booleans (Y, N, yes, no, on, off)")
    return tuple(Code(str(value), meaning) for value, meaning in spec.items())


def _keys(spec: Any, where: str) -> tuple[tuple[str, ...], ...]:
    if spec is None:
        return ()
    if not isinstance(spec, list) or not all(isinstance(k, list) and k and all(isinstance(c, str) for c in k)
                                             for k in spec):
        raise CatalogError(f"{where}: `keys` must be a list of column lists, e.g. [[APCo, Mth, APTrans]], "
                           f"got {spec!r}")
    return tuple(tuple(key) for key in spec)


# -- overlays -----------------------------------------------------------------------------------------
_LOADING: list[Path] = []  # the overlays being loaded, outermost first: a `source:` back to one is a cycle


def _source(spec: dict[str, Any], path: Path, load_source: SourceLoader | None) -> Catalog:
    if load_source is None:
        raise CatalogError(f"`{path}`: `source:` overlays are loaded through `load_catalog`")
    source = (path.parent / Path(str(spec["source"])).expanduser()).resolve()
    if not source.exists():
        raise CatalogError(f"`{path}` key `source`: `{source}` does not exist (give the export folder, DDL or "
                           "YAML this overlay annotates, relative to the overlay file)")
    chain = [*_LOADING, path.resolve()]
    if source == path.resolve():
        raise CatalogError(f"`{path}` key `source`: names this overlay itself; it must name the export (CSV "
                           "folder or DDL) the overlay annotates")
    if source in chain:
        cycle = " -> ".join(f"`{p}`" for p in chain[chain.index(source):] + [source])
        raise CatalogError(f"`{path}` key `source`: the overlays name each other in a cycle ({cycle}); `source:` "
                           "must name the export (CSV folder or DDL) the overlay annotates")
    _LOADING.append(path.resolve())
    try:
        return load_source(source)
    finally:
        _LOADING.pop()


def _overlay(base: Catalog, specs: dict[str, Any], path: Path) -> tuple[CatalogObject, ...]:
    """Apply each object spec to the object of that name and to its view/base twin."""
    patched = {obj.name: obj for obj in base.objects}
    for name, spec in specs.items():
        where = f"`{path}` object `{name}`"
        _check_keys(spec, OBJECT_KEYS, where)
        target = base.find(str(name))
        if target is None:
            raise CatalogError(f"{where}: the source catalog has no such object"
                               + did_you_mean(base.suggest_objects(str(name))))
        _check_shape(target, spec, where)
        for twin in _twins(base, target):
            patched[twin.name] = _patch(patched[twin.name], spec, where, strict=twin is target)
    return tuple(patched[obj.name] for obj in base.objects)


def _check_shape(target: CatalogObject, spec: dict[str, Any], where: str) -> None:
    """An overlay's `base`/`kind` must agree with the source: they are facts, not annotations."""
    if spec.get("base") and str(spec["base"]).lower() != (target.base_table or "").lower():
        raise CatalogError(f"{where}: `base: {spec['base']}`, but the source's `{target.name}` selects from "
                           f"`{target.base_table or 'no single base table'}`")
    if spec.get("kind") and spec["kind"] != target.kind:
        raise CatalogError(f"{where}: `kind: {spec['kind']}`, but the source's `{target.name}` is a {target.kind}")


def _twins(catalog: Catalog, obj: CatalogObject) -> list[CatalogObject]:
    twin = catalog.find(obj.base_table) if obj.base_table else catalog.view_of(obj.name)
    return [obj, twin] if twin else [obj]


def _patch(obj: CatalogObject, spec: dict[str, Any], where: str, strict: bool) -> CatalogObject:
    """`obj` with the spec's annotations; a column it lacks is an error on the named object (`strict`)
    and skipped on its twin, whose columns may differ."""
    columns = {c.name.lower(): c for c in obj.columns}
    for name, cspec in _mapping(spec.get("columns"), f"{where} key `columns`").items():
        current = obj.column(str(name))
        if current is None:
            if strict:
                raise CatalogError(f"{where}: the source has no column `{name}`"
                                   + did_you_mean(obj.suggest_columns(str(name))))
            continue
        extra = _column(name, cspec, f"{where} column `{name}`")
        columns[current.name.lower()] = replace(
            current, description=extra.description or current.description, codes=extra.codes or current.codes,
            domain=current.domain or extra.domain, sql_type=current.sql_type or extra.sql_type)
    keys = _keys(spec.get("keys"), where)
    try:
        return replace(obj, columns=tuple(columns.values()), keys=_merge_keys(keys, obj.keys),
                       module=str(spec.get("module") or obj.module),
                       description=str(spec.get("description") or obj.description))
    except CatalogError as error:
        raise CatalogError(f"{where}: {error}") from None


def _merge_keys(first: tuple[tuple[str, ...], ...], rest: tuple[tuple[str, ...], ...]):
    """The overlay's keys first (its primary key becomes the object's), then the source's others."""
    seen = {frozenset(c.lower() for c in key) for key in first}
    return first + tuple(key for key in rest if frozenset(c.lower() for c in key) not in seen)


# -- rules, relationships, examples, style -----------------------------------------------------------
def _rule(spec: Any, path: Path) -> Rule:
    _check_keys(spec, RULE_KEYS, f"`{path}` rule")
    missing = [k for k in ("id", "table", "text", "predicate") if not spec.get(k)]
    if missing:
        raise CatalogError(f"`{path}` rule {spec.get('id', '?')!r} lacks {missing}")
    return Rule(id=str(spec["id"]), table=str(spec["table"]), text=str(spec["text"]),
                predicate=str(spec["predicate"]), measure=str(spec.get("measure") or ""))


def _relationship(spec: Any, path: Path) -> Relationship:
    where = f"`{path}` relationship"
    _check_keys(spec, RELATIONSHIP_KEYS, where)
    missing = [k for k in ("child", "columns", "parent") if not spec.get(k)]
    if missing:
        raise CatalogError(f"{where} {spec!r} lacks {missing}")
    columns = spec["columns"]
    parent_columns = spec.get("parent_columns") or columns  # the same names on both sides by default
    if not all(isinstance(c, list) and all(isinstance(n, str) for n in c) for c in (columns, parent_columns)):
        raise CatalogError(f"{where} {spec!r}: `columns` and `parent_columns` must be lists of column names")
    return Relationship(str(spec["child"]), tuple(columns), str(spec["parent"]), tuple(parent_columns), "declared")


def _example(spec: Any, path: Path) -> Example:
    _check_keys(spec, EXAMPLE_KEYS, f"`{path}` example")
    if not spec.get("question") or not spec.get("sql"):
        raise CatalogError(f"`{path}` example {spec!r} needs `question` and `sql`")
    return Example(str(spec["question"]).strip(), str(spec["sql"]).strip(),
                   str(spec.get("category") or "sql_generation"))


def _complete(spec: dict[str, Any], path: Path, base: Catalog | None) -> bool:
    """An overlay is as complete as its export; a whole YAML catalog only when it says `complete: true`."""
    if base is not None:
        return base.complete
    complete = spec.get("complete", False)
    if not isinstance(complete, bool):
        raise CatalogError(f"`{path}` key `complete` must be true or false, got {complete!r}")
    return complete


def _style(spec: Any, path: Path, default: HouseStyle) -> HouseStyle:
    if spec is None:
        return default
    allowed = tuple(HouseStyle.__dataclass_fields__)
    _check_keys(spec, allowed, f"`{path}` style")
    wrong = {k: v for k, v in spec.items() if not isinstance(v, bool)}
    if wrong:
        raise CatalogError(f"`{path}` style: {wrong} must be true or false")
    return replace(default, **spec)
