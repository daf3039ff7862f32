"""The row proof: each answer of a row gets the proof our own SFT data gets (`vgpt2_ext.data.proof`), and
every failure comes back with the names it is about and the closest real ones.

- Prose (`prove_prose`, the data proof's `prove_example`): names only real tables and columns, denies none
  that exists, and a refusal refuses what is really missing and passes the judge's refusal check. A row
  `make data` wrote says its category and the objects it refuses; any other row is proven as a refusal of the
  objects its prose denies when the catalog lacks them, else with no category's own demands.
- SQL (the data proof's `prove_sql`, once per distinct text): parses as T-SQL, names only catalog objects,
  keeps the house style, executes in the sandbox. The SQL a question quotes (an error-correction answer may
  repeat the broken query) is not the answer's own, as in the judge.

Datasets write variables (`WHERE APCo = @APCo`), which the sandbox refuses; the SQL proof binds each to a sample
value of the type of the column it is compared with (`sql.binding.bind_samples`), so such a query executes: the
proof is that it runs, not which rows it returns (there is no gold query to compare with).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vgpt2_ext.audit.repair import Repair, own_company, repair_sql
from vgpt2_ext.audit.shapes import Answer, AuditRow
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.proof import ExampleProof, SQLProof, prove_example, prove_sql, prove_sqls
from vgpt2_ext.judge import Case
from vgpt2_ext.judge.evidence import Evidence
from vgpt2_ext.sql.extract import extract_sql
from vgpt2_ext.sql.grounding import Unknown, column_suggestions, object_suggestions

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog
    from vgpt2_ext.sandbox import Sandbox

# the category a row without one is proven under: none of the demands a category adds (a query for the SQL
# categories, the judge's refusal check for hallucination) applies, unless its prose refuses an object
UNKNOWN_CATEGORY = "schema_knowledge"
MISSING = ("table", "column")  # grounding's unknowns that name an object (not an alias out of scope, not ambiguity)


@dataclass(frozen=True)
class Missing:
    """A name the catalog lacks (`APTH.Co`, `Invoice`) and the closest real names, best first."""

    name: str
    suggestions: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"name": self.name, "suggestions": list(self.suggestions)}


@dataclass(frozen=True)
class Failure:
    """Why an answer (or a pair) fails: a reason code, the proof's one-line detail, the names it is about."""

    reason: str  # a key of data.proof.REASONS, or of verdict.PAIR_REASONS
    detail: str
    role: str = "answer"  # answer | chosen | rejected | pair
    where: str = ""  # the answer's place in the row (`output`, `conversations[2]`, `chosen`), or `pair`
    missing: tuple[Missing, ...] = ()
    sql: str = ""  # the SQL text a SQL failure is about

    def to_json(self) -> dict:
        found = {"reason": self.reason, "where": self.where, "detail": self.detail}
        if self.missing:
            found["missing"] = [m.to_json() for m in self.missing]
        return found


def prove_prose(example: Example, catalog: Catalog) -> ExampleProof:
    """The prose proof of one answer: the SFT data proof's, so every check it gains applies here too."""
    return prove_example(example, catalog)


class RowProver:
    """Proves answers against one catalog and sandbox; a SQL text is proven (and repaired) once, a missing
    name's closest real names are looked up once."""

    def __init__(self, catalog: Catalog, sandbox: Sandbox) -> None:
        self.catalog = catalog
        self.sandbox = sandbox
        self._sql: dict[str, SQLProof] = {}
        self._closest: dict[str, tuple[str, ...]] = {}
        self._repairs: dict[str, Repair | None] = {}

    def prove(self, answer: Answer, row: AuditRow) -> tuple[Failure, ...]:
        """Every failure of `answer`: the prose proof's first, then the first of each of its SQL texts."""
        if not answer.text.strip():
            return (Failure("empty", "the answer is empty", answer.role, answer.label),)
        found = self._prose(answer, row)
        failures = [self._prose_failure(found, answer)] if found.rejection is not None else []
        for sql in own_sqls(answer, found.sqls, self.catalog):
            proof = self.sql(sql)
            if proof.rejection is not None:
                failures.append(Failure(proof.rejection.reason, proof.rejection.detail, answer.role, answer.label,
                                        tuple(self._unknown(u) for u in proof.unknowns if u.kind in MISSING), sql))
        return tuple(failures)

    def sql(self, sql: str) -> SQLProof:
        if sql not in self._sql:
            self._sql[sql] = prove_sql(sql, self.catalog, self.sandbox)
        return self._sql[sql]

    def prefetch(self, sqls: Iterable[str]) -> None:
        """Prove the texts not proven yet in one sandbox batch (`prove_sqls`), ahead of the rows that hold them."""
        new = [sql for sql in dict.fromkeys(sqls) if sql not in self._sql]
        self._sql.update(zip(new, prove_sqls(new, self.catalog, self.sandbox)))

    def repair(self, sql: str) -> Repair | None:
        if sql not in self._repairs:
            self._repairs[sql] = repair_sql(sql, self.catalog)
        return self._repairs[sql]

    def _prose(self, answer: Answer, row: AuditRow) -> ExampleProof:
        if row.category is not None:
            return prove_prose(_example(answer, row.category, row.missing, row.suggest), self.catalog)
        found = prove_prose(_example(answer, UNKNOWN_CATEGORY, (), ()), self.catalog)
        refused = _refused(found)
        if not refused:
            return found
        return prove_prose(_example(answer, "hallucination", refused, ()), self.catalog)

    def _prose_failure(self, found: ExampleProof, answer: Answer) -> Failure:
        rejection = found.rejection
        names: tuple[str, ...] = ()
        if rejection.reason == "prose_unknown_object" and found.reading is not None:
            names = tuple(dict.fromkeys(m.name or m.text for m in found.reading.hallucinations(excuse=answer.asked)))
        return Failure(rejection.reason, rejection.detail, answer.role, answer.label,
                       tuple(Missing(name, self._suggest(name)) for name in names))

    def _unknown(self, unknown: Unknown) -> Missing:
        bare = unknown.name.rpartition(".")[2]
        name = f"{unknown.table}.{bare}" if unknown.table else unknown.name
        first = own_company(unknown.table, bare, self.catalog)
        return Missing(name, tuple(dict.fromkeys([*([first] if first else []), *unknown.suggestions])))

    def _suggest(self, name: str) -> tuple[str, ...]:
        """The closest real names to a name the prose invents (a table, or `Table.Column`)."""
        if name not in self._closest:
            table, _, column = name.rpartition(".")
            if table and self.catalog.has(table):
                found = column_suggestions(self.catalog, (table,), column)
            else:
                found = object_suggestions(self.catalog, table or column)
            self._closest[name] = found
        return self._closest[name]


def own_sqls(answer: Answer, sqls: tuple[str, ...], catalog: Catalog) -> tuple[str, ...]:
    """The answer's own SQL: less the blocks quoting its question's query, unless that is all it holds."""
    if not sqls or not extract_sql(answer.asked):
        return sqls
    return tuple(query.sql for query in Evidence(answer.text, Case("audit", "sql_generation", answer.asked),
                                                 catalog).queries)


def _example(answer: Answer, category: str, missing: tuple[str, ...], suggest: tuple[str, ...]) -> Example:
    return Example(category, "audit", "", answer.asked, answer.text, missing=missing, suggest=suggest)


def _refused(found: ExampleProof) -> tuple[str, ...]:
    """Objects the prose presents as schema names and denies, which the catalog indeed lacks."""
    if found.reading is None:
        return ()
    return tuple(dict.fromkeys(m.name for m in found.reading.mentions
                               if m.negation and m.marked and not m.exists and m.name))

