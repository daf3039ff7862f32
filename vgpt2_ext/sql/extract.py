"""SQL from a chat answer: fenced code blocks, or statements written bare in the prose.

Fences are markdown structure, found line by line. A `sql`/`tsql` fence is SQL whatever it holds; a
plain fence is SQL when its first token starts a T-SQL statement (a box-drawing diagram is not). When an
answer fences no SQL, statements in its prose are found where an upper-case SELECT or WITH begins (in
prose the lower-case words are English) and end where the parser says: the longest stretch up to a `;`, a
sentence end or the paragraph end that parses as statements reading a table, as T-SQL or, so that a dialect
slip is judged as one rather than as no SQL at all, as a fallback dialect (MySQL backticks). Answers cut at a
fixed length leave a fence unclosed or a statement unfinished; such a block is marked `truncated`, and
its SQL then fails to parse with a reason saying the text stops mid-statement.

>>> extract_sql("Here is the query: SELECT Name FROM APVM WITH (NOLOCK) WHERE VendorGroup = 1. It lists vendors.")
['SELECT Name FROM APVM WITH (NOLOCK) WHERE VendorGroup = 1']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sql.parse import incomplete, parse_any, tokenize

SQL_FENCES = frozenset({"sql", "tsql", "t-sql", "mssql", "sqlserver", "transact-sql"})
STATEMENT_STARTS = frozenset({
    TokenType.SELECT, TokenType.WITH, TokenType.INSERT, TokenType.UPDATE, TokenType.DELETE, TokenType.MERGE,
    TokenType.DECLARE, TokenType.EXECUTE, TokenType.CREATE, TokenType.ALTER, TokenType.DROP, TokenType.TRUNCATE,
})
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([^\s`]*)")
_START = re.compile(r"\b(?:SELECT|WITH)\b")
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r";|\.(?=\s|$)")


@dataclass(frozen=True)
class Extracted:
    sql: str
    fenced: bool  # from a code fence, not the prose
    truncated: bool  # the answer ends inside it: an unclosed fence, or a bare statement cut mid-way


def extract_sql(answer: str) -> list[str]:
    """The SQL texts of `answer`, in order (a fenced block is one text, whatever its statement count)."""
    return [block.sql for block in extract_blocks(answer)]


def extract_blocks(answer: str) -> list[Extracted]:
    fenced, prose = _fences(answer)
    if fenced:
        return fenced
    return [block for part in prose for block in _bare(part, reaches_end=part is prose[-1])]


def _fences(answer: str) -> tuple[list[Extracted], list[str]]:
    """SQL fenced blocks, and the prose between fences (where bare statements may be)."""
    blocks: list[Extracted] = []
    prose: list[str] = []
    lines = answer.split("\n")
    i, start = 0, 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        close = _closing(lines, i + 1, opening[1])
        body = "\n".join(lines[i + 1:close]).strip()
        if opening[2].lower() in SQL_FENCES or (not opening[2] and _starts_statement(body)):
            blocks.append(Extracted(body, fenced=True, truncated=close == len(lines)))
        prose.append("\n".join(lines[start:i]))
        i = start = close + 1
    prose.append("\n".join(lines[start:]))
    return blocks, prose


def _closing(lines: list[str], start: int, marker: str) -> int:
    """The index of the line closing a fence opened with `marker`; len(lines) when it never closes."""
    for j in range(start, len(lines)):
        stripped = lines[j].strip()
        if stripped.startswith(marker[0] * len(marker)) and not stripped.strip(marker[0]):
            return j
    return len(lines)


def _starts_statement(body: str) -> bool:
    tokens = _tokens(body)
    return bool(tokens) and tokens[0].token_type in STATEMENT_STARTS


def _bare(text: str, reaches_end: bool) -> list[Extracted]:
    found: list[Extracted] = []
    position = 0
    for start in _START.finditer(text):
        if start.start() < position:
            continue  # inside a statement already taken
        block, end = _statement_at(text, start.start(), reaches_end)
        if block is not None:
            found.append(block)
            position = end
    return found


def _statement_at(text: str, start: int, reaches_end: bool) -> tuple[Extracted | None, int]:
    """The longest stretch from `start` that parses as statements reading a table; else, at the end of a
    cut answer, the unfinished statement."""
    in_code = start > 0 and text[start - 1] == "`"
    limit = text.find("`", start) if in_code else -1
    if limit < 0:
        paragraph = _PARAGRAPH_END.search(text, start)
        limit = paragraph.start() if paragraph else len(text)
    segment = text[start:limit]
    cuts = [m.end() if m[0] == ";" else m.start() for m in _SENTENCE_END.finditer(segment)]
    for cut in sorted(set(cuts + [len(segment)]), reverse=True):
        if _reads_table(segment[:cut]):
            return Extracted(segment[:cut].strip(), fenced=False, truncated=False), start + cut
    if reaches_end and limit == len(text) and incomplete(segment) and _reaches_from(segment):
        return Extracted(segment.strip(), fenced=False, truncated=True), limit
    return None, start


def _reaches_from(sql: str) -> bool:
    """Whether an unfinished statement got as far as FROM (so it is a query, not a sentence about SELECT)."""
    return any(token.token_type == TokenType.FROM for token in _tokens(sql))


def _tokens(text: str) -> list[Token]:
    """The T-SQL tokens of `text`; of the part before its last quote when the text was cut inside a string
    literal; none when it does not tokenize at all."""
    for part in (text, text[:text.rfind("'")]):
        try:
            return tokenize(part)
        except SQLAnalysisError:
            continue
    return []


def _reads_table(sql: str) -> bool:
    try:
        _, statements = parse_any(sql)
    except SQLAnalysisError:
        return False
    return all(statement.find(exp.Table) is not None for statement in statements)
