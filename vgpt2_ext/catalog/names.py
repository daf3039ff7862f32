"""The closest real names to a name a catalog lacks: `difflib.get_close_matches`, exactly, and fast.

difflib compares the name with every candidate in Python: over the 3,374 objects of the real Vista export that is
~25 ms a name, and the data builders, grounding and the audit each ask for hundreds of invented names. Here every
candidate's `quick_ratio` (the share of characters the two names have in common, counted as multisets: an upper
bound of difflib's `ratio`) is computed at once from a matrix of character counts, and difflib's `ratio` runs
only on the candidates that bound lets reach the cutoff, highest bound first, until no candidate left can beat
the `n` found. The result is the one difflib gives (`tests/catalog/test_names.py` compares them).
"""

from __future__ import annotations

import difflib
import heapq
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from vgpt2_ext.catalog.model import Catalog

CUTOFF = 0.6  # difflib's default, which every suggestion uses


class NameIndex:
    """Candidate names (compared in lower case, the first spelling of each kept) with their character counts."""

    def __init__(self, names: Sequence[str]) -> None:
        self.spelling: dict[str, str] = {}
        for name in names:
            self.spelling.setdefault(name.lower(), name)
        self.lowered = list(self.spelling)
        self.alphabet = {ch: i for i, ch in enumerate(sorted({ch for word in self.lowered for ch in word}))}
        self.counts = np.zeros((len(self.lowered), len(self.alphabet)), dtype=np.int32)
        for row, word in enumerate(self.lowered):
            for ch in word:
                self.counts[row, self.alphabet[ch]] += 1
        self.lengths = np.array([len(word) for word in self.lowered])

    def closest(self, word: str, n: int = 3, cutoff: float = CUTOFF) -> list[str]:
        """`difflib.get_close_matches(word.lower(), names, n, cutoff)`, in the names' own spelling."""
        word = word.lower()
        wanted = np.zeros(len(self.alphabet), dtype=np.int32)
        for ch in word:
            if ch in self.alphabet:
                wanted[self.alphabet[ch]] += 1
        quick = 2.0 * np.minimum(self.counts, wanted).sum(axis=1) / (self.lengths + len(word))
        matcher, best = difflib.SequenceMatcher(), []  # the n best (ratio, name) so far, a min-heap
        matcher.set_seq2(word)
        rows = np.nonzero(quick >= cutoff)[0]  # ratio <= quick_ratio: nothing else can reach the cutoff
        for row in rows[np.argsort(-quick[rows], kind="stable")]:  # highest bound first, so the loop can stop
            if len(best) == n and best[0][0] > quick[row]:
                break  # no name left can reach the n found
            matcher.set_seq1(self.lowered[row])
            if (ratio := matcher.ratio()) >= cutoff:
                (heapq.heappush if len(best) < n else heapq.heappushpop)(best, (ratio, self.lowered[row]))
        return [self.spelling[match] for _, match in sorted(best, reverse=True)]


_INDEXES: dict[str, NameIndex] = {}  # catalog fingerprint -> its object names' index


def object_index(catalog: Catalog) -> NameIndex:
    """The index of a catalog's object names, built once per catalog content (kept out of the pickled catalog)."""
    if catalog.fingerprint not in _INDEXES:
        _INDEXES[catalog.fingerprint] = NameIndex([obj.name for obj in catalog.objects])
    return _INDEXES[catalog.fingerprint]
