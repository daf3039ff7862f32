"""Reading the files users give us, defensively: one clear error naming the file and line, never a traceback.

- Text must be UTF-8 (a stray Latin-1 byte is reported with its line and byte offset) and hold no lone
  surrogate (`"\\ud800"` in JSON decodes to one, and writing it back out fails far from where it came in).
- YAML is read strictly: a key given twice in one mapping is an error (YAML would keep the last silently);
  aliases may not expand the document by more than `MAX_ALIAS_NODES` nodes (a 400-byte "billion laughs"
  otherwise costs minutes and gigabytes in whatever walks it); numbers in exponent form read as numbers the
  way YAML 1.2 and our `key=value` overrides read them (`1e-4` is 0.0001, not the text "1e-4").
- JSON lines are read one by one, each error naming `file:line`.

Each reader takes the `VGPT2Error` subclass to raise, so a catalog problem stays a CatalogError and a recipe
problem a RecipeError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from vgpt2_ext.errors import VGPT2Error

MAX_ALIAS_NODES = 10_000  # nodes aliases may add to a document beyond the ones written out
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML has it: fast
_SURROGATE = re.compile("[\ud800-\udfff]")
# YAML 1.2's floats that YAML 1.1 (PyYAML) reads as text: an exponent without a dot (1e-4, 5E+3)
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")


class StrictLoader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader with YAML 1.2 exponent floats and duplicate keys refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                continue  # an unhashable key: the base constructor reports it
            if first is not key_node:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key `{key}` appears twice in one mapping (first at line "
                                f"{first.start_mark.line + 1}); YAML would keep only the last", key_node.start_mark)
        return super().construct_mapping(node, deep)


StrictLoader.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789"))


def read_text(path: str | Path, error: type[VGPT2Error], what: str = "") -> str:
    """The file's text: UTF-8 (a BOM is dropped), or `error` naming the line and byte of the first bad byte.
    `what` names the kind of file in the message (`responses `)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as problem:
        raise error(f"{what}`{path}` cannot be read: {problem.strerror or problem}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line = data[:problem.start].count(b"\n") + 1
        raise error(f"{what}`{path}` line {line} is not UTF-8 text: byte 0x{data[problem.start]:02x} at offset "
                    f"{problem.start} ({problem.reason}); save the file as UTF-8") from None


def read_yaml(path: str | Path, error: type[VGPT2Error]) -> Any:
    """The YAML document in `path`, read strictly (see the module docstring)."""
    return parse_yaml(read_text(path, error), f"`{path}`", error)


def parse_yaml(text: str, where: str, error: type[VGPT2Error]) -> Any:
    """The YAML document in `text`; `where` names it in messages."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_aliases(node, where, error)
        value = loader.construct_document(node)
    except yaml.YAMLError as problem:
        raise error(f"{where} is not valid YAML{_mark(problem)}: {_problem(problem)}") from None
    finally:
        loader.dispose()
    reject_surrogates(value, where, error)
    return value


def read_jsonl(path: str | Path, error: type[VGPT2Error], what: str = "") -> Iterator[tuple[int, Any]]:
    """(line number, value) for each non-blank line of a JSON-lines file; `error` names `file:line`."""
    for number, line in enumerate(read_text(path, error, what).splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as problem:
            raise error(f"`{path}:{number}` is not valid JSON ({getattr(problem, 'msg', problem)})") from None
        reject_surrogates(value, f"`{path}:{number}`", error)
        yield number, value


def reject_surrogates(value: Any, where: str, error: type[VGPT2Error]) -> None:
    """`error` if any text in `value` (nested lists and mappings included) holds a lone surrogate."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found = _SURROGATE.search(item)
            if found:
                raise error(f"{where} holds a lone surrogate `\\u{ord(found.group()):04x}` at character "
                            f"{found.start()} of {item[:40]!r}: not valid Unicode text; fix the file")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)


def _check_aliases(root: yaml.Node, where: str, error: type[VGPT2Error]) -> None:
    """Refuse a document whose aliases expand it by more than MAX_ALIAS_NODES nodes (counted on the node
    graph, each shared node once, so the count itself costs what the file costs)."""
    expanded: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the current path: met again below itself, an alias makes a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            expanded[id(node)] = 1 + sum(expanded[id(child)] for child in children)
        elif id(node) in open_nodes:
            raise error(f"{where}: an alias refers to a collection that holds it (a recursive document); write "
                        "the values out instead")
        elif id(node) not in expanded:
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children)
    extra = expanded[id(root)] - len(expanded)
    if extra > MAX_ALIAS_NODES:
        raise error(f"{where}: its aliases (`*name`) expand it by {extra:,} nodes, more than {MAX_ALIAS_NODES:,} "
                    "(a YAML alias bomb?); write the values out instead")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _mark(problem: yaml.YAMLError) -> str:
    mark = getattr(problem, "problem_mark", None)
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _problem(problem: yaml.YAMLError) -> str:
    text = getattr(problem, "problem", None) or str(problem).strip().splitlines()[0]
    return str(text)
