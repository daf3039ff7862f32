"""Negation cues and their scopes: which mentions a sentence says do not exist (NegEx-style).

The lexicon is the one table `CUES`; each cue is a regex over the sentence's lower-case words in which
every mention reads as `M`. Post-cues (`does not exist`, `isn't a Vista table`, `is not part of T`)
negate the nearest mention(s) before them; pre-cues (`there is no`, `no such`, `no X table exists`,
`doesn't have`, `has no`, `without`) negate the mention(s) after them; `neither X nor Y exist(s)` negates what
it encloses. A possessive cue turns `T has no C` into a denial of `T.C`, not of T.

A scope crosses only filler words (`the`, `table`, `called`, `this`, `because` ...) and, between names,
`,`/`or`/`nor`/`and`; any other word ends it, so `there is no need to join APTL` negates nothing.

A *strong* cue denies existence, and denying a real object is as wrong as inventing one. A *weak* cue
(`without`, `instead of`, `is not a table`, `I am not aware of`) only negates: a missing name under it is
excused and counts as refused, but a real one is never counted as falsely denied (`bAPTH is not a view` is true).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from vgpt2_ext.judge.mentions import Names, Strength, Unit

_MARKER = r"(?:table|view|column|field|object)s?"
_WORLD = r"(?:the )?(?:vista|viewpoint|database|schema|catalog|system)"


@dataclass(frozen=True)
class Cue:
    pattern: str  # regex over the sentence's lower-case words, mentions read as `M`
    direction: Literal["before", "after", "within"]  # where the negated mentions are
    strength: Strength
    possessive: bool = False  # `T has no C`: the table just before the cue owns the column after it
    container: bool = False  # `C is not part of T`: the table just after the cue owns the column before it


CUES: tuple[Cue, ...] = (
    Cue(r"(?:does|do|did) not (?:exist|appear)", "before", "strong"),
    Cue(r"(?:(?:can|could) not be|(?:is|are|was|were) not) found", "before", "strong"),
    Cue(r"(?:is|are) (?:unknown|nonexistent|non existent)", "before", "strong"),
    Cue(r"(?:is|are) not (?:a |an )?(?:(?:real|valid|vista|viewpoint|existing|known|actual|standard) )+" + _MARKER,
        "before", "strong"),
    Cue(r"(?:is|are) not (?:a column |a field )?(?:part of|in|on|of|found in|present in|defined in|available in)"
        r"(?= (?:the )?M)", "before", "strong", container=True),
    Cue(rf"(?:is|are) not (?:part of|in|found in|present in|defined in|available in) {_WORLD}", "before", "strong"),
    Cue(r"(?:is|are) not (?:a|an|any) " + _MARKER, "before", "weak"),
    Cue(r"neither (?:\S+ ){1,12}?(?:exists?|(?:is|are) (?:a |an )?(?:\w+ )?" + _MARKER + ")", "within", "strong"),
    Cue(r"there (?:is|are|was|were) (?:no|not (?:a|an|any))", "after", "strong"),
    Cue(r"no such", "after", "strong"),
    Cue(r"no (?=" + _MARKER + r" (?:called |named |like |as )?M)", "after", "strong"),
    Cue(r"no(?= M (?:" + _MARKER + r" )?exists?)", "after", "strong"),
    Cue(r"(?:will|would|can|could) not find", "after", "strong"),
    Cue(r"(?:does|do|did) not (?:have|contain|include)|(?:has|have|contains) no|lacks?", "after", "strong",
        possessive=True),
    Cue(r"without|instead of|rather than|(?:am|are|is|was|were) not aware of", "after", "weak"),
)
# words a scope crosses on its way to its mention(s)
FILLERS = frozenset("a an any the such called named as like by one single table tables view views column columns "
                    "field fields object objects".split())
_BACKWARD_FILLERS = FILLERS | frozenset(
    "this that these those it they you mentioned referenced requested asked about for because since so which "
    "simply just also really actually here in vista viewpoint database ( ) :".split())
_COORDINATION = frozenset({",", "or", "nor", "and", "/"})
_POSSESSIVE_GAP = frozenset({"itself", "view", "table", "the"})
_MAX_GAP = 6  # filler words a scope crosses before its first mention


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\S)(?:{pattern})(?!\S)")


def negate(units: list[Unit], names: Names, cues: tuple[Cue, ...] = CUES) -> None:
    """Set each mention's negation from the cues found in the sentence (a strong one wins over a weak one)."""
    words = [unit.word for unit in units]
    text = " ".join(words)
    starts = [0]
    for word in words[:-1]:
        starts.append(starts[-1] + len(word) + 1)
    for cue in cues:
        for match in _compiled(cue.pattern).finditer(text):
            first = _index(starts, match.start())
            last = _index(starts, match.end() - 1)
            _apply(cue, units, first, last, names)


def _index(starts: list[int], offset: int) -> int:
    """The unit whose text covers character `offset` of the joined sentence."""
    return bisect_right(starts, offset) - 1


def _apply(cue: Cue, units: list[Unit], first: int, last: int, names: Names) -> None:
    if cue.direction == "within":
        targets = [i for i in range(first, last + 1) if units[i].mention]
    elif cue.direction == "before":
        targets = _walk(units, range(first - 1, -1, -1), _BACKWARD_FILLERS)
    else:
        targets = _walk(units, range(last + 1, len(units)), FILLERS)
    owner = _subject(units, first) if cue.possessive else _container(units, last) if cue.container else None
    for i in targets:
        if owner is not None:
            _own(units[i], owner, names)
        _set(units[i], cue.strength)


def _walk(units: list[Unit], order: range, fillers: frozenset[str]) -> list[int]:
    """Mentions reached from a cue across fillers, and across coordination between names."""
    found: list[int] = []
    gap = 0
    for i in order:
        unit = units[i]
        if unit.mention is not None:
            found.append(i)
        elif unit.word in _COORDINATION or unit.word in (FILLERS if found else fillers):
            gap += 1
            if not found and gap > _MAX_GAP:
                break
        else:
            break
    return found


def _subject(units: list[Unit], first: int) -> Unit | None:
    """The table just before a possessive cue (`APTH has no ...`, `APTH itself does not have ...`)."""
    for i in range(first - 1, max(first - 4, -1), -1):
        if units[i].is_table and units[i].mention.exists:
            return units[i]
        if units[i].word not in _POSSESSIVE_GAP:
            return None
    return None


def _container(units: list[Unit], last: int) -> Unit | None:
    """The table just after a container cue (`... is not part of [the] APTH`)."""
    following = [unit for unit in units[last + 1:last + 3] if unit.word != "the"]
    return following[0] if following and following[0].is_table and following[0].mention.exists else None


def _own(unit: Unit, owner: Unit, names: Names) -> None:
    """Under `T has no X`, X is T's column unless it is itself a real table or was called a table."""
    mention = unit.mention
    if mention is None or owner.mention is None or unit.source in ("object", "code"):
        return
    if mention.column is None and mention.marked:
        return  # `T has no X table`: X stays a table
    column = mention.column or mention.text
    unit.mention = names.mention(mention.text, owner.mention.table, column, mention.marked)


def _set(unit: Unit, strength: Strength) -> None:
    if unit.mention is not None and unit.mention.negation != "strong":
        unit.mention = replace(unit.mention, negation=strength)
