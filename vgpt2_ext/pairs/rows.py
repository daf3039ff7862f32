"""The validated SFT rows pairs are made from: read back from the registered sharegpt JSONL.

A pair's prompt is exactly the SFT prompt (the system turn and the user message the model was trained on), so
pairs start from the rows `make data` registered, not from a rebuild that could render prompts differently.
The provenance keys the data registry writes (`id`, `category`, `question`, `missing`, `suggest`) say what a
correct answer must do. A malformed row is one error naming `file:line`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vgpt2_ext.data.registry import read_registry
from vgpt2_ext.errors import DatasetError
from vgpt2_ext.reading import read_jsonl

ROLES = ("system", "human", "gpt")


@dataclass(frozen=True)
class SftRow:
    id: str
    category: str
    question: str
    system: str
    user: str
    answer: str
    missing: tuple[str, ...] = ()
    suggest: tuple[str, ...] = ()

    def prompt(self) -> list[dict[str, str]]:
        """The conversation a backend answers: the SFT system turn and user message, as training saw them."""
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


def sft_file(dataset_dir: str | Path, name: str) -> Path:
    """The JSONL file `dataset_info.json` registers for dataset `name`."""
    registry_path = Path(dataset_dir) / "dataset_info.json"
    entry = read_registry(registry_path).get(name)
    if not isinstance(entry, dict) or not entry.get("file_name"):
        raise DatasetError(f"`{registry_path}` registers no dataset `{name}`; run `make data` first (or set "
                           "`vgpt2.pairs.sft_dataset`)")
    return Path(dataset_dir) / entry["file_name"]


def load_rows(path: str | Path) -> list[SftRow]:
    """Every single-turn row of a registered SFT JSONL file, in file order (read defensively: `vgpt2_ext.reading`).
    A follow-up conversation's prompt is its whole history, which a pair's system + user prompt cannot hold:
    those rows make no pairs."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"SFT dataset `{path}` cannot be read (no such file); run `make data`")
    return [_row(raw, f"{path}:{number}") for number, raw in read_jsonl(path, DatasetError, "SFT dataset ")
            if not (isinstance(raw, dict) and raw.get("follow_ups"))]


def _row(raw: object, where: str) -> SftRow:
    turns = raw.get("conversations") if isinstance(raw, dict) else None
    if not isinstance(turns, list) or [t.get("from") if isinstance(t, dict) else None for t in turns] != list(ROLES):
        raise DatasetError(f"`{where}`: `conversations` must be the turns {list(ROLES)}, as `make data` writes them")
    for key in ("id", "category", "question"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise DatasetError(f"`{where}` lacks the string `{key}` that `make data` writes; rebuild the data")
    system, user, answer = (str(turn.get("value") or "") for turn in turns)
    return SftRow(raw["id"], raw["category"], raw["question"], system, user, answer,
                  tuple(raw.get("missing") or ()), tuple(raw.get("suggest") or ()))
