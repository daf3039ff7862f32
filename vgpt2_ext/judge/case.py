"""The validation case format: the contract users, the suite, the data builder and the pair miner share.

A case file is YAML with a top-level `cases:` list; a case is

    - id: join_002                     # unique across all files
      category: join_patterns          # one of CATEGORIES
      question: "List AP invoices with the vendor's name for company 1."
      gold_sql: "SELECT ..."           # optional; a list of alternatives is allowed; compared by execution
      expect:                          # every key optional
        tables: [APTH, APVM]           # used in the SQL, or named in a prose answer
        columns: [APVM.Name]           # Table.Column or bare Column
        joins: ["APTH.VendorGroup = APVM.VendorGroup"]   # column pairs, either side first
        filters: [APTH.APCo]           # columns the SQL must constrain
        mentions: ["first day of the month"]   # facts a prose answer must state (matched leniently)
        refusal: true                  # the answer must say the asked-for object does not exist ...
        suggest: [APTD.Status]         # ... and point to these real objects instead
        forbid: [APTH.Status]          # missing objects that must not be used as if they existed

Loading is strict, because a silently ignored typo (`expcet:`) would make a case pass for nothing: every
problem in every file is collected and raised once, each naming the file, the case id and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path

from vgpt2_ext.data.settings import CATEGORIES
from vgpt2_ext.errors import ValidationError
from vgpt2_ext.reading import read_yaml
from vgpt2_ext.suggest import did_you_mean

__all__ = ["CATEGORIES", "Case", "Expect", "JoinPair", "load_cases", "parse_join", "split_name"]

CASE_KEYS = ("id", "category", "question", "gold_sql", "expect")
_NAME = re.compile(r"^[A-Za-z_#@][\w$#@]*(?:\.[A-Za-z_][\w$#@]*)?$")
_JOIN = re.compile(r"^\s*(\w+)\.(\w+)\s*=\s*(\w+)\.(\w+)\s*$")

# a join condition as an order-independent pair of (table, column), both lower-cased for comparison
JoinPair = frozenset


@dataclass(frozen=True)
class Expect:
    """What a correct answer contains; names are written as in the catalog (`APTH`, `APTH.Status`)."""

    tables: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    joins: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    refusal: bool = False
    suggest: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()

    @property
    def join_pairs(self) -> tuple[JoinPair, ...]:
        return tuple(parse_join(text) for text in self.joins)


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    question: str
    gold_sql: tuple[str, ...] = ()
    expect: Expect = Expect()
    source: str = field(default="", compare=False)  # the file it came from, for messages

    @property
    def wants_sql(self) -> bool:
        """Whether a correct answer contains a query: the case has gold SQL or expects joins/filters."""
        return bool(self.gold_sql or self.expect.joins or self.expect.filters)

    def where(self, key: str | None = None) -> str:
        """`file` case `id` (key `k`): the prefix of every message about this case."""
        return f"`{self.source}` case `{self.id}`" + (f" key `{key}`" if key else "")


def split_name(name: str) -> tuple[str | None, str]:
    """`APTH.Status` -> (`APTH`, `Status`); `Status` -> (None, `Status`)."""
    table, _, column = name.rpartition(".")
    return (table or None), column


def parse_join(text: str) -> JoinPair:
    """`APTH.Vendor = APVM.Vendor` -> frozenset({(apth, vendor), (apvm, vendor)})."""
    match = _JOIN.match(text)
    if not match:
        raise ValidationError(f"join `{text}` is not of the form `Table.Column = Table.Column`")
    a, b, c, d = (part.lower() for part in match.groups())
    return frozenset({(a, b), (c, d)})


def load_cases(path: str | Path) -> list[Case]:
    """Every case in a YAML file, or in all `*.yaml`/`*.yml` files under a folder (recursively, sorted)."""
    root = Path(path)
    if not root.exists():
        raise ValidationError(f"cases `{path}` do not exist (give a YAML file or a folder of them)")
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml")) if root.is_dir() else [root]
    if not files:
        raise ValidationError(f"no `*.yaml` case files under `{path}`")
    errors: list[str] = []
    cases: list[Case] = []
    for file in files:
        cases += _load_file(file, errors)
    _check_unique(cases, errors)
    if not cases and not errors:
        errors.append(f"no cases in `{path}` (every `cases:` list is empty); a suite needs at least one")
    if errors:
        raise ValidationError(f"{len(errors)} problem(s) in cases `{path}`:\n  " + "\n  ".join(errors))
    return cases


def _load_file(file: Path, errors: list[str]) -> list[Case]:
    try:
        data = read_yaml(file, ValidationError)  # UTF-8, no key twice, no alias bomb (vgpt2_ext.reading)
    except ValidationError as error:
        errors.append(str(error))
        return []
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        errors.append(f"`{file}` must hold a mapping with a `cases:` list")
        return []
    extra = sorted(set(data) - {"cases"})
    errors += [f"`{file}` unknown top-level key `{key}`; only `cases` is read" for key in extra]
    cases = [_case(raw, file, index, errors) for index, raw in enumerate(data["cases"], 1)]
    return [case for case in cases if case is not None]


def _case(raw: object, file: Path, index: int, errors: list[str]) -> Case | None:
    if not isinstance(raw, dict):
        errors.append(f"`{file}` case #{index} is not a mapping (got {raw!r:.60})")
        return None
    where = f"`{file}` case `{raw.get('id', f'#{index}')}`"
    before = len(errors)
    errors += _unknown_keys(raw, CASE_KEYS, where)
    case_id = _text(raw, "id", where, errors)
    category = _text(raw, "category", where, errors)
    if category and category not in CATEGORIES:
        errors.append(f"{where} key `category`: {category!r} is not one of {', '.join(CATEGORIES)}"
                      + did_you_mean(category, CATEGORIES))
    question = _text(raw, "question", where, errors)
    gold = _gold(raw.get("gold_sql"), where, errors)
    expect = _expect(raw.get("expect") or {}, where, errors)
    if len(errors) > before:
        return None
    return Case(case_id, category, question, gold, expect, source=str(file))


def _unknown_keys(raw: dict, known: tuple[str, ...], where: str) -> list[str]:
    return [f"{where} unknown key `{key}`" + did_you_mean(str(key), known) for key in raw if key not in known]


def _text(raw: dict, key: str, where: str, errors: list[str]) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where} key `{key}` must be a non-empty string (got {value!r:.60})")
        return ""
    return value.strip()


def _gold(value: object, where: str, errors: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(s, str) and s.strip() for s in items):
        errors.append(f"{where} key `gold_sql` must be a query or a non-empty list of queries (got {value!r:.60})")
        return ()
    return tuple(s.strip() for s in items)


def _expect(raw: object, where: str, errors: list[str]) -> Expect:
    if not isinstance(raw, dict):
        errors.append(f"{where} key `expect` must be a mapping (got {raw!r:.60})")
        return Expect()
    names = tuple(f.name for f in fields(Expect))
    errors += _unknown_keys(raw, names, f"{where} `expect`")
    values: dict[str, object] = {}
    for key in names:
        if key not in raw:
            continue
        if key == "refusal":
            if not isinstance(raw[key], bool):
                errors.append(f"{where} key `expect.refusal` must be true or false (got {raw[key]!r})")
            values[key] = raw[key] is True
        else:
            values[key] = _strings(raw[key], f"expect.{key}", where, errors)
    expect = Expect(**values)
    errors += _shape_problems(expect, where)
    return expect


def _strings(value: object, key: str, where: str, errors: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        errors.append(f"{where} key `{key}` must be a list of strings (got {value!r:.60})")
        return ()
    return tuple(item.strip() for item in value)


def _shape_problems(expect: Expect, where: str) -> list[str]:
    """Names that are not names, joins that are not pairs, a refusal without the object it refuses."""
    problems = []
    for key in ("tables", "columns", "filters", "suggest", "forbid"):
        for name in getattr(expect, key):
            if not _NAME.match(name) or (key == "tables" and "." in name):
                problems.append(f"{where} key `expect.{key}`: {name!r} is not a "
                                + ("table name" if key == "tables" else "`Table` or `Table.Column` name"))
    for text in expect.joins:
        if not _JOIN.match(text):
            problems.append(f"{where} key `expect.joins`: {text!r} is not `Table.Column = Table.Column`")
    if expect.refusal and not expect.forbid:
        problems.append(f"{where} key `expect.forbid` must name the missing object(s) a refusal refuses")
    return problems


def _check_unique(cases: list[Case], errors: list[str]) -> None:
    seen: dict[str, Case] = {}
    for case in cases:
        if case.id in seen:
            errors.append(f"case id `{case.id}` appears twice: in `{seen[case.id].source}` and `{case.source}`")
        seen.setdefault(case.id, case)
