"""Relationship inference: the join paths Vista never declares, found on the sample and the real export,
and the nonsense each inference rule keeps out."""

from __future__ import annotations

import pytest

from vgpt2_ext.catalog import Catalog, load_catalog


def _path(catalog: Catalog, child: str, parent: str):
    return next((r for r in catalog.relationships if (r.child, r.parent) == (child, parent)), None)


def _pairs(case) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(pair) for pair in case["pairs"])


@pytest.mark.cases("relations.yaml", "both")
def test_sample_infers_the_join_path(sample, case):
    found = _path(sample, case["child"], case["parent"])
    assert found is not None and found.pairs == _pairs(case)
    assert found.source == "inferred"


@pytest.mark.cases("relations.yaml", "both")
def test_real_export_infers_the_join_path(vista, case):
    found = _path(vista, case["child"], case["parent"])
    assert found is not None and found.pairs == _pairs(case)


@pytest.mark.cases("relations.yaml", "export_only")
def test_real_export_infers_paths_beyond_the_sample(vista, case):
    found = _path(vista, case["child"], case["parent"])
    assert found is not None and found.pairs == _pairs(case)


@pytest.mark.cases("relations.yaml", "export_absent")
def test_real_export_infers_no_nonsense_path(vista, case):
    assert _path(vista, case["child"], case["parent"]) is None
    assert vista.find(case["child"]) and vista.find(case["parent"])  # both exist: the rules excluded the path


@pytest.mark.cases("relations.yaml", "rules")
def test_each_inference_rule_keeps_its_kind_of_nonsense_out(tmp_path, case):
    path = tmp_path / "catalog.yaml"
    path.write_text(case["catalog"], encoding="utf-8")
    catalog = load_catalog(path)
    assert sorted(f"{r.child} -> {r.parent}" for r in catalog.relationships) == sorted(case["joins"])


def test_join_paths_never_cross_between_views_and_base_tables(vista):
    kinds = {obj.name: obj.kind for obj in vista.objects}
    assert all(kinds[r.child] == kinds[r.parent] for r in vista.relationships)


def test_join_paths_are_listed_from_either_end(sample):
    header_paths = {(r.child, r.parent) for r in sample.joins("apth")}
    assert {("APTH", "APVM"), ("APTD", "APTH"), ("APTL", "APTH")} <= header_paths
    assert sample.join_between("APVM", "APTH").condition("v", "h") == (
        "v.VendorGroup = h.VendorGroup AND v.Vendor = h.Vendor")


def test_a_declared_relationship_replaces_the_inferred_one_for_its_pair(redgate):
    paths = [r for r in redgate.relationships if (r.child, r.parent) == ("bGLAC", "bGLCO")]
    assert [r.source for r in paths] == ["declared"]
