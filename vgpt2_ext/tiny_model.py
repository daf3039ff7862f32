"""The embedded default model: a tiny Qwen2-architecture causal LM, built deterministically from a config.

Why it exists: a fresh CPU-only machine with no network must be able to run the whole pipeline (`make all`)
without downloading weights. It is not expected to write good SQL; it proves the plumbing. Its byte-level BPE
tokenizer is trained on the project's own text (the default catalog: its descriptions and the names of every
object and column of the embedded Vista export; and the seed material the SFT data is built from, not the
generated data, which may itself need this tokenizer), so sequences stay short,
and it carries exactly the special tokens and chat template LLaMA-Factory's `qwen` template expects:
`<|im_end|>` is the eos token (so the template's `replace_eos` adds nothing) and `<|endoftext|>` pads.
The same seed and the same sources give byte-identical files. torch/transformers are imported inside the
functions that need them, so importing this module stays cheap.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from hashlib import sha256
from pathlib import Path

from vgpt2_ext.catalog import DEFAULT_CATALOG, DEFAULT_EXPORT, SAMPLE_CATALOG
from vgpt2_ext.models import save_folder

DEFAULT_DIR = Path("models/tiny-qwen2")
SEEDS_DIR = Path(__file__).parent / "seeds"
PROVENANCE_FILE = "vgpt2_tiny.json"
ENDOFTEXT, IM_START, IM_END = "<|endoftext|>", "<|im_start|>", "<|im_end|>"
DEFAULT_SYSTEM = "You are a helpful assistant."
# the Qwen2-Instruct chat template, so `apply_chat_template` renders what LLaMA-Factory's `qwen` template encodes
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\n" + DEFAULT_SYSTEM + "<|im_end|>\\n' }}{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


@dataclass(frozen=True)
class TinySpec:
    """Shape of the tiny model: about 4 M parameters, a few seconds per hundred steps on two CPU cores."""

    vocab_size: int = 4096
    hidden_size: int = 256
    intermediate_size: int = 688
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 4096


def default_sources() -> list[Path]:
    """The default catalog (its overlay, the sample it includes, the export it lays over) and the SFT seed
    material (question phrasings, SQL), in a fixed order."""
    return [DEFAULT_CATALOG, SAMPLE_CATALOG, DEFAULT_EXPORT, *sorted(SEEDS_DIR.glob("*.yaml"))]


def corpus_lines(sources: Sequence[Path]) -> list[str]:
    """Text to train the tokenizer on: YAML/text files line by line, JSON/JSONL files by their string values, a
    zipped catalog export as one line per object (its name and its column names, as prompts show them)."""
    lines: list[str] = []
    for source in sources:
        if Path(source).suffix == ".zip":
            from vgpt2_ext.catalog import load_catalog

            lines += [" ".join((obj.name, *obj.column_names)) for obj in load_catalog(source).objects]
            continue
        text = Path(source).read_text(encoding="utf-8")
        if Path(source).suffix in (".json", ".jsonl"):
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
            lines += [value for row in rows for value in _strings(row)]
        else:
            lines += [line for line in text.splitlines() if line.strip()]
    return lines


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    return [text for value in values for text in _strings(value)]


def train_tokenizer(lines: Sequence[str], vocab_size: int):
    """A byte-level BPE tokenizer (GPT-2/Qwen style) with the three Qwen special tokens first."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[ENDOFTEXT, IM_START, IM_END],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(lines, trainer=trainer)
    return tokenizer


def _hf_tokenizer(tokenizer):
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token=IM_END,
        pad_token=ENDOFTEXT,
        additional_special_tokens=[IM_START, IM_END],
        chat_template=CHAT_TEMPLATE,
        model_max_length=TinySpec.max_position_embeddings,
        padding_side="right",
    )


def _model(spec: TinySpec, vocab_size: int, token_ids: dict[str, int], seed: int):
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(
        **{**asdict(spec), "vocab_size": vocab_size},
        tie_word_embeddings=True,
        bos_token_id=None,  # like Qwen2.5's tokenizer: no bos token, so config and tokenizer agree
        eos_token_id=token_ids[IM_END],
        pad_token_id=token_ids[ENDOFTEXT],
        use_sliding_window=False,
        dtype="float32",
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(
        eos_token_id=[token_ids[IM_END], token_ids[ENDOFTEXT]], pad_token_id=token_ids[ENDOFTEXT]
    )
    return model


def build_tiny_model(
    out: Path = DEFAULT_DIR, sources: Sequence[Path] | None = None, seed: int = 0, spec: TinySpec = TinySpec()
) -> dict:
    """Build the tokenizer and the randomly initialised model into `out` (replaced atomically); return its facts."""
    sources = list(sources) if sources is not None else default_sources()
    tokenizer = _hf_tokenizer(train_tokenizer(corpus_lines(sources), spec.vocab_size))
    token_ids = {token: tokenizer.convert_tokens_to_ids(token) for token in (ENDOFTEXT, IM_START, IM_END)}
    vocab_size = -(-len(tokenizer) // 64) * 64  # round up: a multiple of 64 keeps matmuls aligned
    model = _model(spec, vocab_size, token_ids, seed)
    facts = {
        "seed": seed,
        "parameters": sum(p.numel() for p in model.parameters()),
        "tokenizer_size": len(tokenizer),
        "spec": asdict(spec),
        "sources": {Path(s).name: sha256(Path(s).read_bytes()).hexdigest() for s in sources},
    }
    save_folder(Path(out), model, tokenizer, PROVENANCE_FILE, facts)
    return facts
