"""The fact reader: every kind of claim is read and decided by the catalog, a true and a false twin per kind.

The table is data (`facts.yaml`); each entry lists the claims that must come out true and false, and what it
leaves out must not come out at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vgpt2_ext.catalog import SAMPLE_CATALOG, Catalog, load_catalog
from vgpt2_ext.judge.facts import catalog_complete, check_facts, false_facts

HERE = Path(__file__).parent
ENTRIES = yaml.safe_load((HERE / "facts.yaml").read_text(encoding="utf-8"))["facts"]
CATALOGS = {"ddl": HERE / "data" / "facts.sql", "sample": SAMPLE_CATALOG}


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    return {name: load_catalog(path) for name, path in CATALOGS.items()}


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["title"] for entry in ENTRIES])
def test_each_claim_is_decided_by_the_catalog(entry: dict, catalogs: dict[str, Catalog]) -> None:
    facts = check_facts(entry["text"], catalogs[entry["catalog"]])
    assert sorted(f.claim.text for f in facts if f.true) == sorted(entry.get("right", [])), [str(f) for f in facts]
    assert sorted(f.claim.text for f in facts if not f.true) == sorted(entry.get("wrong", [])), [str(f) for f in facts]


def test_the_table_has_a_true_and_a_false_twin_of_every_kind(catalogs: dict[str, Catalog]) -> None:
    kinds = {True: set(), False: set()}
    for entry in ENTRIES:
        for fact in check_facts(entry["text"], catalogs[entry["catalog"]]):
            kinds[fact.true].add(fact.kind)
    every = {"key", "join", "join_pair", "type", "nullable", "code", "holder", "column_count", "holder_count", "only"}
    assert kinds[True] >= every - {"nullable"} and kinds[False] >= every - {"nullable"}
    assert "nullable" in kinds[True] | kinds[False]


def test_a_false_fact_says_why_and_gives_the_catalogs_value(catalogs: dict[str, Catalog]) -> None:
    [problem] = false_facts("The primary key of APTH is: APCo, Vendor", catalogs["ddl"])
    assert problem.why == "(APCo, Vendor) is no unique key of APTH"
    assert problem.truth == "(APCo, Mth, APTrans)"
    assert str(problem) == "the key of APTH is (APCo, Vendor): (APCo, Vendor) is no unique key of APTH " \
                           "(true: (APCo, Mth, APTrans))"


def test_exports_and_overlays_are_complete_and_a_plain_yaml_is_not(catalogs: dict[str, Catalog],
                                                                   tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(f"source: {CATALOGS['ddl']}\nobjects:\n  APTH: {{description: AP invoices}}\n",
                       encoding="utf-8")
    assert catalog_complete(catalogs["ddl"]) and catalog_complete(load_catalog(overlay))
    assert not catalog_complete(catalogs["sample"])
