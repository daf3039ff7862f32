"""T-SQL DDL (one `.sql` file or a folder of them, e.g. a Redgate or SSMS script dump) -> a `Catalog`.

Statements are parsed with sqlglot (dialect `tsql`); what they mean:
- `CREATE TYPE [dbo].[bCompany] FROM [tinyint] NOT NULL` defines a Vista domain: columns of that type get
  `domain` = its name and `sql_type` = its base type.
- `CREATE TABLE` gives columns (type, nullability) and inline PRIMARY KEY / UNIQUE / FOREIGN KEY / CHECK
  constraints; storage clauses (`ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]`) are dropped first, as they carry
  no schema facts and sqlglot does not read all of them.
- `CREATE UNIQUE [CLUSTERED] INDEX` and `ALTER TABLE ... ADD CONSTRAINT` (PRIMARY KEY, UNIQUE) add keys; a
  FOREIGN KEY adds a declared relationship; `CHECK (c = 'A' OR c = 'B')` / `CHECK (c IN (...))` gives codes.
- `CREATE VIEW` gives columns from its select list; a view over one base table gets the view -> base link
  and that table's keys.
Everything else (procedures, triggers, grants, SET options) is skipped. Tables and types must parse; a
view sqlglot cannot read keeps its name, without columns.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from vgpt2_ext.catalog.ddl_resolve import Dump, TableSpec, resolve
from vgpt2_ext.catalog.ddl_script import Statement, read_statements, script_files
from vgpt2_ext.catalog.model import Catalog, Code, Relationship, canonical_type, normalise_name
from vgpt2_ext.errors import CatalogError


def load_ddl_catalog(path: Path) -> Catalog:
    """The catalog a `.sql` file or a folder of them (searched recursively, as dumps nest Tables/, Types/,
    Views/) declares; named after the file or folder."""
    files = script_files(path)
    if not files:
        raise CatalogError(f"`{path}` holds no `.sql` files")
    dump = Dump()
    with _quiet_sqlglot():
        for file in files:
            for statement in read_statements(file):
                _read(dump, statement)
        objects, relationships = resolve(dump)
    if not dump.tables and not dump.views:
        raise CatalogError(f"`{path}` declares no table or view: no `CREATE TABLE` or `CREATE VIEW` statement "
                           "was found in its T-SQL (is it a DDL script?)")
    name = path.stem if path.is_file() else path.name
    try:
        return Catalog(name=name, objects=objects, source=str(path), declared_relationships=relationships,
                       complete=True)
    except CatalogError as error:
        raise CatalogError(f"`{path}`: {error}") from None


@contextmanager
def _quiet_sqlglot():
    """sqlglot logs a warning for each statement it reads as a bare Command; we report our own errors."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _read(dump: Dump, statement: Statement) -> None:
    words = statement.words
    if words[:2] == ("CREATE", "TABLE"):
        _read_table(dump, statement)
    elif words[:2] == ("CREATE", "TYPE"):
        _read_type(dump, statement)
    elif words[:1] == ("CREATE",) and "INDEX" in words:
        _read_index(dump, statement)
    elif words[:2] == ("ALTER", "TABLE"):
        _read_alter(dump, statement)
    elif words[:1] in (("CREATE",), ("ALTER",)) and "VIEW" in words[:4]:
        _read_view(dump, statement)


def _parse(text: str, statement: Statement, what: str):
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        tree = sqlglot.parse_one(text, read="tsql")
    except SqlglotError as error:
        raise CatalogError(f"{statement.where}: {what} does not parse: {str(error).splitlines()[0]}") from None
    except RecursionError:
        raise CatalogError(f"{statement.where}: {what} nests too deeply for the parser") from None
    if isinstance(tree, exp.Command):
        raise CatalogError(f"{statement.where}: {what} uses syntax sqlglot cannot read: `{text[:80]}`")
    return tree


# -- statements -----------------------------------------------------------------------------------------
def _read_type(dump: Dump, statement: Statement) -> None:
    """CREATE TYPE name FROM base [NOT] NULL; table types (`AS TABLE`) declare no domain and are skipped."""
    texts = [t.text.upper() for t in statement.tokens]
    if "FROM" not in texts:
        return
    split = texts.index("FROM")
    name = statement.name_after("TYPE")
    rest = list(statement.tokens[split + 1:])
    nullable = not (len(rest) >= 2 and [t.text.upper() for t in rest[-2:]] == ["NOT", "NULL"])
    while rest and rest[-1].text.upper() in ("NOT", "NULL"):
        rest.pop()
    try:
        base = canonical_type(_type_text(rest))
    except CatalogError as error:
        raise CatalogError(f"{statement.where}: type `{name}`: {error}") from None
    dump.types[name.lower()] = (name, base, nullable)


def _type_text(tokens: list) -> str:
    """`varchar`, `(`, `10`, `)` -> `varchar(10)`; `double`, `precision` -> `double precision`."""
    text = ""
    for token in tokens:
        glued = token.text in "()," or text.endswith(("(", ","))
        text += token.text if glued or not text else f" {token.text}"
    return text


def _read_table(dump: Dump, statement: Statement) -> None:
    from sqlglot import exp

    tree = _parse(_without_storage(statement), statement, "CREATE TABLE")
    schema = tree.this
    name = schema.this.name
    if name.lower() in dump.tables:
        raise CatalogError(f"{statement.where}: table `{name}` is created again "
                           f"(first at {dump.tables[name.lower()].where})")
    table = TableSpec(name, [], statement.where)
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            table.columns.append((item.name, item.args.get("kind"), _nullability(item)))
            for constraint in item.find_all(exp.ColumnConstraint):
                _column_constraint(dump, table, item.name, constraint)
        else:
            _constraint(dump, table, item)  # named (CONSTRAINT [PK] ...) or not (PRIMARY KEY (...))
    dump.tables[name.lower()] = table


def _without_storage(statement: Statement) -> str:
    """`CREATE TABLE t (...)` without what follows its column list (`ON [PRIMARY] TEXTIMAGE_ON ...`)."""
    from sqlglot.tokens import TokenType

    depth = 0
    for token in statement.tokens:
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
        if token.token_type == TokenType.R_PAREN and depth == 0:
            return statement.text[:token.end + 1 - statement.tokens[0].start]
    raise CatalogError(f"{statement.where}: CREATE TABLE has no column list")


def _read_index(dump: Dump, statement: Statement) -> None:
    tree = _parse(statement.text, statement, "CREATE INDEX")
    params = tree.this.args.get("params")
    if not tree.args.get("unique") or params is None or params.args.get("where"):
        return  # only unique, unfiltered indexes are keys
    columns = tuple(o.this.name for o in params.args.get("columns") or ())
    _add_key(dump, tree.this.args["table"].name, "CLUSTERED" in statement.words, columns, statement)


def _read_alter(dump: Dump, statement: Statement) -> None:
    from sqlglot import exp

    if not _adds_facts(statement):
        return  # defaults, [NO]CHECK CONSTRAINT (enabling a constraint), SET (LOCK_ESCALATION ...): no schema facts
    tree = _parse(_without_check_option(statement), statement, "ALTER TABLE")
    table = dump.tables.get(normalise_name(tree.this.name))
    if table is None:
        raise CatalogError(f"{statement.where}: ALTER TABLE `{tree.this.name}` before its CREATE TABLE")
    for constraint in tree.find_all(exp.Constraint):
        _constraint(dump, table, constraint)


def _adds_facts(statement: Statement) -> bool:
    """ADD of a PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK (...) constraint."""
    from sqlglot.tokens import TokenType

    tokens = statement.tokens
    declares = {TokenType.PRIMARY_KEY, TokenType.UNIQUE, TokenType.FOREIGN_KEY}
    checks = any(a.text.upper() == "CHECK" and b.token_type == TokenType.L_PAREN for a, b in zip(tokens, tokens[1:]))
    return any(t.text.upper() == "ADD" for t in tokens) and (checks or any(t.token_type in declares for t in tokens))


def _without_check_option(statement: Statement) -> str:
    """`ALTER TABLE t WITH NOCHECK ADD ...` -> `ALTER TABLE t ADD ...` (the option only says whether SQL
    Server re-validated existing rows; sqlglot does not read it)."""
    words = [t.text.upper() for t in statement.tokens]
    for i in range(len(words) - 1):
        if words[i] == "WITH" and words[i + 1] in ("CHECK", "NOCHECK"):
            start, end = statement.tokens[i].start, statement.tokens[i + 1].end
            offset = statement.tokens[0].start
            return statement.text[:start - offset] + statement.text[end + 1 - offset:]
    return statement.text


def _read_view(dump: Dump, statement: Statement) -> None:
    try:
        tree = _parse(statement.text, statement, "CREATE VIEW")
    except CatalogError:
        tree = None  # a view sqlglot cannot read keeps its name, without columns
    name = statement.name_after("VIEW")
    dump.views[name.lower()] = (name, tree)


# -- constraints ----------------------------------------------------------------------------------------
def _column_constraint(dump: Dump, table: TableSpec, column: str, constraint) -> None:
    from sqlglot import exp

    kind = constraint.args.get("kind")
    if isinstance(kind, (exp.PrimaryKeyColumnConstraint, exp.UniqueColumnConstraint)):
        table.keys.append((isinstance(kind, exp.PrimaryKeyColumnConstraint), (column,)))
    elif isinstance(kind, exp.CheckColumnConstraint):
        _check_codes(dump, table.name, kind.this)


def _constraint(dump: Dump, table: TableSpec, constraint) -> None:
    """A table constraint: PRIMARY KEY / UNIQUE (a key), FOREIGN KEY (a relationship), CHECK (codes)."""
    from sqlglot import exp

    primary = constraint.find(exp.PrimaryKeyColumnConstraint, exp.PrimaryKey) is not None
    if primary or constraint.find(exp.UniqueColumnConstraint):
        # SQL Server clusters a primary key unless told NONCLUSTERED, and a unique constraint unless told so
        clustered = constraint.find(exp.ClusteredColumnConstraint) is not None or (
            primary and constraint.find(exp.NonClusteredColumnConstraint) is None)
        table.keys.append((clustered, _key_columns(constraint)))
    for foreign in constraint.find_all(exp.ForeignKey):
        reference = foreign.args["reference"].this
        dump.foreign_keys.append(Relationship(
            table.name, tuple(i.name for i in foreign.expressions), reference.this.name,
            tuple(i.name for i in reference.expressions), "declared"))
    for check in constraint.find_all(exp.CheckColumnConstraint):
        _check_codes(dump, table.name, check.this)


def _key_columns(constraint) -> tuple[str, ...]:
    """The columns of a key constraint: `([APCo] ASC, [Mth])` as sqlglot's Ordered items, or bare names."""
    from sqlglot import exp

    ordered = [o.this.name for o in constraint.find_all(exp.Ordered)]
    if ordered:
        return tuple(ordered)
    key = constraint.find(exp.PrimaryKey, exp.UniqueColumnConstraint)
    return tuple(i.name for i in key.find_all(exp.Identifier)) if key else ()


def _check_codes(dump: Dump, table: str, condition) -> None:
    """`c = 'A' OR c = 'B'` or `c IN ('A', 'B')` (NULL allowed) -> codes of c, meanings unknown; any other
    condition is a rule, not a list of codes."""
    from sqlglot import exp

    columns, values = set(), []
    for term in _disjuncts(condition):
        if isinstance(term, exp.EQ) and isinstance(term.this, exp.Column) and isinstance(term.expression, exp.Literal):
            columns.add(term.this.name.lower())
            values.append(term.expression.this)
        elif isinstance(term, exp.In) and isinstance(term.this, exp.Column):
            columns.add(term.this.name.lower())
            values += [v.this for v in term.expressions if isinstance(v, exp.Literal)]
        elif not (isinstance(term, exp.Is) and isinstance(term.this, exp.Column)):
            return
    if len(columns) == 1 and values:
        dump.codes[(table.lower(), columns.pop())] = tuple(Code(str(v), "") for v in dict.fromkeys(values))


def _disjuncts(condition) -> list:
    from sqlglot import exp

    node = condition.unnest()
    return _disjuncts(node.this) + _disjuncts(node.expression) if isinstance(node, exp.Or) else [node]


def _add_key(dump: Dump, table_name: str, clustered: bool, columns: tuple[str, ...], statement: Statement):
    table = dump.tables.get(normalise_name(table_name))
    if table is None:
        raise CatalogError(f"{statement.where}: index on `{table_name}` before its CREATE TABLE")
    table.keys.append((clustered, columns))


def _nullability(column) -> bool | None:
    from sqlglot import exp

    found = column.find(exp.NotNullColumnConstraint)
    return None if found is None else bool(found.args.get("allow_null"))
