"""T-SQL analysis with sqlglot: parsing, what a query references, grounding against the catalog, house style.

    analyze(sql, catalog)            -> Analysis: tables, resolved columns, join pairs, filters, NOLOCK, slips
    ground(sql | analysis, catalog)  -> Grounding: unknown tables/columns with the closest real names
    style_violations(analysis, cat)  -> [StyleViolation]: views over base tables, NOLOCK, company filter
    extract_sql(answer)              -> [str]: SQL from a chat answer (fenced blocks or bare statements)
    bind(sql, {"APCo": "1"})         -> str: variables replaced by literals, for the sandbox
"""

from __future__ import annotations

from vgpt2_ext.sql.analysis import analyze
from vgpt2_ext.sql.binding import bind, variables
from vgpt2_ext.sql.extract import Extracted, extract_blocks, extract_sql
from vgpt2_ext.sql.grounding import Grounding, Unknown, column_suggestions, ground
from vgpt2_ext.sql.model import Analysis, ColumnRef, Filter, JoinPair, Slip, TableRef
from vgpt2_ext.sql.parse import incomplete, parse_any, parse_tsql, tokenize
from vgpt2_ext.sql.style import StyleViolation, style_violations

__all__ = [
    "Analysis", "ColumnRef", "Extracted", "Filter", "Grounding", "JoinPair", "Slip", "StyleViolation", "TableRef",
    "Unknown", "analyze", "bind", "column_suggestions", "extract_blocks", "extract_sql", "ground", "incomplete",
    "parse_any", "parse_tsql", "style_violations", "tokenize", "variables",
]
