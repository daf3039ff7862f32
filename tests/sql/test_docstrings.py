from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from vgpt2_ext.sql import analysis, binding, extract, grounding, style


@pytest.mark.parametrize("module", [analysis, binding, extract, grounding, style], ids=lambda m: m.__name__)
def test_docstring_examples_hold(module: ModuleType) -> None:
    results = doctest.testmod(module)
    assert results.attempted > 0
    assert results.failed == 0
