"""Files replaced as a set: all of them or none, a manifest last, and a check that says when they are not whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vgpt2_ext.atomic import FileSet, check_set, writable_folder
from vgpt2_ext.errors import VGPT2Error


def _set(folder: Path, text: str) -> None:
    with FileSet(folder, "MANIFEST.json") as files:
        files.write_text("a.txt", text)
        files.write_json("b.json", {"text": text})
        files.write_text("shared.json", "{}", tracked=False)
        files.facts = {"built_from": text}


def test_a_committed_set_is_described_by_its_manifest(tmp_path: Path) -> None:
    _set(tmp_path, "one")
    manifest, problem = check_set(tmp_path, "MANIFEST.json")
    assert problem is None and manifest["built_from"] == "one"
    assert sorted(manifest["files"]) == ["a.txt", "b.json"]  # the shared file is renamed with it, not tracked
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MANIFEST.json", "a.txt", "b.json", "shared.json"]


def test_a_failure_inside_the_block_leaves_the_previous_set_and_no_temporary_file(tmp_path: Path) -> None:
    _set(tmp_path, "one")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(RuntimeError), FileSet(tmp_path, "MANIFEST.json") as files:
        files.write_text("a.txt", "two")
        raise RuntimeError("interrupted")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_set_changed_behind_its_manifest_is_reported(tmp_path: Path) -> None:
    _set(tmp_path, "one")
    (tmp_path / "a.txt").write_text("edited", encoding="utf-8")
    assert "`a.txt` is not the file the last build wrote" in check_set(tmp_path, "MANIFEST.json")[1].replace(
        str(tmp_path) + "/", "")
    (tmp_path / "a.txt").unlink()
    assert "is missing" in check_set(tmp_path, "MANIFEST.json")[1]
    (tmp_path / "MANIFEST.json").write_text("[]", encoding="utf-8")
    assert check_set(tmp_path, "MANIFEST.json") == (None, f"no readable `{tmp_path / 'MANIFEST.json'}` (the set "
                                                          "was never completed here)")


def test_removed_files_go_when_the_set_is_committed(tmp_path: Path) -> None:
    (tmp_path / "stale.txt").write_text("old", encoding="utf-8")
    with FileSet(tmp_path, "MANIFEST.json") as files:
        files.write_text("a.txt", "new")
        files.remove("stale.txt")
        assert (tmp_path / "stale.txt").exists()  # not before the commit
    assert not (tmp_path / "stale.txt").exists()
    assert json.loads((tmp_path / "MANIFEST.json").read_text())["files"].keys() == {"a.txt"}


def test_a_folder_that_cannot_be_written_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert writable_folder(tmp_path / "new" / "deep", "report folder") == tmp_path / "new" / "deep"
    with pytest.raises(VGPT2Error, match="report folder `.*file/sub` cannot be written"):
        writable_folder(tmp_path / "file" / "sub", "report folder")
