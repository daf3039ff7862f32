"""Dialect slips: syntax from MySQL or PostgreSQL that SQL Server rejects, each found by one small rule.

Rules read the syntax tree where it tells the constructs apart and the tokens where it does not (TOP and
LIMIT both parse to `exp.Limit`; only the token says which was written). They run in `SLIP_RULES` order,
the most specific first, and each returns a `Slip` naming the T-SQL way to write it, or None.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from vgpt2_ext.sql.model import Slip
from vgpt2_ext.sql.parse import DIALECT, tokenize


class SlipContext:
    """One SQL text as parsed, with the node types present and (computed on demand) its tokens."""

    def __init__(self, sql: str, dialect: str, statements: list[exp.Expression]) -> None:
        self.sql = sql
        self.dialect = dialect
        self.statements = statements

    @cached_property
    def node_types(self) -> frozenset[type]:
        return frozenset(type(node) for statement in self.statements for node in statement.walk())

    @cached_property
    def tokens(self) -> list[Token]:
        return tokenize(self.sql, self.dialect)

    def has_token(self, token_type: TokenType, text: str) -> bool:
        """Whether a `token_type` token was written; `text` (lower case) must occur first, a cheap gate."""
        return text in self.sql.lower() and any(token.token_type == token_type for token in self.tokens)

    def nodes(self, node_type: type) -> list[exp.Expression]:
        if node_type not in self.node_types:
            return []
        return [node for statement in self.statements for node in statement.find_all(node_type)]


def backticks(ctx: SlipContext) -> Slip | None:
    """A token starting with a backtick: a MySQL-quoted name (or, where T-SQL still parsed the text, a stray
    backtick it read as an unknown token)."""
    if "`" in ctx.sql and any(ctx.sql[token.start] == "`" for token in ctx.tokens):
        return Slip("backticks", "backticks are MySQL quoting; use [brackets] (or no quotes)")
    return None


def limit_offset(ctx: SlipContext) -> Slip | None:
    if exp.Offset in ctx.node_types and ctx.has_token(TokenType.LIMIT, "limit"):
        return Slip("limit_offset",
                    "LIMIT ... OFFSET is not T-SQL; use ORDER BY ... OFFSET m ROWS FETCH NEXT n ROWS ONLY")
    return None


def limit(ctx: SlipContext) -> Slip | None:
    """More row limits in the tree than TOPs written: the rest came from LIMIT (a column named `Limit` adds
    a LIMIT token but no limit node)."""
    if exp.Offset in ctx.node_types or not ctx.has_token(TokenType.LIMIT, "limit"):
        return None
    tops = sum(token.token_type == TokenType.TOP for token in ctx.tokens)
    if len(ctx.nodes(exp.Limit)) > tops:
        return Slip("limit", "LIMIT is not T-SQL; use SELECT TOP n ... ORDER BY")
    return None


def ilike(ctx: SlipContext) -> Slip | None:
    if exp.ILike in ctx.node_types:
        return Slip("ilike", "ILIKE is not T-SQL; use LIKE (SQL Server's usual collations ignore case)")
    return None


def regexp(ctx: SlipContext) -> Slip | None:
    if exp.RegexpLike in ctx.node_types:
        return Slip("regexp", "REGEXP/RLIKE is not T-SQL; use LIKE with [] character classes")
    return None


def now(ctx: SlipContext) -> Slip | None:
    if any(node.name.upper() == "NOW" for node in ctx.nodes(exp.Anonymous)):
        return Slip("now", "NOW() is not T-SQL; use GETDATE() or SYSDATETIME()")
    return None


def current_date(ctx: SlipContext) -> Slip | None:
    if exp.CurrentDate in ctx.node_types and ctx.has_token(TokenType.CURRENT_DATE, "current_date"):
        return Slip("current_date", "CURRENT_DATE is not available in SQL Server; use CAST(GETDATE() AS date)")
    return None


def double_colon_cast(ctx: SlipContext) -> Slip | None:
    if ctx.has_token(TokenType.DCOLON, "::"):
        return Slip("double_colon_cast", "`::` casts are PostgreSQL; use CAST(x AS type) or CONVERT(type, x)")
    return None


def boolean_literal(ctx: SlipContext) -> Slip | None:
    if exp.Boolean in ctx.node_types:
        return Slip("boolean_literal", "T-SQL has no TRUE/FALSE literals; compare bit columns with 1/0 and "
                                       "Vista bYN columns with 'Y'/'N'")
    return None


def pipe_concat(ctx: SlipContext) -> Slip | None:
    if exp.DPipe in ctx.node_types:
        return Slip("pipe_concat", "`||` concatenation is not T-SQL before SQL Server 2025; use + or CONCAT()")
    return None


def foreign_syntax(ctx: SlipContext) -> Slip | None:
    """Text only a fallback dialect reads, for a reason no rule above names."""
    if ctx.dialect != DIALECT and backticks(ctx) is None:
        return Slip("foreign_syntax", f"T-SQL cannot parse this; only {ctx.dialect} can: rewrite it as T-SQL")
    return None


SLIP_RULES: tuple[Callable[[SlipContext], Slip | None], ...] = (
    backticks, limit_offset, limit, ilike, regexp, now, current_date, double_colon_cast, boolean_literal, pipe_concat,
    foreign_syntax,
)


def find_slips(sql: str, dialect: str, statements: list[exp.Expression]) -> list[Slip]:
    ctx = SlipContext(sql, dialect, statements)
    return [slip for rule in SLIP_RULES if (slip := rule(ctx)) is not None]
