"""What the columns of an object are for, read from Vista domains and SQL types: the vocabulary of templates.

Templates over the schema need to know which column is the company, the month, a date, an amount, a yes/no
flag, a coded status or a description, on any catalog, including one without descriptions (the real export).
Vista's user-defined types say most of it (bCompany, bMonth, bDate, bDollar, bYN, bDesc); the base SQL type
and the name fill in where the domain is absent. Untyped columns (report views) get no role.
"""

from __future__ import annotations

from dataclasses import dataclass

from vgpt2_ext.catalog import CatalogObject, Column

MONEY_DOMAINS = frozenset({"bdollar"})
QUANTITY_DOMAINS = frozenset({"bunits", "bhrs"})
DATE_DOMAINS = frozenset({"bdate"})
TEXT_DOMAINS = frozenset({"bdesc", "bitemdesc", "btransdesc", "bsortname"})
SKIPPED = frozenset({"keyid", "uniqueattchid", "notes"})  # housekeeping columns no question is about


@dataclass(frozen=True)
class Roles:
    """Columns of one object by role, in catalog order (key columns excluded from the value roles)."""

    company: Column | None
    key: tuple[Column, ...]
    month: Column | None
    dates: tuple[Column, ...]
    money: tuple[Column, ...]
    quantities: tuple[Column, ...]
    flags: tuple[Column, ...]
    coded: tuple[Column, ...]
    texts: tuple[Column, ...]

    @property
    def label(self) -> Column | None:
        """The column that names a row for a person: `Name`, else a description."""
        named = [c for c in self.texts if c.name.lower() in ("name", "description", "lastname")]
        return (named or list(self.texts) or [None])[0]


_ROLES: dict[int, tuple[CatalogObject, Roles]] = {}


def roles_of(obj: CatalogObject) -> Roles:
    """The roles of `obj`'s columns, computed once per object (cached by identity: hashing a whole object, as
    lru_cache would, costs more than the work)."""
    found = _ROLES.get(id(obj))
    if found is None or found[0] is not obj:
        found = _ROLES[id(obj)] = (obj, _roles(obj))
    return found[1]


def _roles(obj: CatalogObject) -> Roles:
    key = {name.lower() for name in obj.key}
    key_columns = tuple(c for c in obj.columns if c.name.lower() in key)
    rest = [c for c in obj.columns if c.name.lower() not in key and c.name.lower() not in SKIPPED
            and c.sql_type and not c.name.lower().startswith("ud")]
    month = next((c for c in obj.columns if _domain(c) == "bmonth" and c.name.lower() == "mth"), None)
    return Roles(
        company=obj.company_column,
        key=key_columns,
        month=month,
        dates=tuple(c for c in rest if _is_date(c)),
        money=tuple(c for c in rest if _domain(c) in MONEY_DOMAINS or _is_money_type(c)),
        quantities=tuple(c for c in rest if _domain(c) in QUANTITY_DOMAINS),
        flags=tuple(c for c in rest if _domain(c) == "byn"),
        coded=tuple(c for c in rest if c.codes),
        texts=tuple(c for c in rest if _is_text(c)),
    )


def _domain(column: Column) -> str:
    return (column.domain or "").lower()


def _is_date(column: Column) -> bool:
    if _domain(column) in DATE_DOMAINS:
        return True
    return not column.domain and (column.sql_type or "").startswith(("date", "smalldatetime"))


def _is_money_type(column: Column) -> bool:
    return not column.domain and (column.sql_type or "").replace(" ", "").endswith(",2)")


def _is_text(column: Column) -> bool:
    if _domain(column) in TEXT_DOMAINS:
        return True
    return not column.domain and (column.sql_type or "").startswith(("varchar", "nvarchar")) \
        and column.name.lower() in ("name", "description", "lastname", "firstname", "city", "sortname")
