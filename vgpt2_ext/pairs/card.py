"""The pair card (`PAIR_CARD.md` and `PAIR_CARD.json`): what a pair build wrote, what it turned away, and why.

Counts by corruption type and source (synthetic, mined), the judge checks the rejected answers fail (the
rejection reasons), every dropped candidate by reason with examples, what mining saw, token-length
percentiles of prompts and answers (the data card's measure: the run's tokenizer offline, else 1 token per
3 characters), and the decontamination hits.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from vgpt2_ext.data.card import percentiles, token_lengths
from vgpt2_ext.pairs.collect import Tally
from vgpt2_ext.pairs.corrupt import CORRUPTIONS
from vgpt2_ext.pairs.mine import MineStats
from vgpt2_ext.pairs.pair import SOURCES, Pair
from vgpt2_ext.pairs.proof import DROPS


def card_data(pairs: Sequence[Pair], wanted: dict[str, int], tally: Tally, stats: MineStats, *, mining: str,
              tokenizer, tokenizer_note: str, settings: dict, seconds: dict[str, float]) -> dict:
    """Everything the card shows, as JSON-able data (the Markdown is rendered from it)."""
    return {
        "pairs": len(pairs),
        "sources": {source: sum(p.source == source for p in pairs) for source in SOURCES},
        "kinds": _kinds(pairs, wanted, tally),
        "reasons": dict(Counter(r for p in pairs for r in p.reasons).most_common()),
        "below_threshold": sum(bool(p.gates) for p in pairs),
        "dropped": _dropped(tally),
        "mining": {"status": mining, **{k: v for k, v in vars(stats).items()}},
        "tokens": {"tokenizer": tokenizer_note, **_lengths(pairs, tokenizer)},
        "decontamination": tally.overlaps,
        "settings": settings,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
    }


def _kinds(pairs: Sequence[Pair], wanted: dict[str, int], tally: Tally) -> dict:
    kinds = [c.name for c in CORRUPTIONS] + sorted({p.kind for p in pairs if p.source == "mined"})
    found = {}
    for kind in kinds:
        mine = [p for p in pairs if p.kind == kind]
        drops = Counter({reason: n for (_, k, reason), n in tally.dropped.items() if k == kind})
        found[kind] = {"target": wanted.get(kind), "pairs": len(mine), "fallback": sum(p.fallback for p in mine),
                       "source": "mined" if kind not in wanted else "synthetic", "dropped": dict(drops.most_common())}
    return found


def _dropped(tally: Tally) -> dict:
    by_reason = Counter()
    for (_, _, reason), n in tally.dropped.items():
        by_reason[reason] += n
    return {reason: {"count": n, "meaning": DROPS[reason], "examples": tally.examples.get(reason, [])}
            for reason, n in by_reason.most_common()}


def _lengths(pairs: Sequence[Pair], tokenizer) -> dict:
    def rows(side: str) -> list[dict]:
        return [{"conversations": [{"value": p.row.system}, {"value": p.row.user}, {"value": getattr(p, side)}]}
                for p in pairs]

    chosen, rejected = token_lengths(rows("chosen"), tokenizer), token_lengths(rows("rejected"), tokenizer)
    total = [max(a, b) for a, b in zip(chosen["total"], rejected["total"])]
    return {"prompt": percentiles(chosen["user"]), "chosen": percentiles(chosen["answer"]),
            "rejected": percentiles(rejected["answer"]), "total": percentiles(total)}


def render_markdown(data: dict) -> str:
    """The card for people: the same figures as the JSON, in tables."""
    lines = [f"# Pair card: vgpt2_dpo ({data['pairs']} pairs)", "",
             f"Sources: {', '.join(f'{k} {v}' for k, v in data['sources'].items())}. Every chosen answer passes the "
             "judge; every rejected answer fails it for the reasons below "
             f"({data['below_threshold']} of them also fail a gate, which caps them below every pass threshold).",
             "", "## Pairs by kind", "", "| kind | source | target | pairs | fallback | dropped |",
             "| --- | --- | ---: | ---: | ---: | --- |"]
    lines += [f"| {k} | {v['source']} | {'' if v['target'] is None else v['target']} | {v['pairs']} | "
              f"{v['fallback']} | {_inline(v['dropped'])} |" for k, v in data["kinds"].items()]
    lines += ["", "## Why the rejected answers fail (judge checks)", "", "| check | pairs |", "| --- | ---: |"]
    lines += [f"| {name} | {n} |" for name, n in data["reasons"].items()] or ["| (none) | 0 |"]
    lines += ["", "## Dropped candidates", "", "| reason | count | meaning | e.g. |", "| --- | ---: | --- | --- |"]
    lines += [f"| {r} | {v['count']} | {v['meaning']} | {_cell(v['examples'][:1])} |"
              for r, v in data["dropped"].items()] or ["| (none) | 0 | | |"]
    lines += _mining(data["mining"]) + _tokens(data["tokens"])
    lines += ["", "## Decontamination", "", f"{len(data['decontamination'])} SFT prompt(s) too close to a validation "
              "case were left out" + "".join(f"\n- `{o['sft_id']}` ~ `{o['case']}` ({o['field']}, {o['score']})"
                                            for o in data["decontamination"])]
    lines += ["", "## Settings", "", "```json", _json(data["settings"]), "```", "",
              "Seconds: " + ", ".join(f"{k} {v}" for k, v in data["seconds"].items()) + "."]
    return "\n".join(lines) + "\n"


def _mining(mining: dict) -> list[str]:
    lines = ["", "## Mining", "", f"Status: {mining['status']}", ""]
    if mining["prompts"]:
        lines += [f"{mining['prompts']} prompts, {mining['samples']} samples ({mining['passing']} passing, "
                  f"{mining['empty']} empty); {mining['prompts_failing']} prompts with a failing sample "
                  f"({mining['chosen_sampled']} with a passing sample as chosen, the rest with the gold answer); "
                  f"{mining['fallback']} prompts with no failure got a synthetic pair."]
    if mining["unknown_ids"]:
        lines += [f"Recorded samples of {len(mining['unknown_ids'])} id(s) the SFT data lacks were ignored."]
    return lines


def _tokens(tokens: dict) -> list[str]:
    lines = ["", f"## Token lengths ({tokens['tokenizer']})", "", "| part | p50 | p90 | p99 | max |",
             "| --- | ---: | ---: | ---: | ---: |"]
    return lines + [f"| {part} | {v['p50']} | {v['p90']} | {v['p99']} | {v['p100']} |"
                    for part, v in tokens.items() if part != "tokenizer"]


def _inline(counts: dict) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in counts.items()) or "-"


def _cell(examples: list[str]) -> str:
    return " ".join(examples).replace("|", "\\|").replace("\n", " ")[:160]


def _json(data: dict) -> str:
    return json.dumps(data, indent=2, sort_keys=True)
