"""The user message: the question alone (closed book) or the pruned schema found from the question, in budget."""

from __future__ import annotations

import pytest

from vgpt2_ext.catalog import load_catalog
from vgpt2_ext.data.context import SCHEMA_HEADER, estimate_tokens, pick_tables, render_user_message
from vgpt2_ext.data.linking import link_tables, words
from vgpt2_ext.settings import Settings


def settings(context: str, small, **data) -> Settings:
    return Settings(schema_context=context, data=small(**data))


def schema_part(message: str) -> str:
    return message.rsplit("\n\nQuestion: ", 1)[0]


def test_closed_book_message_is_the_question_itself(sample, small):
    question = "List unpaid AP invoices for company 1."
    assert render_user_message(question, sample, settings("none", small)) == question


def test_pruned_message_carries_the_ddl_of_the_tables_the_question_names(sample, small):
    message = render_user_message("Which columns does APTD have?", sample, settings("pruned", small))
    assert message.startswith(SCHEMA_HEADER)
    assert "CREATE TABLE APTD (" in message and "Status tinyint NOT NULL" in message
    assert message.endswith("\n\nQuestion: Which columns does APTD have?")


def test_linking_finds_tables_from_descriptions_and_column_names(sample):
    assert link_tables("Which vendors are active?", sample, 3)[0] == "APVM"
    assert "JCJM" in link_tables("Show the JobStatus of every job", sample, 3)


def test_search_terms_split_camel_case_and_drop_literals():
    assert words("APTD.Status for company 12 InvTotal") == ["aptd", "status", "company", "invtotal", "inv", "total"]


def test_relationship_neighbours_and_their_join_conditions_are_included(sample, small):
    tables = pick_tables("Which columns does APTH have?", sample, limit=1, neighbours=2)
    assert tables[0] == "APTH" and len(tables) == 3
    message = render_user_message("Which columns does APTH have?", sample,
                                  settings("pruned", small, context_tables=1, context_budget=4000))
    assert "-- join: " in message


@pytest.mark.parametrize("budget", [60, 150, 400, 2000])
def test_the_schema_never_exceeds_the_token_budget(sample, small, budget):
    for question in ("List AP invoices with vendor names for company 1.", "What is the cost to date of job 1?"):
        message = render_user_message(question, sample, settings("pruned", small, context_budget=budget))
        assert estimate_tokens(schema_part(message)) <= budget


def test_a_table_that_does_not_fit_whole_keeps_its_key_and_the_columns_asked_about(sample, small):
    message = render_user_message("Show the InvTotal of APTH rows", sample,
                                  settings("pruned", small, context_tables=1, context_neighbours=0, context_budget=100))
    assert "CREATE TABLE APTH (APCo" in message and "InvTotal" in message and "more columns" in message
    assert "PRIMARY KEY (APCo, Mth, APTrans)" in message


def test_a_budget_too_small_for_any_table_leaves_the_question_alone(sample, small):
    question = "Which columns does APTH have?"
    assert render_user_message(question, sample, settings("pruned", small, context_budget=5)) == question


def test_gold_tables_the_linker_missed_replace_the_weakest_linked_ones(sample):
    question = "Which vendors do we owe money?"
    linked = pick_tables(question, sample, limit=2, neighbours=0)
    assert "APTD" not in linked and len(linked) == 2
    helped = pick_tables(question, sample, limit=2, neighbours=0, required=["bAPTD"])
    assert helped == [linked[0], "APTD"]


def test_the_same_question_gives_the_same_message(sample, small):
    question = "List open jobs with their contract for company 2"
    first = render_user_message(question, sample, settings("pruned", small))
    assert render_user_message(question, sample, settings("pruned", small)) == first


@pytest.mark.fixture
def test_pruned_prompts_on_the_real_vista_catalog_stay_in_budget(vista_fixture, small):
    catalog = load_catalog(vista_fixture)
    message = render_user_message("List AP invoices of APTH with their APTD pay status", catalog,
                                  settings("pruned", small, context_budget=512))
    assert "CREATE TABLE APTH (" in message and "CREATE TABLE APTD (" in message
    assert estimate_tokens(schema_part(message)) <= 512
