"""Parsing T-SQL with sqlglot (dialect `tsql`): the one place SQL text becomes a syntax tree.

Everything that judges SQL (analysis, grounding, the sandbox, the scorer) starts here, so a statement
means the same thing to all of them. Parses are cached: data building and scoring see the same SQL often.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from vgpt2_ext.errors import SQLAnalysisError

DIALECT = "tsql"


def parse_tsql(sql: str) -> list[exp.Expression]:
    """The statements of `sql`, or SQLAnalysisError naming the line and column where parsing failed.

    The returned trees are shared by the cache: copy one before changing it.
    """
    return list(_parse(sql))


@lru_cache(maxsize=16384)
def _parse(sql: str) -> tuple[exp.Expression, ...]:
    try:
        statements = sqlglot.parse(sql, read=DIALECT)
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        where = f" at line {first.get('line')}, column {first.get('col')}" if first.get("line") else ""
        message = str(first.get("description") or error).splitlines()[0]
        raise SQLAnalysisError(f"SQL does not parse as T-SQL{where}: {message}") from None
    except TokenError as error:
        raise SQLAnalysisError(f"SQL does not tokenize as T-SQL: {error}") from None
    found = tuple(s for s in statements if s is not None)
    if not found:
        raise SQLAnalysisError("no SQL statement found (empty text)")
    return found
