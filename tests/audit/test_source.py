"""Reading a dataset file: a JSON array streams element by element across chunk boundaries, JSON lines line by
line, both with the numbers every message names; bytes that are not UTF-8 name their row."""

from __future__ import annotations

import json

import pytest

from vgpt2_ext.audit import source
from vgpt2_ext.errors import DatasetError

ROWS = [{"instruction": f"q{i} é ✓", "output": "a" * i, "nested": {"list": [1, "]", ","]}} for i in range(40)]


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20], ids=lambda n: f"chunks of {n} bytes")
def test_a_json_array_streams_the_same_rows_whatever_the_chunk_size(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(source, "CHUNK", chunk)
    path = tmp_path / "d.json"
    path.write_text(" \n" + json.dumps(ROWS, indent=2, ensure_ascii=False), encoding="utf-8")
    found = list(source.rows(path))
    assert [row for _, row, _ in found] == ROWS
    assert [number for number, _, _ in found] == list(range(1, 41))
    read = [done for _, _, done in found]
    assert read == sorted(read) and 0 < read[-1] <= path.stat().st_size  # the progress bar's measure


def test_json_lines_are_numbered_by_line_and_blank_lines_skipped(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"a": 1}\n\n{"a": 2}\n')
    assert [(number, row) for number, row, _ in source.rows(path)] == [(1, {"a": 1}), (3, {"a": 2})]


@pytest.mark.parametrize(("content", "needle"), [
    (b'[{"a": 1}, {"a": "caf\xe9"}, {"a": 3}]', "row 2: byte 0xE9 at byte offset 21 is not UTF-8"),
    (b'{"a": 1}\n{"a": 2}\n{"a": "caf\xe9"}\n', "row 3: byte 0xE9 at byte offset 28 is not UTF-8"),
    (b'[{"a": 1}, {"a": 2}, {"a": 3,}]', "row 3: not valid JSON"),
    (b'{"a": 1}\n{"a": 2\n', "row 2 (line 2): not valid JSON"),
    (b'[{"a": 1} {"a": 2}]', "row 2: expected `,` or `]` after row 1"),
    (b'[{"a": 1}] [', "text after the closing `]`"),
    (b"\xff\xfe[\x00]\x00", "is UTF-16 text; save it as UTF-8"),
    (b"instruction,output\n", "row 1: expected a JSON array of rows"),
], ids=["latin-1 byte in an array", "latin-1 byte in JSON lines", "broken element", "broken line",
        "missing comma", "text after the array", "UTF-16", "CSV"])
def test_bad_bytes_name_the_row_they_are_in(tmp_path, monkeypatch, content, needle):
    monkeypatch.setattr(source, "CHUNK", 5)
    path = tmp_path / "d.json"
    path.write_bytes(content)
    with pytest.raises(DatasetError) as error:
        list(source.rows(path))
    assert needle in str(error.value)


def test_a_dataset_name_resolves_through_its_registry_entry(tmp_path):
    (tmp_path / "mine.jsonl").write_text('{"q": "x", "a": "y"}\n')
    entry = {"file_name": "mine.jsonl", "columns": {"prompt": "q", "response": "a"}}
    (tmp_path / "dataset_info.json").write_text(json.dumps({"mine": entry}))
    by_name = source.resolve("mine", tmp_path)
    by_file = source.resolve(str(tmp_path / "mine.jsonl"), tmp_path / "elsewhere")
    assert by_name == by_file == source.Source(tmp_path / "mine.jsonl", "mine", entry)
    with pytest.raises(DatasetError, match="neither a file nor a dataset registered"):
        source.resolve("yours", tmp_path)
