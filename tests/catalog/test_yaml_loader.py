"""The catalog YAML loader: whole catalogs, overlays on CSV/DDL exports, and every way a YAML can be wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog
from vgpt2_ext.catalog.yaml_loader import load_yaml_catalog
from vgpt2_ext.errors import CatalogError


@pytest.fixture
def write(tmp_path: Path, redgate_ddl: Path):
    """`write(text)` -> the path of a catalog YAML holding `text`, with `{ddl}` naming the Redgate dump."""

    def written(text: str) -> Path:
        path = tmp_path / "catalog.yaml"
        path.write_text(text.replace("{ddl}", str(redgate_ddl)), encoding="utf-8")
        return path

    return written


def test_whole_catalog_yields_each_view_and_its_base_table(sample):
    views = [obj for obj in sample.objects if obj.kind == "view"]
    assert len(views) == 27
    assert len(sample.objects) == 54
    for view in views:
        base = sample.object(view.base_table)
        assert (base.kind, base.column_names, base.keys) == ("table", view.column_names, view.keys)


def test_whole_catalog_keeps_style_rules_and_examples(sample):
    assert sample.style.prefer_views and sample.style.require_nolock and sample.style.require_company_filter
    assert sample.rule("unpaid_ap").predicate == "APTD.Status < 3"
    assert len(sample.examples) >= 20


@pytest.mark.cases("yaml_errors.yaml", "cases")
def test_a_broken_catalog_yaml_fails_with_one_message_naming_the_problem(write, case):
    path = write(case["yaml"])
    with pytest.raises(CatalogError) as raised:
        load_catalog(path)
    message = str(raised.value)
    assert str(path) in message
    for part in case["error"]:
        assert part in message


def test_a_missing_catalog_path_is_named(tmp_path):
    with pytest.raises(CatalogError, match=r"catalog `.*nowhere\.yaml` does not exist"):
        load_catalog(tmp_path / "nowhere.yaml")
    with pytest.raises(CatalogError, match=r"catalog file `.*nowhere\.yaml` does not exist"):
        load_yaml_catalog(tmp_path / "nowhere.yaml")


OVERLAY = """
name: annotated
source: {ddl}
objects:
  APTH:
    module: AP
    description: AP invoice headers.
    columns:
      OpenYN: {description: Open balance left., codes: {"Y": "yes", "N": "no"}}
      InvTotal: {type: int, description: Invoice total.}
  bAPVM:
    keys: [[VendorGroup, SortName]]
    columns:
      Type: {codes: {R: regular, S: supplier}}
rules:
  - {id: open_ap_invoices, table: APTH, text: Open invoices., predicate: "APTH.OpenYN = 'Y'"}
examples:
  - {question: "Which invoices are open?", sql: "SELECT APTrans FROM APTH WITH (NOLOCK) WHERE APCo = 1"}
"""


def test_overlay_annotates_a_ddl_catalog_and_its_view_base_twin(write):
    catalog = load_catalog(write(OVERLAY))
    for name in ("APTH", "bAPTH"):
        header = catalog.object(name)
        assert header.description == "AP invoice headers."
        assert header.column("OpenYN").code_meaning("N") == "no"
        assert header.column("OpenYN").description == "Open balance left."
    assert catalog.name == "annotated"
    assert catalog.rule("open_ap_invoices").table == "APTH"
    assert catalog.examples[0].question == "Which invoices are open?"


def test_overlay_keeps_the_exports_facts_over_its_own(write):
    invoice_total = load_catalog(write(OVERLAY)).column("APTH", "InvTotal")
    assert (invoice_total.sql_type, invoice_total.domain) == ("numeric(12,2)", "bDollar")
    assert invoice_total.description == "Invoice total."


def test_overlay_keys_come_first_and_the_exports_others_follow(write):
    vendors = load_catalog(write(OVERLAY)).object("bAPVM")
    assert vendors.keys == (("VendorGroup", "SortName"), ("VendorGroup", "Vendor"), ("KeyID",))
    assert vendors.column("Type").code_meaning("S") == "supplier"


def test_overlay_leaves_objects_it_does_not_name_as_the_export_has_them(write, redgate):
    catalog = load_catalog(write(OVERLAY))
    assert catalog.object("GLAC") == redgate.object("GLAC")
    assert len(catalog.objects) == len(redgate.objects)


def test_the_sample_overlaid_on_the_real_export_carries_its_codes_rules_and_examples(write, vista_fixture):
    text = SAMPLE_CATALOG.read_text(encoding="utf-8").replace("name: vista-sample", f"source: {vista_fixture}")
    catalog = load_catalog(write(text))
    real = load_catalog(vista_fixture)
    assert len(catalog.objects) == len(real.objects)
    status = catalog.column("APTD", "Status")
    assert [(c.value, c.meaning) for c in status.codes] == [("1", "open"), ("2", "on hold"), ("3", "paid"),
                                                           ("4", "cleared")]
    assert catalog.column("bAPTD", "Status").code_meaning(2) == "on hold"
    assert catalog.object("GLDT").key == ("GLCo", "Mth", "GLTrans")  # a key the export's indexes lack
    assert catalog.rule("open_jobs").predicate == "JCJM.JobStatus = 1"
    assert len(catalog.examples) == len(load_catalog().examples)


def test_an_edited_catalog_file_is_reloaded(write):
    path = write("objects:\n  bX:\n    columns: {A: {type: int}}\n")
    assert load_catalog(path).object("bX").column_names == ("A",)
    path.write_text("objects:\n  bX:\n    columns: {A: {type: int}, B: {type: int}}\n", encoding="utf-8")
    later = path.stat().st_mtime + 5
    os.utime(path, (later, later))
    assert load_catalog(path).object("bX").column_names == ("A", "B")


# -- include: one file's annotations laid under another's ----------------------------------------------------
ANNOTATIONS = """
name: ignored
style: {require_nolock: false}
objects:
  APTH:
    description: AP invoice headers.
    columns:
      OpenYN: {description: Open balance left.}
rules:
  - {id: open_ap_invoices, table: APTH, text: Open invoices., predicate: "APTH.OpenYN = 'Y'"}
"""


def test_include_lays_another_files_objects_rules_and_style_under_the_overlays_own(write, tmp_path):
    (tmp_path / "annotations.yaml").write_text(ANNOTATIONS, encoding="utf-8")
    catalog = load_catalog(write("name: annotated\nsource: {ddl}\ninclude: [annotations.yaml]\n"
                                 "style: {prefer_views: false}\nobjects:\n  GLAC: {description: GL accounts.}\n"))
    assert (catalog.name, catalog.object("bAPTH").description) == ("annotated", "AP invoice headers.")
    assert catalog.column("APTH", "OpenYN").description == "Open balance left."
    assert catalog.object("GLAC").description == "GL accounts."
    assert [rule.id for rule in catalog.rules] == ["open_ap_invoices"]
    assert (catalog.style.prefer_views, catalog.style.require_nolock) == (False, False)


@pytest.mark.parametrize(("included", "error"), [
    (None, "key `include`: catalog file `"),
    ("include: [other.yaml]\n", "includes other files itself; include each one directly"),
    ("objects:\n  apth: {description: Twice.}\n", "objects ['apth'] are described both here and in an included file"),
], ids=["a missing file", "an include inside an include", "one object described in both files"])
def test_a_wrong_include_fails_naming_the_file(write, tmp_path, included, error):
    if included is not None:
        (tmp_path / "annotations.yaml").write_text(included, encoding="utf-8")
    path = write("source: {ddl}\ninclude: [annotations.yaml]\nobjects:\n  APTH: {description: Here.}\n")
    with pytest.raises(CatalogError) as raised:
        load_catalog(path)
    assert str(path) in str(raised.value) and error in str(raised.value)
