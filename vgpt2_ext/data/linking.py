"""Schema linking: which tables a question needs, found from its text alone (BM25 over the catalog).

Training and validation prompts must be built alike, so the linker sees only the question, never the gold
SQL. Each queryable object is a document made of its name (weighted), its base table's name, its module,
its description and its column names split at CamelCase humps (`InvTotal` -> `invtotal inv total`). A name the
question spells out (`APTH`, `bAPTH`, `APTD.Status`) wins outright. The index is built once per catalog.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from vgpt2_ext.catalog import Catalog, CatalogObject

NAME_WEIGHT = 3  # a word of the object's name counts as much as three words of its description or columns
EXACT_BONUS = 100.0  # a question that names the object (APTH, bAPTH) links it before any lexical match
KEYLESS_FACTOR = 0.5  # report views (no unique key, untyped columns) rank below the tables they report on
COMMON = 0.25, 100  # a term in more than this share, and this many, of the objects (`co`, `date` on the real export)
#                   hardly ranks and has the longest postings: left out of the index
K1, B = 1.2, 0.75  # the usual BM25 constants
STOPWORDS = frozenset(
    "a an and are as at be by for from give how i in is it list me my of on or per show the their them this to "
    "what which with all each every that there these those do does did get find any into".split()
)
_WORD = re.compile(r"[A-Za-z0-9]+")
_HUMP = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def words(text: str) -> list[str]:
    """Lower-case search terms: each word, its CamelCase parts, plural `s` dropped; stopwords and numbers
    (literals such as a company or a month) removed."""
    terms: list[str] = []
    for word in _WORD.findall(text):
        parts = [word] + (_HUMP.findall(word) if not word.islower() else [])
        terms += [_stem(part.lower()) for part in dict.fromkeys(parts)]
    return [term for term in terms if term not in STOPWORDS and not term.isdigit()]


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


@dataclass(frozen=True)
class LinkIndex:
    """An inverted BM25 index over a catalog's queryable objects."""

    names: tuple[str, ...]
    postings: dict[str, tuple[tuple[int, float], ...]]  # term -> (document, its BM25 weight there)
    exact: dict[str, int]  # lower-case object or base-table name -> document

    def scores(self, question: str) -> dict[str, float]:
        """object -> score, for every object sharing a term with the question."""
        found: dict[int, float] = defaultdict(float)
        for term in dict.fromkeys(words(question)):
            for doc, weight in self.postings.get(term, ()):
                found[doc] += weight
        for token in _WORD.findall(question):
            if token.lower() in self.exact:
                found[self.exact[token.lower()]] += EXACT_BONUS
        return {self.names[doc]: score for doc, score in found.items()}

    def rank(self, question: str, limit: int | None = None,
             scores: dict[str, float] | None = None) -> list[tuple[str, float]]:
        """(object, score) best first, ties by name; the first `limit` only when given (`scores`: the
        question's scores when already computed)."""
        scored = (self.scores(question) if scores is None else scores).items()
        if limit is None:
            return sorted(scored, key=_best_first)
        return heapq.nsmallest(limit, scored, key=_best_first)


def _best_first(item: tuple[str, float]) -> tuple[float, str]:
    return -item[1], item[0]


_INDEXES: dict[str, LinkIndex] = {}


def link_index(catalog: Catalog) -> LinkIndex:
    """The catalog's index, built on first use and kept per catalog fingerprint."""
    key = f"{catalog.fingerprint}:{catalog.style.prefer_views}"
    if key not in _INDEXES:
        _INDEXES[key] = _build(catalog.queryable)
    return _INDEXES[key]


def _build(objects: tuple[CatalogObject, ...]) -> LinkIndex:
    """Postings carry each term's whole BM25 contribution (idf x saturated tf x length norm x prior): the
    question only adds them up. Terms in more than a `COMMON` share of the objects are left out: their idf is
    near zero and their postings are the longest."""
    counts = [_document(obj) for obj in objects]
    average = sum(sum(c.values()) for c in counts) / max(len(counts), 1)
    frequency: dict[str, int] = defaultdict(int)
    for document in counts:
        for term in document:
            frequency[term] += 1
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    exact: dict[str, int] = {}
    for doc, (obj, document) in enumerate(zip(objects, counts)):
        norm = K1 * (1 - B + B * sum(document.values()) / average)
        prior = 1.0 if obj.key else KEYLESS_FACTOR
        for term, tf in document.items():
            if frequency[term] > max(COMMON[0] * len(objects), COMMON[1]):
                continue
            idf = math.log(1 + (len(objects) - frequency[term] + 0.5) / (frequency[term] + 0.5))
            postings[term].append((doc, prior * idf * tf * (K1 + 1) / (tf + norm)))
        exact[obj.name.lower()] = doc
        if obj.base_table:
            exact.setdefault(obj.base_table.lower(), doc)
    return LinkIndex(tuple(o.name for o in objects), {t: tuple(p) for t, p in postings.items()}, exact)


def _document(obj: CatalogObject) -> Counter:
    counts: Counter = Counter()
    for term in words(" ".join(filter(None, (obj.name, obj.base_table, obj.module)))):
        counts[term] += NAME_WEIGHT
    counts.update(words(obj.description))
    for column in obj.columns:
        counts.update(words(column.name))
        counts.update(words(column.description))
    return counts


def link_tables(question: str, catalog: Catalog, limit: int) -> list[str]:
    """The `limit` objects the question most likely needs, best first."""
    return [name for name, _ in link_index(catalog).rank(question, limit)]
