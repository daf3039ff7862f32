"""Recipes and overrides with values that cannot train are refused before launch, all problems at once, and a
recipe file reads numbers as the overrides do (`recipes.yaml`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import REPO, one_message, write_files


@pytest.mark.hostile("recipes.yaml")
def test_a_recipe_that_cannot_train_is_refused_with_every_problem(case: dict, cli, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # recipes/ and its profiles
    args = list(case.get("args", []))
    if "file" in case:
        content = case["file"]
        header = "" if case.get("standalone") else f"extends: {REPO / 'recipes' / 'sft.yaml'}\n"
        files = {"r.yaml": {"latin1": header + content["latin1"]} if isinstance(content, dict) else header + content}
        write_files(tmp_path, files, tmp_path)
        recipe = str(tmp_path / "r.yaml")
    else:
        recipe = "sft"
    code, out, err = cli("recipe", "show", recipe, *args)
    if "shows" in case:
        assert code == 0 and "Traceback" not in err, err
        for text in case["shows"]:
            assert text in out
        return
    message = one_message(err)
    assert code == 1
    for text in case["says"]:
        assert text in message, message
