"""Hygiene: exact and near duplicates, and decontamination against the validation cases (reported by id)."""

from __future__ import annotations

import json

import yaml

from vgpt2_ext.data.example import Example
from vgpt2_ext.data.hygiene import Decontaminator, Dedup, jaccard, normalise, shingles
from vgpt2_ext.data.seeds import SEEDS_DIR
from vgpt2_ext.data.settings import CATEGORIES, MixSettings
from vgpt2_ext.judge import Case


def example(question: str, answer: str = "```sql\nSELECT 1\n```") -> Example:
    return Example("sql_generation", "seed:test", "t", question, answer)


def test_normalising_ignores_case_punctuation_and_spacing():
    assert normalise("  List AP-invoices,  for Company 1! ") == "list ap invoices for company 1"


def test_shingle_jaccard_of_a_one_word_change_in_a_short_question_is_high_but_not_one():
    a = shingles("list the unpaid AP invoices of company 1", 2)
    b = shingles("list the unpaid AP invoices of company 2", 2)
    assert 0.7 < jaccard(a, b) < 1.0 and jaccard(a, a) == 1.0


def test_an_exact_duplicate_differs_only_in_case_and_punctuation():
    dedup = Dedup(2, 0.8)
    dedup.keep(example("List AP invoices for company 1."), ["SELECT 1"])
    assert dedup.duplicate(example("list ap invoices for company 1"))
    assert not dedup.duplicate(example("list ap invoices for company 2"))


def test_a_near_duplicate_has_the_same_answer_and_almost_the_same_question():
    dedup = Dedup(2, 0.8)
    dedup.keep(example("Show the open jobs of JC company 3 with their contract"), ["SELECT 1"])
    assert dedup.near_duplicate(example("Show the open jobs of JC company 3 with their contracts"), ["SELECT 1"])
    assert not dedup.near_duplicate(example("Which jobs are open in company 3?"), ["SELECT 1"])
    assert not dedup.near_duplicate(example("Show the open jobs of JC company 3 with their contracts"), ["SELECT 2"])


def test_decontamination_finds_a_copied_question_a_paraphrase_and_a_copied_gold_query():
    case = Case("biz_001", "business_logic", "Which AP invoices are unpaid for company 1?",
                gold_sql=("SELECT APTD.APTrans FROM APTD WITH (NOLOCK) WHERE APTD.APCo = 1 AND APTD.Status < 3",))
    cleaner = Decontaminator([case], ngram=2, threshold=0.5, sql_threshold=0.7)
    copied = cleaner.overlap(example("Which AP invoices are unpaid for company 1?"), [])
    assert copied and (copied.case, copied.field, copied.score) == ("biz_001", "question", 1.0)
    assert cleaner.overlap(example("which AP invoices are still unpaid for company 4"), [])
    assert cleaner.overlap(example("Show me the vendors"), [case.gold_sql[0].replace("= 1", "= 2")]).field == "sql"
    assert cleaner.overlap(example("How many employees are active?"), ["SELECT COUNT(*) FROM PREH"]) is None


def test_a_case_question_planted_in_the_seed_material_is_removed_and_reported(tmp_path, build):
    question = "Which vendors hold the most AP retainage in company {co}?"
    cases = tmp_path / "cases.yaml"
    cases.write_text(yaml.safe_dump({"cases": [{
        "id": "biz_099", "category": "business_logic", "question": question.format(co=1),
        "gold_sql": "SELECT APTL.APCo FROM APTL WITH (NOLOCK) WHERE APTL.APCo = 1"}]}), encoding="utf-8")
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in ("phrasings.yaml", "vocabulary.yaml"):
        (folder / name).write_text((SEEDS_DIR / name).read_text(encoding="utf-8"))
    (folder / "planted.yaml").write_text(yaml.safe_dump({"intents": [{
        "id": "planted_case", "category": "business_logic", "questions": [question],
        "sql": "SELECT TOP 5 APTL.JCCo, APTL.Job, SUM(APTL.Retainage) AS Retainage FROM APTL WITH (NOLOCK) "
               "WHERE APTL.APCo = {co:APCo} GROUP BY APTL.JCCo, APTL.Job ORDER BY SUM(APTL.Retainage) DESC"}]}),
        encoding="utf-8")
    only = MixSettings(**{category: float(category == "business_logic") for category in CATEGORIES})
    result = build(tmp_path / "out", seeds_dir=str(folder), decontaminate=str(cases), mix=only, examples=40,
                   seed_share=0.6)
    removed = result.card["decontamination"]["removed"]
    assert removed and {r["case"] for r in removed} == {"biz_099"}
    assert result.card["rejected"]["contaminated"]["count"] == len(removed)
    rows = [json.loads(line) for line in (tmp_path / "out" / "vgpt2_sft.jsonl").read_text().splitlines()]
    assert rows and not any("retainage" in row["question"].lower() and "vendors hold" in row["question"].lower()
                            for row in rows)
    card = (tmp_path / "out" / "DATA_CARD.md").read_text()
    assert "biz_099" in card and "Jaccard similarity of word 2-gram shingles" in card
