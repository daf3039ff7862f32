"""The README's examples, run as printed. Every command in its code blocks is either run here, in a project
folder of its own (the checkout's recipes, cases and models, a small SFT dataset, `answers.jsonl`, and
`../shared` where the shared fixtures are), or listed in `NOT_RUN` with why (it trains, or builds for minutes).
Where the README quotes output (`$ command` then its lines; `#   ` lines after a command; `(exit N)`), the
output must say it: each quoted line, whitespace aside, with `...` standing for text left out.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from vgpt2_ext.cli import main

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
IDEAL = REPO / "tests" / "eval_suite" / "ideal_answers.jsonl"

NOT_RUN = {
    "make all": "trains both stages (tests/test_launcher.py trains them small)",
    "make test": "is this test suite",
    "make data": "a full build of 6,000 examples, minutes on 2 cores (tests/data builds small ones)",
    'make data ARGS="vgpt2.data.examples=20000 vgpt2.data.mix.hallucination=0.3"': "a 20,000-example build",
    "make data CATALOG=path/to/your/export": "needs a schema export of the user's own (tests/data builds on others)",
    "vgpt2 data audit my_sft --format auto": "needs a dataset of the user's own registered as `my_sft` "
                                             "(tests/audit/test_cli.py audits a registered dataset by name)",
    "make dpo": "trains",
    'make pairs ARGS="vgpt2.pairs.synthetic=3000 vgpt2.pairs.prompts=512"': "needs a trained SFT stage",
    'make dpo ARGS="pref_beta=0.2 num_train_epochs=2"': "trains",
    "vgpt2 pairs build vgpt2.pairs.samples=dataset_info/vgpt2_dpo_samples.jsonl":
        "needs the samples a mining run recorded (tests/pairs/test_mine.py re-mines recorded samples)",
    "make validate BASELINE=saves/vgpt2/validation/report-sft.json FAIL_UNDER=0.8": "needs a trained run",
    "FORCE_TORCHRUN=1 NPROC_PER_NODE=8 make sft PROFILE=qwen2.5-7b-lora": "trains on GPUs",
    "FORCE_TORCHRUN=1 NPROC_PER_NODE=8 make sft PROFILE=multi-gpu-zero3": "trains on GPUs",
    "FORCE_TORCHRUN=1 NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 MASTER_PORT=29500 NPROC_PER_NODE=8 make sft "
    "PROFILE=multi-gpu-zero3 RUN=exp1": "trains on two GPU nodes",
}
# what a command needs beyond the project folder, and the exit status it is run for when the README says none
NEEDS = {
    "vgpt2 catalog joins APTH --catalog ../shared/fixtures/vista": "vista_fixture",
    "vgpt2 validate --cases eval_suite/reference --catalog ../shared/fixtures/vista --responses "
    "../shared/reference/vgpt2_v3_dpo_answers.jsonl": "vista_fixture",
}
SLOW = {"vgpt2 pairs build vgpt2.pairs.model=null"}  # proves 1,500 synthetic pairs (about 20 s of CPU)
NO_SERVER = "vgpt2 validate --backend openai vgpt2.validate.endpoint=http://127.0.0.1:8000/v1"


@dataclass(frozen=True)
class Example:
    command: str  # as printed: continuation lines joined, a trailing comment dropped, spaces collapsed
    quoted: tuple[str, ...] = ()  # the output lines the README shows for it
    exit_code: int | None = None  # `(exit N)` after the quoted output


def readme_examples(text: str) -> list[Example]:
    """The commands of every code block, each with the output the README quotes for it. A block opening with
    `$ ` is a transcript (`$ command`, then its output); in the others a `#   ` line is the output of the command
    above it, any other `#` line a comment, and every other line a command (its `  # comment` dropped)."""
    examples: list[Example] = []
    for body in re.findall(r"^```\w*\n(.*?)^```", text, re.S | re.M):
        transcript = body.lstrip().startswith("$ ")
        for line in filter(str.strip, body.replace("\\\n", " ").splitlines()):
            if line.startswith("$ ") or not transcript and not line.startswith("#"):
                examples.append(Example(" ".join(line.removeprefix("$ ").split("  #")[0].split())))
            elif transcript or line.startswith("#   "):
                examples[-1] = _quoted(examples[-1], line.removeprefix("#   "))
    return examples


def _quoted(example: Example, line: str) -> Example:
    code = re.search(r"\(exit (\d+)\)\s*$", line)
    text = (line[:code.start()] if code else line).strip()
    return Example(example.command, (*example.quoted, text), int(code.group(1)) if code else example.exit_code)


EXAMPLES = readme_examples(README.read_text(encoding="utf-8"))
RUN = [example for example in EXAMPLES if example.command not in NOT_RUN]


def says(output: str, quoted: str) -> bool:
    """`quoted` (a README line, `...` for what it leaves out) appears in `output`, whitespace aside."""
    text, at = " ".join(output.split()), 0
    for fragment in (" ".join(part.split()) for part in quoted.split("...")):
        at = text.find(fragment, at)
        if at < 0:
            return False
        at += len(fragment)
    return True


def test_every_readme_command_is_run_here_or_says_why_not() -> None:
    commands = [example.command for example in EXAMPLES]
    assert len(commands) >= 25 and "vgpt2 recipe show sft" in commands
    assert sorted(set(NOT_RUN) - set(commands)) == []  # a listed command the README no longer shows
    quoted = {e.command: (e.quoted, e.exit_code) for e in EXAMPLES if e.quoted}
    assert set(quoted) == {'make sft ARGS="learning_rat=1e-4"',
                           'vgpt2 sql check "SELECT h.APTrans, h.Status FROM APTH h WHERE h.APCo = 1 LIMIT 5"'}
    assert quoted['vgpt2 sql check "SELECT h.APTrans, h.Status FROM APTH h WHERE h.APCo = 1 LIMIT 5"'][1] == 1


@pytest.fixture(scope="module")
def project(tmp_path_factory, repo_tiny_model, sft_dataset_dir) -> Path:
    """A project folder like a checkout after `make data`: the README's commands run in it verbatim and
    write their outputs (saves/, out/, dataset_info/) there, not into the checkout."""
    root = tmp_path_factory.mktemp("readme")
    project = root / "vgpt2"
    project.mkdir()
    for name in ("recipes", "eval_suite", "models", "vgpt2_ext", "Makefile", "pyproject.toml", ".venv"):
        (project / name).symlink_to(REPO / name)
    shutil.copytree(sft_dataset_dir, project / "dataset_info")
    shutil.copy(IDEAL, project / "answers.jsonl")
    if (REPO.parent / "shared").is_dir():
        (root / "shared").symlink_to(REPO.parent / "shared")
    return project


@pytest.mark.parametrize("example", [pytest.param(e, marks=[pytest.mark.slow] if e.command in SLOW else [],
                                                  id=e.command[:60]) for e in RUN])
def test_the_readme_example_runs_and_prints_what_the_readme_quotes(example: Example, project: Path, request,
                                                                  monkeypatch, capfd) -> None:
    if example.command in NEEDS:
        request.getfixturevalue(NEEDS[example.command])
    if example.command == NO_SERVER and _listening(8000):
        pytest.skip("something listens on 127.0.0.1:8000: this example is run where nothing does")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(project)
    code = _run(example.command, project)
    output = "".join(capfd.readouterr())
    expected = 1 if example.command == NO_SERVER else example.exit_code
    if expected is None and not example.command.startswith("make"):
        expected = 0
    assert code == expected or (expected is None and code != 0), output[-3000:]
    for line in example.quoted:
        assert says(output, line), f"the README quotes {line!r}; the command printed:\n{output[-3000:]}"
    if example.command == NO_SERVER:
        assert "nothing answers at `http://127.0.0.1:8000/v1/chat/completions`" in " ".join(output.split())


def _run(command: str, project: Path) -> int:
    words = shlex.split(command)
    if words[0] == "make":
        stamp, recipe = project / ".venv" / ".installed", project / "pyproject.toml"
        if not stamp.is_file() or stamp.stat().st_mtime < recipe.stat().st_mtime:
            pytest.skip("`make` would install the package first (.venv/.installed is older than pyproject.toml)")
        return subprocess.run(words, cwd=project, timeout=600, env={**os.environ, "COLUMNS": "200"}).returncode
    try:
        return main(words[1:])
    except SystemExit as stop:
        return int(stop.code or 0)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
