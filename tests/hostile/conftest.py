"""The hostile-input corpus: what a careless or hostile user, or a model, can hand vgpt2, and what must happen.

Cases are data (`*.yaml` beside this file). A test marked `@pytest.mark.hostile("sql.yaml")` takes a `case`
argument and runs once per case, with its `title` as id. A file may also hold `templates:` x `fill:` — every
template with every filler, for attacks that must fail wherever they are put (a table function in FROM, in
APPLY, in a subquery ...). Each case asserts a refusal (exit 1 and one message, or the sandbox's failure
kind) or a bound (wall time, the worker's peak memory), that no file was written, and that no traceback was
printed. Each carries `why:`, the item of issue 13 it reproduces.

Text in a case may hold `{tmp}` (the test's folder), `{repo}` (the checkout) and `{sample}` (the embedded
sample catalog); `build:` makes inputs too large to write out (`{repeat: "x OR ", times: 60000}`).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml

from vgpt2_ext.catalog import SAMPLE_CATALOG, Catalog, load_catalog
from vgpt2_ext.sandbox import Limits, Sandbox

HERE = Path(__file__).parent
REPO = HERE.parents[1]
# tight limits, so runaway cases cost fractions of a second; the documented defaults are bigger, not different
HOSTILE_LIMITS = Limits(timeout_s=0.5, max_rows=100, memory_mb=64, prepare_s=1.0, build_s=10.0)


def read_cases(name: str) -> list[dict]:
    data = yaml.safe_load((HERE / name).read_text(encoding="utf-8"))
    cases = list(data.get("cases") or [])
    for template in data.get("templates") or []:
        for fill in data["fill"]:
            cases.append({**{k: v for k, v in template.items() if k != "sql"},
                          "title": f"{fill['name']} {template['title']}",
                          "sql": template["sql"].replace("{f}", fill["call"]), "why": data["why"]})
    return cases


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "hostile(*files): run once per case of tests/hostile/<file>")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("hostile")
    if marker is not None:
        cases = [case for name in marker.args for case in read_cases(name)]
        metafunc.parametrize("case", cases, ids=[case["title"] for case in cases])


def fill(text: str, tmp: Path) -> str:
    return text.replace("{tmp}", str(tmp)).replace("{repo}", str(REPO)).replace("{sample}", str(SAMPLE_CATALOG))


def built(case: dict) -> str:
    """The case's SQL: written out, or built from `build: {prefix, repeat, times, suffix}`."""
    if "sql" in case:
        return case["sql"]
    spec = case["build"]
    return spec.get("prefix", "") + spec["repeat"] * spec["times"] + spec.get("suffix", "")


def write_files(folder: Path, files: dict, tmp: Path) -> None:
    """`{relative path: text}` into `folder`; a text under `latin1:` is written as Latin-1 bytes (not UTF-8)."""
    for name, content in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            path.write_bytes(fill(content["latin1"], tmp).encode("latin-1"))
        else:
            path.write_text(fill(content, tmp), encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: equal before and after means nothing was written."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def cli() -> Callable[..., tuple[int, str, str]]:
    """Run `vgpt2 ARGS` in this process: (exit code, stdout, stderr). A traceback escaping `main` fails the
    test by itself; the tests also check stderr holds none."""
    from vgpt2_ext.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
        return code, out.getvalue(), err.getvalue()

    return run


def one_message(err: str) -> str:
    """stderr as one line of text (rich wraps long lines), after checking it is a single error and no traceback."""
    assert "Traceback" not in err and err.startswith("error:"), err
    return " ".join(err.split())


@pytest.fixture(scope="session")
def sample() -> Catalog:
    return load_catalog(SAMPLE_CATALOG)


@pytest.fixture(scope="session")
def hostile_sandbox(sample: Catalog) -> Sandbox:
    """The sample's sandbox under `HOSTILE_LIMITS`, every table built, shared by the SQL cases."""
    sandbox = Sandbox(sample, limits=HOSTILE_LIMITS)
    sandbox.materialise()
    yield sandbox
    sandbox.close()
