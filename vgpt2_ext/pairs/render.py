"""One printer for every query a pair holds, so chosen and rejected differ only where a corruption changed them.

A SELECT prints one clause per line, as the house style writes queries (`SELECT TOP n ...`, `FROM ...`, each
join, `WHERE a` then `  AND b` per top-level conjunct, `GROUP BY`, `HAVING`, `ORDER BY`); anything else
(UNION, CTEs) prints on one line. The dialect is sqlglot's: `tsql`, or `mysql` for a dialect slip, where TOP
becomes a final `LIMIT n` line.

>>> import sqlglot
>>> print(render(sqlglot.parse_one("select top 3 a from APTH WITH (NOLOCK) where APCo = 1 and Mth > 0", "tsql")))
SELECT TOP 3 a
FROM APTH WITH (NOLOCK)
WHERE APCo = 1
  AND Mth > 0;
"""

from __future__ import annotations

from sqlglot import exp

CLAUSES = ("group", "having", "order")
FROM = "from_" if "from_" in exp.Select.arg_types else "from"  # sqlglot renamed the key in 27.x


def render(tree: exp.Expression, dialect: str = "tsql") -> str:
    """`tree` as SQL text in `dialect`, ending with `;`."""
    if not isinstance(tree, exp.Select) or tree.args.get("with_") or tree.args.get("with"):
        return tree.sql(dialect=dialect) + ";"
    top = tree.args.get("limit")
    lines = [_head(tree, keep_top=dialect == "tsql").sql(dialect=dialect)]
    if tree.args.get(FROM) is not None:
        lines.append(tree.args[FROM].sql(dialect=dialect))
    lines += [join.sql(dialect=dialect) for join in tree.args.get("joins") or ()]
    lines += _where(tree.args.get("where"), dialect)
    lines += [tree.args[key].sql(dialect=dialect) for key in CLAUSES if tree.args.get(key) is not None]
    if top is not None and dialect != "tsql":
        lines.append(top.sql(dialect=dialect))
    return "\n".join(lines) + ";"


def _head(tree: exp.Select, keep_top: bool) -> exp.Select:
    head = tree.copy()
    for key in (FROM, "joins", "where", *CLAUSES, *(() if keep_top else ("limit",))):
        head.set(key, None)
    return head


def _where(where: exp.Where | None, dialect: str) -> list[str]:
    if where is None:
        return []
    conjuncts = list(where.this.flatten(unnest=False)) if isinstance(where.this, exp.And) else [where.this]
    first, *rest = (conjunct.sql(dialect=dialect) for conjunct in conjuncts)
    return [f"WHERE {first}", *(f"  AND {text}" for text in rest)]
