"""Row verdicts, as the CLI writes them to verdicts.jsonl: the same answers in every shape get the same verdict,
reasons and closest real names; pairs are judged as preferences; repair keeps only what then passes."""

from __future__ import annotations

import pytest


@pytest.fixture
def verdicts(audit, tmp_path, write_rows, read_jsonl):
    """`verdicts(rows, name, *words)`: audit `rows` as `<name>.jsonl`; every row's verdict, in order."""

    def run(rows: list, name: str, *words: str) -> list[dict]:
        code, _, err = audit(write_rows(tmp_path / f"{name}.jsonl", rows), *words)
        assert code == 0, err
        return read_jsonl(tmp_path / "out" / f"{name}_audit" / "verdicts.jsonl")

    return run


@pytest.mark.parametrize("shape", ["alpaca", "sharegpt", "openai"])
def test_every_sft_shape_gets_the_same_verdicts_reasons_and_closest_names(verdicts, answer_cases, sft_shapes, shape):
    rows = [sft_shapes[shape](case["question"], case["answer"]) for case in answer_cases]
    for case, found in zip(answer_cases, verdicts(rows, shape), strict=True):
        assert found["verdict"] == case["verdict"], case["title"]
        assert [f["reason"] for f in found["failures"]] == case.get("reasons", []), case["title"]
        named = {m["name"]: m["suggestions"][:1] for f in found["failures"] for m in f.get("missing", [])}
        for name, closest in (case.get("missing") or {}).items():
            assert named.get(name) == [closest], case["title"]


def test_repair_keeps_exactly_the_rows_with_one_right_rewrite(verdicts, answer_cases, sft_shapes):
    rows = [sft_shapes["alpaca"](case["question"], case["answer"]) for case in answer_cases]
    for case, found in zip(answer_cases, verdicts(rows, "repair", "--repair"), strict=True):
        if "repaired" in case:
            assert found["verdict"] == "repaired", case["title"]
            assert [fix["rule"] for fix in found["repairs"]] == case["repaired"], case["title"]
        else:
            assert found["verdict"] == case["verdict"], case["title"]


@pytest.mark.parametrize("shape", ["alpaca", "sharegpt"])
def test_a_pair_passes_only_when_its_chosen_answer_passes_and_its_rejected_one_fails(verdicts, pair_cases,
                                                                                       pair_shapes, shape):
    rows = [pair_shapes[shape](case["question"], case["chosen"], case["rejected"]) for case in pair_cases]
    for case, found in zip(pair_cases, verdicts(rows, shape), strict=True):
        assert found["verdict"] == case["verdict"], case["title"]
        assert [f["reason"] for f in found["failures"]] == case.get("reasons", []), case["title"]
        assert found.get("rejected_fails", []) == case["teaches"], case["title"]


def test_repair_recovers_a_pair_by_its_chosen_answer_only(verdicts, pair_cases, pair_shapes, tmp_path, read_jsonl):
    rows = [pair_shapes["alpaca"](case["question"], case["chosen"], case["rejected"]) for case in pair_cases]
    found = verdicts(rows, "pairs", "--repair")
    assert [v["verdict"] for v in found] == [case.get("repaired", case["verdict"]) for case in pair_cases]
    clean = read_jsonl(tmp_path / "out" / "pairs_audit" / "pairs_audited.jsonl")
    repaired = next(row for row in clean if row["rejected"] == "```sql\nSELECT * FROM Invoice\n```")
    assert "WHERE APCo = @APCo" in repaired["chosen"]


def test_a_row_made_by_make_data_is_held_to_its_own_category(verdicts, sft_shapes):
    """Provenance says what the answer must do: a hallucination answer must name its suggested alternative."""
    bare = sft_shapes["sharegpt"]("Show the Invoice table.", "There is no Invoice table in Vista.")
    own = {**bare, "category": "hallucination", "missing": ["Invoice"], "suggest": ["APTH"]}
    found_own, found_bare = verdicts([own, bare], "provenance")
    assert [f["reason"] for f in found_own["failures"]] == ["alternative_not_named"]
    assert found_bare["verdict"] == "pass"


def test_a_follow_up_keeps_the_company_its_conversation_gave(verdicts):
    """A follow-up ("just the count") is read with the questions before it, as the data proof reads it: the
    company of the first turn may stay in its query; a company no turn gave fails."""
    count = "```sql\nSELECT COUNT(*) AS n FROM APTH WITH (NOLOCK) WHERE APCo = 6\n```"
    listed = "```sql\nSELECT Vendor, InvTotal FROM APTH WITH (NOLOCK) WHERE APCo = 6\n```"

    def conversation(first: str) -> dict:
        return {"conversations": [{"from": "human", "value": first}, {"from": "gpt", "value": listed},
                                  {"from": "human", "value": "Just give me the count."},
                                  {"from": "gpt", "value": count}]}

    given, never = verdicts([conversation("List the AP invoices of company 6 with their vendor and total."),
                             conversation("List the AP invoices with their vendor and total.")], "follow_up")
    assert given["verdict"] == "pass", given
    assert {f["reason"] for f in never["failures"]} == {"unstated_company"}
