"""The corruption types: each a small pure function from a gold query's syntax tree to a wrong one.

A function takes the parsed gold query (None for a refusal that has none) and the `Context` of its SFT row,
and returns the `Corrupted` tree with a one-line detail, or None when the type does not apply (no join to
break, no TOP to turn into LIMIT ...). It never changes its input: it corrupts a copy. The table `CORRUPTIONS`
lists every type once, in the order of `settings.CORRUPTIONS`, with the judge checks of which at least one must
fail on the rejected answer (its stated reason) while the chosen answer passes.

Invented names come from the seed material (`Inventions`): the missing objects of the hallucination seeds
(Invoice for APTH, APTH.Status for APTD.Status, APTH.InvNum for APTH.APRef ...), then plausible names built
from a table's description (`AP transaction lines` -> TransactionLines) or a column's misnamings
(`InvTotal` -> InvoiceTotal, `vgpt2_ext.data.misnaming`), each checked to be missing from the catalog.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlglot import exp

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.data.misnaming import misnamings
from vgpt2_ext.data.seeds import Seeds
from vgpt2_ext.sql.parse import parse_tsql

# how a confident answer on a missing object opens and ends; the note is the earlier VGPT2 model's own
# (../shared/reference/vgpt2_v3_dpo_answers.jsonl), which it added under queries on columns Vista lacks
LEADS = ("Here is the query on {name}:", "{name} holds this. Query it like this:", "Use {name} for that:")
NOTE = "Note: WITH (NOLOCK) prevents blocking production transactions. Always filter by company column."
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Inventions:
    """Plausible wrong names, all missing from the catalog: the seeds' for real tables (`apth` -> [Invoice,
    Invoices]) and columns (`apth.apref` -> [APTH.InvNum]), a name read off each table's description
    (`aptl` -> TransactionLines); and the columns the catalog's business rules constrain."""

    tables: dict[str, tuple[str, ...]]
    columns: dict[str, tuple[str, ...]]
    described: dict[str, str]
    rule_columns: frozenset[str]


def inventions(catalog: Catalog, seeds: Seeds) -> Inventions:
    """The invented names of the seeds' missing objects, keyed by the real objects they stand for."""
    tables: dict[str, list[str]] = defaultdict(list)
    columns: dict[str, list[str]] = defaultdict(list)
    for item in seeds.missing:
        target = columns if "." in item.name else tables
        for real in item.alternatives:
            if ("." in real) == ("." in item.name) and not _exists(item.name, catalog):
                target[real.lower()].append(item.name)
    described = {obj.name.lower(): described_name(obj.description, obj.module) for obj in catalog.queryable}
    rules = {c.sql().lower() for rule in catalog.rules for c in parse_tsql(rule.predicate)[0].find_all(exp.Column)}
    return Inventions({k: tuple(dict.fromkeys(v)) for k, v in tables.items()},
                      {k: tuple(dict.fromkeys(v)) for k, v in columns.items()},
                      {k: v for k, v in described.items() if v and not catalog.has(v)}, frozenset(rules))


def described_name(description: str, module: str) -> str:
    """`AP transaction lines: ...` -> `TransactionLines`: what someone who read the description might call it."""
    head = description.split(":")[0]
    words = [w for w in _WORD.findall(head) if w.upper() != module.upper()]
    return "".join(w[:1].upper() + w[1:] for w in words[:3]) if 1 < len(words) <= 3 else ""


@dataclass(frozen=True)
class Context:
    """What a corruption may read besides the tree: the catalog, the invented names, and the SFT row's
    missing objects and alternatives (refusals); `pick` chooses among candidates, the same way every build."""

    catalog: Catalog
    inventions: Inventions
    pick: int = 0
    missing: tuple[str, ...] = ()
    suggest: tuple[str, ...] = ()


@dataclass(frozen=True)
class Corrupted:
    tree: exp.Expression
    detail: str
    dialect: str = "tsql"  # how to print it
    lead: str = ""  # for a confident answer on a missing object: its opening sentence (else the chosen prose)


def invented_table(tree: exp.Expression | None, ctx: Context) -> Corrupted | None:
    """A table the query reads renamed to a plausible missing one (`APTH` -> `Invoice`), qualifiers too."""
    tables, names = _tables(tree, ctx.catalog), ctx.inventions
    options = [(real, fake) for real in tables for fake in names.tables.get(real, ())] \
        or [(real, names.described[real]) for real in tables if real in names.described]
    if not options:
        return None
    real, fake = _pick(options, ctx)
    return Corrupted(_rename_table(tree, real, fake), f"`{real}` replaced by the invented table `{fake}`")


def invented_column(tree: exp.Expression | None, ctx: Context) -> Corrupted | None:
    """A column reference replaced by a plausible one its table lacks (`APTD.Status` -> `APTH.Status`)."""
    if tree is None:
        return None
    aliases = _aliases(tree)
    seeded, misnamed = [], []
    for column in _columns(tree, aliases):
        table = aliases[column.table.lower()]
        seeded += [(column, fake) for fake in ctx.inventions.columns.get(f"{table}.{column.name}".lower(), ())
                   if _qualifier(tree, fake.split(".")[0]) is not None]
        misnamed += [(column, f"{table}.{m}") for m in misnamings(column.name) if ctx.catalog.column(table, m) is None]
    options = seeded or misnamed
    if not options:
        return None
    column, fake = _pick(options, ctx)
    table, name = fake.split(".")
    found = _replace_column(tree, column, _qualifier(tree, table), name)
    return Corrupted(found, f"`{aliases[column.table.lower()]}.{column.name}` replaced by `{fake}`, which "
                            f"`{table}` lacks")


def partial_join(tree: exp.Expression | None, ctx: Context) -> Corrupted | None:
    """One column pair dropped from a join on two or more, a company or group column first."""
    aliases = _aliases(tree)
    options = []
    for j, join in enumerate(tree.args.get("joins") or () if tree is not None else ()):
        pairs = _conjuncts(join.args.get("on"))
        if len(pairs) >= 2 and all(_column_pair(p) for p in pairs):
            scoped = [i for i, p in enumerate(pairs) if _scope_column(p.this, aliases, ctx.catalog)]
            options += [(j, i, pairs[i]) for i in scoped or range(len(pairs))]
    if not options:
        return None
    j, i, dropped = _pick(options, ctx)
    found = tree.copy()
    join = found.args["joins"][j]
    join.set("on", exp.and_(*(p.copy() for k, p in enumerate(_conjuncts(join.args["on"])) if k != i)))
    return Corrupted(found, f"join key `{dropped.sql(dialect='tsql')}` dropped")


def missing_filter(tree: exp.Expression | None, ctx: Context) -> Corrupted | None:
    """A top-level WHERE predicate on a company or group column, or on a business rule's column, dropped."""
    if tree is None or tree.args.get("where") is None:
        return None
    aliases = _aliases(tree)
    conjuncts = _conjuncts(tree.args["where"].this)
    options = [i for i, c in enumerate(conjuncts) if not _column_pair(c)
               and any(_scope_column(col, aliases, ctx.catalog) or _rule_column(col, aliases, ctx)
                       for col in _own_columns(c))]
    if not options:
        return None
    i = _pick(options, ctx)
    found = tree.copy()
    kept = [c.copy() for k, c in enumerate(conjuncts) if k != i]
    found.set("where", exp.Where(this=exp.and_(*kept)) if kept else None)
    return Corrupted(found, f"predicate `{conjuncts[i].sql(dialect='tsql')}` dropped")


def base_table(tree: exp.Expression | None, ctx: Context) -> Corrupted | None:
    """A view the query reads replaced by its base table (`APTH` -> `bAPTH`), qualifiers too."""
    options = [name for name in _tables(tree, ctx.catalog) if ctx.catalog.object(name).base_table]
    if not options:
        return None
    view = ctx.catalog.object(_pick(options, ctx))
    return Corrupted(_rename_table(tree, view.name, view.base_table), f"view `{view.name}` replaced by its base "
                                                                       f"table `{view.base_table}`")


def dialect_slip(tree: exp.Expression | None, ctx: Context) -> Corrupted | None:
    """The query printed as MySQL: its TOP as LIMIT, or, without a TOP, its names in backticks."""
    if not isinstance(tree, exp.Select):
        return None
    found = tree.copy()
    if found.args.get("limit") is not None:
        return Corrupted(found, "TOP written as MySQL's LIMIT", dialect="mysql")
    for identifier in found.find_all(exp.Identifier):
        identifier.set("quoted", True)
    return Corrupted(found, "names quoted with MySQL backticks", dialect="mysql")


def confident_hallucination(tree: exp.Expression | None, ctx: Context) -> Corrupted | None:
    """The refusal's missing object used as if it existed: in the refusal's own query (its alternative swapped
    back for the missing name), or in a plain `SELECT TOP 10` when the refusal has no query."""
    if not ctx.missing:
        return None
    missing = ctx.missing[0]
    table, _, column = missing.rpartition(".")
    found = _swap_back(tree, missing, ctx) if tree is not None else None
    if found is None:
        source = exp.Table(this=exp.to_identifier(table or column), hints=[_nolock()])
        found = exp.select(exp.column(column, table) if table else exp.Star()).from_(source).limit(10)
    lead = LEADS[ctx.pick % len(LEADS)].format(name=missing)
    return Corrupted(found, f"queries `{missing}` as if it existed", lead=lead)


def _swap_back(tree: exp.Expression, missing: str, ctx: Context) -> exp.Expression | None:
    tables = set(_tables(tree, ctx.catalog))
    table, _, column = missing.rpartition(".")
    if not table:
        real = next((t for t in ctx.suggest if "." not in t and t.lower() in tables), None)
        return _rename_table(tree, real.lower(), missing) if real else None
    aliases = _aliases(tree)
    qualifier = _qualifier(tree, table)
    swapped = [c for c in _columns(tree, aliases) if f"{aliases[c.table.lower()]}.{c.name}".lower()
               in {s.lower() for s in ctx.suggest}]
    return _replace_column(tree, swapped[0], qualifier, column) if qualifier and swapped else None


@dataclass(frozen=True)
class Corruption:
    name: str
    apply: Callable[[exp.Expression | None, Context], Corrupted | None]
    fails: tuple[str, ...]  # judge checks of which the rejected answer must fail one (and the chosen pass it)
    refusal: bool = False  # applies to questions about missing objects; the others to SQL answers


CORRUPTIONS: tuple[Corruption, ...] = (
    Corruption("invented_table", invented_table, ("grounded",)),
    Corruption("invented_column", invented_column, ("grounded",)),
    Corruption("partial_join", partial_join, ("joins", "result_matches")),
    Corruption("missing_filter", missing_filter, ("filters", "result_matches", "house_style")),
    Corruption("base_table", base_table, ("house_style",)),
    Corruption("dialect_slip", dialect_slip, ("sql_parses",)),
    Corruption("confident_hallucination", confident_hallucination, ("refusal",), refusal=True),
)
BY_NAME = {corruption.name: corruption for corruption in CORRUPTIONS}


# -- tree helpers ---------------------------------------------------------------------------------------
def _pick(options: list, ctx: Context):
    return options[ctx.pick % len(options)]


def _tables(tree: exp.Expression | None, catalog: Catalog) -> list[str]:
    """Catalog objects the query reads, lower-cased as written, in order of appearance."""
    if tree is None:
        return []
    names = (t.name for t in tree.find_all(exp.Table))
    return list(dict.fromkeys(n.lower() for n in names if catalog.find(n) is not None))


def _aliases(tree: exp.Expression | None) -> dict[str, str]:
    """qualifier (alias or name, lower case) -> table name as written."""
    return {} if tree is None else {t.alias_or_name.lower(): t.name for t in tree.find_all(exp.Table)}


def _qualifier(tree: exp.Expression, table: str) -> str | None:
    """How the query names `table` (its alias, else its name as written), or None when it does not read it."""
    return next((t.alias_or_name for t in tree.find_all(exp.Table) if t.name.lower() == table.lower()), None)


def _columns(tree: exp.Expression, aliases: dict[str, str]) -> list[exp.Column]:
    return [c for c in tree.find_all(exp.Column) if c.table and c.table.lower() in aliases]


def _rename_table(tree: exp.Expression, old: str, new: str) -> exp.Expression:
    """`tree` reading `new` where it read `old`: the table references and the columns qualified by its name."""
    found = tree.copy()
    for table in found.find_all(exp.Table):
        if table.name.lower() == old.lower():
            table.set("this", exp.to_identifier(new))
    for column in found.find_all(exp.Column):
        if column.table.lower() == old.lower():
            column.set("table", exp.to_identifier(new))
    return found


def _replace_column(tree: exp.Expression, target: exp.Column, qualifier: str, name: str) -> exp.Expression:
    """`tree` with every reference equal to `target` replaced by `qualifier.name`."""
    found = tree.copy()
    for column in list(found.find_all(exp.Column)):
        if column == target:
            column.replace(exp.column(name, qualifier))
    return found


def _conjuncts(node: exp.Expression | None) -> list[exp.Expression]:
    if node is None:
        return []
    return list(node.flatten(unnest=False)) if isinstance(node, exp.And) else [node]


def _column_pair(node: exp.Expression) -> bool:
    return isinstance(node, exp.EQ) and isinstance(node.this, exp.Column) and isinstance(node.expression, exp.Column)


def _own_columns(node: exp.Expression) -> Iterable[exp.Column]:
    """Columns of `node` outside any subquery."""
    return (c for c in node.find_all(exp.Column) if not any(isinstance(p, exp.Select) for p in _parents(c, node)))


def _parents(node: exp.Expression, stop: exp.Expression) -> Iterable[exp.Expression]:
    while node is not stop and node.parent is not None:
        node = node.parent
        yield node


def _scope_column(column: exp.Column, aliases: dict[str, str], catalog: Catalog) -> bool:
    """A company column (APTH.APCo, the table's own) or a group column (APVM.VendorGroup): what scopes a row."""
    obj = catalog.find(aliases.get(column.table.lower(), ""))
    company = obj.company_column if obj is not None else None
    return (company is not None and company.name.lower() == column.name.lower()) or column.name.endswith("Group")


def _rule_column(column: exp.Column, aliases: dict[str, str], ctx: Context) -> bool:
    table = aliases.get(column.table.lower(), "")
    return f"{table}.{column.name}".lower() in ctx.inventions.rule_columns


def _nolock() -> exp.WithTableHint:
    return exp.WithTableHint(expressions=[exp.var("NOLOCK")])


def _exists(name: str, catalog: Catalog) -> bool:
    table, _, column = name.rpartition(".")
    return catalog.column(table, column) is not None if table else catalog.has(column)
