"""`run_audit`: stream a dataset's rows through the proof, tally them, write the set of files.

The stages follow the data: `source` (file or registry entry, rows with their numbers) -> `shapes` (the
dataset's shape from its entry or first row; each row's answers) -> `workers` (the proof and, with repair,
the rewrite, across processes) -> `summary` and `output` (the tally, the clean copy, the rejected rows and the
summary files, moved into place as a set). A malformed row stops the audit with its number and nothing is
written (the temporary folder goes); the input is only read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from vgpt2_ext.atomic import sha256_file
from vgpt2_ext.audit import source as sources
from vgpt2_ext.audit.output import OutputSet
from vgpt2_ext.audit.shapes import Shape, read_row, shape_of
from vgpt2_ext.audit.summary import Tally
from vgpt2_ext.audit.workers import Pool
from vgpt2_ext.catalog import load_catalog
from vgpt2_ext.errors import DatasetError

Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 32  # rows between progress reports


@dataclass(frozen=True)
class AuditRun:
    """What to audit (a file or a dataset_info.json entry name), against which catalog, and how."""

    target: str
    catalog: str | None = None  # a catalog path; None = `load_catalog`'s default
    dataset_dir: Path = Path("dataset_info")  # where entry names are looked up and the outputs go
    fmt: str = "auto"
    repair: bool = False
    workers: int = 2


@dataclass(frozen=True)
class AuditResult:
    summary: dict  # what AUDIT.json holds
    folder: Path  # where the set of files was written


@dataclass
class _Reading:
    """Rows as they are read, with how far into the file the reading is (for the progress estimate)."""

    path: Path
    size: int
    rows: int = 0
    bytes: int = 0

    def follow(self, found: Iterable[tuple[int, object, int]]) -> Iterator[tuple[int, object]]:
        for number, raw, done in found:
            self.rows, self.bytes = self.rows + 1, done
            yield number, raw

    def estimate(self, done: int) -> int:
        """Rows in the whole file, estimated from the rows and bytes read so far (exact at the end)."""
        return max(done, round(self.rows * self.size / self.bytes)) if self.bytes else done


def run_audit(run: AuditRun, progress: Progress | None = None) -> AuditResult:
    source = sources.resolve(run.target, run.dataset_dir)
    catalog = load_catalog(run.catalog)
    where = f"`{source.path}`"
    reading = _Reading(source.path, source.size)
    found = reading.follow(sources.rows(source.path))
    first = next(found, None)
    if first is None:
        raise DatasetError(f"{where} holds no rows")
    shape = shape_of(source.entry, first[1], run.fmt, where)
    rows = (read_row(number, raw, shape, where) for number, raw in chain([first], found))
    tally = Tally(ranking=shape.ranking)
    with OutputSet(run.dataset_dir, source.name, source.path) as out, Pool(catalog, run.repair, run.workers) as pool:
        for done, (row, verdict) in enumerate(pool.judge(rows), 1):
            tally.add(verdict)
            out.add(row, verdict)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress("proving rows", done, reading.estimate(done))
        if progress is not None:
            progress("proving rows", tally.rows, tally.rows)
        summary = tally.to_json(_meta(run, source, shape, catalog, out))
        out.finish(summary, shape)
    return AuditResult(summary, out.final)


def _meta(run: AuditRun, source: sources.Source, shape: Shape, catalog, out: OutputSet) -> dict:
    return {
        "input": {"path": str(source.path), "name": source.name, "shape": shape.describe(),
                  "sha256": sha256_file(source.path)},
        "catalog": {"name": catalog.name, "source": run.catalog or "default", "fingerprint": catalog.fingerprint,
                    "objects": len(catalog.objects)},
        "repair": run.repair,
        "dataset": f"{source.name}_audited",
        "files": out.files(),
    }


