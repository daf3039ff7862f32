"""Error correction: what is wrong with the broken query a question carries, which of it the fix must repair, and
what of the query the fix must keep.

- `defects(analysis, ev)`: unknown names, dialect slips, missing join keys (of the case's expected joins) and
  house-style violations, each named stably across aliases.
- `to_fix(broken, ev)`: the defects the `fixes_defects` gate holds the fix to: every error, and house style
  only where the user asked about it: the question names the rule (`STYLE_NAMES`), or the broken query has
  nothing else wrong ("Fix this query: SELECT * FROM bAPTH ..."). Fixing `LIMIT 5` to `TOP 5` without adding
  NOLOCK fixes what was asked; the NOLOCK is `house_style`'s business.
- `intent(broken, ev)` / `dropped(...)`: what the broken query means that is not a defect: the columns it
  returns, the columns it filters on and its join pairs (read from the query through the same analysis,
  tables compared through base table and view, so `bAPTH.APCo` is kept by `APTH.APCo`; where the broken
  query names a column its table lacks, the fix may move to the table that has it, and that table's other
  columns are then matched by name). A fix that drops one changes the question's meaning, unless the answer
  says why it removes it (a sentence naming the column with a removal word, `REMOVED`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vgpt2_ext.judge.prose import sentences
from vgpt2_ext.sql.grounding import ground
from vgpt2_ext.sql.model import Analysis
from vgpt2_ext.sql.style import style_violations

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog
    from vgpt2_ext.judge.evidence import Evidence

# the words by which a question names a house-style rule (the rule names are `HouseStyle` switches)
STYLE_NAMES: dict[str, str] = {
    "prefer_views": r"\bviews?\b|\bbase tables?\b",
    "require_nolock": r"\bnolock\b|\bno lock\b|\bread uncommitted\b|\block(?:s|ing)?\b|\bblock(?:s|ing)?\b",
    "require_company_filter": r"\bcompany (?:filter|column)\b|\bfilter(?:ed|s)? (?:by|on) (?:the )?company\b",
}
_ALL_STYLE = r"\bhouse style\b|\bour style\b|\bbest practices?\b|\bconventions?\b"
# a sentence saying why the fix removes something
REMOVED = re.compile(r"\b(?:remov\w*|drop\w*|omit\w*|delet\w*|no longer|not needed|unnecessary|redundant|"
                     r"replac\w*|instead|swap\w*|rather than)\b", re.I)


@dataclass(frozen=True)
class Defect:
    text: str  # stable across aliases: `unknown column `InvNum` on `APTH``, `prefer_views on `bAPTH``
    style: str = ""  # the house-style rule it breaks; "" for an error


def defects(analysis: Analysis, ev: Evidence) -> list[Defect]:
    """What is wrong with a query: unknown names, slips, missing expected joins, house style."""
    found = [Defect(f"unknown {u.kind} `{u.name.rpartition('.')[2]}`" + (f" on `{u.table}`" if u.table else ""))
             for u in ground(analysis, ev.catalog).unknowns]
    found += [Defect(slip.reason) for slip in analysis.slips]
    present = join_pairs(analysis)
    found += [Defect(f"join `{text}` missing") for text, pair in zip(ev.case.expect.joins, ev.case.expect.join_pairs)
              if pair not in present]
    found += [Defect(f"{v.rule} on `{v.table.split()[0]}`", v.rule) for v in style_violations(analysis, ev.catalog)]
    return list(dict.fromkeys(found))


def to_fix(broken: Analysis, ev: Evidence) -> list[Defect]:
    """The broken query's defects the fix is held to (see the module docstring)."""
    found = defects(broken, ev)
    errors = [d for d in found if not d.style]
    asked = _style_asked(ev)
    return errors + [d for d in found if d.style and (not errors or d.style in asked)]


def _style_asked(ev: Evidence) -> set[str]:
    """The house-style rules the question's words (its SQL left out) ask about."""
    words = ev.case.question
    for sql in ev.question_sql:
        words = words.replace(sql, " ")
    words = words.lower()
    if re.search(_ALL_STYLE, words):
        return set(STYLE_NAMES)
    return {rule for rule, pattern in STYLE_NAMES.items() if re.search(pattern, words)}


def join_pairs(analysis: Analysis) -> set[frozenset]:
    return {frozenset(tuple(side.lower().rsplit(".", 1)) for side in (p.left, p.right)) for p in analysis.joins}


# -- intent ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Element:
    """One thing the broken query means: a returned column, a filtered column or a join pair."""

    kind: str  # `column` | `filter` | `join`
    key: frozenset[tuple[str, str]]  # (base table, column), lower case: how a fix's element is matched
    name: str = field(compare=False)  # as shown: `APTH.Vendor`, `APTH.Mth`, `APTH.APTrans = APTL.APTrans`
    columns: tuple[str, ...] = field(default=(), compare=False)  # bare names a removal note may name


def intent(analysis: Analysis, catalog: Catalog) -> list[Element]:
    """The broken query's returned columns, filtered columns and join pairs that name real columns."""
    found = [_element("column", name, catalog) for name in analysis.selected]
    found += [_element("filter", f.column, catalog) for f in analysis.filters]
    found += [_join(pair.left, pair.right, catalog) for pair in analysis.joins]
    return list(dict.fromkeys(e for e in found if e is not None))


def dropped(broken: Analysis, fixed: Analysis, ev: Evidence) -> list[Element]:
    """What the fix leaves out of the broken query's meaning, less what the answer says it removes."""
    kept = intent(fixed, ev.catalog)
    stars = {_base(name, ev.catalog) for name in fixed.stars}
    moved = {_base(u.table, ev.catalog) for u in ground(broken, ev.catalog).unknowns if u.kind == "column" and u.table}
    missing = [e for e in intent(broken, ev.catalog) if not _kept(e, kept, moved)
               and not (e.kind == "column" and next(iter(e.key))[0] in stars)]
    notes = [s for s in sentences(ev.prose) if REMOVED.search(s)]
    return [e for e in missing if not any(_names(column, note) for column in e.columns for note in notes)]


def _kept(element: Element, kept: list[Element], moved: set[str]) -> bool:
    """Whether the fix has `element`: the same columns of the same tables, or of any table where the broken
    query's table was the wrong one (`moved`)."""
    wanted = {(table if table not in moved else "", column) for table, column in element.key}
    return any(e.kind == element.kind and len(e.key) == len(wanted) and all(
        any(column == theirs and table in ("", other) for other, theirs in e.key) for table, column in wanted)
        for e in kept)


def _element(kind: str, qualified: str, catalog: Catalog) -> Element | None:
    table, _, column = qualified.rpartition(".")
    if catalog.column(table, column) is None:
        return None  # an unknown column is a defect, which the fix may replace
    return Element(kind, frozenset({(_base(table, catalog), column.lower())}), qualified, (column,))


def _join(left: str, right: str, catalog: Catalog) -> Element | None:
    sides = [_element("join", side, catalog) for side in (left, right)]
    if None in sides:
        return None
    return Element("join", sides[0].key | sides[1].key, f"{left} = {right}", sides[0].columns + sides[1].columns)


def _base(table: str, catalog: Catalog) -> str:
    found = catalog.find(table)
    return (found.base_table or found.name).lower() if found else table.lower()


def _names(column: str, sentence: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(column)}(?!\w)", sentence, re.I) is not None
