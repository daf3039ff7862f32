"""Synthetic values for one column: from its code list, else its Vista domain, else its SQL type.

A column gets values two ways. `draw` picks one at random (a free column). `nth` gives the k-th distinct
value (the last free column of a unique key, numbered within the rest of the key: APTrans 1, 2, 3 per
company and month; vendor 1000, 1010 ... per vendor group). Pools are small on purpose, so numbers repeat
across companies and groups (vendor 1000 exists in vendor groups 1 and 3, job `1000-` in every company)
and a join that forgets the company or group column returns extra rows.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from vgpt2_ext.catalog import Column

Kind = Literal["int", "decimal", "float", "text", "uuid", "timestamp", "date", "time", "bool", "blob"]

# The sandbox's fixed clock: GETDATE() returns it and the data's months end at its month, so "this month"
# and "last 90 days" filters find rows, and the same query gives the same rows on any day.
CLOCK = datetime(2025, 6, 15, 10, 30)
MONTHS = tuple(datetime(2023 + (6 + i) // 12, (6 + i) % 12 + 1, 1) for i in range(24))  # 2023-07 .. 2025-06
COMPANIES = (1, 2, 3, 4)
GROUPS = (1, 3)  # companies 1-2 share group 1, companies 3-4 group 3 (Vista names a group after a company)
NULL_SHARE = 0.15  # share of NULLs in a free nullable column
POOL = 8  # a free column of a numbered domain refers to one of the first POOL numbers

_INT_BOUNDS = {"tinyint": (0, 255), "smallint": (-32768, 32767), "int": (-2**31, 2**31 - 1),
               "bigint": (-2**63, 2**63 - 1)}
_KIND_OF = {"float": "float", "real": "float", "date": "date", "time": "time", "bit": "bool",
            "datetime": "timestamp", "smalldatetime": "timestamp", "datetime2": "timestamp",
            "datetimeoffset": "timestamp", "uniqueidentifier": "uuid", "money": "decimal", "smallmoney": "decimal",
            "numeric": "decimal", "decimal": "decimal", "binary": "blob", "varbinary": "blob", "image": "blob",
            "timestamp": "blob", "rowversion": "blob"}
_DUCK_TYPE = {"int": "INTEGER", "float": "DOUBLE", "text": "VARCHAR", "uuid": "VARCHAR", "timestamp": "TIMESTAMP",
              "date": "DATE", "time": "TIME", "bool": "BOOLEAN", "blob": "BLOB"}
_INT_DUCK = {"tinyint": "SMALLINT", "smallint": "SMALLINT", "int": "INTEGER", "bigint": "BIGINT"}
_MONEY = {"money": (19, 4), "smallmoney": (10, 4)}


@dataclass(frozen=True)
class ColumnSpec:
    """What the generator needs to know about a column, resolved once from the catalog's `Column`."""

    name: str
    kind: Kind
    duck_type: str
    domain: str = ""  # Vista domain, lower case
    nullable: bool = True
    codes: tuple[object, ...] = ()
    length: int | None = None  # most characters a text value may have
    bounds: tuple[int, int] = (0, 0)  # least and greatest int value
    precision: int = 0  # digits of a decimal
    scale: int = 0  # of which after the point

    @property
    def is_company(self) -> bool:
        return self.domain == "bcompany"


def column_spec(column: Column, fallback: Column | None = None) -> ColumnSpec:
    """The spec of `column`. `fallback` is a typed column of the same name elsewhere in the catalog: an
    untyped (report-view) column borrows its type and domain, so `PaidDate` stays a date; a column without
    a domain borrows its domain when the types agree, so JCJP.PhaseGroup is a group like JCCD.PhaseGroup."""
    source = column if column.sql_type or fallback is None else fallback
    base, args = _split_type(source.sql_type or "varchar")
    domain = source.domain
    if not domain and fallback is not None and _split_type(fallback.sql_type or "")[0] == base:
        domain = fallback.domain
    kind: Kind = "int" if base in _INT_BOUNDS else _KIND_OF.get(base, "text")  # type: ignore[assignment]
    precision, scale = _decimal_shape(base, args) if kind == "decimal" else (0, 0)
    spec = ColumnSpec(column.name, kind, _duck_type(base, kind, args), (domain or "").lower(), column.nullable,
                      length=_text_length(kind, args), bounds=_INT_BOUNDS.get(base, (0, 0)),
                      precision=precision, scale=scale)
    codes = tuple(value for value in (_fit_code(spec, code.value) for code in column.codes) if value is not None)
    return replace(spec, codes=codes) if codes else spec


@lru_cache(maxsize=1024)  # a catalog spells a few dozen types; specs are built for thousands of columns
def _split_type(sql_type: str) -> tuple[str, tuple[str, ...]]:
    match = re.fullmatch(r"\s*([a-z0-9_ ]+?)\s*(?:\((.*)\))?\s*", sql_type.lower())
    if not match:
        return "varchar", ()
    return match.group(1), tuple(a.strip() for a in (match.group(2) or "").split(",") if a.strip())


def _duck_type(base: str, kind: Kind, args: tuple[str, ...]) -> str:
    if kind == "int":
        return _INT_DUCK[base]
    if kind == "decimal":
        precision, scale = _decimal_shape(base, args)
        return f"DECIMAL({precision},{scale})"
    return _DUCK_TYPE[kind]


def _decimal_shape(base: str, args: tuple[str, ...]) -> tuple[int, int]:
    if base in _MONEY:
        return _MONEY[base]
    digits = [int(a) for a in args if a.isdigit()]
    precision = min(digits[0], 38) if digits else 18
    return precision, min(digits[1], precision) if len(digits) > 1 else 0


def _text_length(kind: Kind, args: tuple[str, ...]) -> int | None:
    if kind != "text" or not args or not args[0].isdigit():
        return None  # varchar(max), untyped
    return max(int(args[0]), 1)


def _fit_code(spec: ColumnSpec, value: str) -> object | None:
    """A code's value in the column's type (`'3'` -> 3 for a tinyint), or None if it cannot be stored."""
    try:
        return fit(spec, int(value) if spec.kind == "int" else Decimal(value) if spec.kind == "decimal" else value)
    except (ValueError, ArithmeticError):
        return None


# -- values of Vista domains ----------------------------------------------------------------------------
def _job(k: int) -> str:
    return f"{1000 + 10 * k}-"


_NUMBERED: dict[str, Callable[[int], object]] = {
    # the k-th entity of a numbered domain: what `nth` gives and what free references point at
    "bcompany": lambda k: COMPANIES[k] if k < len(COMPANIES) else None,
    "bgroup": lambda k: GROUPS[k] if k < len(GROUPS) else None,
    "bmonth": lambda k: MONTHS[-1 - k] if k < len(MONTHS) else None,
    "bdate": lambda k: datetime.combine(CLOCK.date() - timedelta(days=k), time()),
    "bvendor": lambda k: 1000 + 10 * k,
    "bcustomer": lambda k: 2000 + 10 * k,
    "bemployee": lambda k: 100 + k,
    "bjob": _job,
    "bcontract": _job,
    "bphase": lambda k: f"{k + 1:02d}-100",
    "bglacct": lambda k: f"{1000 + 100 * k}-00",
    "bequip": lambda k: f"E{100 + k}",
    "bmatl": lambda k: f"M{1000 + k}",
    "bcmref": lambda k: str(10001 + k),
    "bapreference": lambda k: f"INV{10001 + k}",
    "bum": lambda k: ("EA", "LF", "HR", "CY", "LS", "TON", "SF", "GAL")[k % 8] + ("" if k < 8 else str(k // 8)),
}

_PHRASES = ("Concrete forms", "Rebar supply", "Site grading", "Electrical rough-in", "Drywall finish",
            "Steel erection", "Plumbing fixtures", "Roofing membrane", "Equipment rental", "Survey and layout",
            "HVAC ductwork", "Paving", "Excavation", "Framing lumber", "Glazing", "Fire sprinklers")
_NAMES = ("Acme Concrete", "Summit Steel", "Cascade Electric", "Northwest Plumbing", "Evergreen Supply",
          "Pioneer Paving", "Harbor Crane", "Ridge Roofing", "Alder Lumber", "Sound Glass", "Valley Rentals",
          "Olympic Survey")
_BY_COLUMN = {"name": _NAMES, "city": ("Seattle", "Portland", "Tacoma", "Spokane", "Boise"),
              "state": ("WA", "OR", "ID", "CA")}


def _money(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(1000, 5_000_000)) / 100


_DRAWN: dict[str, Callable[[random.Random], object]] = {
    "byn": lambda rng: "Y" if rng.random() < 0.7 else "N",
    "bdollar": _money,
    "bunits": lambda rng: Decimal(rng.randint(1, 500)),
    "bhrs": lambda rng: Decimal(rng.randint(1, 80)) / 2,
    "bunitcost": lambda rng: Decimal(rng.randint(100, 50_000)) / 100,
    "brate": lambda rng: Decimal(rng.randint(1500, 9000)) / 100,
    "bpct": lambda rng: Decimal(rng.randint(0, 100)) / 100,
    "bphone": lambda rng: f"(206) 555-{rng.randint(0, 9999):04d}",
    "bzip": lambda rng: f"98{rng.randint(0, 999):03d}",
    "bdesc": lambda rng: rng.choice(_PHRASES),
    "bitemdesc": lambda rng: rng.choice(_PHRASES),
    "btransdesc": lambda rng: rng.choice(_PHRASES),
    "bsortname": lambda rng: rng.choice(_NAMES).split()[0].upper(),
    "bdate": lambda rng: datetime.combine(CLOCK.date() - timedelta(days=rng.randrange(720)), time()),
    "bmonth": lambda rng: rng.choice(MONTHS),
}


def group_of(company: object) -> int:
    """The group (vendor, customer, phase ...) a company uses: companies 1-2 share group 1, 3-4 group 3."""
    return GROUPS[0] if isinstance(company, int) and company <= 2 else GROUPS[-1]


COMPANY_DOMAINS = ("bcompany", "bgroup")  # the domains whose value follows the row's company (`draw`)


def draw(spec: ColumnSpec, rng: random.Random, company: object = None) -> object:
    """A random value for a free column; `company` is the row's company, if known (for company and group
    columns). Codes and NULLs are the caller's business."""
    try:
        return fit(spec, _by_domain(spec, rng, company))
    except (ValueError, ArithmeticError):  # a domain used on an unusual type: fall back to the type
        return fit(spec, _by_kind(spec, rng))


def _by_domain(spec: ColumnSpec, rng: random.Random, company: object) -> object:
    if spec.domain == "bcompany":
        return company if company is not None else rng.choice(COMPANIES)
    if spec.domain == "bgroup":
        return group_of(company) if company is not None else rng.choice(GROUPS)
    if spec.domain in _DRAWN:
        return _DRAWN[spec.domain](rng)
    if spec.domain in _NUMBERED:
        return _NUMBERED[spec.domain](rng.randrange(POOL))
    return _by_kind(spec, rng)


def nth(spec: ColumnSpec, k: int) -> object | None:
    """The k-th distinct value (k from 0) of a key column, or None when its domain has no more."""
    if spec.codes:
        return spec.codes[k] if k < len(spec.codes) else None
    value = _NUMBERED[spec.domain](k) if spec.domain in _NUMBERED else _kth_by_kind(spec, k)
    try:
        return None if value is None else fit(spec, value)
    except (ValueError, ArithmeticError):  # past the type's range (tinyint 256): no more
        return None


def _by_kind(spec: ColumnSpec, rng: random.Random) -> object:
    if spec.kind == "int":
        return rng.randint(max(spec.bounds[0], 0), min(spec.bounds[1], 99))
    if spec.kind in ("decimal", "float"):
        return Decimal(rng.randint(0, 1_000_000)) / 100
    if spec.kind in ("timestamp", "date"):
        return datetime.combine(CLOCK.date() - timedelta(days=rng.randrange(720)), time())
    if spec.kind == "time":
        return time(rng.randrange(24), rng.randrange(60))
    if spec.kind == "bool":
        return rng.random() < 0.5
    if spec.kind == "uuid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if spec.kind == "blob":
        return bytes(rng.getrandbits(8) for _ in range(8))
    if spec.length == 1:
        return rng.choice("ABC")
    pool = _BY_COLUMN.get(spec.name.lower(), _PHRASES)
    return rng.choice(pool)


def _kth_by_kind(spec: ColumnSpec, k: int) -> object | None:
    if spec.kind in ("int", "decimal", "float"):
        return k + 1
    if spec.kind in ("timestamp", "date"):
        return datetime.combine(CLOCK.date() - timedelta(days=k), time())
    if spec.kind == "uuid":
        return str(uuid.UUID(int=k + 1, version=4))
    if spec.kind == "text":
        return _nth_text(spec, k)
    return None  # bool, time, blob: not numbered


def _nth_text(spec: ColumnSpec, k: int) -> str | None:
    """`A`, `B` ... for one character; else a short code that still fits (`1`, `2` ... for very short)."""
    if spec.length == 1:
        return chr(ord("A") + k) if k < 26 else None
    text = f"{spec.name[:3].upper()}{k + 1}"
    return text if spec.length is None or len(text) <= spec.length else str(k + 1)


def fit(spec: ColumnSpec, value: object) -> object:
    """`value` in the column's type and size: text cut to length, decimals rounded to scale and capped to
    the precision, ints kept inside the type's range, dates as dates; ValueError if it cannot fit."""
    if spec.kind == "text":
        text = str(value)
        return text[: spec.length] if spec.length else text
    if spec.kind == "int":
        number = int(value)  # type: ignore[arg-type]
        if not spec.bounds[0] <= number <= spec.bounds[1]:
            raise ValueError(f"{number} does not fit column `{spec.name}`")
        return number
    if spec.kind == "decimal":
        return _fit_decimal(spec, Decimal(str(value)))
    if spec.kind == "float":
        return float(value)  # type: ignore[arg-type]
    if spec.kind == "date" and isinstance(value, datetime):
        return value.date()
    return value


def _fit_decimal(spec: ColumnSpec, value: Decimal) -> Decimal:
    limit = Decimal(10) ** (spec.precision - spec.scale) - 1
    value = value.quantize(Decimal(1).scaleb(-spec.scale))
    if abs(value) > limit:  # keep the small digits: 12,345.67 in numeric(4,2) becomes 45.67
        value = value % (limit + 1)
    return value
