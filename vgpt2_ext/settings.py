"""Our own recipe section: everything under the `vgpt2:` key, as typed dataclasses with their help beside them.

LLaMA-Factory's keys stay flat and are checked against its own argument dataclasses; ours live here so the
recipe compiler checks both the same way (unknown key with a did-you-mean, wrong type, wrong choice) and
strips `vgpt2:` before launch. A nested section is one field on `Settings`, its dataclass defined beside the
code that reads it:

    data: DataSettings = section(DataSettings, "How `make data` builds the SFT examples.")

Keep these modules free of heavy imports: the compiler reads them on every command.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

from vgpt2_ext.data.settings import DataSettings
from vgpt2_ext.judge.settings import ValidateSettings
from vgpt2_ext.pairs.settings import PairSettings


def section(cls: type, help: str) -> Any:
    """A nested settings section: defaults to `cls()`, appears as `vgpt2.<name>.*` in recipes."""
    return field(default_factory=cls, metadata={"help": help})


@dataclass
class Settings:
    """The `vgpt2:` section of a recipe."""

    catalog: str | None = field(
        default=None,
        metadata={
            "help": "Schema catalog: a folder of INFORMATION_SCHEMA CSVs (or a .zip of it), a folder of DDL .sql "
            "files or a catalog YAML. null uses the embedded default, vgpt2_ext/sample/vista.yaml: the real Vista "
            "schema (3,374 objects) with descriptions, codes, rules and examples (`make ... CATALOG=PATH`)."
        },
    )
    schema_context: Literal["none", "pruned"] = field(
        default="pruned",
        metadata={
            "help": "What schema a prompt carries: `none` (closed book) or `pruned` (the DDL of the tables a "
            "question needs plus their relationship neighbours). Drives data building and validation alike."
        },
    )
    model_from: str | None = field(
        default=None,
        metadata={
            "help": "Start from what an earlier stage trained: a stage folder (saves/RUN/sft) or a run folder "
            "(saves/RUN, its latest finished stage). Replaces `model_name_or_path` and stacks that stage's "
            "adapters. null starts from `model_name_or_path`."
        },
    )
    data: DataSettings = section(DataSettings, "How `make data` builds, proves and registers the SFT examples.")
    validate: ValidateSettings = section(ValidateSettings, "How `make validate` answers and scores the cases.")
    pairs: PairSettings = section(PairSettings, "How `vgpt2 pairs build` makes, proves and registers the DPO pairs.")


def load_settings(section_values: dict, cls: type = Settings) -> Any:
    """Typed settings from a compiled recipe's (already checked) `vgpt2` mapping; nested sections recurse."""
    hints = typing.get_type_hints(cls)
    values = {}
    for item in dataclasses.fields(cls):
        if item.name not in section_values:
            continue
        value = section_values[item.name]
        nested = hints[item.name]
        values[item.name] = load_settings(value, nested) if dataclasses.is_dataclass(nested) else value
    return cls(**values)
