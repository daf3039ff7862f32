"""Relationship inference: Vista declares almost no foreign keys, so join paths come from shared keys.

A column set of object A that equals (by name) the unique key of object B is a join path A -> B. The
usual Vista company aliases count as equal names: when B's company key column is the company in general
(HQCO.HQCo, a batch table's generic `Co`), A's own company column (APTH.APCo) matches it. Views pair with
views and base tables with base tables, so a join path never crosses the house-style boundary.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from vgpt2_ext.catalog.model import CatalogObject, Column, Relationship

# company columns that stand for "the company" in general: the HQ company master and batch tables' `Co`
COMPANY_MASTER_NAMES = frozenset({"hqco", "co"})
# Vista domains of free text: unique in some tables, never a join key
DESCRIPTIVE_DOMAINS = frozenset({"bdesc", "bitemdesc", "bnotes", "bformattednotes", "bsortname"})

if TYPE_CHECKING:
    from vgpt2_ext.catalog.model import Catalog


def infer_relationships(catalog: Catalog) -> tuple[Relationship, ...]:
    declared = {(r.child, r.parent) for r in catalog.declared_relationships}
    holders = _column_index(catalog.objects)
    with_company = {obj.name for obj in catalog.objects if obj.company_column}
    found: list[Relationship] = []
    for parent in catalog.objects:
        for key in parent.join_keys:
            for child in _candidates(parent, key, holders, with_company):
                rel = _match(catalog.object(child), parent, key)
                if rel and (rel.child, rel.parent) not in declared:
                    found.append(rel)
    return tuple(_widest_per_pair(found))


def _column_index(objects: tuple[CatalogObject, ...]) -> dict[str, set[str]]:
    """column name (lower) -> names of the objects holding it."""
    index: dict[str, set[str]] = defaultdict(set)
    for obj in objects:
        for column in obj.columns:
            index[column.name.lower()].add(obj.name)
    return index


def _candidates(parent: CatalogObject, key: tuple[str, ...], holders: dict[str, set[str]],
                with_company: set[str]) -> list[str]:
    """Objects holding every column of `key` except an aliasable company column."""
    aliasable = _aliasable_company(parent)
    needed = [name.lower() for name in key if name != aliasable]
    pool = set.intersection(*(holders.get(name, set()) for name in needed)) if needed else with_company
    return sorted(pool - {parent.name})


def _aliasable_company(obj: CatalogObject) -> str | None:
    """The company key column another object may match under its own company name: HQCo or generic Co."""
    company = obj.company_column
    if company and company.name in obj.key and company.name.lower() in COMPANY_MASTER_NAMES:
        return company.name
    return None


def _match(child: CatalogObject, parent: CatalogObject, key: tuple[str, ...]) -> Relationship | None:
    if (child.kind == "view") != (parent.kind == "view") or not key:
        return None
    if tuple(k.lower() for k in child.key) == tuple(k.lower() for k in key):
        return None  # the same key: the same entity (a twin), not a reference
    aliasable = _aliasable_company(parent)
    if len(key) == 1 and key[0] != aliasable and not _identifying(parent.column(key[0])):
        return None
    child_columns = []
    for name in key:
        column = child.column(name) or (child.company_column if name == aliasable else None)
        if column is None or not _compatible(column, parent.column(name)):
            return None
        child_columns.append(column.name)
    return Relationship(child.name, tuple(child_columns), parent.name, tuple(key), "inferred")


def _identifying(column: Column | None) -> bool:
    """A lone key column identifies something only if it has a Vista domain that is not free text
    (UM/bUM, HoldCode/bHoldCode); `Seq`, `Status`, `Description` keys are unique but join nothing."""
    domain = (column.domain or "").lower() if column else ""
    return bool(domain) and domain not in DESCRIPTIVE_DOMAINS


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
