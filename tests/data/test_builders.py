"""The six builders: valid examples per category, paraphrase variety, and templates that fit any catalog."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest

from vgpt2_ext.catalog import Catalog, CatalogObject, load_catalog
from vgpt2_ext.data.builders import builder
from vgpt2_ext.data.builders.common import BuildContext
from vgpt2_ext.data.prover import Prover
from vgpt2_ext.data.seeds import Seeds
from vgpt2_ext.data.settings import CATEGORIES

SHOP = Path(__file__).resolve().parent / "cases" / "shop_catalog.yaml"


def candidates(catalog, seeds, category: str, count: int, seed: int = 0, paraphrases: int = 2):
    ctx = BuildContext.for_category(catalog, seeds, seed, category, paraphrases=paraphrases)
    return list(itertools.islice(builder(category)(ctx), count))


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_candidate_of_a_builder_on_the_sample_passes_the_proof(category, sample, seeds):
    examples = candidates(sample, seeds, category, 60)
    assert len(examples) == 60 and {e.category for e in examples} == {category}
    with Prover(sample, 1) as prover:
        failed = [(e.question, p.rejection) for e, p in zip(examples, prover.prove(examples)) if p.rejection]
    assert not failed


def test_a_hallucination_example_denies_a_missing_object_or_confirms_a_real_one(sample, seeds):
    examples = candidates(sample, seeds, "hallucination", 80)
    for example in examples:
        assert example.suggest and all(sample.find(s.rpartition(".")[0] or s) for s in example.suggest)
        if example.kind == "contrast":
            assert example.answer.startswith("Yes")
        else:
            assert example.missing
    assert {e.kind for e in examples} >= {"contrast", ""}


def test_a_partial_catalog_gets_no_denials_of_its_own_making(sample, seeds):
    """The sample trims columns: only the curated seeds (checked against all of Vista) may deny anything."""
    assert not sample.complete
    made = [e for e in candidates(sample, seeds, "hallucination", 200) if e.missing]
    assert made and all(e.source.startswith("seed:") for e in made)


def test_error_correction_covers_every_kind_of_break_and_several_at_once(sample, seeds):
    examples = candidates(sample, seeds, "error_correction", 600)
    kinds = Counter(reason for e in examples for reason in e.broken_reasons)
    assert set(kinds) == {"unknown_column", "wrong_table", "missing_join_key", "limit", "base_table", "syntax",
                          "missing_nolock", "unknown_table", "ambiguous_column"}
    assert any(len(e.broken_reasons) >= 2 for e in examples)
    assert any("Msg 207, Level 16" in e.question for e in examples)
    assert any(" Co = " in e.broken_sql or ".Co = " in e.broken_sql for e in examples)  # the generic company


def test_one_intent_is_asked_several_ways_with_one_answer(sample, seeds):
    examples = candidates(sample, seeds, "sql_generation", 40, paraphrases=2)
    pairs = list(zip(examples[::2], examples[1::2]))
    same_answer = [a for a, b in pairs if a.answer == b.answer]
    assert len(same_answer) >= len(pairs) * 0.8
    assert all(a.question != b.question for a, b in pairs if a.answer == b.answer)


def test_business_words_name_most_questions_and_a_company_is_often_left_to_the_parameter(sample, seeds):
    from vgpt2_ext.data.asks import names_table_code

    examples = candidates(sample, seeds, "sql_generation", 200, paraphrases=1)
    coded = sum(names_table_code(e.first_question, sample) for e in examples)
    assert coded < 0.3 * len(examples)
    assert sum("@" in e.answer for e in examples) > 0.2 * len(examples)


def test_a_follow_up_refines_the_answer_of_its_first_question(sample, seeds):
    follow = [e for e in candidates(sample, seeds, "sql_generation", 600, paraphrases=1) if e.history]
    assert follow and all(e.kind == "follow_up" and len(e.history) == 1 for e in follow)
    with Prover(sample, 1) as prover:
        assert not [p.rejection for p in prover.prove(follow[:20]) if p.rejection]


def test_literals_vary_between_draws_of_one_intent(sample, seeds):
    examples = [e for e in candidates(sample, seeds, "sql_generation", 1500) if e.intent == "ap_invoices_of_month"]
    assert len({e.answer for e in examples}) >= 3


def test_a_different_seed_draws_different_candidates(sample, seeds):
    first = [e.question for e in candidates(sample, seeds, "join_patterns", 20, seed=0)]
    assert first == [e.question for e in candidates(sample, seeds, "join_patterns", 20, seed=0)]
    assert first != [e.question for e in candidates(sample, seeds, "join_patterns", 20, seed=1)]


@pytest.mark.parametrize("category", CATEGORIES)
def test_schema_templates_make_proven_examples_on_a_catalog_sharing_no_names_with_vista(category, seeds):
    shop = load_catalog(SHOP)
    examples = [e for e in candidates(shop, seeds, category, 400) if e.source.startswith("schema:")][:40]
    assert len(examples) >= 10
    with Prover(shop, 1) as prover:
        proofs = prover.prove(examples)
    passed = [e for e, p in zip(examples, proofs) if p.rejection is None]
    assert len(passed) >= 0.9 * len(examples), [p.rejection for p in proofs if p.rejection][:3]


def test_a_builder_with_nothing_to_build_on_ends_its_stream(seeds):
    shop = load_catalog(SHOP)
    without_rules = Catalog(shop.name, shop.objects)
    ctx = BuildContext.for_category(without_rules, Seeds(seeds.phrasings), 0, "business_logic")
    assert list(builder("business_logic")(ctx)) == []


@pytest.mark.parametrize("category", CATEGORIES)
def test_a_view_listed_without_columns_is_left_alone(category, seeds):
    shop = load_catalog(SHOP)
    with_empty = Catalog(shop.name, shop.objects + (CatalogObject("SHXX", "view", ()),), rules=shop.rules)
    examples = candidates(with_empty, seeds, category, 200)
    assert examples and not any(e.anchor == "SHXX" for e in examples)
