"""The audit's files, written as a set: everything goes into a temporary folder beside the final one, which
replaces `<dataset_dir>/<name>_audit/` in one rename once the last file is written; then the clean copy is
registered as `<name>_audited` in `dataset_info.json` (other entries kept). A failed audit leaves the old
folder and the registry as they were.

    <name>_audit/<name>_audited.jsonl   the rows that passed or were repaired, in input order, in the input's shape
    <name>_audit/rejected.jsonl         the failing rows: row number, failures (with the closest real names), the row
    <name>_audit/verdicts.jsonl         every row's verdict, failures and repairs
    <name>_audit/AUDIT.md, AUDIT.json   the summary;  top_missing.png  the chart of the top missing names
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from vgpt2_ext.atomic import write_json, write_text
from vgpt2_ext.audit.shapes import AuditRow, Shape, with_answers
from vgpt2_ext.audit.summary import markdown, write_chart
from vgpt2_ext.audit.verdict import RowVerdict
from vgpt2_ext.data.registry import REGISTRY, read_registry
from vgpt2_ext.errors import DatasetError

REJECTED, VERDICTS, CHART = "rejected.jsonl", "verdicts.jsonl", "top_missing.png"


def folder_for(dataset_dir: Path, name: str) -> Path:
    return dataset_dir / f"{name}_audit"


class OutputSet:
    """`with OutputSet(dataset_dir, name, input_path) as out: out.add(row, verdict) ...; out.finish(summary)`"""

    def __init__(self, dataset_dir: Path, name: str, input_path: Path) -> None:
        self.dataset_dir, self.name = dataset_dir, name
        self.final = folder_for(dataset_dir, name)
        if input_path.resolve().is_relative_to(self.final.resolve()):
            raise DatasetError(f"`{input_path}` lies in `{self.final}`, which the audit replaces; copy it elsewhere "
                               "or audit it under another name")
        self.clean_name = f"{name}_audited.jsonl"
        self._tmp: Path | None = None
        self._files: dict = {}

    def __enter__(self) -> OutputSet:
        try:
            self.dataset_dir.mkdir(parents=True, exist_ok=True)
            self._tmp = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.", dir=self.dataset_dir))
        except OSError as error:
            raise DatasetError(f"cannot write the audit into `{self.dataset_dir}` ({error.strerror}); give a "
                               "writable `--dataset-dir`") from None
        self._files = {key: (self._tmp / file).open("w", encoding="utf-8")
                       for key, file in (("clean", self.clean_name), ("rejected", REJECTED), ("verdicts", VERDICTS))}
        return self

    def __exit__(self, *exc) -> None:
        for handle in self._files.values():
            handle.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)  # gone already when finished

    def add(self, row: AuditRow, verdict: RowVerdict) -> None:
        if verdict.kept:
            self._line("clean", with_answers(row, dict(verdict.texts)))
        else:
            self._line("rejected", {"row": row.number, "failures": [f.to_json() for f in verdict.failures],
                                    **({"after_repair": [f.to_json() for f in verdict.left]} if verdict.left else {}),
                                    "data": row.data})
        self._line("verdicts", verdict.to_json())

    def _line(self, key: str, value: object) -> None:
        self._files[key].write(json.dumps(value, ensure_ascii=False) + "\n")

    def files(self) -> dict[str, str]:
        """The files the summary names: the folder relative to the dataset folder, the rest to the folder."""
        return {"folder": self.final.name, "clean": self.clean_name, "rejected": REJECTED, "verdicts": VERDICTS,
                "chart": CHART, "registry": f"../{REGISTRY}"}

    def finish(self, summary: dict, shape: Shape) -> None:
        """Write the summary and chart, move the set into place, register the clean copy."""
        for handle in self._files.values():
            handle.close()
        write_json(self._tmp / "AUDIT.json", summary)
        write_text(self._tmp / "AUDIT.md", markdown(summary))
        if summary["top_missing"]:
            write_chart(summary, self._tmp / CHART)
        os.chmod(self._tmp, 0o755)
        self._swap()
        registry_path = self.dataset_dir / REGISTRY
        registry = read_registry(registry_path)
        registry[summary["dataset"]] = shape.entry(f"{self.final.name}/{self.clean_name}")
        write_json(registry_path, registry)

    def _swap(self) -> None:
        old = None
        if self.final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.old.", dir=self.dataset_dir))
            os.replace(self.final, old / "previous")
        try:
            os.replace(self._tmp, self.final)
        except OSError:
            if old is not None:
                os.replace(old / "previous", self.final)
            raise
        self._tmp = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
