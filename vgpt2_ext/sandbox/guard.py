"""What may run: exactly one read-only query over the catalog's tables and views, checked twice.

First on sqlglot's T-SQL tree, in one walk over every node: one statement; a query, not DROP/INSERT/SET/EXEC
...; no SELECT … INTO; no `@variables`; wherever a relation can stand (FROM, JOIN, CROSS/OUTER APPLY,
LATERAL, inside subqueries and CTEs) only a catalog table or view, a CTE, a subquery or VALUES, or an
allowed table function; and every function call on the allow-list (`functions`), so DuckDB's `query()`,
`duckdb_settings()`, `current_setting()` or `read_csv()` never reach it, in whatever clause they hide. Then on
the DuckDB text by DuckDB's own parser (exactly one statement, of type SELECT). The database's own switches
(see `database.connect`), the rolled-back transaction and the worker process's limits are the layers
behind these two.
"""

from __future__ import annotations

import duckdb
from sqlglot import exp

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.catalog.model import did_you_mean
from vgpt2_ext.sandbox.functions import allowed_scalar, allowed_table, function_name
from vgpt2_ext.sandbox.result import RunError, first_line

_WRITES = (exp.DML, exp.DDL, exp.Drop, exp.Alter, exp.TruncateTable, exp.Command)
_VARIABLES = (exp.Parameter, exp.Placeholder, exp.SessionParameter)


def single_query(statements: list[exp.Expression]) -> exp.Query:
    """The one statement, if it is a query; RunError('refused') otherwise."""
    if len(statements) != 1:
        kinds = ", ".join(_leading_word(s) for s in statements)
        raise RunError("refused", f"found {len(statements)} statements ({kinds}); the sandbox runs exactly one "
                                  "query")
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        raise RunError("refused", f"`{_leading_word(statement)}` is not a query; the sandbox runs a single "
                                  "read-only SELECT")
    return statement


def referenced_tables(query: exp.Query, catalog: Catalog) -> list[str]:
    """The catalog objects `query` reads, in the catalog's spelling, after checking every node (see the
    module docstring); RunError('refused') names the first node that may not run."""
    ctes: set[str] = set()
    tables: list[exp.Table] = []
    for node in query.walk():
        _check_node(node)
        if isinstance(node, exp.CTE):
            ctes.add(node.alias_or_name.lower())
        elif isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            tables.append(node)
    found = []
    for table in tables:
        if table.name.lower() in ctes:
            continue
        obj = catalog.find(table.name)
        if obj is None:
            hint = did_you_mean(catalog.suggest_objects(table.name))
            raise RunError("runtime", f"unknown table `{table.name}`{hint}")
        found.append(obj.name)
    return list(dict.fromkeys(found))


def _check_node(node: exp.Expression) -> None:
    """Refuse a write, a variable, a function in a relation's place or a function off the allow-list. The
    walk meets a relation before the function inside it, so the message names the place."""
    if isinstance(node, _WRITES):
        raise RunError("refused", f"`{_leading_word(node)}` inside the query writes; the sandbox runs read-only "
                                  "queries")
    if isinstance(node, exp.Select) and node.args.get("into"):
        raise RunError("refused", f"SELECT … INTO `{node.args['into'].this.sql('tsql')}` writes a table; "
                                  "select the rows instead")
    if isinstance(node, _VARIABLES):
        raise RunError("refused", f"variable `{node.sql('tsql')}`: the sandbox runs self-contained queries, put "
                                  "the value in the SQL")
    if isinstance(node, (exp.Table, exp.Lateral)):
        _check_relation(node)
    elif isinstance(node, exp.Unnest):
        raise RunError("refused", "UNNEST is not T-SQL; only the catalog's tables and views can be read")
    elif isinstance(node, exp.Func) and not allowed_scalar(node):
        raise RunError("refused", f"function `{function_name(node)}` is not one the sandbox runs (SQL Server's "
                                  "built-in scalar, aggregate and window functions only)")


def _check_relation(node: exp.Table | exp.Lateral) -> None:
    """A table's or APPLY's source: a name, a subquery, or an allowed table function."""
    source = node.this
    if isinstance(source, (exp.Identifier, exp.Subquery, exp.Query)) or source is None or allowed_table(source):
        return
    place = "APPLY" if isinstance(node, exp.Lateral) and node.args.get("cross_apply") is not None else \
        "LATERAL" if isinstance(node, exp.Lateral) else "FROM"
    raise RunError("refused", f"table function `{function_name(source)}` in {place}: only the catalog's tables "
                              "and views, subqueries, CTEs and VALUES can be read")


def duckdb_select(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.Statement:
    """The one SELECT DuckDB's own parser reads in the text about to run: the statement that then runs, so the
    text is parsed once and what runs is what was checked."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as error:
        raise RunError("runtime", f"DuckDB cannot parse the translated query: {first_line(error)}") from None
    kinds = [s.type.name for s in statements]
    if kinds != ["SELECT"]:
        raise RunError("refused", f"DuckDB reads the translated text as {kinds}; only a single SELECT runs")
    return statements[0]


def _leading_word(statement: exp.Expression) -> str:
    text = statement.sql("tsql").split()
    return text[0].upper() if text else type(statement).__name__.upper()
