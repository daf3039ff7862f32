"""Getting the answers to the cases from the chosen backend (`vgpt2.validate.backend`, or `--responses`).

`hf` loads the compiled recipe's model and adapters (the run's latest finished stage, via `vgpt2.model_from`)
through LLaMA-Factory and answers greedily in batches; `openai` asks an OpenAI-compatible endpoint;
`responses` reads recorded answers. Prompts are built as the data builder builds training prompts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from vgpt2_ext.backends import generator
from vgpt2_ext.backends.prompts import build_prompt
from vgpt2_ext.backends.responses import load_responses
from vgpt2_ext.catalog import Catalog
from vgpt2_ext.errors import ValidationError
from vgpt2_ext.judge import Case
from vgpt2_ext.judge.settings import ValidateSettings


def describe_model(backend: str, config: dict, settings: ValidateSettings, responses: str | None) -> str:
    """How the report names who answered."""
    if backend == "responses":
        return f"recorded answers `{responses}`"
    if backend == "openai":
        return f"{settings.api_model} at {settings.endpoint}"
    adapters = config.get("adapter_name_or_path")
    return str(config.get("model_name_or_path")) + (f" + adapters {adapters}" if adapters else "")


def collect_answers(backend: str, cases: Sequence[Case], catalog: Catalog, config: dict, settings: ValidateSettings,
                    *, responses: str | None = None,
                    progress: Callable[[], None] | None = None) -> tuple[dict[str, str], dict | None]:
    """id -> answer for every case the backend answered; and, for a model, what generating took (new tokens,
    seconds, tokens/s), else None."""
    if backend == "responses":
        if not responses:
            raise ValidationError("backend `responses` needs a file: pass `--responses FILE.jsonl` or set "
                                  "`vgpt2.validate.responses`")
        return load_responses(responses), None
    prompts = [build_prompt(case.question, catalog, config) for case in cases]
    model = generator(backend, config, settings)
    limit = int(config.get("max_new_tokens") or 512)
    answers = model.generate(prompts, max_new_tokens=limit, progress=progress)
    stats = getattr(model, "stats", None)
    generation = stats.to_json() | {"max_new_tokens": limit} if stats is not None else None
    return {case.id: found[0] for case, found in zip(cases, answers)}, generation

