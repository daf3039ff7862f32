"""Prose reading: refusals pass in many phrasings, by name or by reference to the question's object (`that table
doesn't exist`); hallucinations and denials of real objects, named or referred to, are caught.

The phrasing table is data (`phrasings.yaml`); each entry states what must come out, and what it leaves
out must come out empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vgpt2_ext.catalog import SAMPLE_CATALOG, load_catalog
from vgpt2_ext.judge.prose import question_referents, read_prose, sentences

TABLE = yaml.safe_load((Path(__file__).parent / "phrasings.yaml").read_text(encoding="utf-8"))
ENTRIES = [entry for group in ("refusals", "wrong", "neutral", "references") for entry in TABLE[group]]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(SAMPLE_CATALOG)


def test_the_table_holds_at_least_twelve_refusal_shapes() -> None:
    assert len(TABLE["refusals"]) >= 12


def test_every_refusal_by_reference_has_a_wrong_twin_about_a_real_object() -> None:
    rights = [e for e in TABLE["references"] if e.get("denies")]
    wrongs = [e for e in TABLE["references"] if e.get("false_denials")]
    assert len(rights) >= 6 and len(wrongs) >= 5


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["title"] for entry in ENTRIES])
def test_prose_reading_matches_the_table(entry: dict, catalog) -> None:
    watch = entry.get("watch", [])
    referents = question_referents(entry["question"], catalog, watch) if "question" in entry else ()
    reading = read_prose(entry["text"], catalog, watch, referents)
    assert sorted(w for w in watch if reading.denies(w)) == sorted(entry.get("denies", []))
    assert sorted(w for w in watch if reading.affirms(w) and catalog_has(catalog, w)) == sorted(
        w for w in entry.get("affirms", []) if catalog_has(catalog, w))
    assert sorted(m.name for m in reading.false_denials()) == sorted(entry.get("false_denials", []))
    assert sorted(m.name for m in reading.hallucinations()) == sorted(entry.get("hallucinations", []))


def catalog_has(catalog, name: str) -> bool:
    table, _, column = name.rpartition(".")
    return catalog.column(table, column) is not None if table else catalog.has(name)


def test_a_name_the_question_introduced_is_not_the_answers_hallucination(catalog) -> None:
    reading = read_prose("Replace the InvNum column with APRef.", catalog)
    assert [m.name for m in reading.hallucinations()] == ["InvNum"]
    assert reading.hallucinations(excuse="Fix: SELECT InvNum FROM APTH") == ()


def test_sentences_split_outside_code_and_expand_contractions() -> None:
    text = "APTH isn't it. See:\n```sql\nSELECT 1. FROM x\n```\nThere's no X! Done?"
    assert sentences(text) == ["APTH is not it.", "See:", "There is no X!", "Done?"]


def test_a_weak_negation_refuses_a_missing_name_but_never_denies_a_real_one(catalog) -> None:
    reading = read_prose("Invoice is not a table; bAPTH is not a view.", catalog, ["Invoice"])
    assert reading.denies("Invoice")
    assert reading.false_denials() == ()
