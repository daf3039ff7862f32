"""Synthetic pairs: a validated SFT answer (chosen) against the same answer with its query corrupted (rejected).

Each corruption type takes its share of `vgpt2.pairs.synthetic` (`mix`) and walks the SFT rows in its own
seeded order, offering one pair per row it applies to until its share is proven or the rows run out. The
chosen and rejected answers keep the SFT answer's prose and print their queries with one printer
(`render`), so they differ only where the corruption changed the tree. For a question about a missing object
the rejected answer is a confident query on that object instead of the refusal.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.data.seeds import Seeds
from vgpt2_ext.errors import RecipeError
from vgpt2_ext.judge import Case
from vgpt2_ext.pairs.cases import case_for, gold_query
from vgpt2_ext.pairs.collect import Collector, Offer
from vgpt2_ext.pairs.corrupt import CORRUPTIONS, NOTE, Context, Corrupted, Corruption, Inventions, inventions
from vgpt2_ext.pairs.pair import Pair
from vgpt2_ext.pairs.render import render
from vgpt2_ext.pairs.rows import SftRow
from vgpt2_ext.sql.parse import parse_tsql

Progress = Callable[[str, int, int], None]  # (corruption type, proven, target)


@dataclass(frozen=True)
class Material:
    """The SFT rows that can make pairs, each with its judge case, and the names corruptions invent."""

    items: tuple[tuple[SftRow, Case], ...]
    catalog: Catalog
    inventions: Inventions


def material(rows: Sequence[SftRow], catalog: Catalog, seeds: Seeds) -> Material:
    items = tuple((row, case) for row in rows if (case := case_for(row, catalog)) is not None)
    return Material(items, catalog, inventions(catalog, seeds))


def targets(total: int, weights: dict[str, float]) -> dict[str, int]:
    """`total` split by `weights` (largest remainders get the rest)."""
    if total < 0 or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise RecipeError(f"`vgpt2.pairs.synthetic` must be >= 0 and `vgpt2.pairs.mix` weights >= 0 with a "
                          f"positive sum; got {total} and {weights}")
    exact = {name: total * w / sum(weights.values()) for name, w in weights.items()}
    counts = {name: int(value) for name, value in exact.items()}
    for name in sorted(exact, key=lambda n: counts[n] - exact[n])[:total - sum(counts.values())]:
        counts[name] += 1
    return counts


def synthetic_pairs(found: Material, total: int, weights: dict[str, float], seed: int, collector: Collector,
                    progress: Progress | None = None) -> tuple[list[Pair], dict[str, int]]:
    """Proven pairs of every type, up to its target; and the targets."""
    wanted = targets(total, weights)
    pairs: list[Pair] = []
    for corruption in CORRUPTIONS:
        order = list(found.items)
        random.Random(f"{seed}:{corruption.name}").shuffle(order)
        mine: list[Pair] = []
        for row, case in order:
            if len(mine) >= wanted[corruption.name]:
                break
            offer = offer_for(row, case, corruption, found, seed)
            if offer is not None and (pair := collector.offer(offer)) is not None:
                mine.append(pair)
                if progress:
                    progress(corruption.name, len(mine), wanted[corruption.name])
        pairs += mine
    return pairs, wanted


def fallback_pair(row: SftRow, case: Case, found: Material, seed: int, collector: Collector) -> Pair | None:
    """A synthetic pair for a mined prompt whose samples all passed: the first type that proves, in an order
    that depends on the row."""
    start = _pick(seed, row.id, "fallback") % len(CORRUPTIONS)
    for corruption in CORRUPTIONS[start:] + CORRUPTIONS[:start]:
        offer = offer_for(row, case, corruption, found, seed)
        if offer is not None and (pair := collector.offer(_as_fallback(offer))) is not None:
            return pair
    return None


def offer_for(row: SftRow, case: Case, corruption: Corruption, found: Material, seed: int) -> Offer | None:
    """The candidate pair of `corruption` on `row`, or None when the type does not apply to it."""
    if corruption.refusal != case.expect.refusal:
        return None
    query = gold_query(row.answer, case, found.catalog)
    tree = parse_tsql(query.sql)[0] if query is not None else None
    if tree is None and not corruption.refusal:
        return None
    if query is not None and query.sql not in row.answer:
        return None  # the extractor normalised the query's text: it cannot be swapped in place
    ctx = Context(found.catalog, found.inventions, _pick(seed, row.id, corruption.name), row.missing, row.suggest)
    corrupted = corruption.apply(tree, ctx)
    if corrupted is None:
        return None
    chosen = _with_sql(row.answer, query.sql, render(tree)) if query is not None else row.answer
    rejected = _confident(corrupted) if corrupted.lead else _with_sql(row.answer, query.sql,
                                                                        render(corrupted.tree, corrupted.dialect))
    return Offer(row, case, "synthetic", corruption.name, chosen, rejected, corruption.fails, corrupted.detail)


def _with_sql(answer: str, old: str, new: str) -> str:
    """`answer` with its judged query (the last occurrence of `old`) printed as `new`."""
    at = answer.rfind(old)
    return answer[:at] + new + answer[at + len(old):]


def _confident(corrupted: Corrupted) -> str:
    return f"{corrupted.lead}\n\n```sql\n{render(corrupted.tree, corrupted.dialect)}\n```\n\n{NOTE}"


def _as_fallback(offer: Offer) -> Offer:
    return replace(offer, fallback=True)


def _pick(seed: int, row_id: str, name: str) -> int:
    return zlib.crc32(f"{seed}:{row_id}:{name}".encode())
