"""Parsing T-SQL with sqlglot (dialect `tsql`): the one place SQL text becomes a syntax tree.

Everything that judges SQL (analysis, grounding, the sandbox, the scorer) starts here, so a statement
means the same thing to all of them. Parses are cached: data building and scoring see the same SQL often.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from vgpt2_ext.errors import SQLAnalysisError

DIALECT = "tsql"
# dialects tried when T-SQL cannot read the text, so a dialect slip (MySQL backticks) is reported as a slip
# with the rest of the query still analysed, instead of as an opaque parse error
FALLBACK_DIALECTS: tuple[str, ...] = ("mysql",)

# sqlglot names classes and tokens in its messages; people read SQL keywords
_CLASS = re.compile(r"<class 'sqlglot\.expressions\.(?:\w+\.)*(\w+)'>")
_TOKEN = re.compile(r"<Token token_type: TokenType\.(\w+), text: (.*?), line: .*?>")
# descriptions of something missing: at the end of the text they mean the statement was cut off
_MISSING = ("Required keyword", "Expecting", "Expected")
# sqlglot's parser recurses about 16 Python frames per level of parentheses, so Python's recursion limit
# would stop it somewhere near 60 levels, depending on the caller; real queries nest a handful, so deeper text
# is refused, from its tokens, before the parser sees it
MAX_DEPTH = 32
# parsing costs time and memory in proportion (a 1 MB IN list: 10 s, 700 MB), so longer text is refused unread
MAX_SQL_CHARS = 32_768
TOO_DEEP = (f"SQL nests too deeply to read (at most {MAX_DEPTH} levels of parentheses, subqueries and CASE, "
            "and no chain of hundreds of AND, OR, NOT or + terms); write it flatter, e.g. with a CTE or IN (...)")
_OPENS = frozenset({TokenType.L_PAREN, TokenType.CASE})
_CLOSES = frozenset({TokenType.R_PAREN, TokenType.END})


class _NoCommandFallbackNotice(logging.Filter):
    """sqlglot logs a warning when it keeps unsupported syntax (LOAD, CALL, CREATE TYPE) as an opaque
    Command. Callers see the Command node and judge it themselves; the notice only clutters their output."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Falling back to parsing as a 'Command'" not in record.getMessage()


logging.getLogger("sqlglot").addFilter(_NoCommandFallbackNotice())


def parse_tsql(sql: str, *, cache: bool = True) -> list[exp.Expression]:
    """The statements of `sql`, or SQLAnalysisError naming the line and column where parsing failed.

    The returned trees are shared by the cache: copy one before changing it. With `cache=False` they are new
    and the caller's to change, and nothing is cached (the sandbox reads each query once and rewrites it).
    """
    return list((_parse if cache else _parse_uncached)(sql, DIALECT))


def parse_any(sql: str, *, cache: bool = True) -> tuple[str, list[exp.Expression]]:
    """(dialect, statements): T-SQL when it reads the text, else the first fallback dialect that does.

    Raises the T-SQL error when no dialect reads it. Trees are shared by the cache, as in `parse_tsql`; with
    `cache=False` they are new and the caller's to change.
    """
    parse = _parse if cache else _parse_uncached
    try:
        return DIALECT, list(parse(sql, DIALECT))
    except SQLAnalysisError as tsql_error:
        for dialect in FALLBACK_DIALECTS:
            try:
                return dialect, list(parse(sql, dialect))
            except SQLAnalysisError:
                continue
        raise tsql_error from None


def incomplete(sql: str, dialect: str = DIALECT) -> bool:
    """Whether `sql` stops mid-statement: an unclosed quote, or something missing where the text ends.

    Answers are often cut at a fixed length; this tells a cut-off query from a malformed one.
    """
    try:
        sqlglot.parse(sql, read=dialect)
    except TokenError:
        return True
    except ParseError as error:
        return _stops_early(error)
    except RecursionError:
        return False
    return False


def tokenize(sql: str, dialect: str = DIALECT) -> list[Token]:
    """The tokens of `sql` in `dialect` (they keep their character offsets), or SQLAnalysisError."""
    try:
        return dialect_of(dialect).tokenize(sql)
    except TokenError as error:
        raise SQLAnalysisError(f"SQL does not tokenize as {_name(dialect)}: {error}") from None


@lru_cache(maxsize=8)  # a handful of dialects
def dialect_of(name: str) -> Dialect:
    """sqlglot's dialect `name`, made once: `Dialect.get_or_raise` makes a new one from a name on every call
    (a tenth of a millisecond a query, where every sandbox run parses once and generates once)."""
    return Dialect.get_or_raise(name)


def _parse_uncached(sql: str, dialect: str) -> tuple[exp.Expression, ...]:
    if len(sql) > MAX_SQL_CHARS:
        raise SQLAnalysisError(f"the SQL is {len(sql):,} characters; at most {MAX_SQL_CHARS:,} are read (a query "
                               "longer than that is not one a person or a model writes)")
    reader = dialect_of(dialect)
    try:
        tokens = reader.tokenize(sql)
        _check_depth(tokens)
        statements = reader.parser().parse(tokens, sql)
    except RecursionError:
        raise SQLAnalysisError(TOO_DEEP) from None
    except ParseError as error:
        raise SQLAnalysisError(_parse_message(error, dialect)) from None
    except TokenError as error:
        raise SQLAnalysisError(f"SQL does not tokenize as {_name(dialect)} (an unclosed quote or bracket?): "
                               f"{error}") from None
    found = tuple(s for s in statements if s is not None)
    if not found:
        raise SQLAnalysisError("no SQL statement found (empty text)")
    return found


# a 4-table join's tree holds ~65 KB: 2,048 of them ~130 MB
_parse = lru_cache(maxsize=2048)(_parse_uncached)


def _check_depth(tokens: list[Token]) -> None:
    depth = 0
    for token in tokens:
        depth += 1 if token.token_type in _OPENS else -1 if token.token_type in _CLOSES else 0
        if depth > MAX_DEPTH:
            raise SQLAnalysisError(f"{TOO_DEEP} (line {token.line}, column {token.col})")


def _parse_message(error: ParseError, dialect: str) -> str:
    """One line: where, what sqlglot expected in SQL words, and whether the text simply stops there."""
    first = error.errors[0] if error.errors else {}
    where = f" at line {first.get('line')}, column {first.get('col')}" if first.get("line") else ""
    description = str(first.get("description") or error).splitlines()[0]
    description = _CLASS.sub(r"\1", description)
    description = _TOKEN.sub(lambda m: "the end of the text" if m[1] == "SENTINEL" else f"`{m[2]}`", description)
    near = f" near `{first['highlight']}`" if first.get("highlight") else ""
    cut = " - the statement is incomplete where the text ends (was it cut off?)" if _stops_early(error) else ""
    return f"SQL does not parse as {_name(dialect)}{where}{near}: {description}{cut}"


def _stops_early(error: ParseError) -> bool:
    """The parser wanted more (a keyword, a `)`, a name) and the text had ended."""
    first = error.errors[0] if error.errors else {}
    return bool(first) and not str(first.get("end_context", "")).strip() and \
        str(first.get("description", "")).startswith(_MISSING)


def _name(dialect: str) -> str:
    return "T-SQL" if dialect == DIALECT else dialect
