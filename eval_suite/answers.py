"""Getting the answers to the cases from the chosen backend (`vgpt2.validate.backend`, or `--responses`).

`hf` loads the compiled recipe's model and adapters (the run's latest finished stage, via `vgpt2.model_from`)
through LLaMA-Factory and answers greedily in batches; `openai` asks an OpenAI-compatible endpoint;
`responses` reads recorded answers. Prompts are built as the data builder builds training prompts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from vgpt2_ext.backends import generator
from vgpt2_ext.backends.prompts import build_prompt
from vgpt2_ext.backends.responses import load_responses, recorded_questions
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
        return _for_cases(load_responses(responses), cases, responses), None
    prompts = [build_prompt(case.question, catalog, config) for case in cases]
    model = generator(backend, config, settings)
    limit = int(config.get("max_new_tokens") or 512)
    answers = model.generate(prompts, max_new_tokens=limit, progress=progress)
    stats = getattr(model, "stats", None)
    generation = stats.to_json() | {"max_new_tokens": limit} if stats is not None else None
    return {case.id: found[0] for case, found in zip(cases, answers)}, generation



def recorded_warnings(cases: Sequence[Case], responses: str) -> list[str]:
    """A warning when recorded answers were given to other questions than the cases ask (the file's
    `question`, where it has one): scored as they stand, they measure nothing."""
    asked = recorded_questions(responses)
    other = [(case, asked[case.id]) for case in cases
             if case.id in asked and not same_question(asked[case.id], case.question)]
    if not other:
        return []
    case, question = other[0]
    return [f"{len(other)} of the {len(cases)} answers in `{responses}` were recorded for other questions than the "
            f"cases ask (`{case.id}`: recorded for {_quote(question)}, the case asks {_quote(case.question)}); "
            "pass the cases they answer with `--cases`"]


def same_question(one: str, other: str) -> bool:
    """The same words, whatever the spacing and case."""
    return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()


def _quote(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return f'"{text if len(text) <= width else text[:width - 1] + "…"}"'


def _for_cases(answers: dict[str, str], cases: Sequence[Case], source: str) -> dict[str, str]:
    """The recorded answers, once at least one of them answers a case: a file whose ids are all unknown was
    recorded for other cases, and scoring it would report 0 for every case and call that a result."""
    ids = {case.id for case in cases}
    if not ids & set(answers):
        shown = ", ".join(f"`{i}`" for i in sorted(answers)[:3])
        raise ValidationError(f"responses `{source}`: none of its {len(answers)} ids is a case id (first: {shown}; "
                              f"the cases have e.g. `{min(ids, default='none')}`); were they recorded for other cases?")
    return answers
