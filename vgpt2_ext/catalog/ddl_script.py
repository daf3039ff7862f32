"""Reading T-SQL scripts as a DDL dump holds them: files -> `GO` batches -> statements, by sqlglot's tokenizer.

A Redgate or SSMS dump is not one parseable text: `GO` separates batches (a client command, not T-SQL),
statements inside a batch need no semicolons (`CREATE TABLE ... ON [PRIMARY]` then `CREATE INDEX ...`),
and a batch that creates a view, procedure, trigger or function is that one statement, however many
statements its body holds. This module finds those boundaries on tokens, so brackets, strings and
comments never confuse it; `ddl_loader` decides what each statement means.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vgpt2_ext.errors import CatalogError

DDL_SUFFIX = ".sql"
# words that begin a new statement at paren depth 0 in a batch of DDL (DML is left out: `ON DELETE
# CASCADE` in a foreign key must not split it)
STATEMENT_STARTS = frozenset({"CREATE", "ALTER", "GRANT", "DENY", "REVOKE", "EXEC", "EXECUTE", "SET", "DROP",
                              "USE", "DECLARE", "IF", "PRINT"})
# objects whose CREATE takes the whole batch
MODULE_KINDS = frozenset({"VIEW", "PROCEDURE", "PROC", "TRIGGER", "FUNCTION"})


@dataclass(frozen=True)
class Statement:
    """One statement: its tokens, its text, and where it came from (for messages)."""

    tokens: tuple  # sqlglot Tokens
    text: str
    file: Path
    line: int

    @property
    def words(self) -> tuple[str, ...]:
        """The leading keywords, upper-cased, up to the first name or parenthesis (`CREATE UNIQUE INDEX`)."""
        from sqlglot.tokens import TokenType

        words = []
        for token in self.tokens:
            if token.token_type in (TokenType.IDENTIFIER, TokenType.L_PAREN):
                break
            words += token.text.upper().split()  # the tokenizer joins some pairs: `CLUSTERED INDEX`
        return tuple(words)

    def name_after(self, word: str) -> str:
        """The unqualified name following keyword `word` (`CREATE VIEW [dbo].[APTH]` -> `APTH`)."""
        from sqlglot.tokens import TokenType

        texts = [t.text.upper() for t in self.tokens]
        name = ""
        for token in self.tokens[texts.index(word) + 1:] if word in texts else ():
            if token.token_type not in (TokenType.IDENTIFIER, TokenType.VAR, TokenType.DOT):
                break
            name = token.text if token.token_type != TokenType.DOT else name
        if not name:
            raise CatalogError(f"{self.where}: no name after `{word}`")
        return name

    @property
    def where(self) -> str:
        return f"`{self.file}` line {self.line}"


def script_files(path: Path) -> list[Path]:
    """The `.sql` files of `path` (itself, or every one under the folder, sorted for a stable catalog)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob(f"*{DDL_SUFFIX}") if p.is_file())


def read_statements(file: Path) -> Iterator[Statement]:
    text = _read_text(file)
    for batch, first_line in _batches(text):
        yield from _statements(batch, file, first_line)


def _read_text(file: Path) -> str:
    """SSMS writes UTF-16 with a byte-order mark, Redgate UTF-8 (with or without one)."""
    raw = file.read_bytes()
    encoding = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1 if encoding != "utf-16" else "?"
        raise CatalogError(f"`{file}` line {line} is not {encoding.replace('-sig', '').upper()} text: "
                           f"{error.reason} at byte {error.start}; save the script as UTF-8 or UTF-16") from None


def _batches(text: str) -> Iterator[tuple[str, int]]:
    """(batch text, line of its first line). `GO` alone on a line (optionally `GO 5`) ends a batch."""
    lines, start = [], 1
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if words and words[0].upper() == "GO" and (len(words) == 1 or words[1].isdigit()) and len(words) <= 2:
            yield "\n".join(lines), start
            lines, start = [], number + 1
        else:
            lines.append(line)
    yield "\n".join(lines), start


def _statements(batch: str, file: Path, first_line: int) -> Iterator[Statement]:
    tokens = _tokenize(batch, file, first_line)
    if not tokens:
        return
    if _creates_module(tokens):
        yield _statement(batch, tokens, file, first_line)
        return
    for chunk in _split(tokens):
        yield _statement(batch, chunk, file, first_line)


def _tokenize(batch: str, file: Path, first_line: int) -> list:
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import TokenError

    try:
        return Dialect.get_or_raise("tsql").tokenize(batch)
    except TokenError as error:
        raise CatalogError(f"`{file}` batch at line {first_line} does not tokenize as T-SQL: {error}") from None


def _creates_module(tokens: list) -> bool:
    words = [t.text.upper() for t in tokens[:4]]
    if words[:1] not in (["CREATE"], ["ALTER"]):
        return False
    rest = words[3:] if words[1:3] == ["OR", "ALTER"] else words[1:]
    return bool(rest) and rest[0] in MODULE_KINDS


def _split(tokens: list) -> Iterator[list]:
    """Statements of a batch: a new one at each statement-starting word or `;` at paren depth 0."""
    from sqlglot.tokens import TokenType

    chunk: list = []
    depth = 0
    for token in tokens:
        starts = token.token_type != TokenType.IDENTIFIER and token.text.upper() in STATEMENT_STARTS
        if depth == 0 and chunk and (starts or token.token_type == TokenType.SEMICOLON):
            yield chunk
            chunk = []
        if token.token_type == TokenType.SEMICOLON:
            continue
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
        chunk.append(token)
    if chunk:
        yield chunk


def _statement(batch: str, tokens: list, file: Path, first_line: int) -> Statement:
    text = batch[tokens[0].start:tokens[-1].end + 1]
    return Statement(tuple(tokens), text, file, first_line + tokens[0].line - 1)
