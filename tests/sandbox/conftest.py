"""Sandbox test helpers: cases from `cases/*.yaml`, and sandboxes on the sample and the real Vista catalog.

A test marked `@pytest.mark.cases("security.yaml")` takes a `case` argument and runs once per case of that
file, with the case's `title` as its id. Case files may write `!decimal 1.50` and `!datetime 2024-03-01
10:30:00` for values YAML has no type for.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.catalog import SAMPLE_CATALOG, Catalog, load_catalog
from vgpt2_ext.sandbox import Limits, Sandbox

CASES = Path(__file__).parent / "cases"


class _CaseLoader(yaml.SafeLoader):
    """YAML with `!decimal` and `!datetime` values."""


_CaseLoader.add_constructor("!decimal", lambda loader, node: Decimal(loader.construct_scalar(node)))
_CaseLoader.add_constructor("!datetime", lambda loader, node: datetime.fromisoformat(loader.construct_scalar(node)))


def read_cases(name: str) -> list[dict]:
    return yaml.load((CASES / name).read_text(encoding="utf-8"), Loader=_CaseLoader)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cases(*files): run the test once per case of tests/sandbox/cases/<file>")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("cases")
    if marker is None:
        return
    cases = [case for name in marker.args for case in read_cases(name)]
    metafunc.parametrize("case", cases, ids=[case["title"] for case in cases])


@pytest.fixture(scope="session")
def sample() -> Catalog:
    return load_catalog(SAMPLE_CATALOG)


@pytest.fixture(scope="session")
def sample_sandbox(sample: Catalog) -> Sandbox:
    """The sample's sandbox with every table built (0.1 s), shared by the tests that only read."""
    sandbox = Sandbox(sample)
    sandbox.materialise()
    return sandbox


@pytest.fixture(scope="session")
def locked_sandbox(sample: Catalog) -> Sandbox:
    """A fully built sample sandbox with tight limits, for the cases that try to break out or run away."""
    sandbox = Sandbox(sample, limits=Limits(timeout_s=0.5, max_rows=100, memory_mb=64))
    sandbox.materialise()
    return sandbox


@pytest.fixture(scope="session")
def vista(vista_fixture: Path) -> Catalog:
    return load_catalog(vista_fixture)


@pytest.fixture(scope="session")
def vista_sandbox(vista: Catalog) -> Sandbox:
    """The real export's sandbox; tables are built as the tests' queries reach them."""
    return Sandbox(vista)
