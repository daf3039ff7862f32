"""The functions model-written SQL may call in the sandbox: an allow-list, not a deny-list.

The T-SQL tree names a function either as a sqlglot class (`LEN` -> `exp.Length`, `REPLICATE` -> `exp.Repeat`)
or, when sqlglot has no class for it, as `exp.Anonymous` with its name (`PATINDEX`). A call passes only when
its class is in `SCALAR` or its name in `NAMED`; a function in a relation's place (FROM, JOIN, APPLY,
LATERAL) only when its class is in `TABLE`. What is listed is SQL Server's built-in arithmetic, text, date,
conversion, aggregate and window functions and the classes sqlglot builds for plain syntax (AND, CASE,
CAST); what is not — DuckDB's `query()`, `read_csv()`, `duckdb_settings()`, `current_setting()`, `getenv()`,
`pragma_*()`, and any name added to DuckDB tomorrow — is refused before DuckDB sees the text.
"""

from __future__ import annotations

from sqlglot import exp

_LOGIC = (exp.And, exp.Or, exp.Xor, exp.Case, exp.If, exp.Coalesce, exp.Nullif, exp.Greatest, exp.Least,
          exp.Cast, exp.TryCast, exp.Convert, exp.Collate, exp.Exists)
_AGGREGATES = (exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.Stddev, exp.StddevPop, exp.StddevSamp,
               exp.Variance, exp.VariancePop, exp.GroupConcat, exp.Grouping, exp.ApproxDistinct)
_WINDOWS = (exp.RowNumber, exp.Rank, exp.DenseRank, exp.Ntile, exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue,
            exp.NthValue, exp.PercentRank, exp.CumeDist, exp.PercentileCont, exp.PercentileDisc)
_TEXT = (exp.Length, exp.Left, exp.Right, exp.Substring, exp.Upper, exp.Lower, exp.Trim, exp.Replace,
         exp.StrPosition, exp.Concat, exp.ConcatWs, exp.Repeat, exp.Space, exp.Reverse, exp.Stuff, exp.Ascii,
         exp.Chr, exp.Unicode, exp.Soundex, exp.Translate, exp.TimeToStr, exp.NumberToStr)
_DATES = (exp.CurrentTimestamp, exp.CurrentDate, exp.CurrentDatetime, exp.CurrentTimestampLTZ, exp.CurrentTime,
          exp.DateAdd, exp.DateDiff, exp.DateSub, exp.Extract, exp.Year, exp.Month, exp.Day, exp.Quarter,
          exp.Week, exp.DayOfWeek, exp.LastDay, exp.DateFromParts, exp.TimestampFromParts, exp.TimeFromParts,
          exp.TimestampTrunc, exp.DateTrunc, exp.TsOrDsToDate, exp.TimeStrToTime, exp.StrToTime, exp.StrToDate)
_MATH = (exp.Abs, exp.Round, exp.Ceil, exp.Floor, exp.Pow, exp.Sqrt, exp.Sign, exp.Exp, exp.Ln, exp.Log, exp.Pi,
         exp.Rand, exp.Sin, exp.Cos, exp.Tan, exp.Asin, exp.Acos, exp.Atan, exp.Atan2, exp.Degrees, exp.Radians,
         exp.Cot)
_OTHER = (exp.Uuid, exp.JSONExtractScalar, exp.JSONExtract, exp.SHA2, exp.MD5)

SCALAR: frozenset[type[exp.Func]] = frozenset(_LOGIC + _AGGREGATES + _WINDOWS + _TEXT + _DATES + _MATH + _OTHER)

# SQL Server built-ins sqlglot reads as anonymous calls (upper case); DuckDB either has a harmless function of
# that name or none (then the run fails as a runtime error, which is the truth about the sandbox)
NAMED: frozenset[str] = frozenset({
    "BINARY_CHECKSUM", "CHECKSUM", "CHECKSUM_AGG", "CHOOSE", "DATALENGTH", "DATETIME2FROMPARTS", "DIFFERENCE",
    "GETUTCDATE", "ISDATE", "ISJSON", "ISNUMERIC", "NCHAR", "PARSE", "PATINDEX", "QUOTENAME",
    "SMALLDATETIMEFROMPARTS", "STDEVP", "STR", "SYSUTCDATETIME", "TRY_PARSE", "VAR", "VARP",
})

# table-valued functions that may stand where a table does (SQL Server 2022's GENERATE_SERIES)
TABLE: frozenset[type[exp.Func]] = frozenset({exp.GenerateSeries})


def allowed_scalar(node: exp.Func) -> bool:
    if isinstance(node, exp.Anonymous):
        return node.name.upper() in NAMED
    return type(node) in SCALAR or type(node) in TABLE


def allowed_table(node: exp.Expression) -> bool:
    return type(node) in TABLE


def function_name(node: exp.Expression) -> str:
    """The name a reader knows the call by (`read_csv`, `duckdb_settings`), lower case."""
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return node.sql("tsql").split("(")[0].lower()
