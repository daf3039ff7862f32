"""Dataset shapes: read off the first row or a dataset_info.json entry, and written back as the entry LLaMA-Factory
reads the clean copy with; a row's answers keep their paths, so a repair is written back where it was."""

from __future__ import annotations

import pytest

from vgpt2_ext.audit.shapes import read_row, shape_of, with_answers
from vgpt2_ext.errors import DatasetError


@pytest.mark.parametrize(("first", "described", "entry"), [
    ({"instruction": "q", "input": "", "output": "a"}, "alpaca SFT",
     {"formatting": "alpaca", "ranking": False, "columns": {"prompt": "instruction", "query": "input",
                                                            "response": "output"}}),
    ({"instruction": "q", "chosen": "a", "rejected": "b", "system": "s"}, "alpaca ranking",
     {"formatting": "alpaca", "ranking": True, "columns": {"prompt": "instruction", "system": "system",
                                                           "chosen": "chosen", "rejected": "rejected"}}),
    ({"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]}, "sharegpt SFT",
     {"formatting": "sharegpt", "ranking": False, "columns": {"messages": "conversations"},
      "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt",
               "observation_tag": "observation", "function_tag": "function_call", "system_tag": "system"}}),
    ({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}, "sharegpt SFT",
     {"formatting": "sharegpt", "ranking": False, "columns": {"messages": "messages"},
      "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant",
               "observation_tag": "tool", "function_tag": "function", "system_tag": "system"}}),
], ids=["alpaca", "alpaca ranking", "sharegpt", "openai messages"])
def test_the_first_row_tells_the_shape_and_the_entry_to_register(first, described, entry):
    shape = shape_of(None, first, "auto", "`d.json`")
    assert shape.describe() == described
    assert shape.entry("x.jsonl") == {"file_name": "x.jsonl", **entry}


def test_a_registry_entry_gives_its_own_columns_and_wins_over_the_rows():
    entry = {"file_name": "mine.json", "columns": {"prompt": "q", "response": "a"}}
    shape = shape_of(entry, {"q": "How?", "a": "So."}, "auto", "`mine.json`")
    row = read_row(1, {"q": "How?", "a": "So."}, shape, "`mine.json`")
    assert [(a.path, a.question, a.text) for a in row.answers] == [(("a",), "How?", "So.")]
    with pytest.raises(DatasetError, match="its dataset_info.json entry says alpaca SFT, not `--format sharegpt`"):
        shape_of(entry, {}, "sharegpt", "`mine.json`")


def test_every_trained_turn_is_an_answer_and_a_repair_goes_back_to_its_path():
    data = {"conversations": [{"from": "system", "value": "s"}, {"from": "human", "value": "q1"},
                              {"from": "gpt", "value": "a1"}, {"from": "human", "value": "q2"},
                              {"from": "gpt", "value": "a2"}], "id": 7}
    shape = shape_of(None, data, "auto", "`d`")
    row = read_row(4, data, shape, "`d`")
    # a follow-up is read with the questions before it (the company the first turn gave still holds)
    assert [(a.label, a.question, a.text) for a in row.answers] == [("conversations[2]", "q1", "a1"),
                                                                    ("conversations[4]", "q1\nq2", "a2")]
    fixed = with_answers(row, {row.answers[1].path: "a2 fixed"})
    assert fixed["conversations"][4] == {"from": "gpt", "value": "a2 fixed"} and fixed["id"] == 7
    assert data["conversations"][4]["value"] == "a2"  # the row as read is not changed


def test_alpaca_history_turns_are_proven_too_but_not_in_a_pair():
    sft = {"instruction": "q", "input": "more", "output": "a", "history": [["q0", "a0"]]}
    row = read_row(1, sft, shape_of(None, sft, "auto", "`d`"), "`d`")
    assert [(a.label, a.question) for a in row.answers] == [("history[0][1]", "q0"), ("output", "q0\nq\nmore")]
    pair = {"instruction": "q", "chosen": "a", "rejected": "b", "history": [["q0", "a0"]]}
    row = read_row(1, pair, shape_of(None, pair, "auto", "`d`"), "`d`")
    assert [a.role for a in row.answers] == ["chosen", "rejected"]
