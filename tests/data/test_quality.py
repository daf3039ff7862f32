"""The card's quality section: each figure measured on rows, its reading of questions and of SQL by the parser."""

from __future__ import annotations

import pytest

from vgpt2_ext.data import asks
from vgpt2_ext.data.quality import TARGETS, missed, quality, render
from vgpt2_ext.sql.analysis import sql_facts
from vgpt2_ext.sql.parse import parse_tsql


def row(question: str, sql: str = "", category: str = "sql_generation", **extra) -> dict:
    answer = f"Plan: read APTH.\n\n```sql\n{sql}\n```" if sql else "APTH holds AP invoice headers."
    return {"id": f"r{hash((question, sql)) & 0xFFFF}", "category": category, "question": question,
            "conversations": [{"from": "system", "value": "s"}, {"from": "human", "value": question},
                              {"from": "gpt", "value": answer}], "follow_ups": [], **extra}


@pytest.mark.parametrize(("question", "limit"), [
    ("Show the 10 largest AP invoices.", True), ("List the latest vendor payments.", True),
    ("Top 5 jobs by cost?", True), ("Give me 20 rows of APTH.", True),
    ("List AP invoices posted last month.", False), ("How many open jobs do we have?", False),
    ("Fix this:\n```sql\nSELECT TOP 5 h.APTrans FORM APTH h\n```", True),
], ids=lambda v: v if isinstance(v, str) else "")
def test_the_question_reading_says_when_a_bounded_number_of_rows_is_asked(question, limit):
    assert asks.asks_for_limit(question) is limit


@pytest.mark.parametrize(("question", "companies"), [
    ("AP invoices for company 3", {"3"}), ("in Co. 4", {"4"}), ("JC company 12 jobs", {"12"}),
    ("SELECT * FROM Invoice WHERE CompanyID = 5", {"5"}), ("on company 8's books", {"8"}),
    ("List our AP invoices of 2024", set()), ("WHERE h.APCo = @APCo", set()),
], ids=lambda v: v if isinstance(v, str) else "")
def test_the_question_reading_finds_the_companies_a_question_states(question, companies):
    assert asks.stated_companies(question) == companies


def test_a_table_code_counts_only_in_the_words_of_a_question_not_in_the_sql_it_quotes(sample):
    assert asks.names_table_code("What does APTH hold?", sample)
    assert asks.names_table_code("Is bAPTH a view?", sample)
    assert asks.names_table_code("Which columns does APTX have?", sample, missing=("APTX",))
    assert not asks.names_table_code("Fix my query:\n```sql\nSELECT 1 FROM APTH\n```", sample)
    assert not asks.names_table_code("Which AP invoices are on hold?", sample)


def test_a_shape_masks_identifiers_numbers_strings_and_months(sample):
    one = asks.shape("List APTH rows of March 2024 with InvTotal over 5000 for 'Acme'", sample)
    two = asks.shape("List APTD rows of June 2023 with GrossAmt over 10 for 'Best'", sample)
    assert one == two == "list I rows of M N with I over N for S"


def test_sql_facts_come_from_the_sqlglot_tree(sample):
    sql = ("WITH r AS (SELECT h.Vendor, ROW_NUMBER() OVER (PARTITION BY h.Vendor ORDER BY h.InvDate DESC) AS n "
           "FROM APTH h WITH (NOLOCK) LEFT JOIN APVM v WITH (NOLOCK) ON v.VendorGroup = h.VendorGroup "
           "AND v.Vendor = h.Vendor WHERE h.APCo = @APCo AND NOT EXISTS (SELECT 1 FROM APTD d WITH (NOLOCK) "
           "WHERE d.APCo = h.APCo AND d.Mth = h.Mth AND d.APTrans = h.APTrans) AND h.Mth >= DATEADD(month, -1, "
           "GETDATE())) SELECT r.Vendor, CASE WHEN r.n = 1 THEN 'latest' END AS Tag FROM r GROUP BY r.Vendor, r.n "
           "HAVING COUNT(*) > 1")
    facts = sql_facts(sql, sample)
    assert {"cte", "window", "case", "having", "outer_join", "exists", "date_function", "three_tables",
            "aliased"} <= facts.features and "top" not in facts.features
    assert facts.parameters == {"APCo"} and not facts.literals
    assert parse_tsql(sql)  # the same text the figures read


def test_the_figures_count_what_the_rows_are(sample):
    rows = [row("List AP invoices for company 1.", "SELECT APTH.APTrans FROM APTH WITH (NOLOCK) WHERE APTH.APCo = 1"),
            row("List our AP invoices.", "SELECT TOP 5 h.APTrans FROM APTH h WITH (NOLOCK) WHERE h.APCo = 2"),
            row("What does APTH hold?", category="schema_knowledge"),
            row("Show invoice date and total of AP invoices.", "SELECT h.InvDate, h.InvTotal FROM APTH h WITH "
                "(NOLOCK) WHERE h.APCo = @APCo", columns=["APTH.InvDate", "APTH.InvTotal"])]
    figures = {f["name"]: f["value"] for f in quality(rows, sample)["figures"]}
    assert figures["table_code_questions"] == 0.25
    assert figures["unrequested_top"] == pytest.approx(1 / 3, abs=1e-3)
    assert figures["unstated_company_literal"] == pytest.approx(1 / 3, abs=1e-3)
    assert figures["company_parameter"] == pytest.approx(1 / 3, abs=1e-3)
    assert figures["column_list_questions"] == pytest.approx(1 / 3, abs=1e-3) and figures["column_list_exact"] == 1
    assert figures["distinct_answers"] == 1


def test_missed_targets_are_listed_and_every_target_says_how_it_is_computed(sample):
    section = quality([row("What does APTH hold?", category="schema_knowledge")], sample)
    assert {f["name"] for f in missed(section)} >= {"table_code_questions", "sql_cte"}
    assert all(t.how and t.op in ("<=", ">=") for t in TARGETS)
    text = "\n".join(render(section))
    assert "## Quality" in text and "| questions naming a table code |" in text and "**no**" in text
