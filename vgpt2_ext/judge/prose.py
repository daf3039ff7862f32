"""Which tables and columns a prose answer names, uses, or says do not exist.

SQL is judged by parsing; prose has no parser, so this is a small NegEx-style reading (Chapman et al.,
2001): split the text into sentences outside code blocks, find the schema-name *mentions* in each
(`mentions.py`), find the negation *cues* and give each its scope (`negation.py`, the lexicon `CUES`).

What the judge asks of a reading:
- `hallucinations()`: names presented as schema objects, not negated, that the catalog lacks;
- `false_denials()`: real objects the text says do not exist (`The table 'APTL' does not exist`);
- `denies(name)` / `affirms(name)`: whether the text refuses a missing object / points to a real one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.judge.mentions import Mention, Names, Unit, own_columns, same, units_of
from vgpt2_ext.judge.negation import CUES, Cue, negate
from vgpt2_ext.judge.references import refer
from vgpt2_ext.sql.cache import per_catalog

__all__ = ["CUES", "Cue", "Mention", "Reading", "covers", "question_referents", "read_prose", "read_sentence",
           "sentences"]

_CONTRACTIONS = ((r"\bcan't\b|\bcannot\b", "can not"), (r"\bwon't\b", "will not"), (r"n't\b", " not"),
                 (r"\bI'm\b", "I am"), (r"\b(there|it|that|what)'s\b", r"\1 is"), (r"(?<=\w)'s\b", " 's"))
_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+|\s\|\s?")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class Reading:
    """The mentions of one text, in order, each with its negation."""

    mentions: tuple[Mention, ...]

    def affirmed(self) -> tuple[Mention, ...]:
        return tuple(m for m in self.mentions if m.negation is None)

    def hallucinations(self, excuse: str = "") -> tuple[Mention, ...]:
        """Marked, un-negated mentions of missing objects; a name that also occurs in `excuse` (the user's own
        text, e.g. the broken query an error-correction question quotes) is not counted."""
        return tuple(m for m in self.affirmed() if m.marked and not m.exists
                     and not (_occurs(m.text, excuse) or _occurs(m.name, excuse)))

    def false_denials(self) -> tuple[Mention, ...]:
        """Strong denials of objects that exist (a bare column with no table is too vague to count)."""
        return tuple(m for m in self.mentions
                     if m.negation == "strong" and m.exists and not (m.column and m.table is None))

    def denies(self, target: str) -> bool:
        """Whether the text negates `target` (`Invoice`, `APTH.Status`) anywhere; `Status does not exist`
        counts for `APTH.Status` (a refusal need not repeat the table the question named)."""
        return any(m.negation and m.matches(target, vague=True) for m in self.mentions)

    def affirms(self, target: str) -> bool:
        """Whether the text names the table `target`, or the column `Table.Column` with its table, un-negated
        (a column mention also names its table)."""
        has_column = "." in target
        return any(m.matches(target) or (not has_column and same(m.table, target)) for m in self.affirmed())

    def affirms_column(self, column: str) -> bool:
        """Whether the text names the column `column` (bare: on any table) un-negated."""
        return any(same(m.column, column) for m in self.affirmed())


def read_prose(text: str, catalog: Catalog, watch: Iterable[str] = (), referents: tuple[Mention, ...] = ()) -> Reading:
    """The schema-name mentions of `text` (fenced code left out) and their negation.

    `watch`: names to look for even when they are plain words (a case's forbid and suggest entries).
    `referents`: the objects the question named, which `that table`, `no such table` ... stand for
    (`references.py`).
    """
    names = Names(catalog, tuple(watch))
    found: list[Mention] = []
    for number, sentence in enumerate(sentences(text)):
        for unit in read_sentence(sentence, names, referents):
            found += [replace(m, sentence=number) for m in (unit.mention, *unit.contained) if m is not None]
    return Reading(_owned_across_sentences(found, names))


def read_sentence(sentence: str, names: Names, referents: tuple[Mention, ...] = ()) -> list[Unit]:
    """The sentence's units, references to `referents` resolved, negation set, bare columns given their table:
    what this reading and the claim reading (`claims.read_claims`) both start from. Without referents the
    units are remembered, so a text whose schema names and whose stated facts are both proven (every answer
    the data build and the audit prove) is read once; they are shared, so callers only read them."""
    if referents:
        return _read(sentence, names, referents)
    return _remembered(names.catalog, sentence, names.watch)


# a dataset repeats its sentences (6,000 export rows hold 11,000 distinct ones, read 24,000 times); about 5 KB each
@per_catalog(maxsize=16384)
def _remembered(catalog: Catalog, sentence: str, watch: tuple[str, ...]) -> list[Unit]:
    return _read(sentence, Names(catalog, watch), ())


def _read(sentence: str, names: Names, referents: tuple[Mention, ...]) -> list[Unit]:
    units = refer(units_of(sentence, names), referents)
    negate(units, names)
    own_columns(units, names)
    return units


def question_referents(question: str, catalog: Catalog, watch: Iterable[str] = ()) -> tuple[Mention, ...]:
    """The objects a question names, which an answer's `that table` or `no such column` stands for: real tables,
    tables presented as such or watched (`the Invoice table`), and columns with their table."""
    watched = {name.rpartition(".")[2].lower() for name in watch}
    found = read_prose(question, catalog, watch).mentions
    picked = [m for m in found if m.negation is None and (m.column is None or m.table)
              and (m.exists or m.marked or (m.column or m.table or "").lower() in watched)]
    unique: dict[str, Mention] = {}
    for mention in picked:
        unique.setdefault(mention.name.lower(), replace(mention, sentence=0))
    return tuple(unique.values())


def _owned_across_sentences(found: list[Mention], names: Names) -> tuple[Mention, ...]:
    """A column still without a table (`**Columns:** APCo, Mth ...` under `The APTH table ...`) belongs to the
    nearest table mentioned before it that has it, else the nearest after it."""
    tables = [(i, m.table) for i, m in enumerate(found) if m.column is None and m.exists and m.negation is None]
    owned = list(found)
    for i, mention in enumerate(found):
        if mention.column is None or mention.table or mention.negation:
            continue
        owners = [(j > i, abs(i - j), t) for j, t in tables if names.catalog.column(t, mention.column) is not None]
        if owners:
            owned[i] = replace(mention, table=min(owners)[2])
    return tuple(owned)


def sentences(text: str) -> list[str]:
    """The sentences and lines of `text` outside fenced code, contractions expanded (`isn't` -> `is not`)."""
    prose = _FENCE.sub("\n", text.translate(_QUOTES))
    for pattern, repl in _CONTRACTIONS:
        prose = re.sub(pattern, repl, prose, flags=re.I)
    return [s.strip() for s in _SENTENCE.split(prose) if s and s.strip()]


def _occurs(name: str, text: str) -> bool:
    return bool(text) and re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text, re.I) is not None


# -- facts stated (`expect.mentions`) ---------------------------------------------------------------------
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset("a an the of to in on for and or is are be it its this that as by at with from".split())
NUMBERS = dict(zip("zero one two three four five six seven eight nine ten eleven twelve".split(), map(str, range(13))))
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def covers(text: str, phrase: str) -> bool:
    """Whether one sentence of `text` holds every content word of `phrase`, in any order and inflection
    (`first day of the month` is covered by `Mth stores each month as its first day`)."""
    wanted = stems(phrase)
    return bool(wanted) and any(wanted <= stems(sentence) for sentence in sentences(text))


def stems(text: str) -> set[str]:
    """The content words of `text`, stemmed (`stored` -> `stor`, `two` -> `2`)."""
    return {_stem(word) for word in _WORD.findall(text.lower()) if word not in _STOPWORDS}


def _stem(word: str) -> str:
    word = NUMBERS.get(word, word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word
