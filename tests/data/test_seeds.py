"""Seed material: the embedded seeds load; a malformed file is named with its section and row."""

from __future__ import annotations

import pytest
import yaml

from vgpt2_ext.catalog import load_catalog
from vgpt2_ext.data.seeds import SEEDS_DIR, load_seeds
from vgpt2_ext.errors import DatasetError


def test_the_embedded_seeds_load_with_every_template_phrased(seeds):
    assert len(seeds.intents) >= 50 and len(seeds.missing) >= 20 and len(seeds.fixes) >= 10
    assert {"deny_table", "deny_column", "fix_query", "join_lookup", "list_rows"} <= set(seeds.phrasings)
    assert {"Invoice", "Customer", "Vendors", "EmployeeMaster", "APTH.Status", "JCJM.ProjectName"} <= {
        m.name for m in seeds.missing}


def test_every_missing_object_of_the_seeds_is_really_missing_and_its_alternatives_exist(seeds, sample):
    for item in seeds.missing:
        table, _, column = item.name.rpartition(".")
        assert (sample.column(table, column) if table else sample.find(column)) is None, item.name
        for alternative in item.alternatives:
            t, _, c = alternative.rpartition(".")
            assert (sample.column(t, c) if t else sample.find(c)) is not None, alternative


@pytest.mark.fixture
def test_the_seed_objects_are_missing_from_real_vista_too(seeds, vista_fixture):
    real = load_catalog(vista_fixture)
    for item in seeds.missing:
        table, _, column = item.name.rpartition(".")
        assert (real.column(table, column) if table else real.find(column)) is None, item.name


@pytest.mark.parametrize(("content", "needle"), [
    ({"intents": [{"id": "a", "category": "sql_generation", "questions": ["q"]}]},
     "`s.yaml` `intents[0]`: missing keys ['sql']"),
    ({"intents": [{"id": "a", "category": "nonsense", "questions": ["q"], "sql": "SELECT 1"}]},
     "`s.yaml` `intents[0]` `category` is 'nonsense'"),
    ({"fixes": [{"id": "f", "reasons": ["typo"], "broken": "x", "fixed": "y", "explain": "z"}]},
     "`s.yaml` `fixes[0]` `reasons` is ['typo']"),
    ({"vocabulary": {"tables": {"APTH": "AP invoice"}}}, "`s.yaml` `vocabulary` `tables.APTH` must be a list"),
    ({"missing": [{"id": "m", "name": "X", "alternatives": [], "explain": "e", "questions": ["q"]}]},
     "`s.yaml` `missing[0]` `alternatives` must not be empty"),
    ({"phrasings": {"list_rows": ["Show {nope}"]}}, "`s.yaml` `phrasings.list_rows`: unknown slot(s) ['nope']"),
    ({"intentz": []}, "unknown sections ['intentz']"),
], ids=["missing key", "unknown category", "unknown break", "vocabulary shape", "no alternative", "unknown slot",
        "unknown section"])
def test_a_malformed_seed_file_is_reported_by_file_section_and_row(tmp_path, content, needle):
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(content))
    with pytest.raises(DatasetError) as error:
        load_seeds(tmp_path)
    assert needle in str(error.value)


def test_an_id_used_twice_names_both_files(tmp_path):
    intent = {"id": "same", "category": "sql_generation", "questions": ["q"], "sql": "SELECT 1"}
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump({"intents": [intent]}))
    with pytest.raises(DatasetError, match="`b.yaml` `intents\\[0\\]`: id `same` is also used in `a.yaml`"):
        load_seeds(tmp_path)


def test_an_empty_seed_folder_says_which_setting_to_fix(tmp_path):
    with pytest.raises(DatasetError, match="vgpt2.data.seeds_dir"):
        load_seeds(tmp_path)
    assert SEEDS_DIR.is_dir()


def seed_examples(catalog, seeds) -> list:
    """Two examples from every curated seed item (intent, fix, missing object, concept) the catalog has the
    tables of (`intents.fits`: the sample lacks some of Vista's)."""
    from functools import partial

    from vgpt2_ext.data.builders import error_correction, hallucination, intents, schema_knowledge
    from vgpt2_ext.data.builders.common import BuildContext

    ctx = BuildContext.for_category(catalog, seeds, 0, "seeds")
    makers = [partial(intents._intent, intent=i) for i in seeds.intents if intents.fits(ctx, i.sql)] * 2
    makers += [partial(error_correction._seed_fix, fix=f) for f in seeds.fixes if intents.fits(ctx, f.fixed)]
    makers += [partial(hallucination._seed, item=m) for m in seeds.missing if intents.fits(ctx, m.sql)]
    makers += [partial(schema_knowledge._concept, concept=c) for c in seeds.concepts]
    return [make(ctx) for make in makers]


def assert_all_proven(catalog, examples) -> None:
    from vgpt2_ext.data.prover import Prover

    with Prover(catalog, 1) as prover:
        failed = [(e.source, p.rejection) for e, p in zip(examples, prover.prove(examples)) if p.rejection]
    assert not failed


def test_every_curated_seed_item_makes_a_proven_example_on_the_sample(sample, seeds):
    assert_all_proven(sample, seed_examples(sample, seeds))


@pytest.mark.fixture
def test_every_curated_seed_item_makes_a_proven_example_on_real_vista(seeds, vista_fixture):
    from vgpt2_ext.data.builders import intents
    from vgpt2_ext.data.builders.common import BuildContext

    real = load_catalog(vista_fixture)
    ctx = BuildContext.for_category(real, seeds, 0, "seeds")
    assert all(intents.fits(ctx, i.sql) for i in seeds.intents)  # every seed is written for real Vista
    assert_all_proven(real, seed_examples(real, seeds))


@pytest.mark.fixture
def test_every_object_and_column_the_vocabulary_names_is_in_real_vista(seeds, vista_fixture):
    real = load_catalog(vista_fixture)
    words = seeds.vocabulary
    assert len(words.tables) >= 100
    assert not [name for name in words.tables if real.find(name) is None]
    named = {c.name.lower() for obj in real.objects for c in obj.columns}
    assert not [name for name in (*words.columns, *words.flags) if name.lower() not in named]
    assert not [rule for rule in words.rules if rule not in {r.id for r in load_catalog().rules}]
