"""The case format: strict loading, with every problem named by file, case id and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from vgpt2_ext.errors import ValidationError
from vgpt2_ext.judge import CATEGORIES, load_cases
from vgpt2_ext.judge.case import parse_join, split_name

GOOD = """
cases:
  - id: join_002
    category: join_patterns
    question: "List AP invoices with the vendor's name for company 1."
    gold_sql: ["SELECT 1", "SELECT 2"]
    expect:
      tables: [APTH, APVM]
      columns: [APVM.Name]
      joins: ["APTH.Vendor = APVM.Vendor"]
      filters: [APTH.APCo]
  - id: halluc_001
    category: hallucination
    question: "What columns are in the Invoice table?"
    expect: {refusal: true, forbid: [Invoice], suggest: [APTH]}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_case_file_loads_into_cases_with_their_expectations(tmp_path: Path) -> None:
    join, halluc = load_cases(write(tmp_path, "cases.yaml", GOOD))
    assert join.gold_sql == ("SELECT 1", "SELECT 2") and join.wants_sql
    assert join.expect.join_pairs == (frozenset({("apth", "vendor"), ("apvm", "vendor")}),)
    assert halluc.expect.refusal and halluc.expect.forbid == ("Invoice",) and not halluc.wants_sql
    assert join.source.endswith("cases.yaml")


def test_a_folder_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path, "b/deep/two.yaml", GOOD.replace("join_002", "join_009").replace("halluc_001", "halluc_009"))
    write(tmp_path, "a.yaml", GOOD)
    assert [case.id for case in load_cases(tmp_path)] == ["join_002", "halluc_001", "join_009", "halluc_009"]


@pytest.mark.parametrize(("edit", "expected"), [
    (("expect:\n      tables", "expcet:\n      tables"),
     "case `join_002` unknown key `expcet`; did you mean `expect`?"),
    (("tables: [APTH, APVM]", "tabels: [APTH, APVM]"), "case `join_002` `expect` unknown key `tabels`; did you mean"),
    (("category: join_patterns", "category: joins"), "case `join_002` key `category`: 'joins' is not one of"),
    (("joins: [\"APTH.Vendor = APVM.Vendor\"]", "joins: [\"APTH.Vendor APVM.Vendor\"]"),
     "key `expect.joins`: 'APTH.Vendor APVM.Vendor' is not `Table.Column = Table.Column`"),
    (("forbid: [Invoice], ", ""), "case `halluc_001` key `expect.forbid` must name the missing object(s)"),
    (("refusal: true", "refusal: yes please"), "key `expect.refusal` must be true or false"),
    (("    question: \"What columns", "    question: \"\"\n    notes: \"What columns"), "key `question` must be"),
], ids=["unknown case key", "unknown expect key", "unknown category", "join not a pair",
        "refusal without forbid", "refusal not a bool", "empty question"])
def test_a_bad_case_is_an_error_naming_file_case_and_key(tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    path = write(tmp_path, "cases.yaml", GOOD.replace(*edit))
    with pytest.raises(ValidationError) as raised:
        load_cases(path)
    assert f"`{path}`" in str(raised.value)
    assert expected in str(raised.value)


def test_every_problem_in_every_file_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "one.yaml", GOOD.replace("category: join_patterns", "category: nope"))
    write(tmp_path, "two.yaml", GOOD.replace("expect:\n      tables", "expcet:\n      tables"))
    with pytest.raises(ValidationError) as raised:
        load_cases(tmp_path)
    message = str(raised.value)
    assert "problem(s)" in message and "'nope' is not one of" in message and "unknown key `expcet`" in message


def test_ids_must_be_unique_across_files(tmp_path: Path) -> None:
    write(tmp_path, "one.yaml", GOOD)
    write(tmp_path, "two.yaml", GOOD)
    with pytest.raises(ValidationError, match=r"case id `join_002` appears twice: in `.*one.yaml` and `.*two.yaml`"):
        load_cases(tmp_path)


def test_not_yaml_and_no_cases_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="is not valid YAML"):
        load_cases(write(tmp_path, "bad.yaml", "cases: [\n"))
    with pytest.raises(ValidationError, match="must hold a mapping with a `cases:` list"):
        load_cases(write(tmp_path, "empty.yaml", "- 1\n"))
    with pytest.raises(ValidationError, match="do not exist"):
        load_cases(tmp_path / "missing")


def test_the_six_categories_are_the_report_categories() -> None:
    assert set(CATEGORIES) == {"schema_knowledge", "sql_generation", "hallucination", "join_patterns",
                               "error_correction", "business_logic"}


def test_names_and_joins_split_as_written() -> None:
    assert split_name("APTH.Status") == ("APTH", "Status") and split_name("Mth") == (None, "Mth")
    assert parse_join(" APTH.APCo=APTL.APCo ") == parse_join("APTL.APCo = APTH.APCo")
    with pytest.raises(ValidationError, match="is not of the form"):
        parse_join("APTH.APCo")
