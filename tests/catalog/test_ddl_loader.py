"""The T-SQL DDL loader on Redgate-style script dumps: types, keys, constraints, views, and broken scripts."""

from __future__ import annotations

import pytest

from vgpt2_ext.catalog import load_catalog
from vgpt2_ext.catalog.ddl_loader import load_ddl_catalog
from vgpt2_ext.errors import CatalogError


def test_a_dump_folder_loads_its_tables_and_views_and_skips_the_rest(redgate):
    assert sorted(obj.name for obj in redgate.objects) == [
        "APTH", "APVM", "GLAC", "GLCO", "HQCO", "bAPTH", "bAPVM", "bGLAC", "bGLCO", "bHQCO", "brvAPOpenInvoices"]


def test_columns_of_a_user_defined_type_get_its_name_as_domain_and_its_base_type(redgate):
    company = redgate.column("bAPTH", "APCo")
    assert (company.sql_type, company.domain, company.nullable) == ("tinyint", "bCompany", False)
    total = redgate.column("bAPTH", "InvTotal")
    assert (total.sql_type, total.domain) == ("numeric(12,2)", "bDollar")


def test_column_types_and_nullability_read_past_collations_defaults_and_identities(redgate):
    header = redgate.object("bAPTH")
    got = {c.name: (c.sql_type, c.domain, c.nullable) for c in header.columns}
    assert got["InvId"] == ("char(10)", None, True)
    assert got["PrePaidProcYN"] == ("char(1)", "bYN", False)
    assert got["KeyID"] == ("bigint", None, False)
    assert got["Notes"] == ("varchar(max)", None, True)
    assert got["udPaidAmt"] == ("numeric(12,2)", None, True)
    assert got["Description"] == ("varchar(30)", "bDesc", True)


def test_unique_indexes_and_constraints_become_keys_clustered_first(redgate):
    assert redgate.object("bAPVM").keys == (("VendorGroup", "Vendor"), ("VendorGroup", "SortName"), ("KeyID",))
    assert redgate.object("bGLCO").keys == (("GLCo",),)  # a PRIMARY KEY inside CREATE TABLE
    assert redgate.object("bGLAC").keys == (("GLCo", "GLAcct"), ("KeyID",))  # ALTER TABLE ... PRIMARY KEY


def test_a_foreign_key_is_a_declared_relationship_between_the_tables_and_their_views(redgate):
    declared = {(r.child, r.child_columns, r.parent, r.parent_columns) for r in redgate.declared_relationships}
    assert declared == {("bGLAC", ("GLCo",), "bGLCO", ("GLCo",)), ("GLAC", ("GLCo",), "GLCO", ("GLCo",))}


def test_check_constraints_listing_values_become_codes(redgate):
    assert [c.value for c in redgate.column("bGLAC", "AcctType").codes] == ["P", "M", "L", "I", "H", "E", "C", "A"]
    assert [c.value for c in redgate.column("bGLAC", "NormBal").codes] == ["D", "C"]  # IS NULL OR ... IN (...)
    assert [c.value for c in redgate.column("APVM", "Type").codes] == ["R", "S"]


def test_a_plain_view_is_linked_to_its_base_table_with_its_columns_and_keys(redgate):
    view, base = redgate.object("APTH"), redgate.object("bAPTH")
    assert (view.kind, view.base_table, view.module) == ("view", "bAPTH", "AP")
    assert view.columns == base.columns and view.keys == base.keys


def test_a_report_view_gets_its_select_list_typed_where_the_source_is_known(redgate):
    report = redgate.object("brvAPOpenInvoices")
    got = {c.name: (c.sql_type, c.domain) for c in report.columns}
    assert got == {"APCo": ("tinyint", "bCompany"), "Mth": ("smalldatetime", "bMonth"), "APTrans": ("int", "bTrans"),
                   "VendorName": ("varchar(60)", None), "InvTotal": ("numeric(12,2)", "bDollar"),
                   "DaysPastDue": (None, None)}
    assert report.base_table is None


SINGLE_FILE = """set quoted_identifier on
go
CREATE TYPE [dbo].[bJob] FROM [varchar] (10) NULL;
CREATE TABLE dbo.bJCJM (JCCo tinyint NOT NULL, Job dbo.bJob NOT NULL, JobStatus tinyint NOT NULL
    CHECK (JobStatus IN (0, 1, 2, 3)), Description varchar(60) NULL, PRIMARY KEY (JCCo, Job));
go
CREATE VIEW dbo.JCJM AS SELECT JCCo, Job, JobStatus, Description FROM dbo.bJCJM
go
CREATE VIEW dbo.JCOpen (Company, JobNumber) AS SELECT j.JCCo, j.Job FROM dbo.JCJM j WHERE j.JobStatus = 1
go
CREATE PROCEDURE dbo.bspJobs AS
BEGIN
  CREATE TABLE #jobs (Job varchar(10));
  SELECT * FROM bJCJM;
END
go
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"], ids=["UTF-8 as Redgate writes", "UTF-16 as SSMS writes"])
def test_one_script_file_loads_with_semicolons_lower_case_go_and_no_brackets(tmp_path, encoding):
    script = tmp_path / "jobs.sql"
    script.write_text(SINGLE_FILE, encoding=encoding)
    catalog = load_catalog(script)
    assert sorted(obj.name for obj in catalog.objects) == ["JCJM", "JCOpen", "bJCJM"]
    assert catalog.object("bJCJM").key == ("JCCo", "Job")
    assert catalog.column("JCJM", "Job").domain == "bJob"
    assert [c.value for c in catalog.column("JCJM", "JobStatus").codes] == ["0", "1", "2", "3"]
    assert catalog.object("JCJM").base_table == "bJCJM"
    renamed = catalog.object("JCOpen")
    assert [(c.name, c.sql_type) for c in renamed.columns] == [("Company", "tinyint"), ("JobNumber", "varchar(10)")]
    assert renamed.base_table is None  # a view over a view, not over a base table


def test_a_view_over_an_unknown_source_or_beyond_sqlglot_keeps_its_name_without_columns(tmp_path):
    script = tmp_path / "views.sql"
    script.write_text("CREATE VIEW [dbo].[vOther] AS SELECT o.* FROM OtherDb.dbo.bX o\nGO\n"
                      "CREATE VIEW [dbo].[vOdd] AS SELECT 1 AS A FROM t MATCH_RECOGNIZE ???\nGO\n", encoding="utf-8")
    catalog = load_catalog(script)
    assert catalog.object("vOther").columns == ()
    assert catalog.object("vOdd").columns == ()


@pytest.mark.cases("ddl_errors.yaml", "cases")
def test_a_broken_script_fails_with_the_file_and_problem_named(tmp_path, case):
    script = tmp_path / "broken.sql"
    script.write_text(case["sql"], encoding="utf-8")
    with pytest.raises(CatalogError) as raised:
        load_catalog(script)
    message = str(raised.value)
    assert str(script) in message
    for part in case["error"]:
        assert part in message


def test_a_folder_without_scripts_is_not_a_catalog(tmp_path):
    (tmp_path / "notes.txt").write_text("no DDL here", encoding="utf-8")
    with pytest.raises(CatalogError, match="is not a catalog"):
        load_catalog(tmp_path)
    with pytest.raises(CatalogError, match="holds no `.sql` files"):
        load_ddl_catalog(tmp_path)


def test_views_that_select_from_each_other_load_without_endless_recursion(tmp_path):
    script = tmp_path / "loop.sql"
    script.write_text("CREATE VIEW dbo.vA AS SELECT b.X FROM dbo.vB b\nGO\n"
                      "CREATE VIEW dbo.vB AS SELECT a.X FROM dbo.vA a\nGO\n", encoding="utf-8")
    catalog = load_catalog(script)
    assert [(c.name, c.sql_type) for c in catalog.object("vA").columns] == [("X", None)]
