"""Did-you-mean suggestions for misspelled names (recipe keys, choices, profiles)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates most similar to `name`, best first (none when nothing is close)."""
    return difflib.get_close_matches(name, list(candidates), n=n, cutoff=0.6)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`"; did you mean `x`?"` (or one of several), or `""` when nothing is close: append it to a message."""
    matches = closest(name, candidates)
    if not matches:
        return ""
    if len(matches) == 1:
        return f"; did you mean `{matches[0]}`?"
    return "; did you mean one of " + ", ".join(f"`{match}`" for match in matches) + "?"
