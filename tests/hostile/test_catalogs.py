"""Catalog sources that must not load fail with one message naming the file, line or key (`catalogs.yaml`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import one_message, tree, write_files


@pytest.mark.hostile("catalogs.yaml")
def test_a_bad_catalog_is_one_message_and_exit_1(case: dict, cli, tmp_path: Path) -> None:
    files = dict(case["files"])
    if "deep" in case:  # too deep to write out: `deep` levels of `nest` (default YAML's flow brackets)
        opening, closing = case.get("nest", "[]")
        files = {name: text.replace("${deep}", opening * case["deep"] + closing * case["deep"])
                 for name, text in files.items()}
    write_files(tmp_path, files, tmp_path)
    before = tree(tmp_path)
    code, _, err = cli("catalog", "list", "--catalog", str(tmp_path / case["load"]))
    message = one_message(err)
    assert code == 1
    for text in case["says"]:
        assert text in message, message
    assert tree(tmp_path) == before
