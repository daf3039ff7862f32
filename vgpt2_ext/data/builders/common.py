"""What every builder shares: its context (catalog, seeds, words, random source) and the weighted stream.

A builder is a set of *makers*: small functions that each make one example of one intent (a template over one
table or relationship, a curated seed intent) with a fresh phrasing and fresh literals, or None when they
cannot. Makers come in pools: `worded` (templates over objects the vocabulary names in business words),
`coded` (templates over objects only their code names) and `seeds` (curated intents). The stream draws a pool
by its weight, then that pool's next maker (each pool cycles through its makers in a new random order every
round), so a build asks mostly in business words whatever the catalog's size, and still samples every table
and intent. A pool whose whole round makes nothing is dropped; the stream ends when no pool is left.

Each maker may run `paraphrases` times in a row with the same literal draws and a different phrasing each time.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from vgpt2_ext.catalog import Catalog, CatalogObject, Relationship
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.literals import draw, fill
from vgpt2_ext.data.seeds import Seeds
from vgpt2_ext.data.sqlgen import Company, fenced
from vgpt2_ext.data.styles import vary
from vgpt2_ext.data.vocabulary import Noun
from vgpt2_ext.sql.cache import per_catalog

_SPACE_PUNCT = re.compile(r"\s+([,.?!:;)])")
# how often a question states its company (else the query takes the @APCo-style parameter)
STATED_COMPANY = 0.25


@dataclass
class BuildContext:
    """What a maker may read; `rng` is the builder's own, seeded from the build seed and the category."""

    catalog: Catalog
    seeds: Seeds
    rng: random.Random
    paraphrases: int = 1  # phrasings of one literal draw
    reasoning: str = "brief"  # `none` | `brief`: a short plan before the SQL
    weights: dict = field(default_factory=lambda: {"worded": 0.53, "seeds": 0.25, "coded": 0.22})  # pool weights
    memo: dict = field(default_factory=dict)  # what makers derive once per object (dimensions ...)
    voice: random.Random = field(default_factory=random.Random)  # the wording's own random source (see `group`)
    _used: set = field(default_factory=set)  # phrasings already used in the current group

    @classmethod
    def for_category(cls, catalog: Catalog, seeds: Seeds, seed: int, category: str, *, paraphrases: int = 1,
                     reasoning: str = "brief", seed_share: float = 0.25, coded_share: float = 0.22) -> BuildContext:
        digest = hashlib.sha256(f"{seed}:{category}".encode()).hexdigest()
        weights = {"seeds": seed_share, "coded": coded_share, "worded": max(1.0 - seed_share - coded_share, 0.0)}
        return cls(catalog, seeds, random.Random(int(digest[:16], 16)), paraphrases, reasoning, weights,
                   voice=random.Random(int(digest[16:32], 16)))

    @property
    def words(self):
        return self.seeds.vocabulary

    def values(self) -> dict[str, str]:
        """A fresh draw of literal values (companies, months, TOP n ...)."""
        return draw(self.rng)

    def company(self, values: dict[str, str]) -> Company:
        """Whether this draw's question states its company (`values["stated"]`, drawn once per draw)."""
        if "stated" not in values:
            values["stated"] = "1" if self.rng.random() < STATED_COMPANY else ""
        return Company(values["co"], bool(values["stated"]))

    def noun(self, obj: CatalogObject) -> Noun:
        """A business noun for `obj` (one of its synonyms), or its code (`APHB row`) when it has none."""
        nouns = self.words.nouns(obj)
        return self.pick(nouns) if nouns else Noun(f"{obj.name} row", f"{obj.name} rows")

    def worded(self, obj: CatalogObject) -> bool:
        return bool(self.words.nouns(obj))

    def ask(self, template: str, values: dict[str, str], **slots: str) -> str:
        """One phrasing of the schema template `template`, filled with `values` and `slots`, in a style."""
        return self.styled(fill(self.phrase(self.seeds.phrasing(template)), {**values, **slots}))

    def styled(self, question: str) -> str:
        """A filled question tidied and, sometimes, worded in another style (`styles.vary`)."""
        return tidy(vary(tidy(question), self.voice))

    def phrase(self, options: Sequence[str]) -> str:
        """A phrasing not used yet in this group (any, once all are used)."""
        fresh = [option for option in options if option not in self._used] or list(options)
        chosen = self.voice.choice(fresh)
        self._used.add(chosen)
        return chosen

    def pick(self, options: Sequence):
        return self.rng.choice(options)

    def group(self, make: Maker) -> list[Example]:
        """`make` run `paraphrases` times from one state of `rng`: every content draw repeats (literals, columns,
        filters, so the answer is the same); the wording draws from `voice`, so it differs, and avoids the
        phrasings already used."""
        self._used = set()
        state = self.rng.getstate()
        first = make(self)
        if first is None:
            return []
        made, after = [first], self.rng.getstate()
        for _ in range(self.paraphrases - 1):
            self.rng.setstate(state)
            again = make(self)
            if again is not None and all(again.question != other.question for other in made):
                made.append(again)
        self.rng.setstate(after)
        return made


Maker = Callable[[BuildContext], "Example | None"]


@dataclass
class Pools:
    """A builder's makers by pool (see the module docstring)."""

    worded: list[Maker] = field(default_factory=list)
    coded: list[Maker] = field(default_factory=list)
    seeds: list[Maker] = field(default_factory=list)
    extra: dict[str, tuple[list[Maker], float]] = field(default_factory=dict)  # a builder's own pools: weight

    def add(self, ctx: BuildContext, obj: CatalogObject, makers: Sequence[Maker]) -> None:
        """`makers` about `obj`, in the pool its naming puts them."""
        (self.worded if ctx.worded(obj) else self.coded).extend(makers)


def stream(ctx: BuildContext, pools: Pools) -> Iterator[Example]:
    """Examples from the pools, each drawn by its weight (`ctx.weights`), until every pool has run dry."""
    weights = dict(ctx.weights)
    makers = {name: list(getattr(pools, name)) for name in weights}
    for name, (found, weight) in pools.extra.items():  # taken out of the worded share
        makers[name], weights[name] = list(found), weight
        weights["worded"] = max(weights["worded"] - weight, 0.0)
    cycles = {name: _Cycle(found, ctx.rng) for name, found in makers.items() if found and weights[name] > 0}
    while cycles:
        names = sorted(cycles)
        name = ctx.rng.choices(names, [weights[n] for n in names])[0]
        examples = cycles[name].next(ctx)
        if examples is None:
            del cycles[name]
            continue
        yield from examples


class _Cycle:
    """Makers in a new random order each round; `next` gives the next maker's examples, None when a whole round
    made nothing."""

    def __init__(self, makers: list[Maker], rng: random.Random):
        self.makers, self.rng, self.order, self.barren = makers, rng, [], 0

    def next(self, ctx: BuildContext) -> list[Example] | None:
        while self.barren < len(self.makers):
            if not self.order:
                self.order = list(self.makers)
                self.rng.shuffle(self.order)
            examples = ctx.group(self.order.pop())
            if examples:
                self.barren = 0
                return examples
            self.barren += 1
        return None


@per_catalog(maxsize=4)
def queryable(catalog: Catalog) -> tuple[CatalogObject, ...]:
    """The objects templates may ask about: those the house style queries that have columns at all (an export
    can list a view without its columns)."""
    return tuple(obj for obj in catalog.queryable if obj.columns)


@per_catalog(maxsize=4)
def queryable_names(catalog: Catalog) -> frozenset[str]:
    return frozenset(obj.name for obj in queryable(catalog))


def is_settings(obj: CatalogObject) -> bool:
    """A company's settings (APCO, JCCO ...): keyed by the company alone, one row per company."""
    return bool(obj.key) and all((c := obj.column(k)) is not None and c.is_company for k in obj.key)


def company_only(catalog: Catalog, rel: Relationship) -> bool:
    """Whether `rel` joins on the company alone (APTH.APCo -> HQCO.HQCo): a company-master lookup."""
    child = catalog.object(rel.child)
    return all((column := child.column(name)) is not None and column.is_company for name in rel.child_columns)


def answer(lead: str, sql: str = "", note: str = "") -> str:
    """An answer: a lead sentence, the query in a ```sql block (when any), then a note (when any)."""
    parts = [lead.strip()] if lead.strip() else []
    if sql:
        parts.append(fenced(sql.strip()))
    if note:
        parts.append(note.strip())
    return "\n\n".join(parts)


def listing(names: Sequence[str], limit: int = 12, more: str = "more") -> str:
    """`A, B and C`, or `A, B, ... and 12 more` for long lists."""
    names = list(names)
    if not names:
        return ""
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} {more}"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def tidy(text: str) -> str:
    """A filled phrasing's first line cleaned up (no doubled spaces, no space before punctuation, no doubled
    stop, a capital first letter); the lines after it (a quoted query) are left as they are."""
    head, newline, rest = text.partition("\n")
    head = _SPACE_PUNCT.sub(r"\1", " ".join(head.split())).replace("..", ".").replace("?.", "?").replace(".?", "?")
    return head[:1].upper() + head[1:] + newline + rest
