"""Catalog test helpers: cases from data files, the sample and real catalogs, and a CLI runner.

A test marked `@pytest.mark.cases("file.yaml", "section")` receives each entry of that section of
`tests/catalog/data/file.yaml` as `case`, with the entry's `title` as its id.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vgpt2_ext.catalog import DEFAULT_CATALOG, DEFAULT_EXPORT, SAMPLE_CATALOG, Catalog, load_catalog

DATA = Path(__file__).resolve().parent / "data"
REDGATE_DDL = DATA / "ddl" / "redgate"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cases(file, section): parametrize `case` from tests/catalog/data/<file>")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("cases")
    if marker is None:
        return
    file, section = marker.args
    cases = yaml.safe_load((DATA / file).read_text(encoding="utf-8"))[section]
    metafunc.parametrize("case", cases, ids=[case["title"] for case in cases])


@pytest.fixture(scope="session")
def sample() -> Catalog:
    return load_catalog(SAMPLE_CATALOG)


@pytest.fixture(scope="session")
def default() -> Catalog:
    """The embedded default: the zipped real export with the sample and more descriptions laid over it."""
    return load_catalog(DEFAULT_CATALOG)


@pytest.fixture(scope="session")
def export() -> Catalog:
    """The embedded export alone (vgpt2_ext/sample/vista_export.zip), as the default overlay's source."""
    return load_catalog(DEFAULT_EXPORT)


@pytest.fixture(scope="session")
def vista(vista_fixture: Path) -> Catalog:
    return load_catalog(vista_fixture)


@pytest.fixture(scope="session")
def redgate_ddl() -> Path:
    """A small Redgate-style DDL dump (Types/, Tables/, Views/) of a few Vista tables."""
    return REDGATE_DDL


@pytest.fixture(scope="session")
def redgate(redgate_ddl: Path) -> Catalog:
    return load_catalog(redgate_ddl)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """`run_cli(*argv)` -> (exit code, stdout, stderr) of `vgpt2 ...`, on a console wide enough that rich
    does not wrap the rows the test reads."""
    from vgpt2_ext.cli import main

    monkeypatch.setenv("COLUMNS", "250")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
