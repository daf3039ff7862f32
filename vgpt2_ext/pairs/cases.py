"""What a correct answer to an SFT row must do, as a judge `Case`: the row's gold answer sets the bar.

- A question about a missing object (category `hallucination`): the refusal case the data proof uses, the
  row's missing objects forbidden and its alternatives suggested.
- An answer with a query: the query is the gold (compared by execution), and its tables, join pairs and WHERE
  filters are expected, so a partial join or a dropped filter fails by name as well as by rows.
- Anything else (prose about the schema) has no case: nothing the judge checks would tell a good answer from
  a bad one, so such rows make no pairs.
"""

from __future__ import annotations

from dataclasses import replace

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.judge import Case, Expect
from vgpt2_ext.judge.evidence import Evidence, Query
from vgpt2_ext.pairs.rows import SftRow
from vgpt2_ext.sql.binding import bind_samples


def case_for(row: SftRow, catalog: Catalog) -> Case | None:
    """The judge case of `row`, or None when its answer gives the judge nothing to compare against."""
    bare = Case(row.id, row.category, row.question)
    if row.category == "hallucination":
        if not row.missing:
            return None
        return replace(bare, expect=Expect(refusal=True, forbid=row.missing, suggest=row.suggest))
    query = gold_query(row.answer, bare, catalog)
    if query is None:
        return None
    found = query.analysis
    filters = tuple(dict.fromkeys(f.column for f in found.filters if f.clause == "where" and f.conjunctive))
    expect = Expect(tables=found.tables, joins=tuple(dict.fromkeys(str(pair) for pair in found.joins)),
                    filters=filters)
    return replace(bare, gold_sql=(bind_samples(query.sql, catalog),), expect=expect)  # `@APCo` -> 1: gold runs


def gold_query(answer: str, case: Case, catalog: Catalog) -> Query | None:
    """The query the judge would judge in `answer` (its last, not one quoted from the question), parsed."""
    queries = Evidence(answer, case, catalog).queries
    if not queries or queries[-1].analysis is None or queries[-1].analysis.statements != 1:
        return None
    return queries[-1]
