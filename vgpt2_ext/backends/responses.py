"""Recorded answers: a JSONL file, one `{"id": ..., "response": ...}` object a line.

Extra keys are accepted and ignored (the reference file carries the earlier scorer's `seed_score`), so a
report's own `responses.jsonl` and files from other tools load alike. A malformed line is an error naming
`file:line`; a missing id is not (the suite scores it 0, "no response").
"""

from __future__ import annotations

import json
from pathlib import Path

from vgpt2_ext.errors import ValidationError


def load_responses(path: str | Path) -> dict[str, str]:
    """id -> response; a later line with the same id is an error (which answer would count?)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ValidationError(f"responses `{path}` cannot be read: {error.strerror}") from None
    found: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        case_id, response = _row(line, f"{path}:{number}")
        if case_id in found:
            raise ValidationError(f"`{path}:{number}`: id `{case_id}` appears twice")
        found[case_id] = response
    return found


def _row(line: str, where: str) -> tuple[str, str]:
    try:
        row = json.loads(line)
    except ValueError as error:
        raise ValidationError(f"`{where}` is not valid JSON ({error.msg}); each line must be "
                              '{"id": ..., "response": ...}') from None
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        raise ValidationError(f"`{where}` has no string `id`; each line must be {{\"id\": ..., \"response\": ...}}")
    if not isinstance(row.get("response"), str):
        raise ValidationError(f"`{where}` (id `{row['id']}`) has no string `response`")
    return row["id"], row["response"]
