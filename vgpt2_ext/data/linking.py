"""Schema linking: which tables a question needs, found from its text alone (BM25 over the catalog).

Training and validation prompts must be built alike, so the linker sees only the question, never the gold
SQL. Each queryable object is a document made of its name (weighted), its base table's name, its module,
its description and its column names split at CamelCase humps (`InvTotal` -> `invtotal inv total`). A name the
question spells out (`APTH`, `bAPTH`, `APTD.Status`) wins outright. The index is built once per catalog.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

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
    """An inverted BM25 index over a catalog's queryable objects. A question's scores are one vector over the
    documents (postings summed with `bincount`, in the order a dict of sums would add them, so the same floats):
    a question touches ~500 of the export's 3,374 objects, and a Python loop over those postings cost most of
    rendering a prompt."""

    names: tuple[str, ...]
    postings: dict[str, tuple[tuple[int, float], ...]]  # term -> (document, its BM25 weight there)
    exact: dict[str, int]  # lower-case object or base-table name -> document
    documents: dict[str, int]  # object name -> document
    arrays: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False, compare=False)
    # ^ a term's postings as (documents, weights) arrays, made the first time a question has the term

    def scores(self, question: str) -> np.ndarray:
        """Each document's score for `question` (0 where it shares no term with the question)."""
        found = [self._postings(term) for term in dict.fromkeys(words(question)) if term in self.postings]
        if found:
            docs = np.concatenate([docs for docs, _ in found])
            vector = np.bincount(docs, np.concatenate([weights for _, weights in found]), len(self.names))
        else:
            vector = np.zeros(len(self.names))
        for token in _WORD.findall(question):
            if token.lower() in self.exact:
                vector[self.exact[token.lower()]] += EXACT_BONUS
        return vector

    def _postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        if term not in self.arrays:
            postings = self.postings[term]
            self.arrays[term] = np.array([doc for doc, _ in postings], np.intp), np.array([w for _, w in postings])
        return self.arrays[term]

    def score(self, scores: np.ndarray, name: str) -> float:
        """`name`'s score in a question's `scores` (0 for an object the index does not hold)."""
        doc = self.documents.get(name)
        return 0.0 if doc is None else float(scores[doc])

    def rank(self, question: str, limit: int | None = None,
             scores: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(object, score) of the objects sharing a term with the question, best first, ties by name; the
        first `limit` only when given (`scores`: the question's scores when already computed)."""
        scores = self.scores(question) if scores is None else scores
        docs = np.flatnonzero(scores)
        if limit is not None and len(docs) > limit:  # whatever ties the limit-th score competes by name
            cut = np.partition(scores[docs], len(docs) - limit)[len(docs) - limit]
            docs = docs[scores[docs] >= cut]
        return sorted(((self.names[doc], float(scores[doc])) for doc in docs), key=_best_first)[:limit]


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
    return LinkIndex(tuple(o.name for o in objects), {t: tuple(p) for t, p in postings.items()}, exact,
                     {o.name: doc for doc, o in enumerate(objects)})


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
