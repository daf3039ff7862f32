"""Atomic file writes: a crash or a full disk leaves the old file or the new one, never half of one; and
sets of files (`FileSet`) replaced together, with a manifest written last that says whether they are whole."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vgpt2_ext.errors import VGPT2Error


def write_text(path: str | Path, text: str) -> None:
    """Write `text` (UTF-8) to a temporary file beside `path`, then rename it over `path` (atomic on POSIX)."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path` (atomic on POSIX)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: str | Path, data: object) -> None:
    """Write `data` as indented JSON with sorted keys, so equal data gives equal bytes."""
    write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def writable_folder(path: str | Path, what: str) -> Path:
    """`path`, created if missing, once a file could be written into it; a VGPT2Error naming `what`
    otherwise. Called before long work, so a bad output folder fails in a second, not after the work."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise VGPT2Error(f"{what} `{folder}` cannot be written: {error.strerror or error}") from None
    return folder


class FileSet:
    """Files that belong together (a dataset, its registry entries and its card), replaced as a set.

        with FileSet(folder, "DATA_MANIFEST.json") as files:
            files.write_text("a.jsonl", text)           # written now, to a temporary file beside its target
            files.remove("stale.jsonl")                  # removed when the set is committed
        # leaving the block commits: every file renamed into place in one burst, then the manifest last

    The slow work (proving, tokenizing for the card) happens before any target is touched, so an interrupted
    build leaves the previous set as it was; SIGINT and SIGTERM are held back during the renames. A build
    killed outright in the middle of the renames leaves files the manifest (the previous one) no longer
    describes: `check_set` says so, and `--if-stale` rebuilds. An exception in the block discards the set.
    """

    def __init__(self, folder: str | Path, manifest: str | None = None) -> None:
        self.folder = Path(folder)
        self.manifest = manifest
        self.facts: dict = {}  # what the set was built from: recorded in the manifest
        self._staged: dict[str, Path] = {}
        self._removed: list[str] = []
        self._untracked: set[str] = set()
        self.folder.mkdir(parents=True, exist_ok=True)

    def __enter__(self) -> FileSet:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()

    def path(self, name: str) -> Path:
        """A temporary path to write `name` to (for writers that want a path, such as a chart's savefig)."""
        if name not in self._staged:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
            os.close(fd)
            self._staged[name] = Path(tmp)
        return self._staged[name]

    def write_text(self, name: str, text: str, *, tracked: bool = True) -> None:
        """Stage `name`; `tracked=False` for a file other sets write too (a shared registry): renamed with the
        set but left out of its manifest, which checks it its own way."""
        self.write_bytes(name, text.encode("utf-8"), tracked=tracked)

    def write_bytes(self, name: str, data: bytes, *, tracked: bool = True) -> None:
        self.path(name).write_bytes(data)
        if not tracked:
            self._untracked.add(name)

    def write_json(self, name: str, data: object, *, tracked: bool = True) -> None:
        self.write_text(name, json.dumps(data, indent=2, sort_keys=True) + "\n", tracked=tracked)

    def remove(self, name: str) -> None:
        self._removed.append(name)

    def commit(self) -> None:
        """Rename every staged file into place, remove the removed ones, then write the manifest: the name and
        SHA-256 of every file of the set, plus `facts`."""
        files = {name: sha256_file(tmp) for name, tmp in self._staged.items() if name not in self._untracked}
        manifest = json.dumps({"files": files, **self.facts}, indent=2, sort_keys=True) + "\n"
        held = _hold_signals()
        try:
            while self._staged:
                name, tmp = next(iter(self._staged.items()))
                os.chmod(tmp, 0o644)
                os.replace(tmp, self.folder / name)
                del self._staged[name]
            for name in self._removed:
                (self.folder / name).unlink(missing_ok=True)
            if self.manifest:
                write_text(self.folder / self.manifest, manifest)
        finally:
            self.discard()  # what a failed rename left staged
            _release_signals(held)

    def discard(self) -> None:
        for tmp in self._staged.values():
            tmp.unlink(missing_ok=True)
        self._staged.clear()


def check_set(folder: str | Path, manifest: str) -> tuple[dict | None, str | None]:
    """(the manifest, None) when every file it lists is on disk as it was written; else (manifest or None, why
    not): no manifest yet, a file missing, or one changed (an interrupted build, an edit by hand)."""
    path = Path(folder) / manifest
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, f"no readable `{path}` (the set was never completed here)"
    for name, digest in files.items():
        target = Path(folder) / name
        if not target.is_file():
            return data, f"`{target}` is missing"
        if sha256_file(target) != digest:
            return data, f"`{target}` is not the file the last build wrote (an interrupted build, or edited)"
    return data, None


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks (a dataset, a wheel, a model shard)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


_HELD = {signal.SIGINT, signal.SIGTERM}


def _hold_signals() -> bool:
    if threading.current_thread() is not threading.main_thread():
        return False
    signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    return True


def _release_signals(held: bool) -> None:
    if held:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


@contextmanager
def replaced_dir(path: str | Path) -> Iterator[Path]:
    """A staging folder beside `path` to fill; on success it replaces `path` (a model folder is whole or absent).
    A failure removes the staging folder and leaves `path` as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield staging
        os.chmod(staging, 0o755)
        if path.exists():
            shutil.rmtree(path)
        staging.rename(path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
