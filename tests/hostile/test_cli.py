"""The `vgpt2` command on hostile arguments and input: one message and exit 1, never a traceback (`cli.yaml`)."""

from __future__ import annotations

import io
import sys

import pytest

from tests.hostile.conftest import built, one_message


def _text(value: object, sql: str) -> str:
    if isinstance(value, dict):  # bytes that are not UTF-8, as Python hands them over from the command line
        return value["latin1"].encode("latin-1").decode("utf-8", "surrogateescape")
    return str(value).replace("{sql}", sql)


@pytest.mark.hostile("cli.yaml")
def test_hostile_arguments_and_input_get_one_message(case: dict, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    sql = built(case) if "build" in case else ""
    if "stdin" in case:
        stdin = case["stdin"]
        data = stdin["latin1"].encode("latin-1") if isinstance(stdin, dict) else _text(stdin, sql).encode()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code, out, err = cli(*(_text(arg, sql) for arg in case["args"]))
    message = " ".join(out.split()) if case.get("stream") == "out" else one_message(err)
    assert "Traceback" not in out + err
    assert code == case.get("code", 1)
    for text in case["says"]:
        assert text in message, message
