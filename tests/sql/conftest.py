"""Fixtures for the SQL tests: the sample and real Vista catalogs, and SQL cases read from `cases/*.yaml`.

A test marked `@pytest.mark.cases("analysis.yaml", ...)` takes a `case` argument and runs once per case in
those files, with the case's `title` as its id.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vgpt2_ext.catalog import SAMPLE_CATALOG, Catalog, load_catalog

CASES = Path(__file__).parent / "cases"
VISTA = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "vista"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cases(*files): run the test once per case of tests/sql/cases/<file>")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("cases")
    if marker is None:
        return
    cases = [case for name in marker.args for case in yaml.safe_load((CASES / name).read_text(encoding="utf-8"))]
    metafunc.parametrize("case", cases, ids=[case["title"] for case in cases])


@pytest.fixture(scope="session")
def sample() -> Catalog:
    return load_catalog(SAMPLE_CATALOG)


@pytest.fixture(scope="session")
def vista(request: pytest.FixtureRequest) -> Catalog:
    """The real Vista catalog export (../shared/fixtures/vista); the test is skipped where it is absent."""
    try:
        found = request.getfixturevalue("vista_fixture")  # the suite-wide fixture, where tests/conftest.py has it
    except pytest.FixtureLookupError:
        if not (VISTA / "information_schema_columns.csv").is_file():
            pytest.skip(f"the real Vista catalog fixture is not at {VISTA}")
        found = VISTA
    return found if isinstance(found, Catalog) else load_catalog(found)
