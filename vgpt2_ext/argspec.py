"""Which keys a recipe may set and which values they take, read from the argument dataclasses themselves.

LLaMA-Factory's table comes from its own dataclasses (ModelArguments, DataArguments, TrainingArguments,
FinetuningArguments, GeneratingArguments), never from a hand-kept list, so a key it renames or drops fails our
compiler and our tests. Importing LLaMA-Factory pulls in torch and transformers (seconds), which would eat the
launcher's overhead budget, so the table is computed once per installed LLaMA-Factory/transformers version and
cached as JSON (`$VGPT2_CACHE_DIR`, default `<venv>/.cache/vgpt2`). A spec is a small JSON-able dict:
`{"kind": "bool"|"int"|"float"|"str"|"choice"|"any"|"section", "nullable": bool, "choices": [...],
"owners": [class names], "fields": {...} (sections only)}`.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import sys
import types
import typing
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal, Union

from vgpt2_ext.atomic import write_json
from vgpt2_ext.suggest import did_you_mean

TRAIN_CLASSES = ("ModelArguments", "DataArguments", "TrainingArguments", "FinetuningArguments", "GeneratingArguments")
INFER_CLASSES = ("ModelArguments", "DataArguments", "FinetuningArguments", "GeneratingArguments")
_TABLE_FORMAT = 1  # bump when the shape of a spec changes, so old caches are recomputed
_KIND_OF = {bool: "bool", int: "int", float: "float", str: "str", Path: "str"}


def describe(hint: Any, default_is_none: bool = False) -> dict:
    """The spec of one dataclass field from its resolved type hint; a `None` default makes it nullable."""
    members, nullable = _union_members(hint)
    spec = _describe_members(members)
    spec["nullable"] = nullable or default_is_none
    return spec


def _union_members(hint: Any) -> tuple[list, bool]:
    if typing.get_origin(hint) in (Union, types.UnionType):
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return members, len(members) < len(typing.get_args(hint))
    return [hint], False


def _describe_members(members: list) -> dict:
    enums = [m for m in members if isinstance(m, type) and issubclass(m, enum.Enum)]
    if enums and all(m in enums or m is str for m in members):  # `SchedulerType | str`: LF converts to the enum
        return {"kind": "choice", "choices": [item.value for e in enums for item in e]}
    if len(members) != 1:
        return {"kind": "any"}
    member = members[0]
    if typing.get_origin(member) is Literal:
        return {"kind": "choice", "choices": list(typing.get_args(member))}
    if dataclasses.is_dataclass(member):
        return {"kind": "section", "fields": dataclass_specs(member)}
    return {"kind": _KIND_OF.get(member, "any")}


def dataclass_specs(cls: type) -> dict[str, dict]:
    """Specs of every init field of a dataclass, by field name."""
    hints = typing.get_type_hints(cls)
    fields = [item for item in dataclasses.fields(cls) if item.init]
    return {item.name: describe(hints[item.name], item.default is None) for item in fields}


def lf_table() -> dict[str, dict]:
    """LLaMA-Factory's training/inference keys and their specs, from the cache or computed (and cached) now."""
    path = _cache_path()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        table = _introspect_lf()
    try:
        write_json(path, table)
    except OSError:
        pass  # a read-only install still works, just without the speed-up
    return table


def _cache_path() -> Path:
    root = Path(os.environ.get("VGPT2_CACHE_DIR") or Path(sys.prefix) / ".cache" / "vgpt2")
    tag = f"lf{version('llamafactory')}-tf{version('transformers')}-f{_TABLE_FORMAT}"
    return root / f"lf-args-{tag}.json"


def _introspect_lf() -> dict[str, dict]:
    from llamafactory import hparams

    table: dict[str, dict] = {}
    for name in TRAIN_CLASSES:
        for key, spec in dataclass_specs(getattr(hparams, name)).items():
            table.setdefault(key, {**spec, "owners": []})["owners"].append(name)
    return table


def check_value(key: str, value: Any, spec: dict) -> tuple[Any, str | None]:
    """`(value, None)` when `value` fits `spec` (numbers given for text become text), else `(value, problem)`."""
    kind = spec["kind"]
    if value is None:
        return value, None if spec.get("nullable") else f"`{key}` must not be null"
    if kind == "str" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value), None  # `run_name=2024` means the text "2024"
    if kind == "str" and isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value, None  # LLaMA-Factory splits comma lists (`dataset`, `lora_target`) and takes lists as well
    if kind == "choice":
        return value, None if value in spec["choices"] else _choice_problem(key, value, spec["choices"])
    expected = {"bool": (bool,), "int": (int,), "float": (int, float), "str": (str,), "section": (dict,)}
    if kind in expected and (not isinstance(value, expected[kind]) or _bool_as_number(kind, value)):
        return value, f"`{key}` expects {_KIND_WORDS[kind]}, got {value!r} ({type(value).__name__})"
    return value, None


_KIND_WORDS = {"bool": "true or false", "int": "an integer", "float": "a number", "str": "text", "section": "a mapping"}


def _bool_as_number(kind: str, value: Any) -> bool:
    return kind in ("int", "float") and isinstance(value, bool)


def _choice_problem(key: str, value: Any, choices: list) -> str:
    listed = ", ".join(str(choice) for choice in choices)
    return f"`{key}` must be one of {listed}; got {value!r}{did_you_mean(str(value), [str(c) for c in choices])}"
