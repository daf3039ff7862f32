"""What an analysis finds in a query: frozen records a data builder or scorer can compare and serialise.

Names use the catalog's spelling when the catalog knows them and the query's spelling otherwise, so
`apth.apco` and `[dbo].[APTH].[APCo]` produce the same records. Columns are written `Table.Column`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from vgpt2_ext.sql.features import SQLFacts

# how a column reference was resolved:
#   catalog        - a column of a catalog table or view
#   unknown_column - its table is known (a catalog object or a derived table) but lacks the column
#   unknown_table  - its qualifier names a table or alias the catalog and the query lack
#   temp           - a column of a temp table (#t), whose columns the catalog cannot know
#   derived        - a computed output of a derived table or CTE (`x.Total` for `SUM(...) AS Total`)
#   ambiguous      - unqualified, and several tables in scope have it
#   unresolved     - unqualified, no known table has it, and a table in scope is unknown or temporary
Resolution = Literal["catalog", "unknown_column", "unknown_table", "temp", "derived", "ambiguous", "unresolved"]
GROUNDED: frozenset[str] = frozenset({"catalog", "temp", "derived"})


@dataclass(frozen=True)
class TableRef:
    """One table reference (`FROM [dbo].[bAPTH] AS h WITH (NOLOCK)`); CTE names are not references."""

    name: str  # catalog spelling when known, else as written (`#t` keeps its `#`)
    alias: str | None = None  # as written
    known: bool = False  # the catalog has it
    temporary: bool = False  # `#t` / `##t`
    nolock: bool = False  # carries WITH (NOLOCK) or WITH (READUNCOMMITTED)

    @property
    def label(self) -> str:
        """How a message names it: `APTH h`, or `APTH` when unaliased."""
        return f"{self.name} {self.alias}" if self.alias and self.alias.lower() != self.name.lower() else self.name


@dataclass(frozen=True)
class ColumnRef:
    """One column reference and what it resolved to."""

    name: str  # catalog spelling when found, else as written
    table: str | None  # the table it resolved to (catalog spelling), the qualifier as written, or None
    written: str  # the reference as written, qualifier included: `h.APCo`
    resolution: Resolution
    candidates: tuple[str, ...] = ()  # ambiguous: the tables having it; unknown unqualified: tables searched

    @property
    def qualified(self) -> str:
        return f"{self.table}.{self.name}" if self.table else self.name

    @property
    def grounded(self) -> bool:
        return self.resolution in GROUNDED


@dataclass(frozen=True)
class JoinPair:
    """An equality between columns of two table references, order-independent: `a = b` equals `b = a`."""

    left: str  # `APTH.APCo`; the smaller of the two names after normalisation
    right: str

    def __post_init__(self) -> None:
        if (self.right.lower(), self.right) < (self.left.lower(), self.left):
            left, right = self.right, self.left
            object.__setattr__(self, "left", left)
            object.__setattr__(self, "right", right)

    @property
    def tables(self) -> tuple[str, str]:
        return self.left.rpartition(".")[0], self.right.rpartition(".")[0]

    def __str__(self) -> str:
        return f"{self.left} = {self.right}"


@dataclass(frozen=True)
class Filter:
    """A column constrained by a predicate: `APTH.APCo = @APCo`."""

    column: str  # `Table.Column`
    operator: str  # `=`, `<`, `IN`, `NOT LIKE`, `BETWEEN`, `IS NOT` ...
    value: str  # the other side as T-SQL text (identifiers lower-cased), `` when none
    clause: Literal["where", "having", "on"]
    conjunctive: bool  # ANDed at the top of its clause, so every row it keeps satisfies it
    expression: str = ""  # the side holding the column when it is more than the column: `YEAR(h.mth)`

    def __str__(self) -> str:
        subject = f"{self.expression} [{self.column}]" if self.expression else self.column
        return f"{subject} {self.operator} {self.value}".rstrip()


@dataclass(frozen=True)
class Slip:
    """Non-T-SQL syntax (from MySQL, PostgreSQL ...) and how to write it in T-SQL."""

    rule: str  # `limit`, `backticks`, `ilike` ...
    reason: str


@dataclass(frozen=True)
class Analysis:
    """Everything one SQL text references, resolved against one catalog (`catalog` is its fingerprint)."""

    sql: str
    catalog: str
    dialect: str  # `tsql`, or the fallback dialect that read it (`mysql` for backticks)
    kinds: tuple[str, ...]  # one per statement: `select`, `union`, `insert`, `update`, `declare` ...
    table_refs: tuple[TableRef, ...]
    columns: tuple[ColumnRef, ...]
    joins: tuple[JoinPair, ...]
    filters: tuple[Filter, ...]
    slips: tuple[Slip, ...]
    stars: tuple[str, ...] = ()  # tables selected whole with `*` or `alias.*`
    ctes: tuple[str, ...] = ()  # CTE names, as written
    selected: tuple[str, ...] = ()  # catalog columns the outermost SELECT list reads, as `Table.Column`
    variables: tuple[str, ...] = ()  # the `@variables` it uses: names without `@`, first spelling, in order
    facts: SQLFacts | None = None  # read from its T-SQL tree before resolving (None when another dialect read it)

    @property
    def statements(self) -> int:
        return len(self.kinds)

    @property
    def tables(self) -> tuple[str, ...]:
        """Distinct tables referenced (not CTEs, derived tables or temp tables), in order of appearance."""
        return _distinct(ref.name for ref in self.table_refs if not ref.temporary)

    @property
    def temp_tables(self) -> tuple[str, ...]:
        return _distinct(ref.name for ref in self.table_refs if ref.temporary)

    @property
    def unknown_tables(self) -> tuple[str, ...]:
        return _distinct(ref.name for ref in self.table_refs if not ref.known and not ref.temporary)

    @property
    def nolock(self) -> tuple[str, ...]:
        """Tables whose references carry WITH (NOLOCK)."""
        return _distinct(ref.name for ref in self.table_refs if ref.nolock)

    @property
    def without_nolock(self) -> tuple[str, ...]:
        return _distinct(ref.name for ref in self.table_refs if not ref.nolock and not ref.temporary)

    @property
    def resolved_columns(self) -> tuple[str, ...]:
        """Distinct catalog columns referenced, as `Table.Column`."""
        return _distinct(c.qualified for c in self.columns if c.resolution == "catalog")

    @property
    def filtered(self) -> tuple[str, ...]:
        return _distinct(f.column for f in self.filters)


def _distinct(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))
