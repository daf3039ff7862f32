"""Business words for Vista objects and columns: how users name what they ask for (`InvTotal` -> invoice total).

Questions are asked in these words rather than in table codes, and answers say "APTH (AP invoices)". Sources,
most trusted first:

- the seed vocabulary (`vocabulary:` in `vgpt2_ext/seeds/*.yaml`): curated nouns per object, words per column
  name, the adjective a Y/N flag means, the department of a module;
- an object's description: its "one row per X" (or the subject before its colon), when short;
- a column's CamelCase parts with Vista's abbreviations spelled out (`RemainCmtdCost` -> remaining committed
  cost; `Mth` -> month; `JCCo` -> JC company; a `...YN` flag -> its stem).

An object with no noun from the first two sources has none: questions about it name its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from vgpt2_ext.catalog import CatalogObject, Column
from vgpt2_ext.data.misnaming import EXPANSIONS

_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_ROW_PER = re.compile(r"one row per ([^,.;:()]+)", re.I)
# words after which a noun phrase's head is complete ("invoice paid by ...", "material at a location")
_HEAD_END = frozenset("of at by on in for to from awaiting paid with per selected needed held posted charged".split())
MODULES = frozenset("AP AR JC PR GL SL PO EM IN HQ CM PM MS SM".split())
_EXTRA = {"Matl": "Material", "Recvd": "Received", "Invcd": "Invoiced", "Dedns": "Deductions", "Yr": "Year",
          "Pd": "Period", "Tot": "Total", "Orig": "Original", "Curr": "Current", "Amt": "Amount", "Disc": "Discount",
          "Ret": "Retention", "Mth": "Month", "Co": "Company", "Num": "Number", "Acct": "Account"}


@dataclass(frozen=True)
class Noun:
    one: str  # "AP invoice"
    many: str  # "AP invoices"


@dataclass(frozen=True)
class Vocabulary:
    """The seed vocabulary, merged across seed files."""

    tables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> its words, usual first
    flags: dict[str, str] = field(default_factory=dict)
    modules: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)  # rule id -> how a question names it
    _nouns: dict = field(default_factory=dict, compare=False, repr=False)  # object name -> its nouns

    def nouns(self, obj: CatalogObject) -> tuple[Noun, ...]:
        """What one row of `obj` is, in words: curated (by name or by its base table's name), else from its
        description; empty when neither knows."""
        key = (obj.name, obj.description)
        if key not in self._nouns:
            self._nouns[key] = self._find_nouns(obj)
        return self._nouns[key]

    def _find_nouns(self, obj: CatalogObject) -> tuple[Noun, ...]:
        curated = self.tables.get(obj.name) or (self.tables.get(obj.base_table[1:]) if obj.base_table else None)
        if curated:
            return tuple(noun(word) for word in curated)
        found = described_noun(obj.description)
        return (noun(found),) if found else ()

    def column(self, column: Column | str) -> str:
        """The usual words for a column (`InvTotal` -> invoice total)."""
        return self.column_words(column)[0]

    def column_words(self, column: Column | str) -> tuple[str, ...]:
        """Every wording of a column the vocabulary knows, the usual one first."""
        name = column if isinstance(column, str) else column.name
        return self.columns.get(name) or (spelled(name),)

    def flag(self, column: Column | str) -> str:
        """The adjective a Y/N column's 'Y' means (`ActiveYN` -> active)."""
        name = column if isinstance(column, str) else column.name
        return self.flags.get(name) or spelled(name[:-2] if name.endswith("YN") else name)

    def department(self, module: str) -> tuple[str, ...]:
        return self.modules.get(module, ())


def noun(singular: str) -> Noun:
    return Noun(singular, plural(singular))


def plural(phrase: str) -> str:
    """`AP invoice` -> `AP invoices`, `piece of equipment` -> `pieces of equipment`, `company` -> `companies`."""
    words = phrase.split()
    head = next((i for i, w in enumerate(words) if i and w in _HEAD_END), len(words)) - 1
    words[head] = _plural_word(words[head])
    return " ".join(words)


def _plural_word(word: str) -> str:
    if word.isupper():
        return word + "s"
    if word.endswith("s") and not word.endswith("ss"):
        return word
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("ss", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def described_noun(description: str) -> str | None:
    """The noun a description gives one row: its "one row per X", else its subject before a colon; None when
    neither is short (five words or fewer)."""
    found = _ROW_PER.search(description or "")
    candidate = found[1].strip() if found else (description.split(":")[0].strip() if ":" in (description or "")
                                                 else "")
    candidate = re.sub(r"^(?:a|an|the|each)\s+", "", candidate, flags=re.I)
    if not candidate or len(candidate.split()) > 5:
        return None
    return candidate if candidate[:2].isupper() else candidate[0].lower() + candidate[1:]


@lru_cache(maxsize=16384)
def spelled(name: str) -> str:
    """A column name in words: CamelCase split, Vista abbreviations spelled out, module codes kept."""
    parts = _PARTS.findall(name)
    words = []
    for part in parts:
        if part == "YN":
            continue
        if part in MODULES:
            words.append(part)
            continue
        long = _EXTRA.get(part) or EXPANSIONS.get(part) or part
        words.append(long.lower() if not long.isupper() or len(long) > 3 else long)
    return " ".join(words) or name
