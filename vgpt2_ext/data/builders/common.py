"""What every builder shares: its context (catalog, seeds, random source) and the round-robin stream.

A builder is a list of *makers*: small functions that each make one example of one intent (a template over
one table, a curated seed intent) with a fresh phrasing and fresh literals, or None when they cannot. The
stream runs the makers round after round in a new random order, so a short build still samples every table
and intent, and ends when a whole round makes nothing (a catalog the templates do not fit).

Each maker runs `paraphrases` times in a row with the same literal draws and a different phrasing each time:
the model sees one intent asked several ways with one answer, and the proof of that answer's SQL is shared.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from vgpt2_ext.catalog import Catalog, CatalogObject
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.literals import draw, fill
from vgpt2_ext.data.seeds import Seeds
from vgpt2_ext.data.sqlgen import fenced


@dataclass
class BuildContext:
    """What a maker may read; `rng` is the builder's own, seeded from the build seed and the category."""

    catalog: Catalog
    seeds: Seeds
    rng: random.Random
    seed_weight: int = 3  # rounds draw a curated seed intent this many times per schema template
    paraphrases: int = 1  # phrasings of one literal draw
    _draws: list = field(default_factory=list)  # literal draws of the current group, replayed in order
    _replay: int | None = None  # position in `_draws` while replaying, None while recording
    _used: set = field(default_factory=set)  # phrasings already used in the current group

    @classmethod
    def for_category(cls, catalog: Catalog, seeds: Seeds, seed: int, category: str, seed_weight: int = 3,
                     paraphrases: int = 1) -> BuildContext:
        digest = hashlib.sha256(f"{seed}:{category}".encode()).hexdigest()
        return cls(catalog, seeds, random.Random(int(digest[:16], 16)), seed_weight, paraphrases)

    def values(self) -> dict[str, str]:
        """A fresh draw of literal values (companies, months, TOP n ...); the same draw when replaying."""
        if self._replay is None:
            self._draws.append(draw(self.rng))
            return self._draws[-1]
        self._replay += 1
        return self._draws[self._replay - 1] if self._replay <= len(self._draws) else draw(self.rng)

    def ask(self, template: str, values: dict[str, str], **slots: str) -> str:
        """One phrasing of the schema template `template`, filled with `values` and `slots`."""
        return fill(self.phrase(self.seeds.phrasing(template)), {**values, **slots})

    def phrase(self, options: Sequence[str]) -> str:
        """A phrasing not used yet in this group (any, once all are used)."""
        fresh = [option for option in options if option not in self._used] or list(options)
        chosen = self.rng.choice(fresh)
        self._used.add(chosen)
        return chosen

    def pick(self, options: Sequence):
        return self.rng.choice(options)

    def group(self, make: Maker) -> list[Example]:
        """`make` run `paraphrases` times: the first call draws literals, the others replay them."""
        self._draws, self._replay, self._used = [], None, set()
        first = make(self)
        if first is None:
            return []
        made = [first]
        for _ in range(self.paraphrases - 1):
            self._replay = 0
            again = make(self)
            if again is not None and all(again.question != other.question for other in made):
                made.append(again)
        return made


Maker = Callable[[BuildContext], "Example | None"]


def stream(ctx: BuildContext, makers: Sequence[Maker], seed_makers: Sequence[Maker] = ()) -> Iterator[Example]:
    """Examples from `makers` (and `seed_makers`, weighted), round after round, until a round makes none."""
    pool = list(makers) + list(seed_makers) * max(ctx.seed_weight, 1)
    while pool:
        ctx.rng.shuffle(pool)
        made = False
        for make in pool:
            examples = ctx.group(make)
            made = made or bool(examples)
            yield from examples
        if not made:
            return


def queryable(catalog: Catalog) -> tuple[CatalogObject, ...]:
    """The objects templates may ask about: those the house style queries that have columns at all (an export
    can list a view without its columns)."""
    return tuple(obj for obj in catalog.queryable if obj.columns)


def answer(lead: str, sql: str = "", note: str = "") -> str:
    """An answer: a lead sentence, the query in a ```sql block (when any), then a note (when any)."""
    parts = [lead.strip()]
    if sql:
        parts.append(fenced(sql.strip()))
    if note:
        parts.append(note.strip())
    return "\n\n".join(parts)


def listing(names: Sequence[str], limit: int = 12) -> str:
    """`A, B and C`, or `A, B, ... and 12 more` for long lists."""
    names = list(names)
    if not names:
        return ""
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
