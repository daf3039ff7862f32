"""Reading user files defensively: strict YAML, UTF-8 text, JSON lines, each error naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from vgpt2_ext.errors import DatasetError, RecipeError
from vgpt2_ext.reading import MAX_ALIAS_NODES, parse_yaml, read_jsonl, read_text, read_yaml


@pytest.mark.parametrize(("text", "value"), [
    ("lr: 1e-4", 0.0001), ("lr: 5E+3", 5000.0), ("lr: -2.5e-3", -0.0025), ("lr: 1.0e-4", 0.0001),
    ("lr: '1e-4'", "1e-4"), ("lr: 10", 10), ("lr: 1_000", 1000), ("lr: e5", "e5"),
], ids=["exponent", "capital E and plus", "signed", "dotted", "quoted stays text", "int", "underscores", "a word"])
def test_numbers_in_exponent_form_read_as_yaml_1_2_reads_them(text: str, value: object) -> None:
    assert parse_yaml(text, "`r.yaml`", RecipeError)["lr"] == value


def test_a_key_given_twice_names_both_lines() -> None:
    with pytest.raises(RecipeError, match=r"at line 3, column 1: key `a` appears twice .*first at line 1"):
        parse_yaml("a: 1\nb: 2\na: 3\n", "`r.yaml`", RecipeError)


def test_merge_keys_and_overrides_after_a_merge_are_not_duplicates() -> None:
    assert parse_yaml("x: &x {k: 1, j: 2}\ny:\n  <<: *x\n  k: 3\n", "`r.yaml`", RecipeError)["y"] == {"k": 3, "j": 2}


def test_aliases_within_the_limit_read_and_past_it_are_refused() -> None:
    ten = "[" + ", ".join(["*a"] * 10) + "]"
    assert len(parse_yaml(f"a: &a [1, 2]\nb: {ten}\n", "`r.yaml`", RecipeError)["b"]) == 10
    bomb = "a: &a [" + ", ".join(["1"] * 100) + "]\nb: &b [" + ", ".join(["*a"] * 100) + "]\nc: [" + \
        ", ".join(["*b"] * 2) + "]\n"  # 2 x 100 x 100 nodes beyond the written ones
    with pytest.raises(RecipeError, match=f"more than {MAX_ALIAS_NODES:,}"):
        parse_yaml(bomb, "`r.yaml`", RecipeError)


def test_text_names_the_line_of_a_byte_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"ok\nalso ok\ncaf\xe9\n")
    with pytest.raises(DatasetError, match=r"line 3 is not UTF-8 text: byte 0xe9 at offset 14"):
        read_text(path, DatasetError)
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_yaml(path, DatasetError) == {"a": 1}  # a byte-order mark is not content


def test_json_lines_refuse_a_lone_surrogate_and_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": "b", "text": "x\\ud800y"}\n', encoding="utf-8")
    rows = read_jsonl(path, DatasetError)
    assert next(rows) == (1, {"id": "a"})
    with pytest.raises(DatasetError, match=r"r.jsonl:3` holds a lone surrogate `\\ud800` at character 1"):
        next(rows)
