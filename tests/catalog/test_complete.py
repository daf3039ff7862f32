"""`Catalog.complete`: an export holds every object with all its columns; a standalone YAML does only when it says so.

Data builders make counts, "only X has" claims and denials of objects missing from Vista only from a complete
catalog (an export, or an overlay on one)."""

from __future__ import annotations

import pytest

from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog
from vgpt2_ext.errors import CatalogError

WHOLE = """name: tiny
{complete}objects:
  SHCO:
    keys: [[ShopCo]]
    columns:
      ShopCo: {{type: tinyint, domain: bCompany, nullable: false}}
"""


def test_the_embedded_sample_yaml_is_partial():
    assert load_catalog(SAMPLE_CATALOG).complete is False


@pytest.mark.parametrize(("line", "complete"), [("", False), ("complete: true\n", True), ("complete: false\n", False)])
def test_a_whole_yaml_catalog_is_complete_only_when_it_says_so(tmp_path, line, complete):
    path = tmp_path / "tiny.yaml"
    path.write_text(WHOLE.format(complete=line), encoding="utf-8")
    assert load_catalog(path).complete is complete


def test_a_complete_flag_that_is_no_boolean_is_named(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(WHOLE.format(complete="complete: perhaps\n"), encoding="utf-8")
    with pytest.raises(CatalogError, match="key `complete` must be true or false"):
        load_catalog(path)


def test_ddl_is_complete(tmp_path):
    (tmp_path / "t.sql").write_text("CREATE TABLE dbo.bSHCO (ShopCo tinyint NOT NULL)\nGO\n", encoding="utf-8")
    assert load_catalog(tmp_path / "t.sql").complete is True


@pytest.mark.fixture
def test_an_export_and_an_overlay_on_it_are_complete(vista_fixture, tmp_path):
    assert load_catalog(vista_fixture).complete is True
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(f"source: {vista_fixture}\nobjects:\n  APTH:\n    description: AP invoices.\n", encoding="utf-8")
    assert load_catalog(overlay).complete is True
