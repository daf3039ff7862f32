"""`repair_sql` rewrites what has one right answer through the sqlglot tree and leaves every other query alone."""

from __future__ import annotations

import pytest

from vgpt2_ext.audit.repair import repair_sql
from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog


@pytest.mark.cases("repair.yaml")
def test_a_query_is_repaired_only_where_the_rewrite_is_unambiguous(case):
    found = repair_sql(case["sql"], load_catalog(SAMPLE_CATALOG))
    if case["repaired"] is None:
        assert found is None
    else:
        assert found is not None and found.sql == case["repaired"]
        assert [fix.rule for fix in found.fixes] == case["rules"]
