"""The prompt of a validation case: built the way the data builder builds a training prompt.

System prompt: the recipe's `default_system` (LLaMA-Factory's key; training data carries the same text).
User message: `vgpt2_ext.data.context.render_user_message`, so `vgpt2.schema_context` (none | pruned) shapes
validation prompts exactly as it shaped training prompts.
"""

from __future__ import annotations

from vgpt2_ext.backends import Conversation
from vgpt2_ext.catalog import Catalog
from vgpt2_ext.settings import load_settings


def build_prompt(question: str, catalog: Catalog, config: dict) -> Conversation:
    """The conversation for `question` under a compiled recipe `config` (system turn first when set)."""
    from vgpt2_ext.data.context import render_user_message

    settings = load_settings(config.get("vgpt2") or {})
    user = render_user_message(question, catalog, settings)
    system = config.get("default_system")
    return ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": user}]
