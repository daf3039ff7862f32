"""Hygiene: exact and near-duplicate removal, and decontamination against the validation cases.

Texts are compared after normalisation (lower case, words and numbers only, whitespace collapsed). The overlap
measure is the Jaccard similarity of word n-gram shingles (`vgpt2.data.decontam_ngram`, 2 by default; texts
shorter than n words are one shingle of all their words):

- exact duplicate: same normalised question and same normalised answer;
- near-duplicate: same normalised answer (or SQL) and question shingles at or above
  `near_duplicate_threshold` with an example already kept;
- contaminated: question shingles at or above `decontam_threshold` with a case question, or SQL shingles at or
  above `decontam_sql_threshold` with a case's gold SQL (a case question or gold query copied into training
  data scores 1.0).

Comparisons against the few validation cases go through an inverted index of their shingles, so the cost is
linear in the number of examples.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vgpt2_ext.data.example import Example

_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def shingles(text: str, n: int) -> frozenset[str]:
    words = normalise(text).split()
    if len(words) <= n:
        return frozenset({" ".join(words)}) if words else frozenset()
    return frozenset(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


class Dedup:
    """Remembers kept examples; says whether a new one repeats one of them exactly or nearly."""

    def __init__(self, ngram: int, threshold: float) -> None:
        self.ngram, self.threshold = ngram, threshold
        self._exact: set[tuple[str, str]] = set()
        self._by_answer: dict[str, list[frozenset[str]]] = defaultdict(list)

    def duplicate(self, example: Example) -> bool:
        """Whether an example with the same normalised question and answer was offered before."""
        return (normalise(example.question), normalise(example.answer)) in self._exact

    def offered(self, example: Example) -> None:
        self._exact.add((normalise(example.question), normalise(example.answer)))

    def near_duplicate(self, example: Example, sqls: Sequence[str]) -> bool:
        key = answer_key(example, sqls)
        mine = shingles(example.question, self.ngram)
        return any(jaccard(mine, other) >= self.threshold for other in self._by_answer.get(key, ()))

    def keep(self, example: Example, sqls: Sequence[str]) -> None:
        self.offered(example)
        self._by_answer[answer_key(example, sqls)].append(shingles(example.question, self.ngram))


def answer_key(example: Example, sqls: Sequence[str]) -> str:
    """What "the same answer" means: the normalised SQL when the answer has any, else its normalised text."""
    return normalise(" ".join(sqls)) if sqls else normalise(example.answer)


@dataclass(frozen=True)
class Overlap:
    """A training example too close to a validation case: which case, on what, how close."""

    example: str  # example id
    case: str  # case id
    field: str  # `question` or `sql`
    score: float


class Decontaminator:
    """The validation cases' question and gold-SQL shingles, indexed for overlap lookups."""

    def __init__(self, cases: Iterable, ngram: int, threshold: float, sql_threshold: float) -> None:
        self.ngram, self.threshold, self.sql_threshold = ngram, threshold, sql_threshold
        self.cases = list(cases)
        self._index = {"question": _Index(), "sql": _Index()}
        for case in self.cases:
            self._index["question"].add(case.id, shingles(case.question, ngram))
            for gold in case.gold_sql:
                self._index["sql"].add(case.id, shingles(gold, ngram))

    def overlap(self, example: Example, sqls: Sequence[str]) -> Overlap | None:
        """The closest case at or above its threshold, on the question or on any of the example's SQL."""
        found = self._index["question"].best(shingles(example.first_question, self.ngram))
        if found and found[1] >= self.threshold:
            return Overlap(example.id, found[0], "question", round(found[1], 4))
        for sql in sqls:
            found = self._index["sql"].best(shingles(sql, self.ngram))
            if found and found[1] >= self.sql_threshold:
                return Overlap(example.id, found[0], "sql", round(found[1], 4))
        return None


class _Index:
    """shingle -> entries holding it; `best` finds the entry with the highest Jaccard similarity."""

    def __init__(self) -> None:
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._entries: list[tuple[str, frozenset[str]]] = []

    def add(self, name: str, items: frozenset[str]) -> None:
        for item in items:
            self._postings[item].append(len(self._entries))
        self._entries.append((name, items))

    def best(self, items: frozenset[str]) -> tuple[str, float] | None:
        shared: dict[int, int] = defaultdict(int)
        for item in items:
            for entry in self._postings.get(item, ()):
                shared[entry] += 1
        scored = [(self._entries[e][0], n / len(items | self._entries[e][1])) for e, n in shared.items()]
        return max(scored, key=lambda s: (s[1], s[0]), default=None)


def load_validation_cases(path: str | None) -> list:
    """The cases to decontaminate against, read by path through the judge's loader (never eval_suite code)."""
    if not path:
        return []
    from vgpt2_ext.errors import DatasetError
    from vgpt2_ext.judge import load_cases

    if not Path(path).exists():
        raise DatasetError(f"`vgpt2.data.decontaminate` names `{path}`, which does not exist; point it at the "
                           "validation cases (a YAML file or folder) or set it to null to skip decontamination")
    return load_cases(path)
