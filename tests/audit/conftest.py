"""Audit test helpers: the answer cases, datasets written in each LLaMA-Factory shape, and the real CLI.

Every test names its catalog explicitly (the embedded sample, or the real Vista export through `vista_fixture`),
never the default, and audits into a tmp `--dataset-dir` with one worker unless it tests the workers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.catalog import SAMPLE_CATALOG
from vgpt2_ext.cli import main

HERE = Path(__file__).resolve().parent
SYSTEM = "You are VGPT2, a test system prompt."


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cases(file): parametrize `case` from tests/audit/cases/<file>")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("cases")
    if marker is not None:
        found = cases(marker.args[0])
        metafunc.parametrize("case", found, ids=[case["title"] for case in found])


def cases(name: str) -> list[dict]:
    return yaml.safe_load((HERE / "cases" / name).read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="session")
def answer_cases() -> list[dict]:
    return cases("answers.yaml")


@pytest.fixture(scope="session")
def pair_cases() -> list[dict]:
    return cases("pairs.yaml")


# -- one answer (SFT) or one pair (ranking) in each shape -------------------------------------------------
def alpaca(question: str, answer: str) -> dict:
    return {"instruction": question, "input": "", "output": answer}


def sharegpt(question: str, answer: str) -> dict:
    return {"conversations": [{"from": "system", "value": SYSTEM}, {"from": "human", "value": question},
                              {"from": "gpt", "value": answer}]}


def openai(question: str, answer: str) -> dict:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


def alpaca_pair(question: str, chosen: str, rejected: str) -> dict:
    return {"instruction": question, "input": "", "chosen": chosen, "rejected": rejected}


def sharegpt_pair(question: str, chosen: str, rejected: str) -> dict:
    return {"conversations": [{"from": "system", "value": SYSTEM}, {"from": "human", "value": question}],
            "chosen": {"from": "gpt", "value": chosen}, "rejected": {"from": "gpt", "value": rejected}}


@pytest.fixture(scope="session")
def sft_shapes() -> dict:
    """shape name -> `make(question, answer)`: one SFT row in that shape."""
    return {"alpaca": alpaca, "sharegpt": sharegpt, "openai": openai}


@pytest.fixture(scope="session")
def pair_shapes() -> dict:
    """shape name -> `make(question, chosen, rejected)`: one ranking row in that shape."""
    return {"alpaca": alpaca_pair, "sharegpt": sharegpt_pair}


@pytest.fixture(scope="session")
def write_rows():
    """`write_rows(path, rows)`: JSON lines for `.jsonl`, else a JSON array; returns the path."""

    def write(path: Path, rows: list) -> Path:
        text = "".join(json.dumps(r) + "\n" for r in rows) if path.suffix == ".jsonl" else json.dumps(rows, indent=1)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def audit(tmp_path: Path, capsys):
    """`audit(target, *words) -> (exit status, stdout, stderr)`: `vgpt2 data audit` on the sample catalog into
    `tmp_path/out`, one worker (override with `--catalog`, `--workers` ...)."""

    def run(target: str | Path, *words: str) -> tuple[int, str, str]:
        defaults = {"--catalog": str(SAMPLE_CATALOG), "--dataset-dir": str(tmp_path / "out"), "--workers": "1"}
        given = [w for w in words if w.startswith("--")]
        extra = [item for key, value in defaults.items() if key not in given for item in (key, value)]
        code = main(["data", "audit", str(target), *extra, *words])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture(scope="session")
def read_jsonl():
    return lambda path: [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
