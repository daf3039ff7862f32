"""The SQL Server export loader: the real Vista export at scale, small hand-made exports, malformed files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from vgpt2_ext.catalog import load_catalog
from vgpt2_ext.errors import CatalogError

HEADER = ("TABLE_CATALOG,TABLE_SCHEMA,TABLE_NAME,COLUMN_NAME,ORDINAL_POSITION,IS_NULLABLE,DATA_TYPE,"
          "CHARACTER_MAXIMUM_LENGTH,NUMERIC_PRECISION,NUMERIC_SCALE,DOMAIN_NAME")
SMALL_EXPORT = {
    "information_schema_columns.csv": f"""{HEADER}
Viewpoint,dbo,bAPTH,Mth,2,NO,smalldatetime,,,,bMonth
Viewpoint,dbo,bAPTH,APCo,1,NO,tinyint,,3,0,bCompany
Viewpoint,dbo,bAPTH,APTrans,3,NO,int,,10,0,bTrans
Viewpoint,dbo,bAPTH,InvTotal,4,NO,decimal,,12,2,bDollar
Viewpoint,dbo,bAPTH,Notes,5,YES,varchar,-1,,,
Viewpoint,dbo,bAPTH,KeyID,6,NO,bigint,,19,0,
Viewpoint,dbo,APTH,APCo,1,NO,tinyint,,3,0,bCompany
Viewpoint,dbo,APTH,Mth,2,NO,smalldatetime,,,,bMonth
Viewpoint,dbo,APTH,APTrans,3,NO,int,,10,0,bTrans
Viewpoint,dbo,APTH,InvTotal,4,NO,decimal,,12,2,bDollar
Viewpoint,dbo,bHQAF,AttachmentData,1,YES,image,2147483647,,,
Viewpoint,dbo,brvAPAging,APCo,1,YES,,,,,
Viewpoint,dbo,brvAPAging,DaysPastDue,2,YES,,,,,
""",
    "tables.csv": """TABLE_CATALOG,TABLE_SCHEMA,TABLE_NAME,TABLE_TYPE,BASE_TABLE
Viewpoint,dbo,bAPTH,BASE TABLE,
Viewpoint,dbo,APTH,VIEW,bAPTH
Viewpoint,dbo,bHQAF,BASE TABLE,
Viewpoint,dbo,brvAPAging,VIEW,
Viewpoint,dbo,brvAPAging,VIEW,
Viewpoint,dbo,DDEmpty,VIEW,
""",
    "indexes.csv": """TABLE_NAME,INDEX_NAME,IS_UNIQUE,IS_CLUSTERED,COLUMNS
bAPTH,biKeyID,YES,NO,KeyID
bAPTH,biAPTHOpen,NO,NO,APCo;Mth
bAPTH,biAPTH,YES,YES,APCo;Mth;APTrans
""",
}


def _export(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def small(tmp_path):
    return load_catalog(_export(tmp_path / "export", SMALL_EXPORT))


def test_columns_come_in_ordinal_order_with_types_domains_and_nullability(small):
    header = small.object("bAPTH")
    assert header.column_names[:3] == ("APCo", "Mth", "APTrans")
    total = header.column("InvTotal")
    assert (total.sql_type, total.domain, total.nullable) == ("numeric(12,2)", "bDollar", False)
    assert header.column("Notes").sql_type == "varchar(max)"


def test_types_without_a_length_drop_the_length_the_export_reports(small):
    assert small.column("bHQAF", "AttachmentData").sql_type == "image"


def test_report_view_columns_load_untyped(small):
    aging = small.object("brvAPAging")
    assert [c.sql_type for c in aging.columns] == [None, None]
    assert aging.kind == "view" and aging.base_table is None


def test_keys_come_from_unique_indexes_clustered_first_and_views_inherit_them(small):
    assert small.object("bAPTH").keys == (("APCo", "Mth", "APTrans"), ("KeyID",))
    assert small.object("APTH").keys == (("APCo", "Mth", "APTrans"),)  # the view lacks KeyID
    assert small.object("APTH").base_table == "bAPTH"


def test_an_object_listed_twice_alike_loads_once_and_a_view_without_columns_still_loads(small):
    assert [obj.name for obj in small.objects].count("brvAPAging") == 1
    assert small.object("DDEmpty").columns == ()


def test_without_tables_csv_an_object_beside_its_b_table_is_its_view(tmp_path):
    catalog = load_catalog(_export(tmp_path / "bare", {"information_schema_columns.csv":
                                                      SMALL_EXPORT["information_schema_columns.csv"]}))
    assert catalog.object("APTH").base_table == "bAPTH"
    assert catalog.object("brvAPAging").base_table is None


@pytest.mark.cases("csv_errors.yaml", "cases")
def test_a_malformed_export_fails_with_the_file_and_row_named(tmp_path, case):
    folder = _export(tmp_path / "export", {**SMALL_EXPORT, case["file"]: case["content"]})
    with pytest.raises(CatalogError) as raised:
        load_catalog(folder)
    for part in case["error"]:
        assert part in str(raised.value)


# -- the same export zipped ------------------------------------------------------------------------------
def _zip(path: Path, files: dict[str, str], folder: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_LZMA) as archive:
        for name, text in files.items():
            archive.writestr(folder + name, text)
    return path


@pytest.mark.parametrize("folder", ["", "export/"], ids=["CSVs at the top", "CSVs in one folder"])
def test_a_zipped_export_loads_as_the_folder_does(tmp_path, small, folder):
    zipped = load_catalog(_zip(tmp_path / "export.zip", SMALL_EXPORT, folder))
    assert zipped.objects == small.objects
    assert (zipped.name, zipped.source) == ("export", str(tmp_path / "export.zip"))


def test_a_malformed_row_inside_a_zip_names_the_member_and_row(tmp_path):
    columns = SMALL_EXPORT["information_schema_columns.csv"] + "Viewpoint,dbo,bAPTH,Memo,7,MAYBE,varchar,30,,,\n"
    path = _zip(tmp_path / "export.zip", {**SMALL_EXPORT, "information_schema_columns.csv": columns})
    with pytest.raises(CatalogError, match=r"export\.zip/information_schema_columns\.csv` row 15: IS_NULLABLE"):
        load_catalog(path)


@pytest.mark.parametrize(("content", "error"), [
    ({"readme.txt": "no export here"}, "holds no `information_schema_columns.csv` at its top or in a folder"),
    (None, "is not a readable zip"),
], ids=["a zip without the columns CSV", "a file that is no zip"])
def test_a_zip_that_holds_no_export_is_one_clear_error(tmp_path, content, error):
    path = tmp_path / "export.zip"
    _zip(path, content) if content else path.write_bytes(b"PK not really a zip")
    with pytest.raises(CatalogError, match=error):
        load_catalog(path)


# -- the real Vista export ------------------------------------------------------------------------------
def test_real_export_loads_every_distinct_object_and_column(vista, vista_fixture):
    listed = (vista_fixture / "tables.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(listed) == 3374
    names = [line.split(",")[2] for line in listed]
    assert [name for name in set(names) if names.count(name) > 1] == ["VPCanvasGridSettings"]
    assert len(vista.objects) == 3373  # 3,374 rows, one of them a repeat
    assert sum(len(obj.columns) for obj in vista.objects) == 59764


def test_real_export_keeps_the_views_it_lists_without_columns(vista):
    empty = sorted(obj.name for obj in vista.objects if not obj.columns)
    assert empty == ["DDRelatedFormsShared", "HRRMGroupRes", "SMAgreementBillingSched",
                     "SMAgreementServiceBillingSched", "SMWorkCompleted", "SMWorkCompletedAllCurrent", "WDJBLog",
                     "ptvJCProductionCalc", "vrvSMInvoiceListOnlyInvoiced"]
    assert all(vista.object(name).kind == "view" for name in empty)


def test_real_export_types_every_base_table_column_and_leaves_report_view_columns_untyped(vista):
    untyped = [(obj, c) for obj in vista.objects for c in obj.columns if c.sql_type is None]
    assert len(untyped) == 18858
    assert {obj.kind for obj, _ in untyped} == {"view"}
    assert all(obj.base_table is None for obj, _ in untyped)


def test_real_export_links_plain_views_to_their_base_tables(vista):
    linked = [obj for obj in vista.objects if obj.base_table]
    assert len(linked) == 947
    assert vista.view_of("bHRCM").name == "HRCM"  # HRCMTestStatus selects bHRCM too


def test_real_export_keys_come_from_its_unique_indexes(vista):
    assert vista.object("bAPTH").keys == (("APCo", "Mth", "APTrans"), ("KeyID",))
    assert vista.object("APTH").key == ("APCo", "Mth", "APTrans")
    assert vista.object("bJCCD").key == ("JCCo", "Job", "Phase", "CostType", "Mth", "CostTrans")
    assert ("CostTrans", "Mth", "JCCo") in vista.object("bJCCD").keys
    assert vista.column("APTH", "APCo").domain == "bCompany"
