"""The schema catalog: the single source of truth every example, pair and score is judged by.

Frozen dataclasses, built once by a loader. Identifiers keep the catalog's spelling; lookups are
case-insensitive, as SQL Server users type them. Problems (duplicate names, a key naming a missing
column, a view over a missing base table) are caught when the catalog is built, not when it is queried.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from typing import Literal

from vgpt2_ext.errors import CatalogError

ObjectKind = Literal["table", "view"]

# Vista user-defined types that mark a company column (APCo, JCCo, HQCo, generic Co ...)
COMPANY_DOMAINS = frozenset({"bcompany"})
# single-column surrogate keys every Vista table has: unique, but never a join path
SURROGATE_COLUMNS = frozenset({"keyid", "uniqueattchid"})
# lowercase prefixes in front of a Vista module's two letters, longest first: report views (brvAPAging,
# vrvSMInvoice), portal views (ptvJCJM, pvHRGender), BI cube views (viDim_APVendor), base tables (bAPTH, vSMCO)
MODULE_PREFIXES = ("viFact_", "viDim_", "brv", "vrv", "ptv", "pv", "b", "v", "")
# T-SQL types that take no length although INFORMATION_SCHEMA reports one (2147483647 for image/text)
LENGTHLESS_TYPES = frozenset({"text", "ntext", "image", "xml"})
# built-in type synonyms sqlglot does not know
SQL_TYPE_ALIASES = {"sysname": "nvarchar(128)"}


@dataclass(frozen=True)
class Code:
    """One allowed value of a coded column (APTD.Status 3 = paid)."""

    value: str
    meaning: str


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str | None = None  # base SQL type as declared (`tinyint`, `varchar(30)`); None for untyped views
    domain: str | None = None  # Vista user-defined type (`bCompany`, `bMonth`, `bJob` ...)
    nullable: bool = True
    description: str = ""
    codes: tuple[Code, ...] = ()

    @property
    def is_company(self) -> bool:
        return (self.domain or "").lower() in COMPANY_DOMAINS

    def code_meaning(self, value: object) -> str | None:
        wanted = str(value).strip().lower()
        return next((code.meaning for code in self.codes if code.value.lower() == wanted), None)


@dataclass(frozen=True)
class Relationship:
    """A join path: `child.child_columns` equals the unique key `parent.parent_columns`, pairwise."""

    child: str
    child_columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    source: Literal["declared", "inferred"] = "inferred"

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple(zip(self.child_columns, self.parent_columns))

    def condition(self, child_alias: str | None = None, parent_alias: str | None = None) -> str:
        """The ON clause as T-SQL text, e.g. `APTH.VendorGroup = APVM.VendorGroup AND ...`."""
        left, right = child_alias or self.child, parent_alias or self.parent
        return " AND ".join(f"{left}.{c} = {right}.{p}" for c, p in self.pairs)


@dataclass(frozen=True)
class Rule:
    """A business rule: its text for people and the predicate it implies for SQL."""

    id: str
    text: str
    table: str
    predicate: str  # a T-SQL boolean expression over `table`, e.g. `APTD.Status < 3`
    measure: str = ""  # a T-SQL value expression the rule defines, e.g. `SUM(JCCD.ActualCost)`


@dataclass(frozen=True)
class HouseStyle:
    """How answers should query: switchable, because sites differ."""

    prefer_views: bool = True  # query APTH, not bAPTH
    require_nolock: bool = True  # every table reference carries WITH (NOLOCK)
    require_company_filter: bool = True  # constrain each table's company column


@dataclass(frozen=True)
class Example:
    """A curated question/SQL pair shipped with a catalog (seed material for the data builders)."""

    question: str
    sql: str
    category: str = "sql_generation"


@dataclass(frozen=True)
class CatalogObject:
    """A base table (`bAPTH`) or a view (`APTH`, selecting its `base_table`)."""

    name: str
    kind: ObjectKind
    columns: tuple[Column, ...]
    keys: tuple[tuple[str, ...], ...] = ()  # unique keys, the clustered/primary one first
    base_table: str | None = None
    module: str = ""
    description: str = ""
    _by_name: dict[str, Column] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_name = {}
        for column in self.columns:
            lowered = column.name.lower()
            if lowered in by_name:
                raise CatalogError(f"object `{self.name}` lists column `{column.name}` twice")
            by_name[lowered] = column
        object.__setattr__(self, "_by_name", by_name)
        for key in self.keys:
            missing = [name for name in key if name.lower() not in by_name]
            if missing:
                raise CatalogError(f"key {list(key)} of `{self.name}` names missing columns {missing}")

    @property
    def key(self) -> tuple[str, ...]:
        return self.keys[0] if self.keys else ()

    @property
    def join_keys(self) -> tuple[tuple[str, ...], ...]:
        """Unique keys that can be join targets (not the KeyID-style surrogates)."""
        return tuple(k for k in self.keys if not all(c.lower() in SURROGATE_COLUMNS for c in k))

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column | None:
        return self._by_name.get(name.lower())

    def has_column(self, name: str) -> bool:
        return name.lower() in self._by_name

    @property
    def company_column(self) -> Column | None:
        """The company this row belongs to: the first company-typed column of the primary key. An object
        keyed without one belongs to no company (APVM is keyed by VendorGroup; its GLCo is a reference);
        an object without keys (a report view) is taken to belong to its first company-typed column."""
        pool = [self.column(name) for name in self.key] if self.key else self.columns
        return next((c for c in pool if c is not None and c.is_company), None)

    def suggest_columns(self, name: str, n: int = 3) -> list[str]:
        return closest(name, self.column_names, n)


@dataclass(frozen=True)
class Catalog:
    name: str
    objects: tuple[CatalogObject, ...]
    declared_relationships: tuple[Relationship, ...] = ()
    rules: tuple[Rule, ...] = ()
    style: HouseStyle = HouseStyle()
    examples: tuple[Example, ...] = ()
    source: str = ""
    # whether the catalog holds every object of the database with all its columns (an export, or an overlay on
    # one): only then may an answer count columns, say "only X has", or call a name missing from all of Vista
    complete: bool = False
    _by_name: dict[str, CatalogObject] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_name: dict[str, CatalogObject] = {}
        for obj in self.objects:
            if obj.name.lower() in by_name:
                raise CatalogError(f"catalog `{self.name}` lists object `{obj.name}` twice")
            by_name[obj.name.lower()] = obj
        object.__setattr__(self, "_by_name", by_name)
        for obj in self.objects:
            if obj.base_table and obj.base_table.lower() not in by_name:
                raise CatalogError(f"view `{obj.name}` selects from `{obj.base_table}`, which the catalog lacks")
            base = by_name.get((obj.base_table or "").lower())
            if base is not None and base.base_table:  # a chain, or a cycle (V1 over V2 over V1)
                raise CatalogError(f"view `{obj.name}` selects from `{base.name}`, which is itself a view (of "
                                   f"`{base.base_table}`); a view's base must be a base table")
        for rel in self.declared_relationships:
            self._check_relationship(rel)
        if self.rules:
            from vgpt2_ext.catalog.checks import check_rules

            check_rules(self)

    def _check_relationship(self, rel: Relationship) -> None:
        where = f"relationship `{rel.child}` -> `{rel.parent}`"
        if len(rel.child_columns) != len(rel.parent_columns) or not rel.child_columns:
            raise CatalogError(f"{where} pairs {len(rel.child_columns)} columns with {len(rel.parent_columns)}")
        for table, columns in ((rel.child, rel.child_columns), (rel.parent, rel.parent_columns)):
            obj = self._by_name.get(normalise_name(table))
            if obj is None:
                hint = did_you_mean(self.suggest_objects(table))
                raise CatalogError(f"{where} names unknown object `{table}`{hint}")
            missing = [c for c in columns if not obj.has_column(c)]
            if missing:
                raise CatalogError(f"{where} names columns {missing} that `{obj.name}` lacks")

    # -- lookups ------------------------------------------------------------------------------------
    def find(self, name: str) -> CatalogObject | None:
        """The object called `name` (any case, optional `dbo.` or brackets), or None."""
        found = self._by_name.get(name.lower())  # a plain name, as code and most queries spell it
        if found is not None or (name.strip() == name and not any(mark in name for mark in _DECORATIONS)):
            return found
        return self._by_name.get(normalise_name(name))

    def object(self, name: str) -> CatalogObject:
        found = self.find(name)
        if found is None:
            hint = self.suggest_objects(name)
            raise CatalogError(f"no table or view `{name}` in catalog `{self.name}`" + did_you_mean(hint))
        return found

    def has(self, name: str) -> bool:
        return self.find(name) is not None

    def column(self, table: str, column: str) -> Column | None:
        obj = self.find(table)
        return obj.column(column) if obj else None

    def suggest_objects(self, name: str, n: int = 3) -> list[str]:
        """The `n` object names closest to `name` (difflib's measure, `catalog.names`)."""
        from vgpt2_ext.catalog.names import object_index

        return object_index(self).closest(normalise_name(name), n)

    def tables_with_column(self, column: str) -> list[CatalogObject]:
        return [obj for obj in self.objects if obj.has_column(column)]

    def view_of(self, base_table: str) -> CatalogObject | None:
        """The plain-named view selecting `base_table` (bAPTH -> APTH), if any."""
        return self._views_by_base.get(base_table.lower())

    def base_of(self, name: str) -> CatalogObject:
        """The base table behind a view, or the object itself."""
        obj = self.object(name)
        return self.object(obj.base_table) if obj.base_table else obj

    def preferred(self, name: str) -> CatalogObject:
        """The object the house style wants queried: the view over a base table when `prefer_views`."""
        obj = self.object(name)
        if self.style.prefer_views and obj.kind == "table":
            return self.view_of(obj.name) or obj
        return obj

    @cached_property
    def queryable(self) -> tuple[CatalogObject, ...]:
        """Objects an answer should query under the house style (views over base tables, not the bases)."""
        if not self.style.prefer_views:
            return self.objects
        return tuple(obj for obj in self.objects if obj.kind == "view" or self.view_of(obj.name) is None)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise CatalogError(f"no rule `{rule_id}` in catalog `{self.name}`" + did_you_mean(
            closest(rule_id, [r.id for r in self.rules])))

    # -- derived views of the catalog, computed once ------------------------------------------------
    @cached_property
    def _views_by_base(self) -> dict[str, CatalogObject]:
        """base (lower) -> its view; where several views select one base (HRCM and HRCMTestStatus over
        bHRCM), the one named after the base wins, else the first listed."""
        views: dict[str, CatalogObject] = {}
        for obj in self.objects:
            if obj.base_table:
                base = obj.base_table.lower()
                if base not in views or obj.name.lower() == base[1:]:
                    views[base] = obj
        return views

    @cached_property
    def relationships(self) -> tuple[Relationship, ...]:
        """Declared relationships plus those inferred from shared key columns (Vista declares almost none)."""
        from vgpt2_ext.catalog.relations import infer_relationships

        return self.declared_relationships + infer_relationships(self)

    def joins(self, name: str) -> list[Relationship]:
        """Every join path touching `name`, as child or parent."""
        wanted = self.object(name).name
        return [rel for rel in self.relationships if wanted in (rel.child, rel.parent)]

    def join_between(self, left: str, right: str) -> Relationship | None:
        """The join path between two objects (either direction), preferring the widest key."""
        a, b = self.object(left).name, self.object(right).name
        found = [r for r in self.relationships if {r.child, r.parent} == {a, b}]
        return max(found, key=lambda r: len(r.pairs), default=None)

    @cached_property
    def sqlglot_schema(self) -> dict[str, dict[str, str]]:
        """The one export to the shape sqlglot's optimizer wants: {object: {column: type}}. Objects without a
        known column (real Vista lists a few such views) are left out: sqlglot cannot hold them."""
        return {obj.name: {c.name: sqlglot_type(c) for c in obj.columns} for obj in self.objects if obj.columns}

    @cached_property
    def fingerprint(self) -> str:
        """A content hash: equal catalogs give equal fingerprints (used in manifests and caches)."""
        objects = [
            (o.name, o.kind, o.keys, o.base_table, o.module, o.description,
             [(c.name, c.sql_type, c.domain, c.nullable, c.description, c.codes) for c in o.columns])
            for o in self.objects
        ]
        rest = [asdict(r) for r in self.declared_relationships + self.rules + self.examples]
        payload = json.dumps([objects, rest, asdict(self.style)], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def rank_keys(found: list[tuple[bool, tuple[str, ...]]]) -> tuple[tuple[str, ...], ...]:
    """Unique keys as (clustered, columns) in declaration order -> the order `CatalogObject.keys` promises:
    the clustered (Vista's natural) key first, single-column surrogates (KeyID) last, duplicates dropped."""
    ranked = sorted(found, key=lambda entry: (all(c.lower() in SURROGATE_COLUMNS for c in entry[1]), not entry[0]))
    unique: dict[tuple[str, ...], None] = {}
    for _, key in ranked:
        unique.setdefault(key, None)
    return tuple(unique)


def sqlglot_type(column: Column) -> str:
    """A type sqlglot can parse; untyped (report-view) columns become `varchar`."""
    return column.sql_type or "varchar"


_DECORATIONS = (".", "[", "]", '"', "`")  # what `normalise_name` strips besides case and spaces


def normalise_name(name: str) -> str:
    """`[dbo].[bAPTH]`, `dbo.bAPTH`, `BAPTH` -> `bapth` (the lookup key)."""
    bare = name.strip().split(".")[-1].strip()
    return bare.strip("[]\"`").lower()


def closest(name: str, candidates: list[str] | tuple[str, ...], n: int = 3) -> list[str]:
    """The `n` closest names, compared case-insensitively, returned in the candidates' spelling."""
    by_lower: dict[str, str] = {}
    for candidate in candidates:
        by_lower.setdefault(candidate.lower(), candidate)
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=n, cutoff=0.6)
    return [by_lower[m] for m in matches]


def did_you_mean(names: list[str]) -> str:
    return f"; did you mean {', '.join(f'`{n}`' for n in names)}?" if names else ""


def module_of(name: str) -> str:
    """The Vista module of an object: the two capitals after its lowercase prefix (bAPTH, brvAPAging,
    viDim_APVendor -> AP); `ud` tables are customer-defined (UD); names without module letters give ""."""
    if name.removeprefix("b")[:2].lower() == "ud":
        return "UD"
    for prefix in MODULE_PREFIXES:
        stem = name[len(prefix):]
        if name.startswith(prefix) and len(stem) >= 2 and stem[:2].isalpha() and stem[:2].isupper():
            return stem[:2]
    return ""


def canonical_type(text: str) -> str:
    """One spelling per SQL Server type, whichever loader read it: sqlglot's T-SQL rendering, lowercased
    (`numeric(12,2)`, `varchar(max)`, `int`); decimal reads as numeric and text as varchar(max).
    CatalogError for text that is no base type (a Vista domain such as `bCompany` belongs in `domain`)."""
    canonical = _canonical_type(" ".join(text.split()).lower())
    if canonical is None:
        raise CatalogError(f"`{text}` is not a SQL Server base type (e.g. `tinyint`, `varchar(30)`, `numeric(12,2)`)")
    return canonical


@lru_cache(maxsize=1024)
def _canonical_type(text: str) -> str | None:
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        built = exp.DataType.build(SQL_TYPE_ALIASES.get(text, text), dialect="tsql")
    except (SqlglotError, ValueError):
        return None
    return None if built.this == exp.DataType.Type.USERDEFINED else render_type(built)


def render_type(data_type) -> str:
    """A parsed sqlglot DataType in the catalog's spelling."""
    rendered = data_type.sql(dialect="tsql").lower().replace(" ", "")
    return "int" if rendered == "integer" else rendered
