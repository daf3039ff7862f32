"""Our `vgpt2:` section: typed settings, and nested sections added as one field are checked like the rest."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from vgpt2_ext import recipe_checks
from vgpt2_ext.argspec import dataclass_specs
from vgpt2_ext.errors import RecipeError
from vgpt2_ext.recipe import compile_recipe
from vgpt2_ext.settings import Settings, load_settings, section


@dataclass
class Pairs:
    share: float = field(default=0.5, metadata={"help": "a share"})


@dataclass
class WithPairs(Settings):
    pairs: Pairs = section(Pairs, "a nested section")


def test_compiled_section_loads_as_typed_settings(in_repo, tmp_path):
    config = compile_recipe("sft", "tiny-cpu", [f"model_name_or_path={tmp_path}", "vgpt2.schema_context=none"])
    settings = load_settings(config["vgpt2"])
    assert settings == Settings(catalog=None, schema_context="none", model_from=None)


def test_a_nested_section_is_one_field_and_is_checked_and_filled(in_repo, tmp_path, monkeypatch):
    assert dataclass_specs(WithPairs)["pairs"]["kind"] == "section"
    monkeypatch.setattr(recipe_checks, "Settings", WithPairs)
    model = f"model_name_or_path={tmp_path}"
    config = compile_recipe("sft", "tiny-cpu", [model, "vgpt2.pairs.share=0.25"])
    assert config["vgpt2"]["pairs"] == {"share": 0.25}
    assert load_settings(config["vgpt2"], WithPairs).pairs == Pairs(share=0.25)
    assert compile_recipe("sft", "tiny-cpu", [model])["vgpt2"]["pairs"] == {"share": 0.5}
    with pytest.raises(RecipeError, match=r"unknown key `vgpt2.pairs.shar`; did you mean `vgpt2.pairs.share`\?"):
        compile_recipe("sft", "tiny-cpu", [model, "vgpt2.pairs.shar=1"])
    with pytest.raises(RecipeError, match="`vgpt2.pairs.share` expects a number"):
        compile_recipe("sft", "tiny-cpu", [model, "vgpt2.pairs.share=lots"])
