"""The facts the checks read, computed once per answer and only when a check asks for them.

The answer's SQL is what `extract_sql` finds, less any block the question itself carries (an
error-correction answer may quote the broken query; one that only repeats it is judged on it). The
*judged* query is the last one: answers state the final query last. Prose is the answer with its SQL
taken out, read by `prose.read_prose` with the case's forbid and suggest entries watched and the question's
objects as what `that table` / `no such table` stand for; the facts it states are decided by `facts`.
Variables (`APCo = @APCo`, as the system prompt teaches) are bound before execution (`variables.py`): from
the gold query's literal on the same column, the question's own SQL, a default company, or a sandbox value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from vgpt2_ext.errors import SQLAnalysisError, VGPT2Error
from vgpt2_ext.judge.case import Case
from vgpt2_ext.judge.facts import Fact, check_facts
from vgpt2_ext.judge.prose import Reading, question_referents, read_prose
from vgpt2_ext.judge.variables import bind_for_case
from vgpt2_ext.sql.analysis import analyze
from vgpt2_ext.sql.extract import extract_sql
from vgpt2_ext.sql.model import Analysis

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog
    from vgpt2_ext.sandbox import Result, Sandbox


class Skip(Exception):  # noqa: N818 - a signal to the check runner, not an error
    """A check's prerequisite is missing; the message says which (the check is recorded as skipped)."""


@dataclass(frozen=True)
class Query:
    sql: str
    analysis: Analysis | None
    error: str = ""  # why it does not parse


class Evidence:
    """One answer to one case, against one catalog (and its sandbox, built on first execution)."""

    def __init__(self, answer: str, case: Case, catalog: Catalog, sandbox: Sandbox | None = None) -> None:
        self.answer = answer
        self.case = case
        self.catalog = catalog
        self._sandbox = sandbox

    # -- SQL --------------------------------------------------------------------------------------------
    @cached_property
    def queries(self) -> tuple[Query, ...]:
        """The answer's queries, less those quoting the question's broken query (unless that is all it has)."""
        found = extract_sql(self.answer)
        quoted = {_normal(sql) for sql in self.question_sql}
        own = [sql for sql in found if _normal(sql) not in quoted]
        return tuple(self._query(sql) for sql in (own or found))

    def _query(self, sql: str) -> Query:
        try:
            return Query(sql, analyze(sql, self.catalog))
        except SQLAnalysisError as error:
            return Query(sql, None, str(error))
        except Exception as error:  # noqa: BLE001 - model-written SQL must not stop a whole validation run
            return Query(sql, None, f"the SQL analyser failed on it ({type(error).__name__}: {error}); "
                                    "please report this query")

    @property
    def judged(self) -> Query:
        """The answer's final query; Skip when the answer has none."""
        if not self.queries:
            raise Skip("the answer has no SQL")
        return self.queries[-1]

    @property
    def analysis(self) -> Analysis:
        """The judged query's analysis; Skip when it does not parse."""
        query = self.judged
        if query.analysis is None:
            raise Skip("the SQL does not parse")
        return query.analysis

    @property
    def analyses(self) -> tuple[Analysis, ...]:
        """Every parsed query of the answer (grounding judges them all)."""
        return tuple(q.analysis for q in self.queries if q.analysis is not None)

    @cached_property
    def question_sql(self) -> tuple[str, ...]:
        """The SQL the question carries (an error-correction question's broken query)."""
        return tuple(extract_sql(self.case.question))

    @cached_property
    def question_analyses(self) -> tuple[Analysis, ...]:
        """The broken query an error-correction question carries, parsed."""
        return tuple(q.analysis for q in map(self._query, self.question_sql) if q.analysis)

    # -- prose ------------------------------------------------------------------------------------------
    @property
    def excused(self) -> str:
        """Names the answer may repeat without inventing them: the question's own SQL (an error-correction
        answer talks about the broken query) and the forbid entries (the refusal check's business)."""
        return " ".join([*self.question_sql, *self.case.expect.forbid])

    @cached_property
    def prose(self) -> str:
        """The answer with its queries taken out."""
        prose = self.answer
        for query in self.queries:
            prose = prose.replace(query.sql, " ")
        return prose

    @cached_property
    def reading(self) -> Reading:
        watch = self.case.expect.forbid + self.case.expect.suggest
        referents = question_referents(self.case.question, self.catalog, watch)
        return read_prose(self.prose, self.catalog, watch, referents)

    @cached_property
    def facts(self) -> list[Fact]:
        """The schema facts the prose states that the catalog can decide, decided."""
        return check_facts(self.prose, self.catalog)

    # -- execution --------------------------------------------------------------------------------------
    @property
    def sandbox(self) -> Sandbox:
        if self._sandbox is None:
            from vgpt2_ext.sandbox import sandbox_for

            self._sandbox = sandbox_for(self.catalog)
        return self._sandbox

    @cached_property
    def gold_analyses(self) -> tuple[Analysis, ...]:
        return tuple(analyze(sql, self.catalog) for sql in self.case.gold_sql)

    @cached_property
    def run(self) -> Result | VGPT2Error:
        """The judged query's rows, or the error that stopped it (its variables bound first)."""
        sql = bind_for_case(self.judged.sql, self.analysis, self.gold_analyses + self.question_analyses,
                            self.catalog, self.sandbox)
        try:
            return self.sandbox.run(sql)
        except VGPT2Error as error:
            return error
        except Exception as error:  # noqa: BLE001 - model-written SQL must not stop a whole validation run
            return VGPT2Error(f"the sandbox failed on it ({type(error).__name__}: {error}); please report this query")

    @property
    def result(self) -> Result:
        found = self.run
        if isinstance(found, VGPT2Error):
            raise Skip("the SQL does not execute")
        return found

    @cached_property
    def golds(self) -> tuple[Result, ...]:
        return tuple(gold_result(self.sandbox, sql) for sql in self.case.gold_sql)


@lru_cache(maxsize=4096)
def gold_result(sandbox: Sandbox, sql: str) -> Result:
    """A gold query's rows: the same for every answer to the case, so run once per sandbox."""
    return sandbox.run(sql)


def _normal(sql: str) -> str:
    return " ".join(sql.lower().split()).rstrip(";")
