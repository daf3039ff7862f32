"""One SFT example as the builders make it, the proof checks it and the registry writes it.

An example carries, beside the question and the answer, what its proof needs to know about intent: the tables
the answer uses (gold tables for pruned prompts and coverage), the names it deliberately says do not exist
(hallucination and error-correction answers), the real objects it points to instead, and for error
correction the broken query of the question with the reason it must fail for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# why an error-correction question's query is broken; the proof checks the query really fails that way
BROKEN_REASONS = (
    "unknown_column", "wrong_table", "missing_join_key", "limit", "base_table", "syntax", "missing_nolock",
    "unknown_table", "ambiguous_column",
)


@dataclass(frozen=True)
class Example:
    """A candidate chat example (system prompt and schema context are added when it is written)."""

    category: str
    source: str  # `seed:<file>#<intent>` or `schema:<template>`: where the material came from
    intent: str  # what is asked, shared by the paraphrases of one intent
    question: str
    answer: str
    tables: tuple[str, ...] = ()  # catalog objects the answer uses
    missing: tuple[str, ...] = ()  # `Table` or `Table.Column` the answer says do not exist
    suggest: tuple[str, ...] = ()  # real objects the answer points to instead
    broken_sql: str = ""  # error correction: the query quoted in the question ...
    broken_reasons: tuple[str, ...] = ()  # ... and every reason it is wrong (BROKEN_REASONS)
    anchor: str = ""  # the object a template was built around: proofs of one anchor share a worker
    columns: tuple[str, ...] = ()  # `Table.Column`s the question lists: the answer must return exactly these
    kind: str = ""  # a finer kind the card counts: `contrast`, `mixed`, `follow_up` ...
    history: tuple[tuple[str, str], ...] = ()  # earlier (question, answer) turns of a multi-turn conversation

    @property
    def id(self) -> str:
        """A stable id from the content: the same example gets the same id in every build."""
        earlier = "\0".join(f"{q}\0{a}" for q, a in self.history)
        digest = hashlib.sha1(f"{self.category}\0{earlier}{self.question}\0{self.answer}".encode()).hexdigest()
        return f"{self.category}-{digest[:12]}"

    @property
    def first_question(self) -> str:
        """The question the conversation opens with (the one the schema context is built for)."""
        return self.history[0][0] if self.history else self.question

    @property
    def source_kind(self) -> str:
        """`seed` or `schema`: curated material or templates over the catalog."""
        return self.source.split(":", 1)[0]
