"""`vgpt2 catalog show|joins|list|rules`, run through the real CLI entry point: on the small sample (`sample_cli`),
where every fact is known, and on the embedded default (real Vista with the described overlay)."""

from __future__ import annotations

import pytest

from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog


@pytest.fixture
def sample_cli(run_cli):
    """`run_cli` on the small standalone sample catalog."""
    return lambda *argv: run_cli(*argv, "--catalog", str(SAMPLE_CATALOG))


def test_show_prints_the_object_its_base_table_keys_and_columns(sample_cli):
    code, out, err = sample_cli("catalog", "show", "apth")
    assert (code, err) == (0, "")
    assert "APTH (view over base table bAPTH, module AP) in catalog vista-sample" in out
    assert "key: APCo, Mth, APTrans" in out
    for name in load_catalog(SAMPLE_CATALOG).object("APTH").column_names:
        assert name in out
    assert "numeric(12,2)" in out and "bDollar" in out
    assert "Batch month the invoice was posted in" in out


def test_show_prints_the_meaning_of_each_code(sample_cli):
    code, out, _ = sample_cli("catalog", "show", "APTD")
    assert code == 0
    assert "1 open, 2 on hold, 3 paid, 4 cleared" in out


def test_show_of_a_base_table_points_at_its_view(sample_cli):
    code, out, _ = sample_cli("catalog", "show", "[dbo].[bAPTH]")
    assert code == 0 and "base table; query its view APTH" in out


def test_an_unknown_name_is_one_line_with_did_you_mean_and_exit_1(sample_cli):
    code, out, err = sample_cli("catalog", "show", "APTHX")
    assert (code, out) == (1, "")
    assert err.strip() == ("error: no table or view `APTHX` in catalog `vista-sample`; did you mean `APTH`, "
                           "`bAPTH`, `PRTH`?")


def test_joins_prints_each_path_in_and_out_with_its_on_condition(sample_cli):
    code, out, _ = sample_cli("catalog", "joins", "APTH")
    assert code == 0
    rows = [line for line in out.splitlines() if "│" in line]
    assert any("references" in r and "APVM" in r and "APTH.VendorGroup = APVM.VendorGroup AND APTH.Vendor = "
               "APVM.Vendor" in r for r in rows)
    assert any("referenced by" in r and "APTD" in r and "APTD.APCo = APTH.APCo" in r for r in rows)


def test_joins_reads_the_real_export_with_catalog(run_cli, vista_fixture):
    code, out, _ = run_cli("catalog", "joins", "JCCD", "--catalog", str(vista_fixture))
    assert code == 0
    assert "JCCD.JCCo = JCJM.JCCo AND JCCD.Job = JCJM.Job" in out


def test_list_filters_by_module_and_hides_base_tables_behind_their_views(sample_cli):
    code, out, _ = sample_cli("catalog", "list", "--module", "ap")
    names = {line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")} - {""}
    assert code == 0
    assert names == {"APTH", "APTL", "APTD", "APPH", "APHB", "APLB", "APVM"}
    code, out, _ = sample_cli("catalog", "list", "--module", "AP", "--all")
    assert "bAPTH" in out


def test_list_of_an_unknown_module_names_the_modules_there_are(sample_cli):
    code, _, err = sample_cli("catalog", "list", "--module", "XX")
    assert code == 1
    assert "no module `XX`" in err and "AP, AR, EM, GL, HQ, JC, PO, PR, SL" in err


def test_rules_prints_the_house_style_and_every_rule(sample_cli):
    code, out, _ = sample_cli("catalog", "rules")
    assert code == 0
    assert "prefer_views=True, require_nolock=True, require_company_filter=True" in out
    for rule in load_catalog(SAMPLE_CATALOG).rules:
        assert rule.id in out
    assert "APTD.Status < 3" in out


def test_show_reads_a_ddl_dump_with_catalog(run_cli, redgate_ddl):
    code, out, _ = run_cli("catalog", "show", "GLAC", "--catalog", str(redgate_ddl))
    assert code == 0
    assert "GLAC (view over base table bGLAC, module GL) in catalog redgate" in out
    assert "P, M, L, I, H, E, C, A" in out


def test_a_catalog_path_that_does_not_exist_is_one_line_and_exit_1(run_cli, tmp_path):
    code, _, err = run_cli("catalog", "rules", "--catalog", str(tmp_path / "nowhere"))
    assert code == 1
    assert err.count("\n") == 1 and "does not exist" in err


def test_a_missing_argument_is_a_usage_error(run_cli):
    with pytest.raises(SystemExit) as exited:
        run_cli("catalog", "show")
    assert exited.value.code == 2


@pytest.mark.parametrize("width", [80, 100])
def test_show_keeps_names_types_and_domains_whole_on_a_standard_terminal(run_cli, monkeypatch, width):
    """At 80 columns `smalldatetime` used to fold into `smalldatetim` / `e`: identifiers never wrap, prose does."""
    from vgpt2_ext.catalog import SAMPLE_CATALOG

    monkeypatch.setenv("COLUMNS", str(width))
    code, out, _ = run_cli("catalog", "show", "APTD", "--catalog", str(SAMPLE_CATALOG))
    assert code == 0 and max(len(line) for line in out.splitlines()) <= width
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in out.splitlines() if line.startswith("│")]
    named = [row for row in rows if row[0]]
    columns = load_catalog(SAMPLE_CATALOG).object("APTD").columns
    assert len(named) == len(columns)  # one row starts per column: no name continues on a second line
    for row, column in zip(named, columns):
        assert row[0].split(" ")[0] == column.name and row[1] == column.sql_type and row[2] == (column.domain or "")
    prose = " ".join(" ".join(row[4] for row in rows).split())
    assert "codes: 1 open, 2 on hold, 3 paid, 4 cleared" in prose


def test_the_default_is_real_vista_described_by_the_overlay(run_cli):
    code, out, err = run_cli("catalog", "show", "APTH")
    assert (code, err) == (0, "")
    assert "APTH (view over base table bAPTH, module AP) in catalog vista" in out
    assert "Batch month the invoice was posted in" in out
    assert "UniqueAttchID" in out  # a column of real Vista the small sample leaves out
    code, out, err = run_cli("catalog", "list", "--module", "XX")
    assert code == 1 and "AP, AR, BI, CM, DD, DM, EM, GL, HQ, HR" in err
