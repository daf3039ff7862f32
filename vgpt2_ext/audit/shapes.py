"""The dataset shapes LLaMA-Factory 0.9.5 reads, and one row of any of them as the answers the audit proves.

A shape is what a `dataset_info.json` entry says (LLaMA-Factory's `DatasetAttr`): `formatting` alpaca or
sharegpt, `ranking` for preference pairs, the `columns` mapping and, for sharegpt, the role `tags`. A file
without an entry gets its shape from its first row (`instruction` -> alpaca, `conversations`/`messages` ->
sharegpt, role tags `from`/`value` or `role`/`content`; `chosen` and `rejected` -> ranking), and every later
row must have it too. A row becomes `Answer`s: each assistant turn LLaMA-Factory trains on, with the user turn
it answers (SFT), or the chosen and the rejected answer to the last user turn (ranking). Each answer keeps
its path in the row, so a repaired answer is written back where it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from vgpt2_ext.data.context import question_of
from vgpt2_ext.data.settings import CATEGORIES
from vgpt2_ext.errors import DatasetError

FORMATS = ("auto", "alpaca", "sharegpt", "ranking")
Role = Literal["answer", "chosen", "rejected"]
Path = tuple[str | int, ...]

ALPACA_COLUMNS = {"prompt": "instruction", "query": "input", "response": "output", "history": None,
                  "system": None, "chosen": "chosen", "rejected": "rejected"}
SHAREGPT_COLUMNS = {"messages": "conversations", "system": None, "chosen": "chosen", "rejected": "rejected"}
SHAREGPT_TAGS = {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt",
                 "observation_tag": "observation", "function_tag": "function_call", "system_tag": "system"}
OPENAI_TAGS = {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant",
               "observation_tag": "tool", "function_tag": "function", "system_tag": "system"}


@dataclass(frozen=True)
class Shape:
    formatting: Literal["alpaca", "sharegpt"]
    ranking: bool
    columns: dict[str, str | None]
    tags: dict[str, str] = field(default_factory=dict)
    registered: dict | None = None  # the dataset_info.json entry it was read from

    def describe(self) -> str:
        return f"{self.formatting}{' ranking' if self.ranking else ' SFT'}"

    def entry(self, file_name: str) -> dict:
        """The `dataset_info.json` entry LLaMA-Factory reads a file of this shape with: the input's own entry
        when it had one, else the columns its rows have."""
        if self.registered is not None:
            return {**self.registered, "file_name": file_name}
        wanted = ("chosen", "rejected") if self.ranking else ("response",)
        keys = ("messages", "system", *wanted) if self.formatting == "sharegpt" else \
            ("prompt", "query", "history", "system", *wanted)
        entry = {"file_name": file_name, "formatting": self.formatting, "ranking": self.ranking,
                 "columns": {key: self.columns[key] for key in keys
                             if self.columns.get(key) and not (key == "response" and self.formatting == "sharegpt")}}
        if self.formatting == "sharegpt":
            entry["tags"] = dict(self.tags)
        return entry


@dataclass(frozen=True)
class Answer:
    path: Path  # where its text sits in the row: ("output",), ("conversations", 2, "value"), ("chosen",)
    role: Role
    question: str  # the user turn it answers, after the earlier ones (a follow-up keeps what was asked before)
    text: str

    @property
    def asked(self) -> str:
        """What the user asked: the user turn less the schema a `vgpt2` prompt carries before the question (the
        DDL is context; read as the question, its thousands of real names would excuse any and cost the time)."""
        return question_of(self.question)

    @property
    def label(self) -> str:
        """`output`, `conversations[2]`, `chosen`: how messages name it."""
        return str(self.path[0]) + "".join(f"[{part}]" for part in self.path[1:] if isinstance(part, int))


@dataclass(frozen=True)
class AuditRow:
    """One row as read, the answers it holds, and what its provenance says (rows `make data` wrote)."""

    number: int
    data: dict
    answers: tuple[Answer, ...]
    category: str | None = None
    missing: tuple[str, ...] = ()
    suggest: tuple[str, ...] = ()


# -- the shape ------------------------------------------------------------------------------------------
def shape_of(entry: dict | None, first: object, fmt: str, where: str) -> Shape:
    """The shape of a dataset: its registry entry's, else read off its first row (`fmt` may fix part of it)."""
    if entry is not None:
        shape = _from_entry(entry)
        if fmt not in ("auto", shape.formatting) and not (fmt == "ranking" and shape.ranking):
            raise DatasetError(f"{where}: its dataset_info.json entry says {shape.describe()}, not `--format {fmt}`")
        return shape
    row = _object(first, f"{where} row 1")
    formatting = fmt if fmt in ("alpaca", "sharegpt") else _formatting(row, where)
    ranking = "chosen" in row and "rejected" in row
    if fmt == "ranking" and not ranking:
        raise DatasetError(f"{where} row 1: `--format ranking` needs `chosen` and `rejected`; the row has "
                           f"{_keys(row)}")
    if formatting == "alpaca":
        columns = {**ALPACA_COLUMNS, **{key: key if key in row else None for key in ("input", "history", "system")}}
        return Shape("alpaca", ranking, {**columns, "query": columns.pop("input")})
    messages = "messages" if "messages" in row and "conversations" not in row else "conversations"
    columns = {**SHAREGPT_COLUMNS, "messages": messages, "system": "system" if "system" in row else None}
    return Shape("sharegpt", ranking, columns, _tags(row, messages, f"{where} row 1"))


def _from_entry(entry: dict) -> Shape:
    formatting = "alpaca" if entry.get("formatting", "alpaca") == "alpaca" else "sharegpt"
    defaults = ALPACA_COLUMNS if formatting == "alpaca" else SHAREGPT_COLUMNS
    columns = {**defaults, **(entry.get("columns") or {})}
    tags = {**(OPENAI_TAGS if entry.get("formatting") == "openai" else SHAREGPT_TAGS), **(entry.get("tags") or {})}
    return Shape(formatting, bool(entry.get("ranking")), columns, tags if formatting == "sharegpt" else {}, entry)


def _formatting(row: dict, where: str) -> Literal["alpaca", "sharegpt"]:
    if isinstance(row.get("conversations"), list) or isinstance(row.get("messages"), list):
        return "sharegpt"
    if "instruction" in row:
        return "alpaca"
    raise DatasetError(f"{where} row 1: unknown shape: the row has {_keys(row)}; expected alpaca (`instruction` "
                       "with `output`, or `chosen` and `rejected`) or sharegpt (a `conversations` or `messages` "
                       "list); or give the name of its dataset_info.json entry")


def _tags(row: dict, key: str, where: str) -> dict[str, str]:
    messages = row.get(key)
    if not isinstance(messages, list):
        raise DatasetError(f"{where}: `{key}` must be a list of messages; the row has {_keys(row)}")
    first = messages[0] if messages else None
    if isinstance(first, dict) and "role" in first and "content" in first:
        return dict(OPENAI_TAGS)
    if isinstance(first, dict) and "from" in first and "value" in first:
        return dict(SHAREGPT_TAGS)
    raise DatasetError(f"{where}: the first message must be an object with `from`/`value` (sharegpt) or "
                       "`role`/`content` (OpenAI) keys")


# -- one row --------------------------------------------------------------------------------------------
def read_row(number: int, raw: object, shape: Shape, where: str) -> AuditRow:
    """The answers of row `number`, or DatasetError naming the row and what is wrong with it."""
    at = f"{where} row {number}"
    row = _object(raw, at)
    read = _alpaca if shape.formatting == "alpaca" else _sharegpt
    answers = read(row, shape, at)
    category = row.get("category") if row.get("category") in CATEGORIES else None
    return AuditRow(number, row, answers, category, _names(row, "missing", at), _names(row, "suggest", at))


def _alpaca(row: dict, shape: Shape, at: str) -> tuple[Answer, ...]:
    columns = shape.columns
    question = "\n".join(text for key in ("prompt", "query")
                         if (text := _text(row, columns[key], at, optional=key == "query")))
    history = _history(row, columns["history"], at)
    if history:  # the last turn is read with the questions before it, as a follow-up is
        question = f"{history[-1].question}\n{question}"
    answers = [] if shape.ranking else history  # DPO trains on the pair only; earlier turns are its prompt
    if shape.ranking:
        answers += [Answer((columns[role],), role, question, _text(row, columns[role], at))
                    for role in ("chosen", "rejected")]
    else:
        answers.append(Answer((columns["response"],), "answer", question, _text(row, columns["response"], at)))
    return tuple(answers)


def _history(row: dict, key: str | None, at: str) -> list[Answer]:
    turns = row.get(key) if key else None
    if turns is None:
        return []
    if not isinstance(turns, list) or not all(isinstance(t, list) and len(t) == 2 and all(isinstance(x, str)
                                                                                           for x in t) for t in turns):
        raise DatasetError(f"{at}: `{key}` must be a list of [question, answer] string pairs")
    answers, asked = [], ""
    for i, (question, text) in enumerate(turns):
        asked = f"{asked}\n{question}" if asked else question
        answers.append(Answer((key, i, 1), "answer", asked, text))
    return answers


def _sharegpt(row: dict, shape: Shape, at: str) -> tuple[Answer, ...]:
    key, tags = shape.columns["messages"], shape.tags
    messages = row.get(key)
    if not isinstance(messages, list):
        raise DatasetError(f"{at}: `{key}` must be a list of messages; the row has {_keys(row)}")
    start = 1 if messages and _role(messages[0], key, 0, tags, at) == tags["system_tag"] else 0
    answers, question = [], ""
    for i in range(start, len(messages)):
        role, text = _role(messages[i], key, i, tags, at), _content(messages[i], f"`{key}[{i}]`", tags, at)
        wanted = (tags["user_tag"], tags["observation_tag"]) if (i - start) % 2 == 0 else \
            (tags["assistant_tag"], tags["function_tag"])
        if role not in wanted:
            raise DatasetError(f"{at}: `{key}[{i}]` has role `{role}` where {' or '.join(map(repr, wanted))} must "
                               "come (a system turn first, then user and assistant turns alternating)")
        if role == tags["user_tag"]:
            question = f"{question}\n{text}" if question else text
        elif role == tags["assistant_tag"] and not shape.ranking:
            answers.append(Answer((key, i, tags["content_tag"]), "answer", question, text))
    ends_with_user = (len(messages) - start) % 2 == 1
    if ends_with_user != shape.ranking:
        need = "end with a user turn (the answers are `chosen` and `rejected`)" if shape.ranking else \
            "end with an assistant turn"
        raise DatasetError(f"{at}: `{key}` must {need}; it has {len(messages) - start} turns after the system turn")
    if shape.ranking:
        answers += [_pair_answer(row, shape.columns[role], role, question, tags, at) for role in ("chosen", "rejected")]
    return tuple(answers)


def _pair_answer(row: dict, key: str, role: Role, question: str, tags: dict, at: str) -> Answer:
    message = row.get(key)
    if not isinstance(message, dict) or message.get(tags["role_tag"]) != tags["assistant_tag"]:
        raise DatasetError(f"{at}: `{key}` must be one message with role `{tags['assistant_tag']}`")
    return Answer((key, tags["content_tag"]), role, question, _content(message, f"`{key}`", tags, at))


def _role(message: object, key: str, i: int, tags: dict, at: str) -> str:
    if not isinstance(message, dict) or not isinstance(message.get(tags["role_tag"]), str):
        raise DatasetError(f"{at}: `{key}[{i}]` must be an object with a string `{tags['role_tag']}`")
    return message[tags["role_tag"]]


def _content(message: dict, name: str, tags: dict, at: str) -> str:
    text = message.get(tags["content_tag"])
    if not isinstance(text, str):
        raise DatasetError(f"{at}: {name} needs a string `{tags['content_tag']}`")
    return text


def _text(row: dict, key: str | None, at: str, optional: bool = False) -> str:
    value = row.get(key) if key else None
    if value is None and (optional or key is None):
        return ""
    if not isinstance(value, str):
        got = "is missing" if key not in row else f"is {type(value).__name__}, not a string"
        raise DatasetError(f"{at}: `{key}` {got}; the row has {_keys(row)}")
    return value


def _names(row: dict, key: str, at: str) -> tuple[str, ...]:
    value = row.get(key) or []
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise DatasetError(f"{at}: `{key}` must be a list of schema names")
    return tuple(value)


def _object(raw: object, at: str) -> dict:
    if not isinstance(raw, dict):
        raise DatasetError(f"{at} is a JSON {type(raw).__name__}, not an object")
    return raw


def _keys(row: dict) -> str:
    return ", ".join(f"`{key}`" for key in list(row)[:8]) or "no keys"


def with_answers(row: AuditRow, texts: dict[Path, str]) -> dict:
    """The row's data with the answers at `texts`' paths replaced (a copy; the row is not changed)."""
    return _copy(row.data, texts)


def _copy(node, texts: dict[Path, str], prefix: Path = ()):
    if prefix in texts:
        return texts[prefix]
    if not any(path[:len(prefix)] == prefix for path in texts):
        return node
    if isinstance(node, dict):
        return {key: _copy(value, texts, (*prefix, key)) for key, value in node.items()}
    if isinstance(node, list):
        return [_copy(value, texts, (*prefix, i)) for i, value in enumerate(node)]
    return node
