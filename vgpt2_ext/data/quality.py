"""The card's quality section: every figure the SFT data is held to, measured on the written rows, beside its target.

Questions are read by `asks` (their words) and answers by `features` (the sqlglot tree of their last query), so the
figures say what the rows are, not what the builders meant them to be. `missed(section)` lists the targets a
build falls short of; `vgpt2 data build` prints them. Each figure's `how` says how it is computed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.data import asks
from vgpt2_ext.data.hygiene import normalise
from vgpt2_ext.sql.analysis import sql_facts
from vgpt2_ext.sql.extract import extract_sql
from vgpt2_ext.sql.features import FEATURES, SQLFacts

WINDOW = 1000  # question shapes are counted per this many consecutive (shuffled) rows


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    op: str  # `>=` or `<=`
    goal: float
    how: str

    def met(self, value: float) -> bool:
        return value >= self.goal if self.op == ">=" else value <= self.goal


def _sql_share(feature: str, goal: float, what: str) -> Target:
    return Target(f"sql_{feature}", f"SQL answers with {what}", ">=", goal,
                  f"share of SQL answers whose last query's sqlglot tree has {what}")


TARGETS = (
    Target("table_code_questions", "questions naming a table code", "<=", 0.30,
           "share of rows whose question, without the SQL it quotes, names a catalog object by its code (a word "
           "with two capitals or more that the catalog finds, or a code the row calls missing)"),
    Target("question_shapes_per_1000", "distinct question shapes per 1,000 rows", ">=", 500,
           "distinct questions after masking identifiers (codes, CamelCase, Table.Column), numbers, dates, strings, "
           "month names and quoted SQL; counted in each block of 1,000 consecutive shuffled rows, averaged "
           "(scaled to 1,000 when there are fewer rows)"),
    Target("question_bigram_distinctness", "question word-bigram distinctness", ">=", 0.25,
           "distinct word bigrams / all word bigrams over every question's lower-cased words (quoted SQL left out)"),
    Target("distinct_answers", "distinct answers", ">=", 0.85,
           "distinct normalised final answers (lower case, words and numbers only) / rows"),
    Target("unrequested_top", "SQL answers with a TOP the question did not ask for", "<=", 0.03,
           "share of SQL answers whose outermost SELECT has TOP while the question asks for no first, top, largest, "
           "latest, sample or N rows"),
    Target("unstated_company_literal", "SQL answers fixing a company the question did not give", "<=", 0.0,
           "share of SQL answers comparing a company column (by the catalog) with a number literal the question "
           "does not state"),
    Target("company_parameter", "SQL answers filtering the company by parameter (@APCo)", ">=", 0.25,
           "share of SQL answers comparing a company column with a variable"),
    Target("column_list_questions", "SQL questions that list the columns they want", ">=", 0.05,
           "share of SQL rows built from a question that names its columns (the row's `columns`)"),
    Target("column_list_exact", "answers returning exactly the listed columns", ">=", 1.0,
           "share of those rows whose outermost select list resolves to exactly the listed columns (proven)"),
    _sql_share("cte", 0.03, "a CTE"),
    _sql_share("window", 0.03, "a window function"),
    _sql_share("case", 0.03, "CASE"),
    _sql_share("having", 0.03, "HAVING"),
    _sql_share("outer_join", 0.03, "an outer join"),
    _sql_share("exists", 0.03, "EXISTS / NOT EXISTS"),
    _sql_share("date_function", 0.05, "a date function"),
    _sql_share("three_tables", 0.10, "three or more tables"),
    Target("aliased_multi_table", "multi-table SQL answers with every table aliased", ">=", 0.5,
           "share of SQL answers reading two or more tables whose every table reference has an alias"),
    Target("follow_up_rows", "rows with a follow-up turn", ">=", 0.03,
           "share of rows whose conversation has a second question refining the first answer"),
    Target("contrast_rows", "hallucination rows confirming a real object users doubt", ">=", 0.10,
           "share of hallucination rows that confirm a real table or column the question doubts (the row's kind)"),
    Target("mixed_rows", "hallucination rows mixing a real and a missing column", ">=", 0.05,
           "share of hallucination rows whose question names a real column and a missing one"),
)


def quality(rows: Sequence[dict], catalog: Catalog, facts: dict[str, SQLFacts | None] | None = None) -> dict:
    """{"figures": [...], "sql_features": {...}, "sql_answers": n}: each figure with its value and target.
    `facts`: row id -> what its proof found about its last query (computed here for rows without)."""
    values, histogram, sql_rows = _measure(rows, catalog, facts or {})
    figures = [{"name": t.name, "label": t.label, "value": round(values[t.name], 4), "op": t.op, "target": t.goal,
                "met": t.met(values[t.name]), "how": t.how} for t in TARGETS if t.name in values]
    return {"figures": figures, "sql_answers": sql_rows,
            "sql_features": {name: histogram[name] for name in FEATURES}, "complete_catalog": catalog.complete}


def missed(section: dict) -> list[dict]:
    """The figures of a quality section that miss their target."""
    return [figure for figure in section["figures"] if not figure["met"]]


def _measure(rows: Sequence[dict], catalog: Catalog,
             facts: dict[str, SQLFacts | None]) -> tuple[dict[str, float], Counter, int]:
    questions = [r["question"] for r in rows]
    found = [(r, fact) for r in rows if (fact := _facts(r, facts, catalog)) is not None]
    histogram = Counter(name for _, fact in found for name in fact.features)
    values = {
        "table_code_questions": _share(asks.names_table_code(r["question"], catalog, r.get("missing", ()))
                                       for r in rows),
        "question_shapes_per_1000": _shapes(questions, catalog),
        "question_bigram_distinctness": _bigrams(questions),
        "distinct_answers": len({normalise(_answer(r)) for r in rows}) / max(len(rows), 1),
        "follow_up_rows": _share(len(r["conversations"]) > 3 for r in rows),
    }
    values |= _sql_values(found)
    values |= _hallucination_values([r for r in rows if r["category"] == "hallucination"])
    return values, histogram, len(found)


def _facts(row: dict, facts: dict[str, SQLFacts | None], catalog: Catalog) -> SQLFacts | None:
    if row["id"] in facts:
        return facts[row["id"]]
    sqls = extract_sql(_answer(row))
    return (sql_facts(sqls[-1], catalog) or SQLFacts()) if sqls else None


def _sql_values(found: list[tuple[dict, SQLFacts]]) -> dict[str, float]:
    listed = [(r, f) for r, f in found if r.get("columns")]
    multi = [f for _, f in found if "multi_table" in f.features]
    values = {f"sql_{name}": _share(name in f.features for _, f in found)
              for name in ("cte", "window", "case", "having", "outer_join", "exists", "date_function",
                           "three_tables")}
    values |= {
        "unrequested_top": _share("top" in f.features and not asks.asks_for_limit(_asked(r)) for r, f in found),
        "unstated_company_literal": _share(bool(f.literals - asks.stated_companies(_asked(r))) for r, f in found),
        "company_parameter": _share(bool(f.parameters) for _, f in found),
        "column_list_questions": len(listed) / max(len(found), 1),
        "column_list_exact": _share([(p or "").lower() for p in f.projected] == [c.lower() for c in r["columns"]]
                                    for r, f in listed) if listed else 1.0,
        "aliased_multi_table": _share("aliased" in f.features for f in multi) if multi else 1.0,
    }
    return values


def _asked(row: dict) -> str:
    """Everything the conversation asked: the first question and its follow-ups."""
    return "\n".join([row["question"], *row.get("follow_ups", ())])


def _hallucination_values(rows: list[dict]) -> dict[str, float]:
    return {"contrast_rows": _share(r.get("kind") == "contrast" for r in rows),
            "mixed_rows": _share(r.get("kind") == "mixed" for r in rows)}


def _answer(row: dict) -> str:
    return row["conversations"][-1]["value"]


def _share(flags) -> float:
    flags = list(flags)
    return sum(bool(f) for f in flags) / len(flags) if flags else 0.0


def _shapes(questions: list[str], catalog: Catalog) -> float:
    shapes = [asks.shape(q, catalog) for q in questions]
    if len(shapes) < WINDOW:
        return len(set(shapes)) * WINDOW / max(len(shapes), 1)
    blocks = [shapes[i:i + WINDOW] for i in range(0, len(shapes) - WINDOW + 1, WINDOW)]
    return sum(len(set(block)) for block in blocks) / len(blocks)


def _bigrams(questions: list[str]) -> float:
    grams = [tuple(w[i:i + 2]) for q in questions if len(w := asks.words(q)) >= 2 for i in range(len(w) - 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def render(section: dict) -> list[str]:
    """The Markdown lines of the quality section."""
    complete = "yes" if section["complete_catalog"] else "no (open world: no counts or only-X claims)"
    lines = ["", "## Quality", "", "Each figure is measured on the written rows (questions by their words, answers by "
             f"the sqlglot tree of their last query), beside its target. Catalog complete: {complete}.",
             "", "| figure | value | target | met | how |", "| --- | ---: | ---: | :---: | --- |"]
    for f in section["figures"]:
        lines.append(f"| {f['label']} | {_number(f['value'])} | {f['op']} {_number(f['target'])} | "
                     f"{'yes' if f['met'] else '**no**'} | {f['how']} |")
    lines += ["", f"SQL constructs in the {section['sql_answers']} SQL answers:", "",
              "| construct | answers | share |", "| --- | ---: | ---: |"]
    total = max(section["sql_answers"], 1)
    lines += [f"| {name} | {n} | {n / total:.1%} |" for name, n in section["sql_features"].items()]
    return lines


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"
