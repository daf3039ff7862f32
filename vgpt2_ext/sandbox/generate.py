"""Rows for one table: copy parent rows along the links, number the free key columns, draw the rest.

A row is built in three passes. (1) Links, in the plan's order (those inside the row's key, then the
company's group columns, then the rest): pick a parent row that agrees with what the row already holds,
preferring the row's own company and what earlier parent rows suggested for same-named columns, and copy
its key. APTL takes an APTH row (APCo, Mth, APTrans), then that company's phase group from HQCO, then a
JCJP phase of that group, then a GLAC account of the same company. (2) Unique keys: the free key columns
but the last are drawn, the last is numbered within the others (APTrans 1, 2, 3 per APCo and Mth), unless it
is a month, which is drawn too.
(3) Everything else: codes in turn within the row's company (every code appears in each company), company
and group columns from the row's company, NULLs in a share of nullable columns, the rest by domain and type.
A row whose key is taken is dropped. The spec's `later` columns (no child copies them) are left `LATER`
here and drawn by `complete`, from a stream of their own, once the table itself is wanted."""

from __future__ import annotations

import random
from collections import defaultdict

from vgpt2_ext.sandbox.plan import Link, TableSpec
from vgpt2_ext.sandbox.values import COMPANY_DOMAINS, NULL_SHARE, draw, nth

Row = tuple[object, ...]
_UNSET = object()
LATER = object()  # a column `complete` draws (a child that copied one fails loudly at insert)
_EXHAUSTED = object()  # the table's key has no more values (HQCO has one row per company)
# a month ending a key is drawn, not numbered newest first: monthly rows of one vendor, job or account (APVA,
# JCCP, GLBL) then span the two years, and so do the invoices that must match one (APTH -> APVA on the month)
DRAWN_KEY_DOMAIN = "bmonth"


def generate(spec: TableSpec, parents: dict[str, list[Row]], rng: random.Random) -> list[Row]:
    """Up to `spec.rows` rows for `spec`, given every linked parent's rows."""
    builder = _Builder(spec, parents, rng)
    for _ in range(spec.rows * 3):
        if len(builder.rows) >= spec.rows:
            break
        row = builder.attempt()
        if row is _EXHAUSTED:
            break
        if row is not None:
            builder.accept(row)  # type: ignore[arg-type]
    return builder.rows


def complete(spec: TableSpec, rows: list[Row], rng: random.Random) -> list[Row]:
    """`rows` with their `later` columns drawn: NULL in a share of nullable ones, else by domain and type."""
    if not spec.later:
        return rows
    later = [(i, spec.columns[i], spec.columns[i].nullable) for i in spec.later]
    done = []
    for row in rows:
        values = list(row)
        for i, column, nullable in later:
            values[i] = None if nullable and rng.random() < NULL_SHARE else draw(column, rng)
        done.append(tuple(values))
    return done


class _Builder:
    def __init__(self, spec: TableSpec, parents: dict[str, list[Row]], rng: random.Random) -> None:
        self.spec, self.parents, self.rng = spec, parents, rng
        self.rows: list[Row] = []
        self.seen: list[set[Row]] = [set() for _ in spec.keys]
        self.counters: dict[tuple, int] = defaultdict(int)
        self.per_company: dict[object, int] = defaultdict(int)  # rows accepted so far, by company
        self.linked_company: object = None  # the company of the row being built, once its links are followed
        self.indexes: dict[tuple[str, tuple[int, ...]], dict[Row, list[Row]]] = {}  # see `_where`
        self.code_order = {i: rng.sample(range(len(c.codes)), len(c.codes))
                           for i, c in enumerate(spec.columns) if c.codes}
        self.company_columns = [i for i, c in enumerate(spec.columns) if c.is_company]
        # each link with its (child position, parent position, whether the child column is a company column)
        self.links = [(link, tuple((c, p, spec.columns[c].is_company)
                                   for c, p in zip(link.child_columns, link.parent_columns))) for link in spec.links]
        later = set(spec.later)
        self.eager = [(i, c, c.nullable and not c.codes and c.domain not in COMPANY_DOMAINS)
                      for i, c in enumerate(spec.columns) if i not in later]

    def attempt(self) -> object:
        """A new row, None if it had to be dropped, or _EXHAUSTED."""
        row: list[object] = [_UNSET] * len(self.spec.columns)
        wished: dict[int, object] = {}  # values a parent row suggested for columns a later link may fill
        for link, pairs in self.links:
            self._follow(row, link, pairs, wished)
        for c, value in wished.items():
            row[c] = value if row[c] is _UNSET else row[c]
        self.linked_company = self._company(row)
        numbered = self._number_keys(row)
        if numbered is not True:
            return numbered
        self._fill(row)
        return tuple(row)

    def accept(self, row: Row) -> None:
        keys = [tuple(row[i] for i in key) for key in self.spec.keys]
        if any(key in seen for key, seen in zip(keys, self.seen)):
            return
        for key, seen in zip(keys, self.seen):
            seen.add(key)
        self.rows.append(row)
        self.per_company[self.linked_company] += 1

    # -- pass 1: links -----------------------------------------------------------------------------
    def _follow(self, row: list[object], link: Link, pairs: tuple[tuple[int, int, bool], ...],
                wished: dict[int, object]) -> None:
        if link.optional and self.rng.random() < NULL_SHARE:
            for c in link.child_columns:
                row[c] = None if row[c] is _UNSET else row[c]
            return
        known: dict[int, object] = {}
        free = []
        for c, p, is_company in pairs:
            if row[c] is _UNSET:
                free.append((c, p, is_company))
            else:
                known[p] = row[c]
        candidates = self._where(link.parent, known)
        if not candidates:
            return
        pick = self.rng.choice(self._preferred(row, link, known, free, wished) or candidates)
        for c, p, _ in free:
            row[c] = pick[p]
        for c, p in link.also:
            wished.setdefault(c, pick[p])

    def _where(self, parent: str, conditions: dict[int, object]) -> list[Row]:
        """`parent`'s rows holding the `conditions` values at their positions, in order (indexed once for
        each set of positions)."""
        positions = tuple(sorted(conditions))
        index = self.indexes.get((parent, positions))
        if index is None:
            index = self.indexes[(parent, positions)] = defaultdict(list)
            for row in self.parents[parent]:
                index[tuple(row[p] for p in positions)].append(row)
        return index.get(tuple(conditions[p] for p in positions), [])

    def _preferred(self, row: list[object], link: Link, known: dict[int, object], free: list[tuple[int, int, bool]],
                   wished: dict[int, object]) -> list[Row]:
        """The parent rows that agree with the row's company (for the company columns the link fills) and with
        what earlier parent rows suggested; failing that, those of the row's company; failing that, none."""
        company = self._company(row)
        by_company = {p: company for _, p, is_company in free if is_company} if company is not None else {}
        both = dict(by_company)
        for c, p, _ in free:
            if c in wished and both.setdefault(p, wished[c]) != wished[c]:
                both = {}  # the suggestion disagrees with the company: no row holds both
                break
        for wanted in (both, by_company):
            found = self._where(link.parent, {**known, **wanted}) if wanted else []
            if found:
                return found
        return []

    def _company(self, row: list[object]) -> object:
        """The row's company: its company column, else any company column already filled."""
        first = self.spec.company
        if first is not None and row[first] not in (_UNSET, None):
            return row[first]
        return next((row[i] for i in self.company_columns if row[i] not in (_UNSET, None)), None)

    # -- pass 2: unique keys -----------------------------------------------------------------------
    def _number_keys(self, row: list[object]) -> object:
        for key in self.spec.keys:
            free = [i for i in key if row[i] is _UNSET]
            if not free:
                continue
            if self.spec.columns[free[-1]].domain == DRAWN_KEY_DOMAIN:  # a repeated key is dropped in `accept`
                for i in free:
                    row[i] = self._value(i, row)
                continue
            for i in free[:-1]:
                row[i] = self._value(i, row)
            last = free[-1]
            prefix = (key, tuple(row[i] for i in key if i != last))
            value = nth(self.spec.columns[last], self.counters[prefix])
            self.counters[prefix] += 1
            if value is None:
                return _EXHAUSTED if len(key) == 1 else None
            row[last] = value
        return True

    # -- pass 3: the rest --------------------------------------------------------------------------
    def _fill(self, row: list[object]) -> None:
        for i, column, free_null in self.eager:
            if row[i] is not _UNSET and (row[i] is not None or column.nullable):
                continue
            row[i] = None if free_null and self.rng.random() < NULL_SHARE else self._value(i, row)
        for i in self.spec.later:
            row[i] = LATER

    def _value(self, i: int, row: list[object]) -> object:
        """A value for free column `i`: its codes in turn within the row's company (every code appears in each
        company: "company 1's open subcontracts" finds some), else drawn."""
        column = self.spec.columns[i]
        if column.codes:
            order = self.code_order[i]
            return column.codes[order[self.per_company[self.linked_company] % len(order)]]
        return draw(column, self.rng, self._company(row) if column.domain in COMPANY_DOMAINS else None)
