from __future__ import annotations

import pytest

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.errors import SQLAnalysisError
from vgpt2_ext.sql import analyze, extract_blocks, extract_sql


@pytest.mark.cases("extract.yaml")
def test_extraction_finds_the_sql_of_an_answer(case: dict, sample: Catalog) -> None:
    blocks = extract_blocks(case["answer"])
    assert [(b.sql, b.fenced, b.truncated) for b in blocks] == \
        [(want["sql"], want["fenced"], want["truncated"]) for want in case["blocks"]]
    assert extract_sql(case["answer"]) == [want["sql"] for want in case["blocks"]]
    for block, want in zip(blocks, case["blocks"]):
        if "error" in want:
            with pytest.raises(SQLAnalysisError, match=want["error"]):
                analyze(block.sql, sample)
        else:
            analyze(block.sql, sample)  # every complete block parses
