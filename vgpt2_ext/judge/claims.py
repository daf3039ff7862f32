"""The claims a prose text states about the schema, read with the judge's mention reader (`facts.py` decides them).

Each sentence outside code is read into units as the mention reader reads it (`prose.read_sentence`: schema
names become mentions with their table and column resolved, negated, and a bare column takes the table of its
sentence that has it); a sentence without a table speaks of the one the text last named (`**Primary Key:** ...`
under `The APTH table ...`). The sentence is then written as a *shape*: each mention as `M<i>`, each other word
lower-cased, punctuation as its own word, and the claim patterns (`PATTERNS`, one table like the negation cues)
are matched over it. Which words name a type comes from the catalog (its domains and base types), never from a
list here.

A sentence is not read for claims when it is a question, or when it says that what it shows is wrong
(`NOT_ASSERTED`: "Incomplete JOIN like `ARTH.Customer = ARCM.Customer` would be incorrect"). A claim about a
negated mention is a denial, which the refusal reading judges, not a claim.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

from vgpt2_ext.catalog import Catalog, canonical_type
from vgpt2_ext.errors import CatalogError
from vgpt2_ext.judge.mentions import Mention, Names, Unit
from vgpt2_ext.judge.prose import NUMBERS, read_sentence, sentences
from vgpt2_ext.sql.cache import per_catalog

ClaimKind = Literal["key", "join", "join_pair", "type", "nullable", "code", "holder", "column_count", "holder_count",
                    "only"]


@dataclass(frozen=True)
class Claim:
    """One statement about the schema, as read.

    `subject`: key, column_count -> (table,); type, nullable, code, holder, only -> (table, column);
    holder_count -> (column,); join, join_pair -> (table, table). `stated`: what the text says of it: key
    columns (empty for "no key"), join pairs `A.x=B.y` (the whole path for `join`, some of it for
    `join_pair`) or bare column names, (type, `domain`|`base`), `yes`/`no`, (code, meaning), a count.
    """

    kind: ClaimKind
    subject: tuple[str, ...]
    stated: tuple[str, ...]
    sentence: str

    @property
    def text(self) -> str:
        """The claim in words: `the key of JCJM is (JCCo, KeyID)`."""
        return _RENDER[self.kind](self)


_RENDER: dict[str, Callable[[Claim], str]] = {
    "key": lambda c: f"the key of {c.subject[0]} is " + (f"({', '.join(c.stated)})" if c.stated else "not defined"),
    "join": lambda c: f"{c.subject[0]} joins {c.subject[1]} on {', '.join(c.stated)}",
    "join_pair": lambda c: f"{' and '.join(c.stated)} join {c.subject[0]} to {c.subject[1]}",
    "type": lambda c: f"{'.'.join(c.subject)} is of type {c.stated[0]}",  # stated: (type, `domain` | `base`)
    "nullable": lambda c: f"{'.'.join(c.subject)} is {'' if c.stated[0] == 'yes' else 'not '}nullable",
    "code": lambda c: f"{'.'.join(c.subject)} code {c.stated[0]} means {c.stated[1] or '(no meaning given)'}",
    "holder": lambda c: f"{c.subject[0]} has a column {c.subject[1]}",
    "column_count": lambda c: f"{c.subject[0]} has {c.stated[0]} columns",
    "holder_count": lambda c: f"{c.stated[0]} tables have a column named {c.subject[0]}",
    "only": lambda c: f"only {c.subject[0]} has a column named {c.subject[1]}",
}

# -- the shape language -------------------------------------------------------------------------------------
M = r"M\d+"
LIST = rf"{M}(?: (?:,|and|, and|&) {M})*"
NUM = r"(?:\d+|" + "|".join(NUMBERS) + ")"
TABLE_WORD = r"(?: (?:table|view))?"
KEY_WORD = r"(?:(?:primary|unique|natural|clustered) )?key(?: columns?)?"
NO_KEY = r"not defined|none|not declared|n / a"
TYPE = r"[a-z]\w*(?: \( (?:\d+|max)(?: , \d+)? \))?"
LINK_VERB = r"(?:join|joins|joined|joining|link|links|linked|linking|connect|connects|connecting|relate|relates)"
HAS = r"(?:has|have|contains|includes|holds|stores)"
NAMED = r"(?:a |an |the )?(?:column |field )?(?:named |called )?"

# a sentence holding one of these presents what it shows as wrong, so it states no claim
NOT_ASSERTED = re.compile(r"\b(?:incorrect|wrong|incomplete|invalid|mistaken?|avoid|never|instead of|rather than|"
                          r"would fail|fails|should not|must not|do not|does not work)\b")


@dataclass(frozen=True)
class Pattern:
    kind: str  # which reader turns a match into claims (`_READERS`)
    regex: str  # over the sentence shape; the reader names the groups it reads


PATTERNS: tuple[Pattern, ...] = (
    Pattern("key", rf"{KEY_WORD} (?:of|for|on) (?:the )?(?P<t>{M}){TABLE_WORD} (?:is|are|=) (?:: )?(?:\( )?"
                   rf"(?P<cols>{LIST}|{NO_KEY})"),
    Pattern("key", rf"(?P<t>{M}){TABLE_WORD}(?: 's)? {KEY_WORD} (?:is |are |= )?(?:: )?(?:\( )?"
                   rf"(?P<cols>{LIST}|{NO_KEY})"),
    Pattern("key", rf"(?P<t>{M}){TABLE_WORD} (?:is )?(?:keyed|uniquely identified) (?:by|on) (?:\( )?(?P<cols>{LIST})"),
    Pattern("key", rf"(?P<t>{M}){TABLE_WORD} (?:has|have) (?P<cols>no) (?:(?:primary|unique) )?key"),
    Pattern("key", rf"^{KEY_WORD} (?:: |is |are )+(?:\( )?(?P<cols>{LIST}|{NO_KEY})"),  # the table of the context
    Pattern("join", rf"{LINK_VERB} (?:the )?(?P<a>{M}){TABLE_WORD} (?:to|and|with) (?:the )?(?P<b>{M}){TABLE_WORD} "
                    rf"(?:on|by|using|through|via) (?:the )?(?:columns? )?(?:\( )?(?P<cols>{LIST})"),
    # (the words between the columns and the verb stay in one clause: `...; join A to B` starts another claim)
    Pattern("join", rf"(?<!= )(?P<cols>{LIST}) (?:(?![MQ]\d)[^\s;]+ ){{0,5}}?{LINK_VERB} (?:the )?(?P<a>{M})"
                    rf"{TABLE_WORD} (?:to|and|with) (?:the )?(?P<b>{M})"),
    Pattern("pairs", rf"(?P<a>{M}) = (?P<b>{M})"),  # each `A.x = B.y` in prose: a pair of the join path
    # `A.x = B.x and ... links A to B`: the whole path
    Pattern("whole", rf"(?P<list>{M} = {M}(?: (?:and|,|, and) {M} = {M})*) {LINK_VERB} (?:the )?(?P<a>{M})"
                     rf"{TABLE_WORD} (?:to|and|with) (?:the )?(?P<b>{M})"),
    Pattern("type", rf"(?P<c>{M}) (?:(?:=|:|-) (?:\S+ ){{1,4}}?)?\( (?P<type>{TYPE})"
                    rf"(?: , (?P<null>not null|null|nullable|not nullable))? \)"),
    Pattern("type", rf"(?P<c>{M})(?: (?:column|field))? (?:has|uses|is of|of) (?:the |a |an )?(?:\S+ )?(?:data )?type "
                    rf"(?:of )?(?:: )?(?P<type>{TYPE})"),
    Pattern("type", rf"(?P<c>{M}) is (?P<type>{TYPE})(?: , of the (?:vista )?(?:data )?type (?P<type2>{TYPE}))?"
                    rf"(?: , (?P<null>not nullable|nullable))?"),
    Pattern("codes", rf"(?P<c>{M}) (?:takes|has|uses) (?:these |the following |the )?(?:codes|values) (?:: )?"
                     rf"(?P<list>.+)"),
    Pattern("codes", rf"(?P<c>{M}) (?::|-) (?P<list>(?:\d+|Q\d+) (?:=|:) .+)"),
    Pattern("code", rf"(?P<c>{M})(?: (?:code|value|=))? (?P<v>\d+|Q\d+) (?:=|means|indicates|stands for) "
                    rf"(?P<meaning>[^;,()]+)"),
    Pattern("only", rf"only (?:the )?(?P<t>{M}){TABLE_WORD} {HAS} {NAMED}(?P<c>{M})"),
    Pattern("only", rf"(?P<c>{M})(?: (?:column|field))? (?:exists|appears|is found|is|lives) only (?:in|on) (?:the )?"
                    rf"(?P<t>{M})"),
    Pattern("only", rf"(?P<t>{M}){TABLE_WORD} is the only (?:table|view|object) (?:with|that has|having|containing) "
                    rf"{NAMED}(?P<c>{M})"),
    Pattern("holder", rf"(?P<c>{M})(?: (?:column|field))? (?:is|are) (?:stored |kept |held |found |located )?(?:in|on) "
                      rf"(?:the )?(?P<t>{M})"),
    Pattern("holder", rf"(?P<t>{M}){TABLE_WORD}(?: \( [^()]* \))? {HAS}(?: {NUM} columns)?(?: ,)?"
                      rf" (?:including |such as )?(?:: )?{NAMED}(?P<cols>{LIST})"),
    Pattern("column_count", rf"(?P<t>{M}){TABLE_WORD}(?: \( [^()]* \))? (?:has|contains|includes|holds|with) "
                            rf"(?:exactly |only )?(?P<n>{NUM}) (?:columns|fields)"),
    Pattern("column_count", rf"there (?:are|is) (?P<n>{NUM}) (?:columns|fields) (?:in|on) (?:the )?(?P<t>{M})"),
    Pattern("column_count", rf"\( (?P<n>{NUM}) (?:total|columns|columns total|in total) \)"),  # the sentence's table
    Pattern("holder_count", rf"(?P<n>{NUM}) (?:tables|views|objects) (?:have|has|contain|include) {NAMED}(?P<c>{M})"),
)


# -- reading ------------------------------------------------------------------------------------------------
@dataclass
class _Sentence:
    text: str
    units: list[Unit]
    shape: str
    table: str | None  # the table it speaks of: its first real table, else the one before it

    def unit(self, token: str) -> Unit:
        return self.units[int(token[1:])]

    def mentions(self, tokens: str) -> list[Mention]:
        return [self.unit(t).mention for t in re.findall(r"[MQ]\d+", tokens)]


def read_claims(text: str, catalog: Catalog) -> list[Claim]:
    """Every claim about the schema that `text` states in prose (fenced code left out), in order."""
    names = Names(catalog)
    found: list[Claim] = []
    context: str | None = None
    for sentence in _sentences(text, names):
        context = sentence.table = sentence.table or context
        if sentence.text.rstrip().endswith("?") or NOT_ASSERTED.search(sentence.text.lower()):
            continue
        for pattern in PATTERNS:
            for match in _compiled(pattern.regex).finditer(sentence.shape):
                found += _READERS[pattern.kind](match, sentence, catalog)
    return list(dict.fromkeys(found))


def _sentences(text: str, names: Names) -> Iterator[_Sentence]:
    for text_of in sentences(text):
        units = read_sentence(text_of, names)
        shape = " ".join(_token(i, unit) for i, unit in enumerate(units))
        tables = [u.mention.table for u in units if u.is_table and u.mention.exists and not u.mention.negation]
        yield _Sentence(text_of, units, shape, tables[0] if tables else None)


def _token(index: int, unit: Unit) -> str:
    """A unit in the shape: `M<i>` (`Q<i>` when quoted), or its word. A capitalised word that merely spells a
    column and is a word the patterns read (`**Primary Key:**`, `To join ...`) stays a word."""
    mention = unit.mention
    if mention is None:
        return unit.word
    if unit.source == "column" and not mention.marked and mention.text.lower() in _pattern_words():
        return mention.text.lower()
    return f"{'Q' if unit.source == 'quoted' else 'M'}{index}"


@cache
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\S)(?:{regex})(?!\S)")


@cache
def _pattern_words() -> frozenset[str]:
    return frozenset(word for pattern in PATTERNS for word in re.findall(r"[a-z]{2,}", pattern.regex))


# -- readers: one per pattern kind, each (match, sentence, catalog) -> claims --------------------------------
def _group(match: re.Match, name: str) -> str | None:
    """The text of group `name`, or None when the pattern has no such group or it matched nothing."""
    return match[name] if name in match.re.groupindex else None


def _asserted(mention: Mention | None) -> bool:
    return mention is not None and mention.negation is None


def _table(mention: Mention | None, catalog: Catalog) -> str | None:
    """The catalog table a mention names (a column mention names no table here)."""
    if not _asserted(mention) or mention.column is not None:
        return None
    obj = catalog.find(mention.table or "")
    return obj.name if obj else None


def _column(mention: Mention | None, sentence: _Sentence, catalog: Catalog) -> tuple[str, str] | None:
    """(table, column) of a column mention: its own table, else the sentence's table when that has it."""
    if not _asserted(mention) or mention.column is None:
        return None
    for table in (mention.table, sentence.table):
        if table and catalog.column(table, mention.column) is not None:
            return catalog.find(table).name, catalog.column(table, mention.column).name
    return None


def _key(match: re.Match, sentence: _Sentence, catalog: Catalog) -> list[Claim]:
    table = _table(sentence.unit(match["t"]).mention, catalog) if _group(match, "t") else sentence.table
    if table is None:
        return []
    listed = sentence.mentions(match["cols"])
    if listed and not all(_asserted(m) and m.column is not None for m in listed):
        return []
    return [Claim("key", (table,), tuple(m.column for m in listed), sentence.text)]


def _join(match: re.Match, sentence: _Sentence, catalog: Catalog) -> list[Claim]:
    a, b = (_table(sentence.unit(match[g]).mention, catalog) for g in ("a", "b"))
    listed = sentence.mentions(match["cols"])
    if not a or not b or a == b or not all(_join_column(m, a, b, catalog) for m in listed):
        return []
    return [Claim("join", (a, b), tuple(dict.fromkeys(m.column for m in listed)), sentence.text)]


def _join_column(mention: Mention, a: str, b: str, catalog: Catalog) -> bool:
    """A column named in a join claim: presented as one, or a column of either table (a capitalised word that
    merely spells some column, `To correctly join ...`, is not)."""
    return _asserted(mention) and mention.column is not None and (
        mention.marked or any(catalog.column(t, mention.column) is not None for t in (a, b)))


def _pairs(match: re.Match, sentence: _Sentence, catalog: Catalog) -> list[Claim]:
    """`A.x = B.y` written in prose: each is a pair of the join path between A and B."""
    found = _written_pairs(match[0], sentence)
    return [Claim("join_pair", tables, pairs, sentence.text) for tables, pairs in found.items()]


def _whole(match: re.Match, sentence: _Sentence, catalog: Catalog) -> list[Claim]:
    """`A.x = B.x and A.y = B.y links A to B`: the pairs are the whole join path."""
    tables = tuple(sorted(_table(sentence.unit(match[g]).mention, catalog) or "" for g in ("a", "b")))
    pairs = _written_pairs(match["list"], sentence).get(tables)
    return [Claim("join", tables, pairs, sentence.text)] if pairs else []


def _written_pairs(shape: str, sentence: _Sentence) -> dict[tuple[str, str], tuple[str, ...]]:
    """(table, table) -> `A.x=B.y` texts, for the `M = M` pairs of `shape` between columns of two tables."""
    found: dict[tuple[str, str], list[str]] = {}
    for x, y in re.findall(rf"(?<!\S)({M}) = ({M})(?!\S)", shape):
        left, right = sentence.unit(x).mention, sentence.unit(y).mention
        if all(_asserted(m) and m.table and m.column and m.exists for m in (left, right)) and left.table != right.table:
            tables = tuple(sorted((left.table, right.table)))
            found.setdefault(tables, []).append(_pair_text(left, right, tables[0]))
    return {tables: tuple(sorted(set(pairs))) for tables, pairs in found.items()}


def _pair_text(x: Mention, y: Mention, first: str | None) -> str:
    x, y = (x, y) if x.table == first else (y, x)
    return f"{x.table}.{x.column}={y.table}.{y.column}"


def _type(match: re.Match, sentence: _Sentence, catalog: Catalog) -> list[Claim]:
    column = _column(sentence.unit(match["c"]).mention, sentence, catalog)
    if column is None:
        return []
    found = [Claim("type", column, stated, sentence.text)
             for stated in (type_name(_group(match, g), catalog) for g in ("type", "type2")) if stated]
    null = _group(match, "null")
    if null and found:
        found.append(Claim("nullable", column, ("no" if null.startswith("not") else "yes",), sentence.text))
    return found


def _codes(match: re.Match, sentence: _Sentence, catalog: Catalog) -> list[Claim]:
    column = _column(sentence.unit(match["c"]).mention, sentence, catalog)
    if column is None:
        return []
    items = re.findall(r"(?:^|[;,] )(\d+|Q\d+) (?:=|:) ([^;,]*)", match["list"])
    return [Claim("code", column, (_code_value(value, sentence), meaning.strip()), sentence.text)
            for value, meaning in items]


def _code(match: re.Match, sentence: _Sentence, catalog: Catalog) -> list[Claim]:
    column = _column(sentence.unit(match["c"]).mention, sentence, catalog)
    if column is None:
        return []
    return [Claim("code", column, (_code_value(match["v"], sentence), match["meaning"].strip()), sentence.text)]


def _code_value(token: str, sentence: _Sentence) -> str:
    return sentence.unit(token).mention.text.strip("'\"") if token.startswith("Q") else token


def _only(match: re.Match, sentence: _Sentence, catalog: Catalog) -> list[Claim]:
    table = _table(sentence.unit(match["t"]).mention, catalog)
    mention = sentence.unit(match["c"]).mention
    if table is None or not _asserted(mention) or mention.column is None:
        return []
    return [Claim("only", (table, mention.column), (), sentence.text)]


def _holder(match: re.Match, sentence: _Sentence, catalog: Catalog) -> list[Claim]:
    table = _table(sentence.unit(match["t"]).mention, catalog)
    listed = sentence.mentions(_group(match, "cols") or match["c"])
    if table is None or sentence.shape[:match.start()].endswith("only "):
        return []  # `only T has C` is an `only` claim
    return [Claim("holder", (table, m.column), (), sentence.text) for m in listed
            if _asserted(m) and m.column is not None and m.table in (None, table)]


def _column_count(match: re.Match, sentence: _Sentence, catalog: Catalog) -> list[Claim]:
    table = _table(sentence.unit(match["t"]).mention, catalog) if _group(match, "t") else sentence.table
    return [Claim("column_count", (table,), (number(match["n"]),), sentence.text)] if table else []


def _holder_count(match: re.Match, sentence: _Sentence, catalog: Catalog) -> list[Claim]:
    mention = sentence.unit(match["c"]).mention
    if not _asserted(mention) or mention.column is None:
        return []
    return [Claim("holder_count", (mention.column,), (number(match["n"]),), sentence.text)]


_READERS: dict[str, Callable[[re.Match, _Sentence, Catalog], list[Claim]]] = {
    "key": _key, "join": _join, "pairs": _pairs, "whole": _whole, "type": _type, "codes": _codes, "code": _code,
    "only": _only, "holder": _holder, "column_count": _column_count, "holder_count": _holder_count,
}


def number(word: str) -> str:
    """`61` -> `61`; `two` -> `2`."""
    return NUMBERS.get(word, word)


# -- type names, from the catalog ---------------------------------------------------------------------------
def type_name(words: str | None, catalog: Catalog) -> tuple[str, str] | None:
    """(spelling, `domain` or `base`) of the type `words` names (`bvendor` -> (`bVendor`, `domain`),
    `numeric ( 12 , 2 )` -> (`numeric(12,2)`, `base`)), or None when it is no Vista domain or base type this
    catalog uses (then the words are no type claim)."""
    if not words:
        return None
    domains, bases = type_names(catalog)
    text = words.replace(" ", "")
    if text in domains:
        return domains[text], "domain"
    try:
        canonical = canonical_type(text)
    except CatalogError:
        return None
    return (canonical, "base") if canonical.split("(")[0] in bases else None


@per_catalog(maxsize=8)
def type_names(catalog: Catalog) -> tuple[dict[str, str], frozenset[str]]:
    """The catalog's Vista domains (lower case -> spelling) and the base type names its columns use."""
    domains = {c.domain.lower(): c.domain for obj in catalog.objects for c in obj.columns if c.domain}
    bases = frozenset(c.sql_type.split("(")[0] for obj in catalog.objects for c in obj.columns if c.sql_type)
    return domains, bases
