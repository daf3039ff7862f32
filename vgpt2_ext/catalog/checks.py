"""Build-time checks of a catalog's business rules: each rule's predicate and measure must parse as T-SQL
and name only columns the catalog has, so a rule can never teach a column Vista lacks (APTH.Status).

Run once when a `Catalog` with rules is built; lookups later never meet a broken rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vgpt2_ext.catalog.model import Rule, did_you_mean
from vgpt2_ext.errors import CatalogError

if TYPE_CHECKING:
    from vgpt2_ext.catalog.model import Catalog


def check_rules(catalog: Catalog) -> None:
    """CatalogError for the first rule with a repeated id, an unknown table, or a predicate/measure that does
    not parse or names a column the catalog lacks (with the closest real names)."""
    seen: set[str] = set()
    for rule in catalog.rules:
        if rule.id in seen:
            raise CatalogError(f"catalog `{catalog.name}` defines rule `{rule.id}` twice")
        seen.add(rule.id)
        if catalog.find(rule.table) is None:
            raise CatalogError(f"rule `{rule.id}` names table `{rule.table}`, which the catalog lacks"
                               + did_you_mean(catalog.suggest_objects(rule.table)))
        for field_name in ("predicate", "measure"):
            text = getattr(rule, field_name)
            if text:
                _check_expression(catalog, rule, field_name, text)


def _check_expression(catalog: Catalog, rule: Rule, field_name: str, text: str) -> None:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    where = f"rule `{rule.id}` {field_name} `{text}`"
    try:
        tree = sqlglot.parse_one(text, read="tsql")
    except SqlglotError as error:
        raise CatalogError(f"{where} does not parse as T-SQL: {str(error).splitlines()[0]}") from None
    for column in tree.find_all(exp.Column):
        _check_column(catalog, where, column.table or rule.table, column.name)


def _check_column(catalog: Catalog, where: str, table: str, column: str) -> None:
    obj = catalog.find(table)
    if obj is None:
        raise CatalogError(f"{where} names table `{table}`, which the catalog lacks"
                           + did_you_mean(catalog.suggest_objects(table)))
    if not obj.has_column(column):
        raise CatalogError(f"{where} names column `{obj.name}.{column}`, which the catalog lacks"
                           + did_you_mean(obj.suggest_columns(column)))
