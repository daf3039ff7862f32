"""`vgpt2 sql`: judge a T-SQL query against the catalog, or run it in the sandbox.

    vgpt2 sql check "SELECT h.Status FROM APTH h WITH (NOLOCK) WHERE h.APCo = @APCo"
    vgpt2 sql check --answer "$(cat answer.md)"          # every SQL block of a chat answer
    vgpt2 sql run "SELECT TOP 5 Vendor, Name FROM APVM WITH (NOLOCK) WHERE VendorGroup = 1"
    vgpt2 sql run "SELECT InvTotal FROM APTH WITH (NOLOCK) WHERE APCo = @APCo" --set APCo=1
    vgpt2 sql check "SELECT ..." --catalog ../shared/fixtures/vista     # any catalog: YAML, CSV export, DDL

`check` prints what the query references (tables, resolved columns, joins, filters, NOLOCK), its dialect
slips, house-style violations and every unknown name with the closest real ones. It exits 1 when a name
is unknown or ambiguous, or a slip makes it invalid T-SQL, so scripts can gate on it; style alone does not
fail it. `SQL` may be `-` to read standard input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from vgpt2_ext.errors import SQLAnalysisError

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog
    from vgpt2_ext.sql import Analysis, ColumnRef, StyleViolation


def register(subparsers: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("sql", metavar="SQL", help="the T-SQL text, or `-` to read it from standard input")
    common.add_argument("--catalog", metavar="PATH", default=None,
                        help="a catalog YAML, a folder of INFORMATION_SCHEMA CSVs, or T-SQL DDL "
                             "(default: the embedded Vista catalog)")
    parser = subparsers.add_parser("sql", help="check a query against the catalog, or run it in the sandbox",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="sql_command", required=True, metavar="SUBCOMMAND")
    check = actions.add_parser("check", parents=[common], help="analysis, grounding and house style",
                               description='Check a query, e.g. `vgpt2 sql check "SELECT Name FROM APVM"`.')
    check.add_argument("--answer", action="store_true",
                       help="SQL is a chat answer: check each SQL block found in it (fenced or bare)")
    check.set_defaults(func=check_sql)
    run = actions.add_parser("run", parents=[common], help="execute in the sandbox and print the rows",
                             description='Run a query, e.g. `vgpt2 sql run "SELECT TOP 5 Name FROM APVM"`.')
    run.add_argument("--set", dest="values", metavar="NAME=VALUE", action="append", default=[],
                     help="bind a variable, e.g. `--set APCo=1` for `@APCo` (repeatable)")
    run.set_defaults(func=run_sql)


def check_sql(args: argparse.Namespace) -> int:
    from vgpt2_ext.catalog import load_catalog
    from vgpt2_ext.sql import extract_blocks

    catalog = load_catalog(args.catalog)
    text = _text(args.sql)
    if not args.answer:
        return _check_one(text, catalog, Console())
    blocks = extract_blocks(text)
    if not blocks:
        raise SQLAnalysisError("no SQL found in the answer (neither a fenced block nor a bare statement)")
    console = Console()
    failed = 0
    for number, block in enumerate(blocks, 1):
        origin = "fenced" if block.fenced else "bare"
        cut = ", cut off where the answer ends" if block.truncated else ""
        console.rule(f"SQL block {number} of {len(blocks)} ({origin}{cut})")
        console.print(escape(block.sql), highlight=False)
        try:
            failed |= _check_one(block.sql, catalog, console)
        except SQLAnalysisError as error:
            console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
            failed = 1
    return failed


def _check_one(sql: str, catalog: Catalog, console: Console) -> int:
    from vgpt2_ext.sql import analyze, ground, style_violations

    analysis = analyze(sql, catalog)
    grounding = ground(analysis, catalog)
    violations = style_violations(analysis, catalog)
    console.print(_report(analysis, violations))
    if grounding.ok:
        console.print("[bold green]grounded:[/] every table and column exists in the catalog", highlight=False)
    for unknown in grounding.unknowns:
        console.print(f"[bold red]unknown {unknown.kind}:[/] {escape(unknown.message)}", highlight=False)
    return 0 if grounding.ok and not analysis.slips else 1


def _report(analysis: Analysis, violations: list[StyleViolation]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    kinds = ", ".join(analysis.kinds)
    dialect = "T-SQL" if analysis.dialect == "tsql" else f"{analysis.dialect} (not T-SQL)"
    table.add_row("statements", f"{analysis.statements} ({kinds}), parsed as {dialect}")
    table.add_row("tables", _tables(analysis))
    table.add_row("columns", _listing(_column_text(c) for c in analysis.columns))
    table.add_row("joins", _listing(str(pair) for pair in analysis.joins))
    table.add_row("filters", _listing(str(f) for f in analysis.filters))
    table.add_row("slips", _listing(slip.reason for slip in analysis.slips))
    table.add_row("style", _listing(v.message for v in violations))
    return table


def _tables(analysis: Analysis) -> str:
    refs = [f"{ref.label}{' (NOLOCK)' if ref.nolock else ''}{'' if ref.known or ref.temporary else ' (unknown)'}"
            for ref in analysis.table_refs]
    if analysis.ctes:
        refs.append(f"CTEs: {', '.join(analysis.ctes)}")
    return _listing(dict.fromkeys(refs))


def _column_text(column: ColumnRef) -> str:
    status = "" if column.resolution == "catalog" else f" ({column.resolution.replace('_', ' ')})"
    return f"{column.written} -> {column.qualified}{status}" if column.written != column.qualified else \
        f"{column.qualified}{status}"


def _listing(items: Iterable[str]) -> str:
    unique = list(dict.fromkeys(items))
    return escape("; ".join(unique)) if unique else "-"


def run_sql(args: argparse.Namespace) -> int:
    from vgpt2_ext.catalog import load_catalog
    from vgpt2_ext.sandbox import sandbox_for
    from vgpt2_ext.sandbox.result import check_size
    from vgpt2_ext.sql.binding import bind, variables

    catalog = load_catalog(args.catalog)
    sql = _text(args.sql)
    sandbox = sandbox_for(catalog)
    check_size(sql, sandbox.limits)  # before this process parses it to bind variables
    if args.values:
        sql = bind(sql, dict(_assignment(item) for item in args.values))
    unbound = variables(sql)
    if unbound:
        names = ", ".join(f"`@{name}`" for name in unbound)
        raise SQLAnalysisError(f"{names} has no value: the sandbox runs self-contained SQL; bind it with "
                               f"`--set {unbound[0]}=VALUE`")
    result = sandbox.run(sql)
    table = Table(title=f"{len(result.rows)} rows", title_justify="left")
    for column in result.columns:
        table.add_column(escape(column), overflow="fold")
    for row in result.rows:
        table.add_row(*(escape("NULL" if value is None else str(value)) for value in row))
    Console().print(table)
    return 0


def _assignment(item: str) -> tuple[str, str]:
    name, sign, value = item.partition("=")  # split on the first `=`: values may contain one
    if not sign or not name.strip():
        raise SQLAnalysisError(f"`--set {item}` is not NAME=VALUE (e.g. `--set APCo=1`)")
    return name.strip(), value


def _text(sql: str) -> str:
    text = _stdin() if sql == "-" else sql
    if not text.strip():
        raise SQLAnalysisError("no SQL given (pass the query text, or `-` to read it from standard input)")
    return text


def _stdin() -> str:
    """Standard input as UTF-8 text, read as bytes so a stray byte is a message, not a traceback."""
    if not hasattr(sys.stdin, "buffer"):
        return sys.stdin.read()  # already text (a test's StringIO)
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SQLAnalysisError(f"standard input is not UTF-8 text: byte 0x{data[error.start]:02x} at offset "
                               f"{error.start}") from None
