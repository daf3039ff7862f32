"""Where the rows come from: a dataset file (JSON array or JSON lines) or a `dataset_info.json` entry name,
streamed row by row with the row number every message names.

A JSON lines file is read line by line (a row's number is its line number); a JSON array is decoded one
element at a time from 1 MiB chunks (a row's number is its position, from 1), so a large file never sits in
memory whole. Bytes must be UTF-8 (a leading byte-order mark is allowed): a byte that is not names the row it
falls in. The file is only ever opened for reading.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vgpt2_ext.data.registry import REGISTRY, read_registry
from vgpt2_ext.errors import DatasetError

CHUNK = 1 << 20
_HUB_KEYS = ("hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class Source:
    """A dataset file to audit, the name its outputs take, and its `dataset_info.json` entry when it has one."""

    path: Path
    name: str
    entry: dict | None = None

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def resolve(target: str, dataset_dir: Path) -> Source:
    """`target` as a file, else as the name of an entry in `dataset_dir/dataset_info.json`. A file that an
    entry of its own folder's registry names takes that entry (its columns and tags)."""
    path = Path(target)
    if path.is_file():
        name, entry = _entry_for_file(path)
        return Source(path, name or path.stem, entry)
    registry_path = dataset_dir / REGISTRY
    entry = read_registry(registry_path).get(target)
    if entry is None:
        raise DatasetError(f"`{target}` is neither a file nor a dataset registered in `{registry_path}`; give a "
                           "JSON/JSONL file or a dataset name (`--dataset-dir` says where dataset_info.json is)")
    if not isinstance(entry, dict) or any(key in entry for key in _HUB_KEYS) or not entry.get("file_name"):
        raise DatasetError(f"`{registry_path}` entry `{target}` names no local `file_name`; the audit reads "
                           "local JSON/JSONL files")
    path = dataset_dir / entry["file_name"]
    if not path.is_file():
        raise DatasetError(f"`{registry_path}` entry `{target}` names `{path}`, which is not a file")
    return Source(path, target, entry)


def _entry_for_file(path: Path) -> tuple[str | None, dict | None]:
    registry_path = path.parent / REGISTRY
    if not registry_path.is_file():
        return None, None
    for name, entry in read_registry(registry_path).items():
        if isinstance(entry, dict) and entry.get("file_name") == path.name:
            return name, entry
    return None, None


def rows(path: Path) -> Iterator[tuple[int, object, int]]:
    """(row number, decoded JSON value, bytes read so far) for every row of `path`, in file order."""
    with path.open("rb") as handle:
        head = handle.read(4096)
        if head.startswith(_UTF16_BOMS):
            raise DatasetError(f"`{path}` is UTF-16 text; save it as UTF-8")
        start = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
        first = head[start:].lstrip()[:1]
        handle.seek(start)
        if first == b"[":
            yield from _array(handle, path)
        elif first in (b"{", b""):
            yield from _lines(handle, path)
        else:
            raise DatasetError(f"`{path}` row 1: expected a JSON array of rows (`[`) or JSON lines (`{{`), "
                               f"found {first.decode('latin-1')!r}")


def _lines(handle, path: Path) -> Iterator[tuple[int, object, int]]:
    done = handle.tell()
    for number, raw in enumerate(handle, 1):
        text = _decode(raw, path, number, done)
        done += len(raw)
        if text.strip():
            yield number, _json(text, path, number), done


def _decode(raw: bytes, path: Path, number: int, offset: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DatasetError(f"`{path}` row {number}: byte 0x{raw[error.start]:02X} at byte offset "
                           f"{offset + error.start} is not UTF-8; save the file as UTF-8") from None


def _json(text: str, path: Path, number: int) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DatasetError(f"`{path}` row {number} (line {number}): not valid JSON ({error.msg})") from None


def _array(handle, path: Path) -> Iterator[tuple[int, object, int]]:
    """The elements of a top-level JSON array, decoded as the chunks arrive."""
    reader = _ArrayReader(handle, path)
    reader.expect("[", "a JSON array")
    while not reader.closes():
        if reader.number:
            reader.expect(",", f"`,` or `]` after row {reader.number}")
        yield reader.number + 1, reader.element(), reader.done
    reader.expect_end()


class _ArrayReader:
    """A decoding window over a JSON array file: `buffer[position:]` is what is not consumed yet."""

    def __init__(self, handle, path: Path) -> None:
        self.handle, self.path = handle, path
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.json = json.JSONDecoder()
        self.buffer, self.position, self.number = "", 0, 0
        self.done, self.ended = handle.tell(), False
        self.bad: str | None = None  # why reading stopped early: a byte that is not UTF-8

    def more(self) -> bool:
        """Append the next chunk to the window; False at the end of the file (or before a bad byte)."""
        if self.ended:
            return False
        raw = self.handle.read(CHUNK)
        try:
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as error:
            text = raw[:error.start].decode("utf-8", errors="ignore")
            self.bad = (f"byte 0x{raw[error.start]:02X} at byte offset {self.done + error.start} is not UTF-8; "
                        "save the file as UTF-8")
            self.ended = True
        self.buffer = self.buffer[self.position:] + text
        self.position, self.done = 0, self.done + len(raw)
        self.ended = self.ended or not raw
        return bool(text) or not self.ended

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            while self.position < len(self.buffer) and self.buffer[self.position] in " \t\r\n":
                self.position += 1
            if self.position < len(self.buffer) or not self.more():
                return self.buffer[self.position:self.position + 1]

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            self.fail(f"expected {what}")
        self.position += 1

    def closes(self) -> bool:
        if self.peek() == "]":
            self.position += 1
            return True
        return False

    def element(self) -> object:
        """Decode one element, reading more chunks while it is incomplete."""
        self.peek()
        while True:
            try:
                value, end = self.json.raw_decode(self.buffer, self.position)
                if end < len(self.buffer) or self.ended:
                    self.position, self.number = end, self.number + 1
                    return value
            except json.JSONDecodeError as error:
                if self.ended:
                    self.fail(f"not valid JSON ({error.msg})")
            self.more()

    def expect_end(self) -> None:
        if self.peek():
            self.fail(f"text after the closing `]` of the array (after row {self.number})")
        if self.bad:
            self.fail(self.bad)

    def fail(self, message: str):
        raise DatasetError(f"`{self.path}` row {self.number + 1}: {self.bad or message}")


