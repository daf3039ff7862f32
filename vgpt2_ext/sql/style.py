"""House style: how a site wants its queries written, judged per `catalog.style` (each switch can be off).

- `prefer_views`: query the view (`APTH`), not the base table behind it (`bAPTH`).
- `require_nolock`: every table reference carries `WITH (NOLOCK)`.
- `require_company_filter`: each table's company column is constrained, by a filter (`h.APCo = @APCo`) or
  by a join equating it to a constrained company column (`l.APCo = h.APCo`).

Each rule is a small function of (analysis, catalog) in `STYLE_RULES`; a violation names the table
reference and says how to fix it.

>>> from vgpt2_ext.catalog import load_catalog
>>> [v.message for v in style_violations("SELECT APCo FROM bAPTH WITH (NOLOCK) WHERE APCo = 1", load_catalog())]
['`bAPTH` is a base table: query its view `APTH` instead']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vgpt2_ext.sql.analysis import analyze
from vgpt2_ext.sql.model import Analysis, TableRef

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog


@dataclass(frozen=True)
class StyleViolation:
    rule: str  # the `HouseStyle` switch: prefer_views | require_nolock | require_company_filter
    table: str  # the reference as a message names it: `APTL l`
    message: str  # what is wrong and how to fix it


def prefer_views(analysis: Analysis, catalog: Catalog) -> list[StyleViolation]:
    if not catalog.style.prefer_views:
        return []
    found = []
    for ref in _known(analysis):
        obj = catalog.find(ref.name)
        view = catalog.view_of(ref.name) if obj is not None and obj.kind == "table" else None
        if view is not None:
            found.append(StyleViolation("prefer_views", ref.label,
                                        f"`{ref.name}` is a base table: query its view `{view.name}` instead"))
    return found


def require_nolock(analysis: Analysis, catalog: Catalog) -> list[StyleViolation]:
    if not catalog.style.require_nolock:
        return []
    return [StyleViolation("require_nolock", ref.label, f"`{ref.label}` lacks WITH (NOLOCK): write "
                           f"`{ref.label} WITH (NOLOCK)`") for ref in _known(analysis) if not ref.nolock]


def require_company_filter(analysis: Analysis, catalog: Catalog) -> list[StyleViolation]:
    if not catalog.style.require_company_filter:
        return []
    constrained = _constrained(analysis)
    found = []
    for ref in _known(analysis):
        obj = catalog.find(ref.name)
        company = obj.company_column if obj is not None else None
        if company is not None and f"{ref.name}.{company.name}".lower() not in constrained:
            alias = ref.alias or ref.name
            found.append(StyleViolation(
                "require_company_filter", ref.label,
                f"company column `{ref.name}.{company.name}` is unconstrained: filter it "
                f"(`{alias}.{company.name} = @{company.name}`) or join it to a filtered company column"))
    return found


STYLE_RULES: tuple[Callable[[Analysis, Catalog], list[StyleViolation]], ...] = (
    prefer_views, require_nolock, require_company_filter,
)


def style_violations(analysis: Analysis | str, catalog: Catalog) -> list[StyleViolation]:
    """Every house-style violation of `analysis` (or SQL text) under `catalog.style`, rule by rule."""
    if isinstance(analysis, str) or analysis.catalog != catalog.fingerprint:
        analysis = analyze(analysis if isinstance(analysis, str) else analysis.sql, catalog)
    return [violation for rule in STYLE_RULES for violation in rule(analysis, catalog)]


def _known(analysis: Analysis) -> list[TableRef]:
    """Distinct catalog table references (unknown ones are grounding's business, temp tables the user's)."""
    return list({(ref.name, ref.alias): ref for ref in analysis.table_refs if ref.known}.values())


def _constrained(analysis: Analysis) -> set[str]:
    """Columns (`table.column`, lower case) fixed by a conjunctive filter, closed over the join pairs."""
    constrained = {f.column.lower() for f in analysis.filters if f.conjunctive}
    growing = True
    while growing:
        growing = False
        for pair in analysis.joins:
            left, right = pair.left.lower(), pair.right.lower()
            if (left in constrained) != (right in constrained):
                constrained |= {left, right}
                growing = True
    return constrained
