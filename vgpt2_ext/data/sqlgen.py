"""T-SQL text in the house style, for the schema-derived templates: one way to write every generated query.

Every table reference carries `WITH (NOLOCK)` when the catalog's style asks for it, joins spell the full key of
the relationship, and the company column of each table is constrained: to the number the question states, or
to a parameter named after the column (`APTH.APCo = @APCo`) when it states none, as the system prompt says.
Multi-table queries alias their tables (`APTH h`); single-table ones may qualify with the table name. The text
is only a candidate: the proof parses, grounds, executes and style-checks it like any other SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from vgpt2_ext.catalog import Catalog, CatalogObject, Column, Relationship

_PREFIXES = ("brv", "vrv", "ptv", "pv", "b", "v")


def alias_of(name: str, taken: set[str]) -> str:
    """A short lower-case alias: the letters after a 4-letter code's module (`APTH` -> `th`), else the
    initials of its parts; a digit is added when it is taken."""
    stem = name
    for prefix in _PREFIXES:
        if stem.startswith(prefix) and stem[len(prefix):][:2].isupper():
            stem = stem[len(prefix):]
            break
    base = stem[2:4].lower() if len(stem) == 4 and stem.isupper() else "".join(c for c in stem if c.isupper())[
        :3].lower() or stem[:2].lower()
    if base in ("as", "on", "by", "in", "is", "or", "if", "to", "of", "at", "do"):
        base += "x"
    alias, n = base, 2
    while alias in taken:
        alias, n = f"{base}{n}", n + 1
    taken.add(alias)
    return alias


@dataclass(frozen=True)
class Refs:
    """How one query names its tables: by alias (`h.InvTotal`) or by name (`APTH.InvTotal`)."""

    catalog: Catalog
    aliases: Mapping[str, str] = field(default_factory=dict)  # object name -> alias

    def __call__(self, table: str, column: str) -> str:
        return f"{self.aliases.get(table) or table}.{column}"

    def table(self, name: str) -> str:
        """`APTH h WITH (NOLOCK)`, `APTH WITH (NOLOCK)` or `APTH`, as the house style wants."""
        alias = self.aliases.get(name)
        text = f"{name} {alias}" if alias else name
        return f"{text} WITH (NOLOCK)" if self.catalog.style.require_nolock else text

    def join(self, rel: Relationship, new: str, kind: str = "INNER") -> str:
        """`INNER JOIN APVM v WITH (NOLOCK) ON v.VendorGroup = h.VendorGroup AND ...`, joining `new` in on the
        relationship's full key."""
        on = " AND ".join(f"{self(rel.child, c)} = {self(rel.parent, p)}" for c, p in rel.pairs)
        return f"{kind} JOIN {self.table(new)} ON {on}"


def refs(catalog: Catalog, tables: Sequence[str], aliased: bool) -> Refs:
    taken: set[str] = set()
    return Refs(catalog, {name: alias_of(name, taken) for name in dict.fromkeys(tables)} if aliased else {})


@dataclass(frozen=True)
class Company:
    """The company a question is about: the number it states, or none (the query then takes a parameter)."""

    co: str
    stated: bool

    def value(self, column: Column) -> str:
        return self.co if self.stated else f"@{column.name}"


def company_filter(obj: CatalogObject, company: Company, name: Refs) -> list[str]:
    """`[h.APCo = @APCo]`, or nothing when the object has no company column."""
    column = obj.company_column
    return [f"{name(obj.name, column.name)} = {company.value(column)}"] if column else []


def join_filters(catalog: Catalog, root: CatalogObject, rels: Sequence[Relationship], company: Company,
                 name: Refs) -> list[str]:
    """Company filters for `root` joined through `rels`: root's company, plus the company of each joined
    object the join conditions do not already tie to a filtered company (APTL.JCCo -> JCJM.JCCo)."""
    found = company_filter(root, company, name)
    tied = {f"{root.name}.{root.company_column.name}".lower()} if root.company_column else set()
    for rel in rels:
        for child, parent in rel.pairs:
            if f"{rel.child}.{child}".lower() in tied:
                tied.add(f"{rel.parent}.{parent}".lower())
            if f"{rel.parent}.{parent}".lower() in tied:
                tied.add(f"{rel.child}.{child}".lower())
        for end in (rel.parent, rel.child):
            column = catalog.object(end).company_column
            if column and f"{end}.{column.name}".lower() not in tied:
                found.append(f"{name(end, column.name)} = {company.value(column)}")
                tied.add(f"{end}.{column.name}".lower())
    return found


@dataclass(frozen=True)
class Select:
    """A SELECT statement, rendered one clause per line (a CTE, when given, first)."""

    columns: Sequence[str]
    source: str  # FROM text, joins included
    where: Sequence[str] = ()
    group: Sequence[str] = ()
    having: Sequence[str] = ()
    order: Sequence[str] = ()
    top: str | None = None
    distinct: bool = False
    cte: tuple[str, str] | None = None  # (name, body text)

    def text(self) -> str:
        head = "SELECT " + ("DISTINCT " if self.distinct else "") + (f"TOP {self.top} " if self.top else "")
        lines = [f"WITH {self.cte[0]} AS (\n  " + self.cte[1].replace("\n", "\n  ").rstrip(";") + "\n)"] \
            if self.cte else []
        lines += [head + ", ".join(self.columns), f"FROM {self.source}"]
        if self.where:
            lines.append("WHERE " + "\n  AND ".join(self.where))
        if self.group:
            lines.append("GROUP BY " + ", ".join(self.group))
        if self.having:
            lines.append("HAVING " + " AND ".join(self.having))
        if self.order:
            lines.append("ORDER BY " + ", ".join(self.order))
        return "\n".join(lines) + ";"


def fenced(sql: str) -> str:
    return f"```sql\n{sql}\n```"
