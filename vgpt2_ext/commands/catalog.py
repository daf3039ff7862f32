"""`vgpt2 catalog`: look into the schema catalog every answer is judged by.

    vgpt2 catalog show APTH                      # columns, types, domains, codes, keys of one object
    vgpt2 catalog joins APTH                     # join paths in and out, with their ON conditions
    vgpt2 catalog list --module AP               # the objects an answer may query
    vgpt2 catalog rules                          # business rules and house style
    vgpt2 catalog show bAPTH --catalog ../shared/fixtures/vista    # any catalog: YAML, CSV export, DDL

Every subcommand reads the embedded default catalog (real Vista, described) unless `--catalog PATH` names another.
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from vgpt2_ext.catalog import Catalog, CatalogObject, load_catalog
from vgpt2_ext.catalog.model import closest, did_you_mean
from vgpt2_ext.errors import CatalogError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `vgpt2 catalog` and its subcommands; each takes `--catalog PATH`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--catalog", metavar="PATH", default=None,
                        help="a catalog YAML, a folder of INFORMATION_SCHEMA CSVs, or T-SQL DDL "
                             "(default: the embedded Vista catalog)")
    parser = subparsers.add_parser("catalog", help="inspect the schema catalog", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="catalog_command", required=True, metavar="SUBCOMMAND")
    show = commands.add_parser("show", parents=[common], help="one object: columns, keys, codes",
                               description="Show one table or view, e.g. `vgpt2 catalog show APTH`.")
    show.add_argument("name", help="table or view name, any case (APTH, dbo.bAPTH, [APTH])")
    show.set_defaults(func=show_object)
    joins = commands.add_parser("joins", parents=[common], help="join paths into and out of one object",
                                description="Join paths of one object, e.g. `vgpt2 catalog joins APTH`.")
    joins.add_argument("name", help="table or view name")
    joins.set_defaults(func=show_joins)
    listing = commands.add_parser("list", parents=[common], help="the objects, by module",
                                  description="List objects, e.g. `vgpt2 catalog list --module AP`.")
    listing.add_argument("--module", help="only this Vista module (AP, AR, JC, PR, GL, SL, PO, EM, HQ ...)")
    listing.add_argument("--all", action="store_true",
                         help="include base tables the house style queries through their views")
    listing.set_defaults(func=list_objects)
    rules = commands.add_parser("rules", parents=[common], help="business rules and house style",
                                description="Business rules and house style, e.g. `vgpt2 catalog rules`.")
    rules.set_defaults(func=show_rules)


def show_object(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    obj = catalog.object(args.name)
    console = Console()
    console.print(_headline(catalog, obj), highlight=False)
    if obj.description:
        console.print(escape(obj.description), highlight=False)
    for number, key in enumerate(obj.keys):
        label = "key" if number == 0 else "unique"
        console.print(f"[bold]{label}:[/] {escape(', '.join(key))}", highlight=False)
    console.print(_columns_table(obj))
    console.print(f"{len(catalog.joins(obj.name))} join paths: vgpt2 catalog joins {obj.name}", highlight=False)
    return 0


def _headline(catalog: Catalog, obj: CatalogObject) -> str:
    if obj.base_table:
        link = f"view over base table {obj.base_table}"
    elif catalog.view_of(obj.name):
        link = f"base table; query its view {catalog.view_of(obj.name).name}"
    else:
        link = obj.kind
    module = f", module {obj.module}" if obj.module else ""
    return f"[bold]{escape(obj.name)}[/] ({escape(link)}{module}) in catalog {escape(catalog.name)}"


def _columns_table(obj: CatalogObject) -> Table:
    """Names, types and domains never wrap (`smalldatetime` split over two lines reads as two words); the
    description, with the column's codes under it, takes the rest of the width and wraps between words."""
    table = Table(show_lines=False)
    for heading in ("column", "type", "domain", "null"):
        table.add_column(heading, no_wrap=True)
    table.add_column("description (codes)", min_width=12, overflow="fold")
    in_key = {c.lower() for key in obj.keys[:1] for c in key}
    for column in obj.columns:
        name = f"{column.name} (key)" if column.name.lower() in in_key else column.name
        codes = ", ".join(f"{c.value} {c.meaning}".strip() for c in column.codes)
        prose = "\n".join(part for part in (column.description, codes and f"codes: {codes}") if part)
        table.add_row(escape(name), column.sql_type or "untyped", column.domain or "",
                      "yes" if column.nullable else "no", escape(prose))
    return table


def show_joins(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    obj = catalog.object(args.name)
    paths = catalog.joins(obj.name)
    table = Table(title=f"{len(paths)} join paths of {obj.name}")
    for heading in ("direction", "object", "on", "source"):
        table.add_column(heading, overflow="fold")
    for rel in sorted(paths, key=lambda r: (r.child != obj.name, r.parent, r.child)):
        outgoing = rel.child == obj.name
        other = rel.parent if outgoing else rel.child
        direction = "references" if outgoing else "referenced by"
        table.add_row(direction, escape(other), escape(rel.condition()), rel.source)
    Console().print(table)
    return 0


def list_objects(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    objects = catalog.objects if args.all else catalog.queryable
    if args.module:
        objects = _in_module(catalog, objects, args.module)
    table = Table(title=f"{len(objects)} objects in catalog {catalog.name}")
    for heading in ("object", "kind", "module", "columns", "description"):
        table.add_column(heading, overflow="fold")
    for obj in objects:
        kind = f"view of {obj.base_table}" if obj.base_table else obj.kind
        table.add_row(escape(obj.name), escape(kind), obj.module, str(len(obj.columns)), escape(obj.description))
    Console().print(table)
    return 0


def _in_module(catalog: Catalog, objects: tuple[CatalogObject, ...], module: str) -> tuple[CatalogObject, ...]:
    modules = sorted({obj.module for obj in catalog.objects if obj.module})
    wanted = module.upper()
    if wanted not in modules:
        raise CatalogError(f"no module `{module}` in catalog `{catalog.name}`" + did_you_mean(closest(wanted, modules))
                           + f" (modules: {', '.join(modules)})")
    return tuple(obj for obj in objects if obj.module == wanted)


def show_rules(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    console = Console()
    style = catalog.style
    console.print(f"[bold]house style:[/] prefer_views={style.prefer_views}, require_nolock={style.require_nolock}, "
                  f"require_company_filter={style.require_company_filter}", highlight=False)
    table = Table(title=f"{len(catalog.rules)} business rules in catalog {catalog.name}")
    for heading in ("rule", "table", "predicate", "measure", "meaning"):
        table.add_column(heading, overflow="fold")
    for rule in catalog.rules:
        table.add_row(rule.id, rule.table, escape(rule.predicate), escape(rule.measure), escape(rule.text))
    console.print(table)
    return 0
