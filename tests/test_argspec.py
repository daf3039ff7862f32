"""Key and type tables: read from the dataclasses, cached per LLaMA-Factory version, checking values."""

from __future__ import annotations

import dataclasses
import enum
import json
from typing import Literal

import pytest

from vgpt2_ext import argspec
from vgpt2_ext.argspec import check_value, describe, lf_table


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        (int, {"kind": "int", "nullable": False}),
        (float | None, {"kind": "float", "nullable": True}),
        (Literal["a", "b"], {"kind": "choice", "choices": ["a", "b"], "nullable": False}),
        (Color | str, {"kind": "choice", "choices": ["red", "blue"], "nullable": False}),
        (dict | str | None, {"kind": "any", "nullable": True}),
        (list[str], {"kind": "any", "nullable": False}),
    ],
    ids=["int", "optional float", "literal", "enum or text", "union", "list"],
)
def test_describe_maps_type_hints_to_specs(hint, expected):
    assert describe(hint) == expected


def test_lf_table_is_computed_once_then_read_from_a_versioned_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VGPT2_CACHE_DIR", str(tmp_path))
    table = lf_table()
    (cache,) = tmp_path.glob("lf-args-lf*-tf*.json")
    assert json.loads(cache.read_text()) == table
    monkeypatch.setattr(argspec, "_introspect_lf", lambda: pytest.fail("recomputed despite the cache"))
    assert lf_table() == table


def test_lf_table_holds_every_field_of_llamafactorys_dataclasses():
    from llamafactory import hparams

    table = lf_table()
    for name in argspec.TRAIN_CLASSES:
        for field in dataclasses.fields(getattr(hparams, name)):
            if field.init:
                assert name in table[field.name]["owners"], field.name
    assert table["finetuning_type"]["choices"] == ["lora", "oft", "freeze", "full"]


@pytest.mark.parametrize(
    ("value", "spec", "result"),
    [
        (3, {"kind": "float"}, (3, None)),
        (2024, {"kind": "str"}, ("2024", None)),
        (["a", "b"], {"kind": "str"}, (["a", "b"], None)),
        (None, {"kind": "int", "nullable": True}, (None, None)),
        (None, {"kind": "int", "nullable": False}, (None, "`k` must not be null")),
        (True, {"kind": "int"}, (True, "`k` expects an integer, got True (bool)")),
    ],
    ids=["int as float", "number as text", "list of text", "null allowed", "null refused", "bool as int"],
)
def test_check_value_accepts_what_llamafactory_accepts(value, spec, result):
    assert check_value("k", value, spec) == result
