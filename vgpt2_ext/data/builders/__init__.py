"""The six builders, one module per category, in the order the card lists them.

A builder module exposes `CATEGORY` and `candidates(ctx: BuildContext) -> Iterator[Example]`: an endless (or
exhausted) stream of candidate examples that the build proves, cleans and takes as many of as the recipe asks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator

from vgpt2_ext.data.builders.common import BuildContext
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.settings import CATEGORIES

Builder = Callable[[BuildContext], Iterator[Example]]


def builder(category: str) -> Builder:
    """The `candidates` function of `category`'s builder module."""
    if category not in CATEGORIES:
        raise KeyError(category)
    return importlib.import_module(f"vgpt2_ext.data.builders.{category}").candidates
