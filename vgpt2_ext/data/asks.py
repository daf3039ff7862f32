"""What a question asks, read from its words: a row limit, a company, a table code; and its shape.

The SQL side of every check is read by the parser (`features`); this is the natural-language side, which no
parser reads. It stays small on purpose: a few word lists, each the phrases the builders and real users use.

- `asks_for_limit`: the question wants the first, largest, latest, a sample or N rows (so TOP is right);
- `stated_companies`: company numbers the question gives (`company 3`, `Co 3`, `AP company 3`, `APCo = 3`);
- `names_table_code`: the question (without the SQL it quotes) names a Vista object by its code (`APTH`,
  `bAPTH`, a missing `APTX`), rather than in business words;
- `shape`: the question with identifiers, numbers, strings and months masked, for counting distinct shapes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlglot.tokens import TokenType

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.data.literals import MONTH_NAMES
from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sql.extract import extract_sql
from vgpt2_ext.sql.parse import tokenize

_FENCE = re.compile(r"```.*?(```|$)", re.S)
_COUNT = (r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|twenty-five|fifty|"
          r"a hundred|one hundred|a dozen)")  # "list five invoices" asks for five as "list 5 invoices" does
_LIMIT_WORDS = re.compile(
    rf"\b(?:top|first|largest|biggest|highest|lowest|smallest|latest|newest|oldest|earliest|most recent|"
    rf"last {_COUNT}(?! (?:days?|weeks?|months?|quarters?|years?)\b)|most|least|sample|a few|"
    rf"{_COUNT} (?:rows|records|lines|entries)|limit|"
    rf"(?:show|list|give|get|pull|return|fetch)(?: me)?(?: the)? {_COUNT})\b", re.I)
_COMPANY = re.compile(r"\b(?:[A-Z]{2}Co|Co|co|[Cc]ompany(?:I[Dd])?)\b\.?\s*(?:=\s*|number\s+|no\.?\s*|#\s*)?(\d+)\b")
_WORD = re.compile(r"'[^']*'|\"[^\"]*\"|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?|\d[\d\-:./,]*|\S")
_ALPHA = re.compile(r"[a-z]+")
_MONTHS = frozenset(m.lower() for m in MONTH_NAMES) | frozenset(m[:3].lower() for m in MONTH_NAMES)


def prose(question: str) -> str:
    """The question without the SQL it quotes (fenced blocks, or everything from a bare SELECT/WITH on)."""
    text = _FENCE.sub(" ", question)
    bare = re.search(r"\b(?:SELECT|WITH)\b", text)
    return text[:bare.start()] if bare else text


def asks_for_limit(question: str) -> bool:
    """Whether the question asks for a bounded number of rows (first, top, largest, latest, N rows, a sample),
    or quotes a query that already limits them (TOP, or LIMIT to be fixed)."""
    return _LIMIT_WORDS.search(prose(question)) is not None or _quotes_limit(question)


def _quotes_limit(question: str) -> bool:
    """Whether a query the question quotes has TOP or LIMIT (read by the T-SQL tokenizer, so a query that does
    not parse is read too)."""
    for sql in extract_sql(question):
        try:
            tokens = tokenize(sql)
        except SQLAnalysisError:
            continue
        if any(token.token_type in (TokenType.TOP, TokenType.LIMIT) for token in tokens):
            return True
    return False


def stated_companies(question: str) -> frozenset[str]:
    """Company numbers the question states, in its words or in the SQL it quotes."""
    return frozenset(m[1] for m in _COMPANY.finditer(question))


def names_table_code(question: str, catalog: Catalog, missing: Iterable[str] = ()) -> bool:
    """Whether the words of the question (not its quoted SQL) name an object by its code: a catalog object or
    base table written as a code (two capitals or more: APTH, bAPTH, vSMCO), or a code the row calls missing."""
    missing_codes = {name.lower() for name in missing if "." not in name}
    for token in _WORD.findall(prose(question)):
        name = token.split(".")[0]
        if sum(ch.isupper() for ch in name) < 2:
            continue
        if name.lower() in missing_codes or catalog.find(name) is not None:
            return True
    return False


def shape(question: str, catalog: Catalog) -> str:
    """The question's template: quoted SQL -> Q, strings -> S, numbers and dates -> N, month names -> M,
    identifiers (codes, CamelCase names, `Table.Column`, catalog objects) -> I; words lower-cased."""
    out: list[str] = []
    text = _FENCE.sub(" Q ", question)
    bare = re.search(r"\b(?:SELECT|WITH)\b", text)
    if bare:
        text = text[:bare.start()] + " Q"
    for token in _WORD.findall(text):
        out.append(_mask(token, catalog))
    return " ".join(out)


def _mask(token: str, catalog: Catalog) -> str:
    if token[0] in "'\"":
        return "S"
    if token[0].isdigit():
        return "N"
    if token.lower() in _MONTHS:
        return "M"
    if token == "Q":
        return "Q"
    if "." in token or any(ch.isupper() for ch in token[1:]) or any(ch.isdigit() for ch in token):
        return "I"
    if token[0].isupper() and catalog.find(token) is not None:
        return "I"
    return token.lower()


def words(question: str) -> list[str]:
    """Lower-case alphabetic words of the question's prose (its quoted SQL and its numbers left out), for
    bigram distinctness."""
    return _ALPHA.findall(prose(question).lower())
