"""Data-building test helpers: the sample catalog and seeds, small settings, and a one-call build into tmp.

Builds here are small (tens of examples, one worker unless a test says otherwise) so the area's tests stay
well under a few minutes on two cores; the full default build belongs to `make data` and the benchmark.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog
from vgpt2_ext.data.pipeline import DataRun, run_build
from vgpt2_ext.data.seeds import load_seeds
from vgpt2_ext.data.settings import DataSettings
from vgpt2_ext.settings import Settings

HERE = Path(__file__).resolve().parent
SYSTEM = "You are VGPT2, a test system prompt."


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cases(file): parametrize `case` from tests/data/cases/<file>")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("cases")
    if marker is not None:
        cases = yaml.safe_load((HERE / "cases" / marker.args[0]).read_text(encoding="utf-8"))["cases"]
        metafunc.parametrize("case", cases, ids=[case["title"] for case in cases])


@pytest.fixture(scope="session")
def sample():
    return load_catalog(SAMPLE_CATALOG)


@pytest.fixture(scope="session")
def seeds():
    return load_seeds()


def _small(**changes) -> DataSettings:
    values = {"examples": 60, "workers": 1, "decontaminate": None, **changes}
    return replace(DataSettings(), **values)


def _build(out: Path, catalog: str | None = None, context: str = "none", model: str | None = None, **changes):
    settings = Settings(catalog=catalog, schema_context=context, data=_small(**changes))
    return run_build(DataRun(settings, SYSTEM, out, model=model))


@pytest.fixture
def small():
    """`small(**changes)`: DataSettings of a quick build (60 examples, one worker, no decontamination)."""
    return _small


@pytest.fixture
def build():
    """`build(out, catalog=None, context="none", model=None, **data_settings)`: the whole pipeline into `out`."""
    return _build
