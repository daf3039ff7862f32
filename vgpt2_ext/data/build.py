"""Building the examples: candidates from the six builders -> proof -> hygiene -> as many as the recipe asks.

Per round, each category still short of its target offers a batch of candidates (a little more than it needs).
The batch is proven in the worker processes (prose, then each SQL text once: parsed, grounded, style-checked,
executed); in generation order each proven candidate is then checked for exact duplicates, contamination and
near-duplicates, and accepted until its category is full.
A category stops when full, when its builder runs dry, or after offering `attempts` times its target; the
report says which. Every candidate that is not written is counted with its reason.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.data.builders import builder
from vgpt2_ext.data.builders.common import BuildContext
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.hygiene import Decontaminator, Dedup, Overlap
from vgpt2_ext.data.proof import Rejection
from vgpt2_ext.data.prover import Proof, Prover
from vgpt2_ext.data.seeds import Seeds
from vgpt2_ext.data.settings import CATEGORIES, DataSettings
from vgpt2_ext.errors import RecipeError
from vgpt2_ext.sql.features import SQLFacts

OVERSHOOT = 1.05  # candidates offered per missing example, expecting a few rejections
CHUNK = 2048  # candidates proven between two progress updates
Progress = Callable[[str, int, int], None]  # (category, accepted, target)


@dataclass(frozen=True)
class Accepted:
    example: Example
    tables: tuple[str, ...]  # catalog objects the answer uses (SQL and prose)
    facts: SQLFacts | None = None  # what the card counts about its last query


@dataclass
class BuildReport:
    targets: dict[str, int]
    accepted: dict[str, list[Accepted]] = field(default_factory=dict)
    offered: Counter = field(default_factory=Counter)  # category -> candidates offered
    rejected: Counter = field(default_factory=Counter)  # (category, reason) -> count
    examples_of: dict[str, list[str]] = field(default_factory=dict)  # reason -> a few rejected example texts
    overlaps: list[Overlap] = field(default_factory=list)
    stopped: dict[str, str] = field(default_factory=dict)  # category -> why it stopped short
    surplus: int = 0  # proven examples beyond a full category's target
    seconds: float = 0.0

    def reject(self, example: Example, rejection: Rejection) -> None:
        self.rejected[(example.category, rejection.reason)] += 1
        shown = self.examples_of.setdefault(rejection.reason, [])
        if len(shown) < 3:
            shown.append(f"{example.source}: {rejection.detail}")


def targets(settings: DataSettings) -> dict[str, int]:
    """Examples per category: `examples` split by the `mix` weights (largest remainders get the rest)."""
    weights = settings.mix.weights()
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise RecipeError(f"`vgpt2.data.mix` weights must be >= 0 with a positive sum; got {weights}")
    if settings.examples < 0:
        raise RecipeError(f"`vgpt2.data.examples` must be >= 0; got {settings.examples}")
    total = sum(weights.values())
    exact = {c: settings.examples * w / total for c, w in weights.items()}
    counts = {c: int(v) for c, v in exact.items()}
    for c in sorted(exact, key=lambda c: (counts[c] - exact[c], CATEGORIES.index(c)))[:settings.examples
                                                                                       - sum(counts.values())]:
        counts[c] += 1
    return counts


def build_examples(catalog: Catalog, seeds: Seeds, settings: DataSettings, cases: list,
                   progress: Progress | None = None, prover: Prover | None = None) -> BuildReport:
    """Proven, clean examples per category, as many as `settings` asks (fewer when a builder runs dry).

    `prover`: an open Prover to use (and leave open); by default one is opened for the build."""
    if prover is None:
        with Prover(catalog, settings.workers, settings.proof_rows) as own:
            return build_examples(catalog, seeds, settings, cases, progress, own)
    started = time.perf_counter()
    report = BuildReport(targets(settings), accepted={c: [] for c in CATEGORIES})
    streams = {c: builder(c)(BuildContext.for_category(
        catalog, seeds, settings.seed, c, paraphrases=settings.paraphrases, reasoning=settings.reasoning,
        seed_share=settings.seed_share, coded_share=settings.coded_share)) for c in CATEGORIES}
    dedup = Dedup(settings.decontam_ngram, settings.near_duplicate_threshold)
    decontaminator = Decontaminator(cases, settings.decontam_ngram, settings.decontam_threshold,
                                    settings.decontam_sql_threshold)
    while True:
        before = sum(report.offered.values())
        # each chunk is submitted as soon as it is drawn, the rest drawn while the workers prove it; a proof does
        # not depend on the screening of those before it, so all are in flight while this process screens, in order
        offered = _distinct(_next_batch(report, streams, settings), report, dedup)
        pending = [(chunk, prover.submit(chunk)) for chunk in _chunks(offered, CHUNK)]
        if sum(report.offered.values()) == before:
            break
        for chunk, proofs in pending:
            for example, proof in zip(chunk, proofs()):
                _screen(example, proof, report, dedup, decontaminator)
            if progress:
                for category in CATEGORIES:
                    progress(category, len(report.accepted[category]), report.targets[category])
    report.seconds = time.perf_counter() - started
    return report


def _next_batch(report: BuildReport, streams: dict, settings: DataSettings) -> Iterator[Example]:
    """This round's candidates, drawn as they are taken: each category still short of its target offers a
    little more than it misses (the report counts them, and says which category stopped and why)."""
    for category in CATEGORIES:
        target, have = report.targets[category], len(report.accepted[category])
        if have >= target or category in report.stopped:
            continue
        budget = int(settings.attempts * target) - report.offered[category]
        if budget <= 0:
            report.stopped[category] = f"offered {report.offered[category]} candidates ({settings.attempts:g} x " \
                                       f"the target) without filling it"
            continue
        want = min(budget, int((target - have) * OVERSHOOT) + 8)
        for _, example in zip(range(want), streams[category]):
            report.offered[category] += 1
            want -= 1
            yield example
        if want:
            report.stopped[category] = "its builder ran out of distinct candidates for this catalog"


def _distinct(batch: Iterable[Example], report: BuildReport, dedup: Dedup) -> Iterator[Example]:
    """The batch without exact duplicates of anything offered before (counted, never proven twice)."""
    for example in batch:
        if dedup.duplicate(example):
            report.reject(example, Rejection("duplicate", example.question))
        else:
            dedup.offered(example)
            yield example


def _chunks(examples: Iterable[Example], size: int) -> Iterator[list[Example]]:
    iterator = iter(examples)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _screen(example: Example, proof: Proof, report: BuildReport, dedup: Dedup,
            decontaminator: Decontaminator) -> None:
    """Accept `example`, or count why not: its proof, contamination, a near-duplicate, a full category."""
    if proof.rejection is not None:
        report.reject(example, proof.rejection)
    elif overlap := decontaminator.overlap(example, proof.sqls):
        report.overlaps.append(overlap)
        report.reject(example, Rejection("contaminated", f"{overlap.field} ~ case `{overlap.case}` "
                                                         f"(Jaccard {overlap.score:.2f})"))
    elif dedup.near_duplicate(example, proof.sqls):
        report.reject(example, Rejection("near_duplicate", example.question))
    elif len(report.accepted[example.category]) >= report.targets[example.category]:
        report.surplus += 1
    else:
        dedup.keep(example, proof.sqls)
        report.accepted[example.category].append(Accepted(example, proof.tables, proof.facts))
