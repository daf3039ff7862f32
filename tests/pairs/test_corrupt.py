"""Each corruption type, on a gold query, prints the expected wrong query (cases in data/corruptions.yaml);
the table lists every type of the settings once, and the invented names really are missing."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.data.seeds import load_seeds
from vgpt2_ext.pairs import render
from vgpt2_ext.pairs.corrupt import BY_NAME, CORRUPTIONS, Context, described_name, inventions
from vgpt2_ext.pairs.settings import CORRUPTIONS as SETTING_NAMES
from vgpt2_ext.pairs.settings import CorruptionMix
from vgpt2_ext.sql.parse import parse_tsql

CASES = yaml.safe_load((Path(__file__).parent / "data" / "corruptions.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def names(catalog):
    return inventions(catalog, load_seeds())


@pytest.mark.parametrize("case", CASES, ids=[case["title"] for case in CASES])
def test_corruption_prints_the_expected_wrong_query(case, catalog, names):
    tree = parse_tsql(case["sql"])[0] if case["sql"] else None
    before = tree.sql() if tree is not None else None
    ctx = Context(catalog, names, case["pick"], tuple(case.get("missing", ())), tuple(case.get("suggest", ())))
    found = BY_NAME[case["type"]].apply(tree, ctx)
    if case["expected"] is None:
        assert found is None
        return
    assert render.render(found.tree, found.dialect) == case["expected"].strip()
    assert found.detail
    assert tree is None or tree.sql() == before  # the gold tree is left as it was


def test_every_type_of_the_settings_is_listed_once_in_order():
    assert tuple(c.name for c in CORRUPTIONS) == SETTING_NAMES == tuple(CorruptionMix().weights())
    assert all(c.fails for c in CORRUPTIONS)


def test_every_invented_name_is_missing_from_the_catalog(catalog, names):
    assert names.tables["apth"] == ("Invoice", "Invoices") and names.described["aptl"] == "TransactionLines"
    assert names.columns["apth.apref"] == ("APTH.InvNum",)
    assert all(not catalog.has(fake) for fakes in names.tables.values() for fake in fakes)
    assert all(not catalog.has(fake) for fake in names.described.values())
    assert all(catalog.column(*fake.split(".")) is None for fakes in names.columns.values() for fake in fakes)
    assert "aptd.status" in names.rule_columns and "apth.apco" not in names.rule_columns


@pytest.mark.parametrize(("description", "module", "expected"), [
    ("AP transaction lines: the lines of an AP invoice", "AP", "TransactionLines"),
    ("JC job master: one row per job.", "JC", "JobMaster"),
    ("Vendors", "AP", ""),  # one word is the object's own kind of name, not an invention
    ("", "AP", ""),
])
def test_described_name(description, module, expected):
    assert described_name(description, module) == expected


def test_render_docstring_examples_hold():
    results = doctest.testmod(render)
    assert results.attempted > 0 and results.failed == 0
