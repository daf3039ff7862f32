"""Whether the facts a prose text states about the schema are true: the one reader the judge's `facts` check
and the SFT data proof share, so one piece of code decides what is true.

    for problem in false_facts("The primary key of JCJM is: JCCo, KeyID", catalog):
        problem.claim.text, problem.why, problem.truth
        # 'the key of JCJM is (JCCo, KeyID)', '(JCCo, KeyID) is no unique key of JCJM', '(JCCo, Job)'

What is read (`claims.py`), each decided by the catalog alone:

| kind           | a claim such as                                          | true when                              |
| -------------- | -------------------------------------------------------- | -------------------------------------- |
| key            | the primary key of JCJM is JCCo, Job; Primary Key: none  | the columns are one of its unique keys |
| join           | APTH.APCo = APTL.APCo and ... links APTH to APTL         | they are a whole join path             |
| join_pair      | it needs PRTH.JCCo = JCJM.JCCo as well                   | each pair is on a join path            |
| type, nullable | Vendor (bVendor); APTH.Vendor is int, not nullable       | the column's domain, type, nullability |
| code           | APTD.Status takes these codes: 1 = open; 3 means paid    | it is a code of it, meaning alike      |
| holder         | Status is stored in APTD; APTH has a Vendor column       | the table has the column               |
| column_count   | PRTH has 15 columns; ... (61 total)                      | the object has that many columns       |
| holder_count   | 12 tables have a column named VendorGroup                | that many queryable objects have it    |
| only           | Only APVM has a column named Type                        | no other queryable object has it       |

A claim the catalog cannot decide is not a fact here: a key of an object without keys, a type of an untyped
column, codes of a column without codes, a join between tables with no join path. Counts and "only" need
the whole inventory: they are decided only on a complete catalog (`catalog_complete`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vgpt2_ext.catalog import Catalog, CatalogObject, Relationship
from vgpt2_ext.judge.claims import Claim, read_claims
from vgpt2_ext.judge.prose import stems
from vgpt2_ext.sql.cache import per_catalog

__all__ = ["Claim", "Fact", "FactProblem", "catalog_complete", "check_facts", "false_facts"]


@dataclass(frozen=True)
class Fact:
    """A decided claim: `true`, or false with `why` and `truth` (the catalog's value)."""

    claim: Claim
    true: bool
    why: str = ""
    truth: str = ""

    @property
    def kind(self) -> str:
        return self.claim.kind

    def __str__(self) -> str:
        if self.true:
            return self.claim.text
        return f"{self.claim.text}: {self.why}" + (f" (true: {self.truth})" if self.truth else "")


FactProblem = Fact  # a Fact whose `true` is False: the claim, why it is false, the true value


def check_facts(text: str, catalog: Catalog) -> list[Fact]:
    """Every claim of `text` that the catalog can decide, decided, in the order stated."""
    decided = (_DECIDERS[claim.kind](claim, catalog) for claim in read_claims(text, catalog))
    return [fact for fact in decided if fact is not None]


def false_facts(text: str, catalog: Catalog) -> list[FactProblem]:
    """The false claims of `text` about the schema (empty when everything it states is true or undecidable)."""
    return [fact for fact in check_facts(text, catalog) if not fact.true]


def catalog_complete(catalog: Catalog) -> bool:
    """Whether `catalog` holds every object and every column of its database, so a count or an "only" can be
    decided. A CSV or DDL export, and an overlay on one, is complete; a YAML catalog without `source:` (the
    embedded sample trims columns) and a catalog built in code are not. (Stands in for a `Catalog.complete`
    flag the loaders could set.)"""
    path = Path(catalog.source) if catalog.source else None
    if path is None or not path.exists():
        return False
    if path.suffix.lower() not in (".yaml", ".yml"):
        return True
    return _overlays_an_export(path, path.stat().st_mtime)


@lru_cache(maxsize=16)
def _overlays_an_export(path: Path, _mtime: float) -> bool:
    return re.search(r"^source\s*:", path.read_text(encoding="utf-8"), re.M) is not None


# -- deciding, one function per kind: (claim, catalog) -> Fact, or None when the catalog cannot tell ------------
def _fact(claim: Claim, true: bool, why: str = "", truth: str = "") -> Fact:
    return Fact(claim, True) if true else Fact(claim, False, why, truth)


def _key(claim: Claim, catalog: Catalog) -> Fact | None:
    obj = catalog.find(claim.subject[0])
    if obj is None or not obj.keys:
        return None
    truth = _columns(obj.key)
    if not claim.stated:
        return _fact(claim, False, f"{obj.name} is unique on {truth}", truth)
    stated = {name.lower() for name in claim.stated}
    true = any(stated == {c.lower() for c in key} for key in obj.keys)
    return _fact(claim, true, f"{_columns(claim.stated)} is no unique key of {obj.name}", truth)


def _join(claim: Claim, catalog: Catalog) -> Fact | None:
    paths = _paths(catalog, *claim.subject)
    if not paths:
        return None
    dotted = "=" in claim.stated[0]
    covered = [(path, _covers(claim.stated, path, dotted)) for path in paths]
    whole = [path for path, (every, exact) in covered if every and exact]
    if whole:
        return _fact(claim, True)
    part = [path for path, (every, _) in covered if every]
    truth = max(paths, key=lambda path: len(path.pairs)).condition()
    why = (f"incomplete: the join path is {part[0].condition()}" if part
           else f"not a join path between {claim.subject[0]} and {claim.subject[1]}")
    return _fact(claim, False, why, truth)


def _join_pair(claim: Claim, catalog: Catalog) -> Fact | None:
    paths = _paths(catalog, *claim.subject)
    if not paths:
        return None
    off = [pair for pair in claim.stated if not any(_covers((pair,), path, True)[0] for path in paths)]
    truth = max(paths, key=lambda path: len(path.pairs)).condition()
    return _fact(claim, not off, f"{' and '.join(off)} is not on a join path", truth)


def _paths(catalog: Catalog, a: str, b: str) -> list[Relationship]:
    return _path_index(catalog).get(frozenset({catalog.object(a).name, catalog.object(b).name}), [])


@per_catalog(maxsize=8)
def _path_index(catalog: Catalog) -> dict[frozenset[str], list[Relationship]]:
    """{child, parent} -> the join paths between them (the real Vista export has tens of thousands)."""
    index: dict[frozenset[str], list[Relationship]] = {}
    for rel in catalog.relationships:
        index.setdefault(frozenset({rel.child, rel.parent}), []).append(rel)
    return index


def _covers(stated: tuple[str, ...], path: Relationship, dotted: bool) -> tuple[bool, bool]:
    """(every stated column or pair is on the path, the statement names every pair of the path)."""
    if dotted:
        pairs = {frozenset({f"{path.child}.{c}".lower(), f"{path.parent}.{p}".lower()}) for c, p in path.pairs}
        said = {frozenset(side.lower() for side in pair.split("=")) for pair in stated}
        return said <= pairs, said == pairs
    said = {name.lower() for name in stated}
    on_path = [{c.lower(), p.lower()} for c, p in path.pairs]
    return all(any(name in pair for pair in on_path) for name in said), all(pair & said for pair in on_path)


def _type(claim: Claim, catalog: Catalog) -> Fact | None:
    column = catalog.column(*claim.subject)
    if column is None:
        return None
    stated, kind = claim.stated
    where = ".".join(claim.subject)
    if kind == "domain":
        true = (column.domain or "").lower() == stated.lower()
        actual = column.domain or f"of no Vista data type ({column.sql_type})"
        return _fact(claim, true, f"{where} is {actual}", column.domain or column.sql_type or "")
    if not column.sql_type:
        return None
    true = column.sql_type == stated if "(" in stated else column.sql_type.split("(")[0] == stated
    return _fact(claim, true, f"{where} is {column.sql_type}", column.sql_type)


def _nullable(claim: Claim, catalog: Catalog) -> Fact | None:
    column = catalog.column(*claim.subject)
    if column is None:
        return None
    truth = "nullable" if column.nullable else "not nullable"
    return _fact(claim, column.nullable == (claim.stated[0] == "yes"), f"{'.'.join(claim.subject)} is {truth}",
                 truth)


def _code(claim: Claim, catalog: Catalog) -> Fact | None:
    column = catalog.column(*claim.subject)
    if column is None or not column.codes:
        return None
    value, meaning = claim.stated
    codes = "; ".join(f"{code.value} = {code.meaning}" for code in column.codes)
    actual = column.code_meaning(value)
    where = ".".join(claim.subject)
    if actual is None:
        return _fact(claim, False, f"{where} has no code {value}", codes)
    alike = not meaning or not actual or bool(stems(meaning) & stems(actual))  # a catalog may list values only
    return _fact(claim, alike, f"code {value} of {where} means {actual}", codes)


def _holder(claim: Claim, catalog: Catalog) -> Fact | None:
    table, column = claim.subject
    if catalog.column(table, column) is not None:
        return _fact(claim, True)
    holders = _holders(catalog, column)
    truth = f"{column} is in {_names(holders)}" if holders else f"no table has a column {column}"
    return _fact(claim, False, f"{table} has no column {column}", truth)


def _column_count(claim: Claim, catalog: Catalog) -> Fact | None:
    obj = catalog.find(claim.subject[0])
    if obj is None or not obj.columns or not catalog_complete(catalog):
        return None
    actual = len(obj.columns)
    return _fact(claim, str(actual) == claim.stated[0], f"{obj.name} has {actual} columns", str(actual))


def _holder_count(claim: Claim, catalog: Catalog) -> Fact | None:
    if not catalog_complete(catalog):
        return None
    holders = _holders(catalog, claim.subject[0])
    return _fact(claim, str(len(holders)) == claim.stated[0],
                 f"{len(holders)} queryable objects have a column named {claim.subject[0]}", str(len(holders)))


def _only(claim: Claim, catalog: Catalog) -> Fact | None:
    if not catalog_complete(catalog):
        return None
    table, column = claim.subject
    holders = _holders(catalog, column)
    true = [obj.name for obj in holders] == [catalog.preferred(table).name]
    return _fact(claim, true, f"{column} is in {_names(holders) or 'no table'}", _names(holders))


def _holders(catalog: Catalog, column: str) -> list[CatalogObject]:
    """The objects an answer would query (views over base tables, not the bases) that have `column`."""
    return _holder_index(catalog).get(column.lower(), [])


@per_catalog(maxsize=8)
def _holder_index(catalog: Catalog) -> dict[str, list[CatalogObject]]:
    index: dict[str, list[CatalogObject]] = {}
    for obj in catalog.queryable:
        for column in obj.columns:
            index.setdefault(column.name.lower(), []).append(obj)
    return index


def _names(objects: list[CatalogObject], limit: int = 6) -> str:
    shown = ", ".join(obj.name for obj in objects[:limit])
    return shown + (f" and {len(objects) - limit} more" if len(objects) > limit else "")


def _columns(names: tuple[str, ...]) -> str:
    return f"({', '.join(names)})"


_DECIDERS: dict[str, Callable[[Claim, Catalog], Fact | None]] = {
    "key": _key, "join": _join, "join_pair": _join_pair, "type": _type, "nullable": _nullable, "code": _code,
    "holder": _holder, "column_count": _column_count, "holder_count": _holder_count, "only": _only,
}
