"""T-SQL text in the house style, for the schema-derived templates: one way to write every generated query.

Columns are qualified with their table (`APTH.APCo`), every table reference carries `WITH (NOLOCK)` when the
catalog's style asks for it, joins spell the full key of the relationship, and the company column of the
driving table is constrained. The text is only a candidate: the proof parses, grounds, executes and
style-checks it like any other SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vgpt2_ext.catalog import Catalog, CatalogObject, Relationship


def ref(catalog: Catalog, name: str) -> str:
    """`APTH WITH (NOLOCK)` or `APTH`, as the house style wants."""
    return f"{name} WITH (NOLOCK)" if catalog.style.require_nolock else name


def company_filter(obj: CatalogObject, value: str) -> list[str]:
    """`[APTH.APCo = 1]`, or nothing when the object has no company column."""
    column = obj.company_column
    return [f"{obj.name}.{column.name} = {value}"] if column else []


def join_filters(catalog: Catalog, root: CatalogObject, rels: Sequence[Relationship], value: str) -> list[str]:
    """Company filters for `root` joined through `rels`: root's company, plus the company of each joined
    object the join conditions do not already tie to a filtered company (APTL.JCCo -> JCJM.JCCo)."""
    found = company_filter(root, value)
    tied = {f.split(" = ")[0].lower() for f in found}
    for rel in rels:
        for child, parent in rel.pairs:
            if f"{rel.child}.{child}".lower() in tied:
                tied.add(f"{rel.parent}.{parent}".lower())
        company = catalog.object(rel.parent).company_column
        if company and f"{rel.parent}.{company.name}".lower() not in tied:
            found.append(f"{rel.parent}.{company.name} = {value}")
            tied.add(f"{rel.parent}.{company.name}".lower())
    return found


def join_clause(catalog: Catalog, rel: Relationship, new: str) -> str:
    """`INNER JOIN APVM WITH (NOLOCK) ON APTH.VendorGroup = APVM.VendorGroup AND ...` joining in `new`."""
    return f"INNER JOIN {ref(catalog, new)} ON {rel.condition()}"


@dataclass(frozen=True)
class Select:
    """A SELECT statement, rendered one clause per line."""

    columns: Sequence[str]
    source: str  # FROM text, joins included
    where: Sequence[str] = ()
    group: Sequence[str] = ()
    order: Sequence[str] = ()
    top: str | None = None

    def text(self) -> str:
        head = f"SELECT TOP {self.top} " if self.top else "SELECT "
        lines = [head + ", ".join(self.columns), f"FROM {self.source}"]
        if self.where:
            lines.append("WHERE " + "\n  AND ".join(self.where))
        if self.group:
            lines.append("GROUP BY " + ", ".join(self.group))
        if self.order:
            lines.append("ORDER BY " + ", ".join(self.order))
        return "\n".join(lines) + ";"


def qualified(obj: CatalogObject, names: Sequence[str]) -> list[str]:
    return [f"{obj.name}.{name}" for name in names]


def fenced(sql: str) -> str:
    return f"```sql\n{sql}\n```"
