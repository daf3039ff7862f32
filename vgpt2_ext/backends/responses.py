"""Recorded answers: a JSONL file, one `{"id": ..., "response": ...}` object a line.

Extra keys are accepted and ignored (the reference file carries the earlier scorer's `seed_score`), so a
report's own `responses.jsonl` and files from other tools load alike. A malformed line is an error naming
`file:line`; a missing id is not (the suite scores it 0, "no response").
"""

from __future__ import annotations

from pathlib import Path

from vgpt2_ext.errors import ValidationError
from vgpt2_ext.reading import read_jsonl


def load_responses(path: str | Path) -> dict[str, str]:
    """id -> response; a later line with the same id is an error (which answer would count?), and so is a
    file with no answers. Read defensively (`vgpt2_ext.reading`): UTF-8, no lone surrogate, each line JSON."""
    path = Path(path)
    found: dict[str, str] = {}
    for number, row in read_jsonl(path, ValidationError, "responses "):
        case_id, response = _row(row, f"{path}:{number}")
        if case_id in found:
            raise ValidationError(f"`{path}:{number}`: id `{case_id}` appears twice")
        found[case_id] = response
    if not found:
        raise ValidationError(f"responses `{path}` hold no answers; each line must be "
                              '{"id": ..., "response": ...}')
    return found


def _row(row: object, where: str) -> tuple[str, str]:
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        raise ValidationError(f"`{where}` has no string `id`; each line must be {{\"id\": ..., \"response\": ...}}")
    if not isinstance(row.get("response"), str):
        raise ValidationError(f"`{where}` (id `{row['id']}`) has no string `response`")
    return row["id"], row["response"]
