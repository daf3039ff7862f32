"""Refusals by reference: "Vista doesn't have a table by that name", "No such table", "That table doesn't exist".

An answer may refuse the object the question named without repeating its name. A *reference* is a phrase that
stands for an object named elsewhere (the table `REFERENCES`: `that table`, `such a view`, `those columns`,
`by that name`, `that one`). When its sentence names no schema object before it, and no name follows it
(`that table (Vendors)` names Vendors), it stands for the object(s) the question named, of its kind: the
reference becomes a mention of them, and the negation cues read it like the name itself. So a refusal by
reference of a missing object counts as a refusal, and one of a real object (the question asked about APTL)
counts as denying a real object, exactly as if the name had been written.

Which of the question's objects: a plural reference stands for all of its kind; a singular one for the only
one of its kind, else for the missing ones among several (an answer that refuses "that table" while the
question named APTH and Invoice refuses Invoice), else for none (too vague to count either way). A pronoun
(`it does not exist`) is not read: it refers to anything the answer said before.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from vgpt2_ext.judge.mentions import Mention, Unit

Kind = Literal["table", "column", "any"]


@dataclass(frozen=True)
class Reference:
    pattern: str  # regex over the sentence's lower-case words (mentions read as `M`); group `ref` stands for them
    kind: Kind
    plural: bool = False


# `such` stays a word (the cue `no such` reads it); `that`/`this` go with the noun they point with
_POINTING = r"(?:that|this|the said|the same|said)"
REFERENCES: tuple[Reference, ...] = (
    Reference(rf"(?P<ref>{_POINTING} (?:table|view|object))", "table"),
    Reference(rf"(?P<ref>{_POINTING} (?:column|field))", "column"),
    Reference(r"such (?:an? )?(?P<ref>table|view|object)", "table"),
    Reference(r"such (?:an? )?(?P<ref>column|field)", "column"),
    Reference(r"(?P<ref>(?:those|these) (?:tables|views|objects))|such (?P<such>tables|views|objects)", "table",
              plural=True),
    Reference(r"(?P<ref>(?:those|these) (?:columns|fields))|such (?P<such>columns|fields)", "column", plural=True),
    Reference(r"(?:by|with|of|under) (?P<ref>(?:that|this|the) name)", "any"),
    Reference(r"(?P<ref>(?:that|this) one)", "any"),
)


def refer(units: list[Unit], referents: tuple[Mention, ...]) -> list[Unit]:
    """`units` with each reference that stands for some of `referents` (the question's objects) replaced by
    mentions of them, coordinated like a list of names so one negation cue reaches them all."""
    if not referents:
        return units
    words = [unit.word for unit in units]
    text = " ".join(words)
    starts = [0]
    for word in words[:-1]:
        starts.append(starts[-1] + len(word) + 1)
    replaced: dict[int, tuple[int, list[Unit]]] = {}  # first unit -> (last unit, what replaces them)
    for reference in REFERENCES:
        for match in _compiled(reference.pattern).finditer(text):
            group = "ref" if match["ref"] else "such"
            first, last = (bisect_right(starts, offset) - 1 for offset in (match.start(group), match.end(group) - 1))
            chosen = _chosen(referents, reference)
            if chosen and not _antecedent(units, first, last) and not any(f <= last and first <= end for f, (end, _)
                                                                          in replaced.items()):
                replaced[first] = (last, _coordinated(chosen, " ".join(words[first:last + 1])))
    out: list[Unit] = []
    skip_to = -1
    for i, unit in enumerate(units):
        if i in replaced:
            skip_to, new = replaced[i]
            out += new
        elif i > skip_to:
            out.append(unit)
    return out


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\S)(?:{pattern})(?!\S)")


def _antecedent(units: list[Unit], first: int, last: int) -> bool:
    """Whether the sentence names an object before the reference, or right after it (`that table (Vendors)`)."""
    after = [unit for unit in units[last + 1:last + 3] if unit.word not in ("(", ":", "called", "named")]
    return any(unit.mention for unit in units[:first]) or bool(after and after[0].mention)


def _chosen(referents: tuple[Mention, ...], reference: Reference) -> tuple[Mention, ...]:
    of_kind = tuple(m for m in referents
                    if reference.kind == "any" or (m.column is None) == (reference.kind == "table"))
    if reference.plural or len(of_kind) <= 1:
        return of_kind
    return tuple(m for m in of_kind if not m.exists)


def _coordinated(mentions: tuple[Mention, ...], word: str) -> list[Unit]:
    units: list[Unit] = []
    for mention in mentions:
        if units:
            units.append(Unit(","))
        units.append(Unit("M", replace(mention, text=word, marked=False, negation=None), "reference"))
    return units
