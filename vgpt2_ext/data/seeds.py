"""Curated seed material kept in the repo (`vgpt2_ext/seeds/*.yaml`): what templates over the schema cannot know.

A seed file holds any of these sections, merged across files (ids unique across all of them):

- `phrasings`: template id -> question phrasings, with `{slot}`s, for the schema-derived templates;
- `intents`: curated question/SQL intents (`id`, `category`, `questions`, `sql`, optional `explain`);
- `fixes`: curated error corrections (`id`, `reasons`, `broken`, `fixed`, `explain`, optional `missing`);
- `missing`: plausible objects that do not exist (`name`, `alternatives`, `explain`, `questions`, optional `sql`);
- `concepts`: which table holds a concept (`id`, `questions`, `answer`);
- `domains`: Vista data type -> what it means (`bMonth: a month stored as its first day`);
- `vocabulary`: the business words of objects, columns, flags and modules (`vgpt2_ext.data.vocabulary`).

Seeds are not trusted: every example made from them goes through the same proof as the rest. Loading only
checks shape (a missing key, a wrong type, an unknown `{slot}`) and names the file, section and row.
"""

from __future__ import annotations

import string
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from vgpt2_ext.data.example import BROKEN_REASONS
from vgpt2_ext.data.literals import slot_names
from vgpt2_ext.data.vocabulary import Vocabulary
from vgpt2_ext.errors import DatasetError
from vgpt2_ext.reading import read_yaml

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
INTENT_CATEGORIES = ("sql_generation", "join_patterns", "business_logic")


@dataclass(frozen=True)
class Intent:
    id: str
    category: str
    questions: tuple[str, ...]
    sql: str
    explain: str = ""


@dataclass(frozen=True)
class Fix:
    id: str
    reasons: tuple[str, ...]
    broken: str
    fixed: str
    explain: str
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Missing:
    id: str
    name: str
    alternatives: tuple[str, ...]
    explain: str
    questions: tuple[str, ...]
    sql: str = ""


@dataclass(frozen=True)
class Concept:
    id: str
    questions: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class Seeds:
    """All seed material, each item tagged with the file it came from (`origin`)."""

    phrasings: dict[str, tuple[str, ...]]
    intents: tuple[Intent, ...] = ()
    fixes: tuple[Fix, ...] = ()
    missing: tuple[Missing, ...] = ()
    concepts: tuple[Concept, ...] = ()
    domains: dict[str, str] | None = None
    origin: dict[str, str] | None = None  # item id -> file name
    vocabulary: Vocabulary = field(default_factory=Vocabulary)

    def phrasing(self, template: str) -> tuple[str, ...]:
        if template not in self.phrasings:
            raise DatasetError(f"seed material has no `phrasings.{template}`: add its question phrasings")
        return self.phrasings[template]


_ITEMS = {"intents": Intent, "fixes": Fix, "missing": Missing, "concepts": Concept}
SECTIONS = ("phrasings", "domains", "vocabulary", *_ITEMS)
VOCABULARY_KEYS = ("tables", "columns", "flags", "modules", "rules")


def load_seeds(folder: str | Path | None = None) -> Seeds:
    """Every `*.yaml` under `folder` (default: the embedded seeds), merged; DatasetError on a malformed row."""
    root = Path(folder) if folder else SEEDS_DIR
    files = sorted(root.glob("*.yaml")) if root.is_dir() else []
    if not files:
        raise DatasetError(f"seed folder `{root}` holds no .yaml files (set `vgpt2.data.seeds_dir`)")
    phrasings: dict[str, tuple[str, ...]] = {}
    domains: dict[str, str] = {}
    items: dict[str, list] = {section: [] for section in _ITEMS}
    origin: dict[str, str] = {}
    words: dict[str, dict] = {key: {} for key in VOCABULARY_KEYS}
    for path in files:
        spec = _read(path)
        phrasings.update(_phrasings(spec.get("phrasings") or {}, path))
        domains.update({str(k): str(v) for k, v in (spec.get("domains") or {}).items()})
        for key, found in _vocabulary(spec.get("vocabulary") or {}, path).items():
            words[key].update(found)
        for section, cls in _ITEMS.items():
            for row, raw in enumerate(spec.get(section) or ()):
                item = _item(cls, raw, f"`{path.name}` `{section}[{row}]`")
                if item.id in origin:
                    raise DatasetError(f"`{path.name}` `{section}[{row}]`: id `{item.id}` is also used in "
                                       f"`{origin[item.id]}`; ids must be unique")
                origin[item.id] = path.name
                items[section].append(item)
    return Seeds(phrasings, *(tuple(items[s]) for s in _ITEMS), domains=domains, origin=origin,
                 vocabulary=Vocabulary(**words))


def _read(path: Path) -> dict:
    spec = read_yaml(path, DatasetError) or {}  # UTF-8, no key twice, no alias bomb (vgpt2_ext.reading)
    if not isinstance(spec, dict):
        raise DatasetError(f"seed file `{path}` must be a mapping of sections {list(SECTIONS)}")
    unknown = sorted(set(spec) - set(SECTIONS))
    if unknown:
        raise DatasetError(f"seed file `{path}` has unknown sections {unknown}; allowed: {list(SECTIONS)}")
    return spec


def _phrasings(spec: Any, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(spec, dict):
        raise DatasetError(f"`{path.name}` `phrasings` must map a template id to a list of questions")
    found = {}
    for template, questions in spec.items():
        where = f"`{path.name}` `phrasings.{template}`"
        if not isinstance(questions, list) or not questions or not all(isinstance(q, str) for q in questions):
            raise DatasetError(f"{where} must be a non-empty list of questions")
        found[str(template)] = tuple(_checked(q, where, slot_names() | TEMPLATE_SLOTS) for q in questions)
    return found


def _vocabulary(spec: Any, path: Path) -> dict[str, dict]:
    """`vocabulary:` -> {tables: {name: (words, ...)}, columns: {name: words}, flags: ..., modules: ...}."""
    where = f"`{path.name}` `vocabulary`"
    if not isinstance(spec, dict) or set(spec) - set(VOCABULARY_KEYS):
        raise DatasetError(f"{where} must map some of {list(VOCABULARY_KEYS)} to name -> words")
    found: dict[str, dict] = {}
    for key, entries in spec.items():
        if not isinstance(entries, dict):
            raise DatasetError(f"{where} `{key}` must map names to words")
        listed = key in ("tables", "modules", "columns")  # several wordings, the usual one first
        for name, value in entries.items():
            value = [value] if key == "columns" and isinstance(value, str) else value
            ok = (isinstance(value, list) and value and all(isinstance(v, str) for v in value)) if listed \
                else isinstance(value, str)
            if not ok:
                raise DatasetError(f"{where} `{key}.{name}` must be {'a list of words' if listed else 'words'}, "
                                   f"got {value!r}")
            found.setdefault(key, {})[str(name)] = tuple(value) if listed else value
    return found


def item_slots() -> frozenset[str]:
    """Slots a seed item may use: the literal slots and its company scope (" for company 3", or empty)."""
    return slot_names() | frozenset({"scope"})


# slots the schema-derived templates fill from the catalog, beside the literal slots
TEMPLATE_SLOTS = frozenset({"table", "column", "other", "concept", "value", "meaning", "domain", "key", "sql",
                            "missing", "module", "base", "measure", "rule", "scope",
                            "parent", "child", "first", "second", "things", "thing", "filters", "cols", "per",
                            "pers", "bound", "when", "dept", "parents", "children", "child_one", "parent_one",
                            "symptom", "intent", "real", "label", "adjective", "fake", "others", "low", "high"})


def _item(cls: type, raw: Any, where: str) -> Any:
    """One seed item of type `cls`, its keys and `{slot}`s checked."""
    if not isinstance(raw, dict):
        raise DatasetError(f"{where} must be a mapping, got {raw!r}")
    names = [f.name for f in fields(cls)]
    required = [f.name for f in fields(cls) if f.default is MISSING]
    unknown = sorted(set(raw) - set(names))
    absent = [name for name in required if name not in raw]
    if unknown or absent:
        problem = f"unknown keys {unknown}" if unknown else f"missing keys {absent}"
        raise DatasetError(f"{where}: {problem}; expected {names}")
    values = {name: _value(raw[name], name, where) for name in names if name in raw}
    _check_row(cls, values, where)
    return cls(**values)


def _value(value: Any, name: str, where: str) -> Any:
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise DatasetError(f"{where} `{name}` must be a list of text")
        return tuple(_checked(v, f"{where} `{name}`", item_slots()) for v in value)
    if not isinstance(value, str):
        raise DatasetError(f"{where} `{name}` must be text, got {value!r}")
    return _checked(value.strip(), f"{where} `{name}`", item_slots())


def _check_row(cls: type, values: dict, where: str) -> None:
    if cls is Intent and values["category"] not in INTENT_CATEGORIES:
        raise DatasetError(f"{where} `category` is {values['category']!r}; expected one of {list(INTENT_CATEGORIES)}")
    if cls is Fix and (not values["reasons"] or set(values["reasons"]) - set(BROKEN_REASONS)):
        raise DatasetError(f"{where} `reasons` is {list(values['reasons'])!r}; expected some of {list(BROKEN_REASONS)}")
    for name in ("questions", "alternatives"):
        if name in values and not values[name]:
            raise DatasetError(f"{where} `{name}` must not be empty")


def _checked(text: str, where: str, allowed: frozenset[str]) -> str:
    """`text` if every `{slot}` in it is known; a stray brace or an unknown slot is named."""
    try:
        slots = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise DatasetError(f"{where}: {error} in {text!r} (write a literal brace as {{{{ or }}}})") from None
    unknown = sorted(slots - allowed)
    if unknown:
        raise DatasetError(f"{where}: unknown slot(s) {unknown} in {text!r}; known: {sorted(allowed)}")
    return text
