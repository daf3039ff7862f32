"""Finding the schema names in one sentence of prose, with the words read together with each.

A word is a candidate mention when it is a catalog object (`APTH`, `bAPTH`), a dotted `Table.Column`, a
Vista-looking code the catalog lacks (`APCM`, `PRTB`: a module prefix and 2-4 capitals), a *watched* name
(the case's forbid and suggest entries, any case, singular or plural), a catalog column name spelled with
capitals (`VendorGroup`), or a quoted/backticked/CamelCase identifier. Marker words give a mention its
kind (`table called X`, `the X column`); containers give a column its table (`the Status column in APTH`,
`APTH's Status`, `the APTH Status column`), so `Table.Column` comes out whole.

A mention is *marked* (presented as a schema object, not used as a word) when it is dotted, a catalog
object, Vista-looking, or a capitalised watched/CamelCase/quoted name beside a marker word. Only marked
mentions of missing objects can be hallucinations: plain English (`AP invoices are in APTH`, `the Vendor
Master table`) never is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.sql.cache import per_catalog

Strength = Literal["strong", "weak"]

_MODULES = "AP|AR|CM|EM|GL|HQ|HR|IN|JB|JC|MS|PM|PO|PR|SL|SM|DD|RQ|PC|UD|WF|VA|CR"
VISTA_CODE = re.compile(rf"^[bv]?(?:{_MODULES})[A-Z]{{2,4}}$")
# upper-case words shaped like Vista codes that are SQL keywords or English
NOT_CODES = frozenset({"APPLY", "CREATE", "CROSS", "INNER", "INSERT", "INTO", "INDEX", "PRINT", "PROC", "VALUES",
                       "ARRAY", "PRAGMA", "GLOB", "INET", "VACUUM", "EMAIL", "PROD", "POST", "PRICE", "INPUT"})
_CAMEL = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+$|^[A-Za-z]+_\w+$")
_IDENTIFIER = re.compile(r"^[A-Za-z_#][\w$#@]*(?:\.[A-Za-z_][\w$#@]*)*$")
TOKEN = re.compile(
    r"`(?P<tick>[^`\n]{1,120})`|'(?P<single>[A-Za-z_#][\w.#@$]{0,80})'|\"(?P<double>[A-Za-z_#][\w.#@$]{0,80})\""
    r"|\[(?P<bracket>[A-Za-z_][\w$#@]{0,80})\]|(?P<word>@?[A-Za-z_#][\w$#@]*(?:\.[A-Za-z_][\w$#@]*)*|\d+)"
    r"|(?P<punct>'s\b|[;,:()|/=])"
)
TABLE_MARKERS = frozenset({"table", "tables", "view", "views"})
COLUMN_MARKERS = frozenset({"column", "columns", "field", "fields"})
MARKERS = TABLE_MARKERS | COLUMN_MARKERS
_NAMING = frozenset({"called", "named"})
_CONTAINER_WORDS = frozenset({"in", "on", "of", "from", "within"})
_OWNERS = frozenset({"object", "code", "watched"})  # candidates that can own a column: real or refused tables


@dataclass(frozen=True)
class Mention:
    """One schema name in prose: what it names, whether it exists, and whether the text negates it."""

    text: str  # as written
    table: str | None  # catalog spelling when known; None for a column whose table the text does not say
    column: str | None  # None for a table mention
    exists: bool
    marked: bool  # presented as a schema object, not just a word
    negation: Strength | None = None
    sentence: int = 0

    @property
    def name(self) -> str:
        return ".".join(part for part in (self.table, self.column) if part)

    def matches(self, target: str, *, vague: bool = False) -> bool:
        """Whether this mention names `target` (`APTH`, `APTH.Status`). With `vague`, a column mention that
        does not say its table (`Status does not exist`) matches `Table.Column` of any table."""
        table, _, column = target.rpartition(".")
        if not table:
            return self.column is None and same(self.table, column)
        return same(self.column, column) and (same(self.table, table) or (vague and self.table is None))


def same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


@dataclass
class Unit:
    """A word of the sentence, or a candidate mention (`word` is then `M`)."""

    word: str
    mention: Mention | None = None
    source: str = ""  # why it is a candidate: object, code, dotted, watched, column, camel, quoted
    contained: list[Mention] = field(default_factory=list)  # container tables read with this column

    @property
    def is_table(self) -> bool:
        return self.mention is not None and self.mention.column is None

    @property
    def is_bare_column(self) -> bool:
        return self.mention is not None and self.mention.column is not None and self.mention.table is None


class Names:
    """Lookups over one catalog plus the case's watched names."""

    def __init__(self, catalog: Catalog, watch: tuple[str, ...] = ()) -> None:
        self.catalog = catalog
        self.watch = watch
        self.columns, self.spelled_columns = column_names(catalog)

    def object(self, word: str, loose: bool) -> str | None:
        """The catalog object `word` names; a plain capitalised word (`Companies`) only when `loose`, and a
        word spelled exactly as a column but not as the object (`JCCo`, not the table `JCCO`) never."""
        obj = self.catalog.find(word)
        if obj is None or (word in self.spelled_columns and word != obj.name):
            return None
        return obj.name if loose or sum(ch.isupper() for ch in word) >= 2 or not word.isalpha() else None

    def watched(self, word: str) -> tuple[str | None, str | None] | None:
        """(table, None) or (None, column) for the watched entry whose last part `word` spells, any case,
        singular or plural; a bare column word does not say which table it belongs to."""
        for entry in self.watch:
            table, _, last = entry.rpartition(".")
            if singular(word.lower()) == singular(last.lower()):
                return (None, last) if table else (last, None)
        return None

    def exists(self, table: str | None, column: str | None) -> bool:
        if column is None:
            return table is not None and self.catalog.has(table)
        if table is None:
            return column.lower() in self.columns
        return self.catalog.column(table, column) is not None

    def mention(self, text: str, table: str | None, column: str | None, marked: bool) -> Mention:
        obj = self.catalog.find(table) if table else None
        return Mention(text, obj.name if obj else table, column, self.exists(table, column), marked)


_COLUMN_CACHE: dict[int, tuple[Catalog, frozenset[str], frozenset[str]]] = {}


def column_names(catalog: Catalog) -> tuple[frozenset[str], frozenset[str]]:
    """Every column name in the catalog: lower case, and as spelled (built once per catalog object)."""
    cached = _COLUMN_CACHE.get(id(catalog))
    if cached is None or cached[0] is not catalog:
        if len(_COLUMN_CACHE) >= 8:
            _COLUMN_CACHE.clear()
        spelled = frozenset(c.name for obj in catalog.objects for c in obj.columns)
        cached = _COLUMN_CACHE[id(catalog)] = (catalog, frozenset(name.lower() for name in spelled), spelled)
    return cached[1], cached[2]


def singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# -- candidates ---------------------------------------------------------------------------------------------
def units_of(sentence: str, names: Names) -> list[Unit]:
    """The sentence as units: candidate mentions, with kind and container resolved, and plain words."""
    return _containers(_markers(_tokens(sentence, names), names), names)


def _tokens(text: str, names: Names) -> list[Unit]:
    units: list[Unit] = []
    for match in TOKEN.finditer(text):
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "tick" and not _IDENTIFIER.match(value.strip()):
            units += _tokens(value, names)  # inline code: read its words
            continue
        quoted = kind in ("tick", "single", "double", "bracket")
        units.append(_candidate(value.strip(), quoted, names) or Unit(value.lower()))
    return units


def _candidate(text: str, quoted: bool, names: Names) -> Unit | None:
    found = _candidate_of(names.catalog, names.watch, text, quoted)
    return Unit("M", *found) if found is not None else None


@per_catalog(maxsize=1 << 16)
def _candidate_of(catalog: Catalog, watch: tuple[str, ...], text: str, quoted: bool) -> tuple[Mention, str] | None:
    """A word's mention and why it is a candidate, once per catalog, watch list and spelling: a word depends on
    nothing else, and prose repeats its words (a 6,000-row dataset reads 215,000 words, most of them again)."""
    names = Names(catalog, watch)
    text = text[4:] if text[:4].lower() == "dbo." else text
    if "." in text:
        return _dotted(text, names)
    if not _IDENTIFIER.match(text):
        return None
    if obj := names.object(text, loose=quoted):
        return names.mention(text, obj, None, marked=True), "object"
    if VISTA_CODE.match(text) and text not in NOT_CODES and text.lower() not in names.columns:
        return names.mention(text, text, None, marked=True), "code"
    if watched := names.watched(text):
        return names.mention(text, watched[0], watched[1], marked=False), "watched"
    if text.lower() in names.columns and not text.islower():
        return names.mention(text, None, text, marked=False), "column"
    if quoted or _CAMEL.match(text):
        return names.mention(text, text, None, marked=False), "quoted" if quoted else "camel"
    return None


def _dotted(text: str, names: Names) -> tuple[Mention, str] | None:
    table, _, column = text.rpartition(".")
    if "." in table or not column[:1].isupper():
        return None
    if not (names.object(table, loose=True) or names.watched(table) or VISTA_CODE.match(table)):
        return None
    return names.mention(text, table, column, marked=True), "dotted"


def _markers(units: list[Unit], names: Names) -> list[Unit]:
    """`table called X`, `column X`, `the X table`, `the X column`: the marker sets X's kind."""
    for i, unit in enumerate(units):
        if unit.mention is None:
            continue
        before = units[i - 1].word if i >= 1 else ""
        if before in _NAMING and i >= 2:
            before = units[i - 2].word
        after = units[i + 1].word if i + 1 < len(units) else ""
        for marker in (before, after):
            if marker in MARKERS:
                _mark(unit, marker, names)
                break
    return units


def _mark(unit: Unit, marker: str, names: Names) -> None:
    mention = unit.mention
    if mention is None or unit.source in ("dotted", "object", "code"):
        return
    capitalised = mention.text[:1].isupper()
    if marker in COLUMN_MARKERS:
        table = mention.table if mention.column is not None else None
        unit.mention = names.mention(mention.text, table, mention.column or mention.text, marked=capitalised)
    elif unit.source != "column" or _CAMEL.match(mention.text):  # `the Vendor table` is English
        unit.mention = names.mention(mention.text, mention.table or mention.text, None, marked=capitalised)


def _containers(units: list[Unit], names: Names) -> list[Unit]:
    """`X column in T`, `T's X`, `the T X column`: column X gets table T, and T is read as X's container."""
    out: list[Unit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        owner = _owner_after(units, i)
        if owner is not None:
            _contain(unit, units[owner], names)
            out.append(unit)
            i = owner + 1
            continue
        owned = i + 2 if i + 2 < len(units) and units[i + 1].word == "'s" else i + 1
        if unit.is_table and unit.source in _OWNERS and owned < len(units) and units[owned].is_bare_column:
            _contain(units[owned], unit, names)
            out.append(units[owned])
            i = owned + 1
            continue
        out.append(unit)
        i += 1
    return out


def _owner_after(units: list[Unit], i: int) -> int | None:
    """The index of T in `X [column] in|on|of [the] T`, when X is a column without a table."""
    if not units[i].is_bare_column:
        return None
    j = i + 1
    j += 1 if j < len(units) and units[j].word in COLUMN_MARKERS else 0
    if j >= len(units) or units[j].word not in _CONTAINER_WORDS:
        return None
    j += 2 if j + 1 < len(units) and units[j + 1].word == "the" else 1
    return j if j < len(units) and units[j].is_table and units[j].source in _OWNERS else None


def _contain(column: Unit, table: Unit, names: Names) -> None:
    inner, outer = column.mention, table.mention
    if inner is None or outer is None:
        return
    marked = inner.marked or (inner.text[:1].isupper() and column.source != "column")
    column.mention = names.mention(inner.text, outer.table, inner.column, marked)
    column.contained.append(outer)


def own_columns(units: list[Unit], names: Names) -> None:
    """An affirmed column without a table belongs to the nearest table in the sentence that has it."""
    tables = [(i, u.mention.table) for i, u in enumerate(units) if u.is_table and u.mention.exists]
    for i, unit in enumerate(units):
        mention = unit.mention
        if not unit.is_bare_column or mention is None or mention.negation:
            continue
        owners = [(abs(i - j), t) for j, t in tables if names.catalog.column(t, mention.column) is not None]
        if owners:
            unit.mention = names.mention(mention.text, min(owners)[1], mention.column, mention.marked)
