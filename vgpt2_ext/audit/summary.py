"""The audit at a glance: rows by verdict, the most frequent missing names, reasons by category, repairs;
as `AUDIT.json` (stable keys), `AUDIT.md` (what a person reads) and a chart of the top missing names.

Missing names are counted once per row, over the answers a model is trained towards (an SFT answer, a pair's
chosen answer), as the row was read; the rejected answers' failures are counted apart, as what the pairs
teach against. Nothing here depends on time or on the machine, so the same input gives the same files.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from vgpt2_ext.audit.verdict import ALL_REASONS, PAIR_REASONS, RowVerdict

TOP = 20
CHART_TOP = 15
VERDICTS = ("pass", "repaired", "fail")
TRAINED = ("answer", "chosen")  # the roles whose text a model learns to produce
CATEGORY_OF = {"sql_parse": "syntax", "sql_dialect": "syntax", "unknown_table": "grounding",
               "unknown_column": "grounding", "ambiguous_column": "grounding", "sql_execution": "execution",
               "no_sql": "answer", "empty": "answer", "broken_sql_valid": "answer"}
CATEGORIES = ("syntax", "grounding", "house style", "execution", "prose", "refusal", "answer", "preference", "other")


def category(reason: str) -> str:
    """The kind of a failure reason, for the summary's grouping (an unknown code counts as `other`)."""
    if reason in CATEGORY_OF:
        return CATEGORY_OF[reason]
    prefixes = (("style_", "house style"), ("prose_", "prose"), ("missing_", "refusal"), ("alternative_", "refusal"))
    found = next((name for prefix, name in prefixes if reason.startswith(prefix)), None)
    return found or ("preference" if reason in PAIR_REASONS else "other")


@dataclass
class Tally:
    """Counts over the verdicts, added one row at a time (the rows stream; the tally stays small)."""

    ranking: bool = False
    verdicts: Counter = field(default_factory=Counter)
    names: Counter = field(default_factory=Counter)  # missing name -> rows
    repaired_names: Counter = field(default_factory=Counter)
    closest: dict = field(default_factory=dict)  # missing name -> closest real names (first seen)
    columns: Counter = field(default_factory=Counter)  # missing column name (`Co`) -> rows, over all tables
    column_tables: dict = field(default_factory=lambda: defaultdict(set))  # `Co` -> tables it is missing from
    reasons: Counter = field(default_factory=Counter)  # (reason, role) -> rows
    repairs: Counter = field(default_factory=Counter)  # rule -> repaired rows
    naming_missing: int = 0  # rows whose trained answer names an object the catalog lacks

    def add(self, verdict: RowVerdict) -> None:
        self.verdicts[verdict.verdict] += 1
        self.reasons.update({(f.reason, f.role) for f in verdict.failures})
        self.reasons.update({(f.reason, "rejected") for f in verdict.teaches})
        if verdict.verdict == "repaired":
            self.repairs.update({fix.rule for fix in verdict.fixes})
        missing = {m.name: m for f in verdict.failures if f.role in TRAINED for m in f.missing}
        self.naming_missing += bool(missing)
        self.names.update(missing.keys())
        if verdict.verdict == "repaired":
            self.repaired_names.update(missing.keys())
        for name, found in missing.items():
            self.closest.setdefault(name, list(found.suggestions))
            table, _, column = name.rpartition(".")
            if table:
                self.column_tables[column].add(table)
        self.columns.update({name.rpartition(".")[2] for name in missing if "." in name})

    @property
    def rows(self) -> int:
        return sum(self.verdicts.values())

    def to_json(self, meta: dict) -> dict:
        """The summary under stable keys, `meta` (input, catalog, options, files) first."""
        kept = self.verdicts["pass"] + self.verdicts["repaired"]
        repairs = dict(sorted(self.repairs.items(), key=lambda kv: (-kv[1], kv[0])))
        found = {**meta, "rows": self.rows, "verdicts": {v: self.verdicts[v] for v in VERDICTS}, "kept": kept,
                 "naming_missing": self.naming_missing, "top_missing": self._top(), "missing_columns": self._columns(),
                 "reasons": self._reasons(), "repairs": repairs}
        if self.ranking:
            found["preference"] = {reason: self.reasons[(reason, "pair")] for reason in PAIR_REASONS}
        return found

    def _top(self) -> list[dict]:
        ranked = sorted(self.names.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
        return [{"name": name, "rows": rows, "repaired": self.repaired_names[name], "closest": self.closest[name]}
                for name, rows in ranked]

    def _columns(self) -> list[dict]:
        """Missing columns by name across tables (`Co` on APTH, ARCM, PRTH ...), most rows first."""
        ranked = sorted(self.columns.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        return [{"column": column, "rows": rows, "tables": len(self.column_tables[column]),
                 "examples": sorted(self.column_tables[column], key=lambda t: (-self.names[f"{t}.{column}"], t))[:5]}
                for column, rows in ranked]

    def _reasons(self) -> list[dict]:
        by_reason: dict[str, Counter] = defaultdict(Counter)
        for (reason, role), count in self.reasons.items():
            by_reason[reason][role] += count
        order = sorted(by_reason, key=lambda r: (CATEGORIES.index(category(r)), -sum(by_reason[r].values()), r))
        return [{"category": category(reason), "reason": reason, "rows": dict(sorted(by_reason[reason].items())),
                 "means": ALL_REASONS.get(reason, "")} for reason in order]


# -- AUDIT.md ---------------------------------------------------------------------------------------------
def markdown(summary: dict) -> str:
    """AUDIT.md: the verdicts, what the rows name that does not exist, why rows fail, what was repaired."""
    source, catalog, rows = summary["input"], summary["catalog"], summary["rows"]
    lines = [f"# Audit of `{source['name']}`", "",
             f"`{source['path']}` ({source['shape']}, {rows:,} rows) proven against catalog `{catalog['name']}` "
             f"(`{catalog['source']}`, {catalog['objects']:,} objects); repair {'on' if summary['repair'] else 'off'}.",
             "", "| verdict | rows | share |", "| --- | ---: | ---: |"]
    lines += [f"| {verdict} | {n:,} | {_share(n, rows)} |" for verdict, n in summary["verdicts"].items()]
    lines += [f"| **kept in the clean copy** | **{summary['kept']:,}** | **{_share(summary['kept'], rows)}** |", ""]
    trained = "chosen answer" if "preference" in summary else "answer"
    lines.append(f"Rows whose {trained} names a table or column the catalog lacks: **{summary['naming_missing']:,}** "
                 f"({_share(summary['naming_missing'], rows)}).")
    if "preference" in summary:
        pref = summary["preference"]
        lines.append(f"Pairs teaching the wrong preference: {pref['chosen_fails']:,} whose chosen answer fails, "
                     f"{pref['fail_alike']:,} whose answers fail alike; teaching none: {pref['rejected_passes']:,} "
                     f"whose rejected answer passes, {pref['identical']:,} identical.")
    return "\n".join(lines + ["", *_missing_section(summary), *_reason_section(summary),
                              *_repair_section(summary), *_files_section(summary)]) + "\n"


def _missing_section(summary: dict) -> list[str]:
    if not summary["top_missing"]:
        return ["## Missing names", "", "None: every table and column the answers name exists.", ""]
    lines = ["## Most frequent missing names", "", "| name | rows | repaired | closest real names |",
             "| --- | ---: | ---: | --- |"]
    lines += [f"| `{m['name']}` | {m['rows']:,} | {m['repaired']:,} | {_names(m['closest'][:3]) or '-'} |"
              for m in summary["top_missing"]]
    columns = ", ".join(f"`{c['column']}` on {c['tables']} table(s) ({c['rows']:,} rows: {_names(c['examples'])})"
                        for c in summary["missing_columns"][:5])
    lines += ["", f"By column name: {columns}." if columns else "", "",
              f"![top missing names]({summary['files']['chart']})" if summary["files"].get("chart") else "", ""]
    return lines


def _reason_section(summary: dict) -> list[str]:
    roles = sorted({role for r in summary["reasons"] for role in r["rows"]}, key=("answer", "chosen", "pair",
                                                                                   "rejected").index)
    lines = ["## Reasons", "", "| category | reason | " + " | ".join(f"{role} rows" for role in roles) + " | means |",
             "| --- | --- | " + " | ".join("---:" for _ in roles) + " | --- |"]
    lines += [f"| {r['category']} | `{r['reason']}` | " + " | ".join(f"{r['rows'].get(role, 0):,}" for role in roles)
              + f" | {r['means']} |" for r in summary["reasons"]]
    if "rejected" in roles:
        lines += ["", "`rejected rows` counts what the rejected answers fail: what the pairs teach against."]
    return [*lines, ""] if summary["reasons"] else []


def _repair_section(summary: dict) -> list[str]:
    if not summary["repair"]:
        return ["Repair was off (`--repair` rewrites what has one right answer).", ""]
    lines = ["## Repairs", "", "| rule | repaired rows |", "| --- | ---: |"]
    lines += [f"| `{rule}` | {n:,} |" for rule, n in summary["repairs"].items()] or ["| (none) | 0 |"]
    return [*lines, ""]


def _files_section(summary: dict) -> list[str]:
    files = summary["files"]
    return ["## Files", "", f"- `{files['clean']}`: the {summary['kept']:,} proven rows, registered as "
            f"`{summary['dataset']}` in `{files['registry']}`",
            f"- `{files['rejected']}`: the failing rows with their reasons", f"- `{files['verdicts']}`: every row's "
            "verdict, failures and repairs", ""]


def _share(n: int, total: int) -> str:
    return f"{n / total:.1%}" if total else "-"


def _names(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


# -- the chart --------------------------------------------------------------------------------------------
def write_chart(summary: dict, path: Path) -> None:
    """Horizontal bars of the top missing names: rows naming each, the repaired part in another colour."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    top = summary["top_missing"][:CHART_TOP]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(top) + 1.4))
    names = [m["name"] for m in top]
    ax.barh(names, [m["rows"] - m["repaired"] for m in top], color="#c62828", label="not repaired")
    ax.barh(names, [m["repaired"] for m in top], left=[m["rows"] - m["repaired"] for m in top], color="#2e7d32",
            label="repaired")
    ax.invert_yaxis()
    ax.set_xlabel("rows naming it")
    ax.set_title(f"top missing names in {summary['input']['name']} ({summary['naming_missing']:,} of "
                 f"{summary['rows']:,} rows name one)", fontsize=10)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
