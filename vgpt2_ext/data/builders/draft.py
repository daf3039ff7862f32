"""One templated SQL example in the making: its literals, company, table names, question words and plan.

A `Draft` is what a template fills: the object it is about and the tables it joins, the company (stated in the
question, or left to the `@APCo`-style parameter), the way the query names tables (aliases in multi-table
queries), the business words of the question, and the plan the answer opens with (`vgpt2.data.reasoning:
brief`): which tables and why, the join key, the filters, what is computed. The plan is written from the same
parts the SQL is made of, so it says what the query does.
"""

from __future__ import annotations

from collections.abc import Sequence

from vgpt2_ext.catalog import CatalogObject, Relationship
from vgpt2_ext.data.builders.common import BuildContext, answer, listing
from vgpt2_ext.data.dates import Period, day_period, month_period
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.literals import fill
from vgpt2_ext.data.roles import SKIPPED, roles_of
from vgpt2_ext.data.sqlgen import Select, join_filters, refs
from vgpt2_ext.data.styles import scope

NAMED = frozenset({"name", "sortname", "lastname", "payname", "firmname"})  # columns people search by name
ALIASED_SINGLE = 0.3  # share of single-table queries written with an alias
STYLED = 0.3  # share of questions wrapped in a role or context ("I'm in AP. ...")


def joined(prefix: str, question: str) -> str:
    """`prefix` then `question`, its first letter lower-cased after a comma or colon (unless an acronym)."""
    prefix = prefix.strip()
    if not prefix:
        return question
    if prefix.endswith((",", ":")) and question[1:2].islower():
        question = question[0].lower() + question[1:]
    return f"{prefix} {question}"


class Draft:
    """The parts of one example over `obj` (joined with `rels`, when any)."""

    def __init__(self, ctx: BuildContext, category: str, obj: CatalogObject, rels: Sequence[Relationship] = (),
                 aliased: bool | None = None):
        self.ctx, self.category, self.obj, self.rels = ctx, category, obj, tuple(rels)
        self.values = ctx.values()
        self.company = ctx.company(self.values)
        tables = list(dict.fromkeys([obj.name] + [end for rel in rels for end in (rel.child, rel.parent)]))
        if aliased is None:
            aliased = len(tables) > 1 or ctx.rng.random() < ALIASED_SINGLE
        self.name = refs(ctx.catalog, tables, aliased)
        self.tables = tables
        self.noun = ctx.noun(obj)
        self.roles = roles_of(obj)
        self.where = join_filters(ctx.catalog, obj, self.rels, self.company, self.name)
        self.filtered = bool(self.where)  # the query constrains a company (so a stated one is named)
        self.steps: list[str] = []
        self.stated = ""  # the reference date as the question states it

    # -- words -----------------------------------------------------------------------------------------
    @property
    def scope(self) -> str:
        if not self.company.stated or not self.filtered:
            return ""
        return scope(self.ctx.voice, self.company.co, self.obj.module)

    def words(self, column: str) -> str:
        """A column in one of its wordings (`InvTotal`: invoice total, invoice amount)."""
        return self.ctx.voice.choice(self.ctx.words.column_words(column))

    def ask(self, template: str, **slots: str) -> str:
        """The question: a phrasing of `template` in business words, sometimes in a role or context."""
        slots = {"things": self.noun.many, "thing": self.noun.one, "scope": self.scope, **slots}
        phrasing = self.ctx.phrase(self.ctx.seeds.phrasing(template))
        if slots["scope"] and "{scope}" not in phrasing:  # the query fixes the company: the question says which
            cut = len(phrasing.rstrip(".?!"))
            phrasing = phrasing[:cut] + "{scope}" + phrasing[cut:]
        question = self.ctx.styled(fill(phrasing, {**self.values, **slots}))
        voice = self.ctx.voice
        if voice.random() < STYLED:
            dept = self.ctx.words.department(self.obj.module)
            style = voice.choice(("style_role", "style_context")) if dept else "style_context"
            wrap = self.ctx.ask(style, self.values, dept=voice.choice(dept) if dept else "")
            question = joined(wrap, question)
        return joined(self.stated, question)

    # -- filters ---------------------------------------------------------------------------------------
    def period(self) -> tuple[str, str] | None:
        """(words, predicate) of a period over the object's month, else one of its dates; None without."""
        return self.period_of(self.obj)

    def period_of(self, obj: CatalogObject) -> tuple[str, str] | None:
        """A period over `obj` (the object or a table it joins)."""
        rng, v, roles = self.ctx.rng, self.values, roles_of(obj)
        if roles.month and (not roles.dates or rng.random() < 0.6):
            found: Period = month_period(rng, self.name(obj.name, roles.month.name), v)
            words = f"posted {found.words}" if rng.random() < 0.6 else found.words
            step = f"keep {obj.name}.{roles.month.name} (the posting month, stored as its first day) {found.words}"
        elif roles.dates:
            column = self.ctx.pick(roles.dates)
            found = day_period(rng, self.name(obj.name, column.name), v, self.words(column.name))
            words, step = found.words, f"keep {obj.name} rows {found.words} ({column.name})"
        else:
            return None
        self.stated = self.stated or found.stated
        self.steps.append(step)
        return words, found.predicate

    def value_filter(self) -> tuple[str, str] | None:
        """(words, predicate) on a flag (set or not), a code, an amount (over, under), a text (mentions, empty)
        or a date left empty; None when the object has no such column."""
        roles = self.roles
        options = [*(("flag", c) for c in roles.flags), *(("code", c) for c in roles.coded),
                   *(("money", c) for c in roles.money), *(("text", c) for c in roles.texts[:4]),
                   *[("named", c) for c in roles.texts if c.name.lower() in NAMED] * 3,
                   *(("no_date", c) for c in roles.dates if c.nullable)]
        if not options:
            return None
        kind, column = self.ctx.pick(options)
        by_kind = {"flag": self._flag_filter, "code": self._code_filter, "money": self._money_filter,
                   "text": self._text_filter, "named": self._named_filter, "no_date": self._no_date_filter}
        words, predicate = by_kind[kind](column, self.name(self.obj.name, column.name))
        self.steps.append(f"keep {predicate}")
        return words, predicate

    def _flag_filter(self, column, name: str) -> tuple[str, str]:
        adjective = self.ctx.words.flag(column)
        if self.ctx.rng.random() < 0.3:
            return self.ctx.pick((f"that are not {adjective}", f"not flagged {adjective}")), f"{name} = 'N'"
        return self.ctx.pick((f"that are {adjective}", f"flagged {adjective}", f"marked {adjective}")), f"{name} = 'Y'"

    def _code_filter(self, column, name: str) -> tuple[str, str]:
        code = self.ctx.pick(column.codes)
        numeric = (column.sql_type or "").startswith(("tinyint", "smallint", "int"))
        words = self.ctx.pick((f"whose {self.words(column.name)} is {code.meaning}",
                               f"with {self.words(column.name)} {code.meaning}", f"in {code.meaning} status"
                               if "status" in column.name.lower() else f"coded {code.meaning}"))
        return words, f"{name} = {code.value if numeric else repr(code.value)}"

    def _money_filter(self, column, name: str) -> tuple[str, str]:
        amount, what = self.values["amount"], self.words(column.name)
        if self.ctx.rng.random() < 0.3:
            return self.ctx.pick((f"with {what} under {amount}", f"where the {what} is below {amount}",
                                  f"with less than {amount} of {what}")), f"{name} < {amount}"
        return self.ctx.pick((f"with {what} over {amount}", f"where the {what} is above {amount}",
                              f"with more than {amount} in {what}", f"whose {what} exceeds {amount}")), \
            f"{name} > {amount}"

    def _text_filter(self, column, name: str) -> tuple[str, str]:
        word, what = self.values["word"], self.words(column.name)
        return self.ctx.pick((f"whose {what} mentions '{word}'", f"with '{word}' in the {what}",
                              f"where the {what} contains {word}")), f"{name} LIKE '%{word}%'"

    def _named_filter(self, column, name: str) -> tuple[str, str]:
        """By a name people know the record by: a firm ("Summit Concrete"), or a surname."""
        value = self.values["surname"] if "last" in column.name.lower() else self.values["name"]
        what = self.words(column.name)
        return self.ctx.pick((f"for {value}", f"whose {what} is like '{value}'", f"named {value}",
                              f"for '{value}'")), f"{name} LIKE '%{value}%'"

    def _no_date_filter(self, column, name: str) -> tuple[str, str]:
        what = self.words(column.name)
        if self.ctx.rng.random() < 0.5:
            return self.ctx.pick((f"with no {what}", f"missing a {what}", f"where the {what} is blank")), \
                f"{name} IS NULL"
        return self.ctx.pick((f"that have a {what}", f"with a {what} filled in")), f"{name} IS NOT NULL"

    def shown(self, extra: Sequence[str] = ()) -> list[str]:
        """Columns a listing shows unasked: the key (without the company, which the filter fixes), the label,
        then `extra`; at most seven."""
        company = self.obj.company_column
        names = [c.name for c in self.roles.key if company is None or c.name != company.name]
        if self.roles.label:
            names.append(self.roles.label.name)
        return list(dict.fromkeys([*names, *extra]))[:7] or [c.name for c in self.obj.columns
                                                              if company is None or c.name != company.name][:3]

    def listed(self, count: int) -> list[str]:
        """`count` columns the question will ask for by name: any typed column but the company, in the order the
        object has them."""
        company = self.obj.company_column
        pool = [c.name for c in self.obj.columns if c.sql_type and c.name.lower() not in SKIPPED
                and not c.name.lower().startswith("ud") and (company is None or c.name != company.name)]
        if len(pool) < 2:
            return []
        picked = set(self.ctx.rng.sample(pool, min(count, len(pool))))
        return [name for name in pool if name in picked]

    # -- the example -----------------------------------------------------------------------------------
    def plan(self) -> str:
        """Which tables and why, the join key, the company filter, then the template's own steps."""
        described = [f"{name} ({self.ctx.noun(self.ctx.catalog.object(name)).many})" if
                     self.ctx.worded(self.ctx.catalog.object(name)) else name for name in self.tables]
        parts = [f"read {listing(described)}"]
        parts += [f"join {rel.parent} to {rel.child} on {listing([c for c, _ in rel.pairs])}" for rel in self.rels]
        if self.where:
            company = self.obj.company_column
            parts.append(f"filter the company to {self.company.co if self.company.stated else '@' + company.name}"
                         if company else "filter each table's company")
        return "Plan: " + "; ".join(parts + self.steps) + "."

    def example(self, template: str, question: str, select: Select, lead: str, *, note: str = "",
                columns: Sequence[str] = (), kind: str = "") -> Example:
        intro = self.plan() if self.ctx.reasoning == "brief" else lead
        return Example(self.category, f"schema:{template}", template, question,
                       answer(intro, select.text(), note), anchor=self.obj.name,
                       columns=tuple(f"{self.obj.name}.{c}" if "." not in c else c for c in columns), kind=kind)
