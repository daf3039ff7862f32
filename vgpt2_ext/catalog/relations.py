"""Relationship inference: Vista declares almost no foreign keys, so join paths come from shared keys.

A column set of object A that equals (by name) the unique key of object B is a join path A -> B. The
usual Vista company aliases count as equal names: when B's company key column is the company in general
(HQCO.HQCo, a batch table's generic `Co`), A's own company column (APTH.APCo) matches it. Views pair with
views and base tables with base tables, so a join path never crosses the house-style boundary.

Names alone over-match, so a candidate must also pass these rules, each against a kind of nonsense seen
in a real Vista catalog:
1. Joined columns agree in Vista domain (bVendor = bVendor), else in base SQL type.
2. A key must identify something. A key holding a free-text column never joins (APVM's unique
   VendorGroup+SortName matched every PM contact's own SortName); a one-column key needs a Vista domain
   (UM/bUM, HoldCode/bHoldCode join; a unique `Seq` joins nothing). Surrogates (KeyID) never join.
3. Two objects with the same key are one entity in two shapes (PRCO/PRFI), not a reference.
4. A generic `Co` is the company of its table's own module (APHB.Co is an AP company), so a key holding
   `Co` links only objects of the same module; HQ tables (HQBC batch control) serve every module. Without
   this, every batch table joined every other module's batch header (APLB -> ARBH, CMTA -> EMMH).
5. A sequence column (`Seq`, `BatchSeq`, `PaySeq` ...) numbers rows within the key columns before it.
   Where the child's own key holds it, it is the parent's number only if it counts within the same
   columns (APLB.BatchSeq within Co+Mth+BatchId, as in APHB; PRTH.PaySeq as in PRSQ). Without this,
   PMDH's Seq (within its document) matched PMSL's Seq (within the project). A sequence column outside
   the child's key is a plain reference (APTD.CMRefSeq -> APPH). This also drops the rare true path
   whose key is ordered otherwise (APJC holds BatchSeq after its job columns): a missing path costs
   less than a wrong one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from vgpt2_ext.catalog.model import CatalogObject, Column, Relationship

# company columns that stand for "the company" in general: the HQ company master and batch tables' `Co`
COMPANY_MASTER_NAMES = frozenset({"hqco", "co"})
# Vista domains of free text: unique in some tables, never a join key
DESCRIPTIVE_DOMAINS = frozenset({"bdesc", "bitemdesc", "bnotes", "bformattednotes", "bsortname"})
# the generic company column, whose company is that of its table's module
GENERIC_COMPANY = "co"
# modules whose tables serve every module (HQ company master, batch control, units of measure ...)
SHARED_MODULES = frozenset({"HQ"})

if TYPE_CHECKING:
    from vgpt2_ext.catalog.model import Catalog


def infer_relationships(catalog: Catalog) -> tuple[Relationship, ...]:
    """Every join path the keys imply, one per (child, parent) over its widest key; a declared relationship
    for a pair replaces the inferred one. Sorted, so equal catalogs infer equal paths."""
    declared = {(r.child, r.parent) for r in catalog.declared_relationships}
    holders = _column_index(catalog.objects)
    with_company = {obj.name: obj for obj in catalog.objects if obj.company_column}
    found: list[Relationship] = []
    for parent in catalog.objects:
        aliasable = _aliasable_company(parent)
        for key in parent.join_keys:
            if not key or not _identifying_key(parent, key, aliasable):
                continue
            wanted = tuple(parent.column(name) for name in key)
            for child in _candidates(parent, key, aliasable, holders, with_company):
                rel = _match(child, parent, key, wanted, aliasable)
                if rel and (rel.child, rel.parent) not in declared:
                    found.append(rel)
    return tuple(_widest_per_pair(found))


def _column_index(objects: tuple[CatalogObject, ...]) -> dict[str, dict[str, CatalogObject]]:
    """column name (lower) -> the objects holding it, by name."""
    index: dict[str, dict[str, CatalogObject]] = defaultdict(dict)
    for obj in objects:
        for column in obj.columns:
            index[column.name.lower()][obj.name] = obj
    return index


def _candidates(parent: CatalogObject, key: tuple[str, ...], aliasable: str | None,
                holders: dict[str, dict[str, CatalogObject]], with_company: dict[str, CatalogObject]
                ) -> list[CatalogObject]:
    """Objects of the parent's kind (views pair with views) holding every column of `key` except an aliasable
    company column, in name order."""
    needed = [holders.get(name.lower(), {}) for name in key if name != aliasable] or [with_company]
    smallest = min(needed, key=len)
    view = parent.kind == "view"
    pool = [obj for name, obj in smallest.items()
            if name != parent.name and (obj.kind == "view") == view and all(name in other for other in needed)]
    return sorted(pool, key=lambda obj: obj.name)


def _aliasable_company(obj: CatalogObject) -> str | None:
    """The company key column another object may match under its own company name: HQCo or generic Co."""
    company = obj.company_column
    if company and company.name in obj.key and company.name.lower() in COMPANY_MASTER_NAMES:
        return company.name
    return None


def _match(child: CatalogObject, parent: CatalogObject, key: tuple[str, ...], wanted: tuple[Column, ...],
           aliasable: str | None) -> Relationship | None:
    """The path from `child` to `parent`'s identifying `key` (whose columns are `wanted`), if the rules allow
    it."""
    if len(child.key) == len(key) and _lowered(child.key) == _lowered(key):
        return None  # rule 3: the same key is the same entity (a twin), not a reference
    columns = _child_columns(child, key, wanted, aliasable)
    if columns is None or not _in_scope(child, parent, key) or _numbers_own_rows(child, columns, key):
        return None
    return Relationship(child.name, columns, parent.name, tuple(key), "inferred")


def _child_columns(child: CatalogObject, key: tuple[str, ...], wanted: tuple[Column, ...],
                   aliasable: str | None) -> tuple[str, ...] | None:
    """The child's column for each key column (its own company for an aliasable one), if all agree in type
    with the parent's (`wanted`)."""
    columns = []
    for name, parent_column in zip(key, wanted):
        column = child.column(name) or (child.company_column if name == aliasable else None)
        if column is None or not _compatible(column, parent_column):
            return None
        columns.append(column.name)
    return tuple(columns)


def _in_scope(child: CatalogObject, parent: CatalogObject, key: tuple[str, ...]) -> bool:
    """Rule 4: a key holding the generic `Co` links only objects of its own module (or any, for HQ)."""
    if all(name.lower() != GENERIC_COMPANY for name in key):
        return True
    return parent.module in SHARED_MODULES or parent.module == child.module


def _numbers_own_rows(child: CatalogObject, columns: tuple[str, ...], key: tuple[str, ...]) -> bool:
    """Rule 5: a mapped sequence column in the child's key that counts within other columns than the parent's."""
    parent_key = _lowered(key)
    if not any(name.endswith("seq") for name in parent_key):
        return False
    to_parent = dict(zip(_lowered(columns), parent_key))
    for own in child.join_keys:
        lowered = _lowered(own)
        for position, name in enumerate(lowered):
            mapped = to_parent.get(name, "")
            if not mapped.endswith("seq"):
                continue
            scope = {to_parent.get(c, c) for c in lowered[:position]}
            if scope != set(parent_key[:parent_key.index(mapped)]):
                return True
    return False


def _lowered(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name.lower() for name in names)


def _identifying_key(parent: CatalogObject, key: tuple[str, ...], aliasable: str | None) -> bool:
    """Rule 2: no free-text column in the key, and a lone key column (other than the company) with a domain."""
    domains = [(parent.column(name).domain or "").lower() for name in key]
    if any(domain in DESCRIPTIVE_DOMAINS for domain in domains):
        return False
    return len(key) > 1 or key[0] == aliasable or bool(domains[0])


def _compatible(child: Column, parent: Column | None) -> bool:
    """Joined columns share the Vista domain when both have one, else the base SQL type when both have one."""
    if parent is None:
        return False
    if child.domain and parent.domain:
        return child.domain.lower() == parent.domain.lower()
    if child.sql_type and parent.sql_type:
        return child.sql_type.split("(")[0] == parent.sql_type.split("(")[0]
    return True


def _widest_per_pair(found: list[Relationship]) -> list[Relationship]:
    """One path per (child, parent): the one over the widest key."""
    best: dict[tuple[str, str], Relationship] = {}
    for rel in found:
        current = best.get((rel.child, rel.parent))
        if current is None or len(rel.pairs) > len(current.pairs):
            best[(rel.child, rel.parent)] = rel
    return sorted(best.values(), key=lambda r: (r.child, r.parent))
