"""What may run: exactly one read-only query over the catalog's tables and views, checked twice.

First on sqlglot's T-SQL tree (one statement; a query, not DROP/INSERT/SET/EXEC ...; no SELECT … INTO; no
table functions such as `read_csv(...)` or `OPENROWSET(...)` in FROM; no `@variables`; only tables the
catalog has), then on the DuckDB text by DuckDB's own parser (exactly one statement, of type SELECT). The
database's own switches (see `database.connect`) and the rolled-back transaction each query runs in are
the layers behind these two.
"""

from __future__ import annotations

import duckdb
from sqlglot import exp

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.catalog.model import did_you_mean
from vgpt2_ext.sandbox.result import RunError, first_line

_WRITES = (exp.DML, exp.DDL, exp.Drop, exp.Alter, exp.TruncateTable, exp.Command)


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
    """The catalog objects `query` reads, in the catalog's spelling; refuses writes nested in the query
    (`WITH x AS (DELETE … OUTPUT …)`, SELECT … INTO), variables and anything but tables in FROM."""
    ctes: set[str] = set()
    tables: list[exp.Table] = []
    for node in query.walk():
        _refuse_writes_and_variables(node)
        if isinstance(node, exp.CTE):
            ctes.add(node.alias_or_name.lower())
        elif isinstance(node, exp.Table):
            tables.append(node)
    found = []
    for table in tables:
        name = _table_name(table)
        if name.lower() in ctes:
            continue
        obj = catalog.find(name)
        if obj is None:
            raise RunError("runtime", f"unknown table `{name}`" + did_you_mean(catalog.suggest_objects(name)))
        found.append(obj.name)
    return list(dict.fromkeys(found))


def _refuse_writes_and_variables(node: exp.Expression) -> None:
    if isinstance(node, _WRITES):
        raise RunError("refused", f"`{_leading_word(node)}` inside the query writes; the sandbox runs read-only "
                                  "queries")
    if isinstance(node, exp.Select) and node.args.get("into"):
        raise RunError("refused", f"SELECT … INTO `{node.args['into'].this.sql('tsql')}` writes a table; "
                                  "select the rows instead")
    if isinstance(node, (exp.Parameter, exp.Placeholder, exp.SessionParameter)):
        raise RunError("refused", f"variable `{node.sql('tsql')}`: the sandbox runs self-contained queries, put "
                                  "the value in the SQL")


def _table_name(table: exp.Table) -> str:
    if isinstance(table.this, exp.Identifier):
        return table.name
    function = table.this
    if isinstance(function, exp.Anonymous):
        name = function.name
    elif isinstance(function, exp.Func):
        name = function.sql_name()
    else:
        name = function.sql("tsql")
    raise RunError("refused", f"table function `{name.lower()}` in FROM: only the catalog's tables and "
                              "views can be read")


def duckdb_select(sql: str) -> None:
    """DuckDB's own parser must see exactly one SELECT in the text about to run."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise RunError("runtime", f"DuckDB cannot parse the translated query: {first_line(error)}") from None
    kinds = [s.type.name for s in statements]
    if kinds != ["SELECT"]:
        raise RunError("refused", f"DuckDB reads the translated text as {kinds}; only a single SELECT runs")


def _leading_word(statement: exp.Expression) -> str:
    text = statement.sql("tsql").split()
    return text[0].upper() if text else type(statement).__name__.upper()
