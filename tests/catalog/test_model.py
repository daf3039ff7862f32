"""The catalog model: lookups as SQL Server users type names, problems caught at build time, derived views."""

from __future__ import annotations

import pytest

from vgpt2_ext.catalog import Catalog, CatalogObject, Column, Relationship
from vgpt2_ext.catalog.model import canonical_type, module_of, rank_keys
from vgpt2_ext.errors import CatalogError


def _object(name: str, *columns: str, keys=(), kind="table", base=None) -> CatalogObject:
    return CatalogObject(name=name, kind=kind, columns=tuple(Column(c, "int") for c in columns), keys=keys,
                         base_table=base)


@pytest.mark.cases("model.yaml", "lookups")
def test_lookup_finds_an_object_however_the_user_types_its_name(sample, case):
    assert sample.object(case["name"]).name == case["found"]


@pytest.mark.cases("model.yaml", "missing")
def test_failed_lookup_names_the_object_and_suggests_the_closest(sample, case):
    with pytest.raises(CatalogError) as raised:
        sample.object(case["name"])
    message = str(raised.value)
    assert f"`{case['name']}`" in message
    assert ("did you mean" in message) == bool(case["suggests"])
    assert all(f"`{name}`" in message for name in case["suggests"])


def test_find_returns_none_for_an_unknown_object(sample):
    assert sample.find("Invoice") is None


def test_column_lookup_ignores_case_but_keeps_the_catalog_spelling(sample):
    assert sample.column("aptd", "STATUS").name == "Status"
    assert sample.column("APTH", "Status") is None


def test_payment_status_lives_in_aptd_not_apth(sample):
    holders = {obj.name for obj in sample.tables_with_column("Status") if obj.kind == "view"}
    assert "APTD" in holders and "APTH" not in holders


def test_view_and_base_table_point_at_each_other(sample):
    assert sample.view_of("bapth").name == "APTH"
    assert sample.base_of("APTH").name == "bAPTH"
    assert sample.preferred("bAPTH").name == "APTH"


def test_queryable_objects_are_the_views_not_their_base_tables(sample):
    names = {obj.name for obj in sample.queryable}
    assert "APTH" in names and "bAPTH" not in names


def test_view_of_prefers_the_view_named_after_the_base_table():
    base = _object("bHRCM", "HRCo")
    catalog = Catalog("t", (base, _object("HRCMTestStatus", "HRCo", kind="view", base="bHRCM"),
                            _object("HRCM", "HRCo", kind="view", base="bHRCM")))
    assert catalog.view_of("bHRCM").name == "HRCM"


@pytest.mark.parametrize(("name", "company"), [("APTH", "APCo"), ("APHB", "Co"), ("HQCO", "HQCo"), ("APVM", None)],
                         ids=["module company", "generic batch Co", "the company master", "no company column"])
def test_company_column_is_the_companys_key_column(sample, name, company):
    found = sample.object(name).company_column
    assert (found.name if found else None) == company


def test_code_meaning_reads_coded_values(sample):
    status = sample.column("APTD", "Status")
    assert status.code_meaning(3) == "paid"
    assert status.code_meaning("9") is None


def test_sqlglot_schema_types_every_column_and_defaults_untyped_ones_to_varchar():
    catalog = Catalog("t", (CatalogObject("rpt", "view", (Column("A", "tinyint"), Column("B"))),))
    assert catalog.sqlglot_schema == {"rpt": {"A": "tinyint", "B": "varchar"}}


def test_fingerprint_follows_content():
    one = Catalog("t", (_object("bX", "A"),))
    assert one.fingerprint == Catalog("t", (_object("bX", "A"),)).fingerprint
    assert one.fingerprint != Catalog("t", (_object("bX", "A", "B"),)).fingerprint


@pytest.mark.parametrize(("objects", "relationships", "error"), [
    ((_object("bX", "A"), _object("BX", "A")), (), "lists object `BX` twice"),
    ((_object("X", "A", kind="view", base="bX"),), (), "selects from `bX`, which the catalog lacks"),
    ((_object("bX", "A"),), (Relationship("bX", ("A",), "bY", ("A",), "declared"),), "unknown object `bY`"),
    ((_object("bX", "A"), _object("bY", "B")), (Relationship("bX", ("A",), "bY", ("C",), "declared"),),
     "columns ['C'] that `bY` lacks"),
    ((_object("bX", "A"), _object("bY", "B")), (Relationship("bX", ("A",), "bY", ("B", "B"), "declared"),),
     "pairs 1 columns with 2"),
], ids=["duplicate object", "view over a missing base", "relationship to an unknown object",
        "relationship naming a missing column", "relationship with unequal column lists"])
def test_building_a_broken_catalog_fails_with_the_problem_named(objects, relationships, error):
    with pytest.raises(CatalogError, match=error.replace("[", r"\[").replace("]", r"\]")):
        Catalog("t", objects, declared_relationships=relationships)


def test_a_key_naming_a_missing_column_fails_when_the_object_is_built():
    with pytest.raises(CatalogError, match=r"key \['APCo', 'Mth'\] of `bAPTH` names missing columns \['Mth'\]"):
        _object("bAPTH", "APCo", keys=(("APCo", "Mth"),))


@pytest.mark.cases("model.yaml", "modules")
def test_module_of_reads_the_two_module_letters_after_the_prefix(case):
    assert module_of(case["name"]) == case["module"]


@pytest.mark.cases("model.yaml", "types")
def test_canonical_type_gives_one_spelling_per_type(case):
    assert canonical_type(case["text"]) == case["canonical"]


@pytest.mark.cases("model.yaml", "bad_types")
def test_canonical_type_rejects_text_that_is_no_base_type(case):
    with pytest.raises(CatalogError, match="is not a SQL Server base type"):
        canonical_type(case["text"])


def test_rank_keys_puts_the_clustered_key_first_and_surrogates_last():
    found = [(False, ("KeyID",)), (False, ("VendorGroup", "SortName")), (True, ("VendorGroup", "Vendor")),
             (True, ("VendorGroup", "Vendor"))]
    assert rank_keys(found) == (("VendorGroup", "Vendor"), ("VendorGroup", "SortName"), ("KeyID",))
