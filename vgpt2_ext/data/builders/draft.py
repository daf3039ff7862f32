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
from vgpt2_ext.data.builders.common import BuildContext, answer, listing, tidy
from vgpt2_ext.data.dates import Period, day_period, month_period
from vgpt2_ext.data.example import Example
from vgpt2_ext.data.literals import fill
from vgpt2_ext.data.roles import roles_of
from vgpt2_ext.data.sqlgen import Select, join_filters, refs

ALIASED_SINGLE = 0.3  # share of single-table queries written with an alias
STYLED = 0.4  # share of questions wrapped in a role or context ("I'm in AP. ...")
SCOPES = (" for company {co}", " in company {co}", " for Co {co}", " in {module} company {co}", " (company {co})")


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
        return self.ctx.pick(SCOPES).format(co=self.company.co, module=self.obj.module or "the")

    def words(self, column: str) -> str:
        return self.ctx.words.column(column)

    def ask(self, template: str, **slots: str) -> str:
        """The question: a phrasing of `template` in business words, sometimes in a role or context."""
        slots = {"things": self.noun.many, "thing": self.noun.one, "scope": self.scope, **slots}
        phrasing = self.ctx.phrase(self.ctx.seeds.phrasing(template))
        if slots["scope"] and "{scope}" not in phrasing:  # the query fixes the company: the question says which
            cut = len(phrasing.rstrip(".?!"))
            phrasing = phrasing[:cut] + "{scope}" + phrasing[cut:]
        question = tidy(fill(phrasing, {**self.values, **slots}))
        if self.ctx.rng.random() < STYLED:
            dept = self.ctx.words.department(self.obj.module)
            style = self.ctx.pick(("style_role", "style_context")) if dept else "style_context"
            wrap = self.ctx.ask(style, self.values, dept=self.ctx.pick(dept) if dept else "")
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
            column = self.ctx.pick(roles.dates[:3])
            found = day_period(rng, self.name(obj.name, column.name), v, self.words(column.name))
            words, step = found.words, f"keep {obj.name} rows {found.words} ({column.name})"
        else:
            return None
        self.stated = self.stated or found.stated
        self.steps.append(step)
        return words, found.predicate

    def value_filter(self) -> tuple[str, str] | None:
        """(words, predicate) on a flag, a coded column or an amount of the object; None when it has none."""
        options = [*(("flag", c) for c in self.roles.flags[:3]), *(("code", c) for c in self.roles.coded[:3]),
                   *(("money", c) for c in self.roles.money[:3])]
        if not options:
            return None
        kind, column = self.ctx.pick(options)
        name = self.name(self.obj.name, column.name)
        if kind == "flag":
            adjective = self.ctx.words.flag(column)
            words = self.ctx.pick((f"that are {adjective}", f"flagged {adjective}"))
            predicate = f"{name} = 'Y'"
        elif kind == "code":
            code = self.ctx.pick(column.codes)
            numeric = (column.sql_type or "").startswith(("tinyint", "smallint", "int"))
            words = f"whose {self.words(column.name)} is {code.meaning}"
            predicate = f"{name} = {code.value if numeric else repr(code.value)}"
        else:
            words = self.ctx.pick((f"with {self.words(column.name)} over {self.values['amount']}",
                                   f"where the {self.words(column.name)} is above {self.values['amount']}"))
            predicate = f"{name} > {self.values['amount']}"
        self.steps.append(f"keep {predicate}")
        return words, predicate

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
        """`count` columns the question will ask for by name: money, dates, labels, references."""
        company = self.obj.company_column
        pool = [c.name for c in (*self.roles.texts, *self.roles.money, *self.roles.dates, *self.roles.key)
                if company is None or c.name != company.name]
        pool = list(dict.fromkeys(pool))
        return self.ctx.rng.sample(pool, min(count, len(pool))) if len(pool) >= 2 else []

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
