"""Periods as users say them ("last month", "year to date", "this quarter", "March 2024") and as T-SQL says them.

A relative period is computed from a reference date: today (`GETDATE()`, pinned in the sandbox so proofs repeat)
or a date the question states ("as of June 15, 2024" -> `CAST('2024-06-15' AS date)`). Vista's `Mth` columns
hold the first day of a month, so month periods compare `Mth` with first days (`DATEADD(month,
DATEDIFF(month, 0, ref), 0)` is the first of the reference month); day columns (`InvDate`, `DueDate`) compare
with days and month ends (`EOMONTH`).

`month_period(rng, column, values)` and `day_period(rng, column, values)` draw one period and return its words
and its predicate over `column` (a qualified column text).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from vgpt2_ext.data.literals import MONTH_NAMES


@dataclass(frozen=True)
class Period:
    words: str  # "last month", "in March 2024"
    predicate: str  # T-SQL over the column
    stated: str = ""  # the reference date as the question states it ("As of June 15, 2024, "), if any


def reference(rng: random.Random, values: dict[str, str]) -> tuple[str, str]:
    """(T-SQL reference date, how the question states it): today two times in three, else the drawn day."""
    if rng.random() < 2 / 3:
        return "GETDATE()", ""
    day = date.fromisoformat(values["day"])
    said = rng.choice((f"As of {_long(day)}, ", f"Today is {day.isoformat()}. ", f"Taking {_long(day)} as today, "))
    return f"CAST('{day.isoformat()}' AS date)", said


def _long(day: date) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.day}, {day.year}"


def _first(ref: str, shift: int = 0, unit: str = "month") -> str:
    offset = f" {'+' if shift > 0 else '-'} {abs(shift)}" if shift else ""
    return f"DATEADD({unit}, DATEDIFF({unit}, 0, {ref}){offset}, 0)"


def month_period(rng: random.Random, column: str, values: dict[str, str]) -> Period:
    """A period over a first-of-month column (`Mth`)."""
    ref, said = reference(rng, values)
    k = rng.choice((3, 6, 12))
    options = [
        (("last month", "in the previous month", "for last month"), f"{column} = {_first(ref, -1)}"),
        (("this month", "for the current month"), f"{column} = {_first(ref)}"),
        (("year to date", "so far this year", "YTD"),
         f"{column} >= DATEFROMPARTS(YEAR({ref}), 1, 1) AND {column} <= {ref}"),
        (("this quarter", "in the current quarter"),
         f"{column} >= {_first(ref, 0, 'quarter')} AND {column} < {_first(ref, 1, 'quarter')}"),
        (("last quarter", "in the previous quarter"),
         f"{column} >= {_first(ref, -1, 'quarter')} AND {column} < {_first(ref, 0, 'quarter')}"),
        (("last year", "during the previous calendar year"),
         f"{column} >= DATEFROMPARTS(YEAR({ref}) - 1, 1, 1) AND {column} < DATEFROMPARTS(YEAR({ref}), 1, 1)"),
        ((f"in the last {k} months", f"over the past {k} months"), f"{column} >= {_first(ref, -(k - 1))}"),
    ]
    words, predicate = rng.choice(options)
    if rng.random() < 0.35:
        return _literal_month(rng, column, values)
    return Period(rng.choice(words), predicate, said)


def _literal_month(rng: random.Random, column: str, values: dict[str, str]) -> Period:
    v = values
    options = [
        (rng.choice((f"in {v['month']}", f"for {v['month']}", f"for the {v['mth_short']} month")),
         f"{column} = '{v['mth']}'"),
        (rng.choice((f"from {v['month']} through {v['month_end']}", f"between {v['month']} and {v['month_end']}")),
         f"{column} >= '{v['mth']}' AND {column} <= '{v['mth_end']}'"),
        (rng.choice((f"in {v['year']}", f"during {v['year']}", f"for calendar year {v['year']}")),
         f"{column} >= '{v['year']}-01-01' AND {column} < '{v['next_year']}-01-01'"),
    ]
    words, predicate = rng.choice(options)
    return Period(words, predicate)


def day_period(rng: random.Random, column: str, values: dict[str, str], what: str) -> Period:
    """A period over a day column; `what` is the column in words ("due date")."""
    ref, said = reference(rng, values)
    days = rng.choice((7, 30, 60, 90))
    options = [
        ((f"with a {what} in the last {days} days", f"whose {what} falls within the past {days} days"),
         f"{column} >= DATEADD(day, -{days}, CAST({ref} AS date)) AND {column} <= {ref}"),
        ((f"with a {what} this month", f"whose {what} is in the current month"),
         f"{column} >= {_first(ref)} AND {column} < {_first(ref, 1)}"),
        ((f"with a {what} by the end of this month", f"whose {what} is on or before month end"),
         f"{column} <= EOMONTH({ref})"),
        ((f"with a {what} last month", f"whose {what} was in the previous month"),
         f"{column} >= {_first(ref, -1)} AND {column} < {_first(ref)}"),
        ((f"with a {what} this year", f"whose {what} is in the current year"),
         f"{column} >= DATEFROMPARTS(YEAR({ref}), 1, 1) AND {column} < DATEFROMPARTS(YEAR({ref}) + 1, 1, 1)"),
        ((f"with a {what} on or after {values['day']}", f"whose {what} is {values['day']} or later"),
         f"{column} >= '{values['day']}'"),
    ]
    index = rng.randrange(len(options))
    words, predicate = options[index]
    return Period(rng.choice(words), predicate, said if index < len(options) - 1 else "")
