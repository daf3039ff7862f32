"""The `vgpt2 sql` commands, run through the real CLI entry point."""

from __future__ import annotations

import io

import pytest

from vgpt2_ext.catalog import SAMPLE_CATALOG, Catalog
from vgpt2_ext.cli import main


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps at the terminal width; keep each message on one line


def test_check_of_a_grounded_query_reports_it_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    sql = ("SELECT h.APTrans, l.GrossAmt FROM APTH h WITH (NOLOCK) JOIN APTL l WITH (NOLOCK) "
           "ON l.APCo = h.APCo AND l.Mth = h.Mth AND l.APTrans = h.APTrans WHERE h.APCo = @APCo")
    assert main(["sql", "check", sql]) == 0
    out = capsys.readouterr().out
    assert "APTH h (NOLOCK); APTL l (NOLOCK)" in out
    assert "APTH.APCo = APTL.APCo" in out
    assert "APTH.APCo = @APCo" in out
    assert "grounded" in out


def test_check_of_an_ungrounded_query_suggests_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "check", "SELECT h.Status FROM APTH h WITH (NOLOCK) WHERE h.APCo = 1"]) == 1
    assert "APTH` has no column `Status` (`h.Status`); did you mean `APTD.Status`," in capsys.readouterr().out
    assert main(["sql", "check", "SELECT h.Status FROM APTH h WITH (NOLOCK)", "--catalog", str(SAMPLE_CATALOG)]) == 1
    assert "did you mean `APTD.Status`?" in capsys.readouterr().out  # the sample knows one other Status


def test_check_of_a_dialect_slip_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "check", "SELECT Name FROM APVM WITH (NOLOCK) LIMIT 5"]) == 1
    assert "use SELECT TOP n" in capsys.readouterr().out


def test_check_prints_style_violations_without_failing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "check", "SELECT Name FROM bAPVM WHERE VendorGroup = 1"]) == 0
    out = capsys.readouterr().out
    assert "query its view `APVM`" in out
    assert "write `bAPVM WITH (NOLOCK)`" in out


def test_check_of_unparsable_sql_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "check", "SELECT Name FROM APVM WHERE"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: SQL does not parse as T-SQL")
    assert "Traceback" not in err and err.count("\n") == 1


def test_check_reads_the_sql_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("SELECT Name FROM HQCO WITH (NOLOCK) WHERE HQCo = 1"))
    assert main(["sql", "check", "-"]) == 0
    assert "HQCO.HQCo = 1" in capsys.readouterr().out


def test_check_of_an_answer_checks_each_block(capsys: pytest.CaptureFixture[str]) -> None:
    answer = ("```sql\nSELECT APCo, InvNum FROM APTH WITH (NOLOCK) WHERE APCo = 1\n```\n"
              "```sql\nSELECT Name FROM APVM WITH (NOLOCK)\n```")
    assert main(["sql", "check", "--answer", answer]) == 1
    out = capsys.readouterr().out
    assert "SQL block 1 of 2 (fenced)" in out and "SQL block 2 of 2 (fenced)" in out
    assert "`APTH` has no column `InvNum`" in out


def test_check_on_another_catalog_judges_by_that_catalog(vista: Catalog, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT h.Amount FROM APTH h WITH (NOLOCK) WHERE h.APCo = 1"
    assert main(["sql", "check", sql, "--catalog", str(SAMPLE_CATALOG)]) == 1  # the sample trims APTH's columns
    assert main(["sql", "check", sql, "--catalog", vista.source]) == 0
    assert "h.Amount -> APTH.Amount" in capsys.readouterr().out


def test_run_binds_variables_and_prints_the_rows(capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT TOP 3 h.APCo, h.APTrans FROM APTH h WITH (NOLOCK) WHERE h.APCo = @APCo ORDER BY h.APTrans"
    assert main(["sql", "run", sql, "--set", "APCo=1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 rows")
    assert "APCo" in out and "APTrans" in out


def test_run_of_an_unbound_variable_says_how_to_bind_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "run", "SELECT Name FROM HQCO WITH (NOLOCK) WHERE HQCo = @HQCo"]) == 1
    assert "bind it with `--set HQCo=VALUE`" in capsys.readouterr().err


def test_run_of_a_write_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "run", "DELETE FROM APTH WHERE APCo = 1"]) == 1
    assert "refused" in capsys.readouterr().err
