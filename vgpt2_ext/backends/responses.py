"""Recorded answers: a JSONL file, one `{"id": ..., "response": ...}` object a line.

Extra keys are accepted and ignored (the reference file carries the earlier scorer's `seed_score`), so a
report's own `responses.jsonl` and files from other tools load alike; a `question` key, where a file has one,
says what the answer was given to (`recorded_questions`), so answers to other questions can be told apart. A
malformed line is an error naming `file:line`; a missing id is not (the suite scores it 0, "no response").
"""

from __future__ import annotations

from pathlib import Path

from vgpt2_ext.errors import ValidationError
from vgpt2_ext.reading import read_jsonl


def load_responses(path: str | Path) -> dict[str, str]:
    """id -> response; a later line with the same id is an error (which answer would count?), and so is a
    file with no answers."""
    return {case_id: row["response"] for case_id, row in recorded_rows(path).items()}


def recorded_questions(path: str | Path) -> dict[str, str]:
    """id -> the question the answer was recorded for, for the rows that say (`question`)."""
    return {case_id: row["question"] for case_id, row in recorded_rows(path).items()
            if isinstance(row.get("question"), str)}


def recorded_rows(path: str | Path) -> dict[str, dict]:
    """id -> the whole row, each checked to have a string `id` and `response`. Read defensively
    (`vgpt2_ext.reading`): UTF-8, no lone surrogate, each line JSON."""
    path = Path(path)
    found: dict[str, dict] = {}
    for number, row in read_jsonl(path, ValidationError, "responses "):
        row = _row(row, f"{path}:{number}")
        if row["id"] in found:
            raise ValidationError(f"`{path}:{number}`: id `{row['id']}` appears twice")
        found[row["id"]] = row
    if not found:
        raise ValidationError(f"responses `{path}` hold no answers; each line must be "
                              '{"id": ..., "response": ...}')
    return found


def _row(row: object, where: str) -> dict:
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        raise ValidationError(f"`{where}` has no string `id`; each line must be {{\"id\": ..., \"response\": ...}}")
    if not isinstance(row.get("response"), str):
        raise ValidationError(f"`{where}` (id `{row['id']}`) has no string `response`")
    return row
