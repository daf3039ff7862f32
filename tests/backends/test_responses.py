"""Recorded answers: one JSON object a line; bad lines are errors naming file:line, extra keys are ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from vgpt2_ext.backends.responses import load_responses
from vgpt2_ext.errors import ValidationError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.jsonl"
    path.write_text(text, encoding="utf-8")
    return path


def test_lines_load_by_id_ignoring_extra_keys_and_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, '{"id": "a", "response": "x", "seed_score": 0.9}\n\n{"id": "b", "response": ""}\n')
    assert load_responses(path) == {"a": "x", "b": ""}


@pytest.mark.parametrize(("text", "message"), [
    ('{"id": "a", "response": "x"}\n{"id": "b", "resp\n', "`{path}:2` is not valid JSON"),
    ('["a", "x"]\n', "`{path}:1` has no string `id`"),
    ('{"id": "a"}\n', "`{path}:1` (id `a`) has no string `response`"),
    ('{"id": "a", "response": "x"}\n{"id": "a", "response": "y"}\n', "`{path}:2`: id `a` appears twice"),
], ids=["malformed line", "not an object", "no response", "duplicate id"])
def test_a_bad_line_is_an_error_naming_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ValidationError) as raised:
        load_responses(path)
    assert message.format(path=path) in str(raised.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot be read"):
        load_responses(tmp_path / "none.jsonl")
