"""Plausible wrong names for a real column: how people misremember Vista's abbreviations.

Vista abbreviates (`InvTotal`, `Mth`, `CmtdCost`, `JCCo`); people and models expand, shorten or decorate
(`InvoiceTotal`, `Month`, `CommittedCost`, `JobCompany`, `VendorID`, `IsActive`). The error-correction and
hallucination builders use these to write questions about columns that do not exist, and the proof checks
that each one really is missing from its table.
"""

from __future__ import annotations

import re

# Vista's abbreviation -> what people write instead (both directions are tried)
EXPANSIONS = {
    "Inv": "Invoice", "Amt": "Amount", "Desc": "Description", "Mth": "Month", "Co": "Company",
    "Cmtd": "Committed", "Orig": "Original", "Curr": "Current", "Cur": "Current", "Est": "Estimated",
    "Trans": "Transaction", "Cust": "Customer", "Acct": "Account", "Num": "Number", "Recvd": "Received",
    "Hrs": "Hours", "Dept": "Department", "Matl": "Material", "Equip": "Equipment", "Pct": "Percent",
    "Ret": "Retention", "Proj": "Projected", "Remain": "Remaining", "Seq": "Sequence", "Qty": "Quantity",
    "Mgr": "Manager", "Emp": "Employee",
}
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def misnamings(name: str) -> list[str]:
    """Wrong names someone might use for column `name`, most plausible first, without `name` itself."""
    parts = _PARTS.findall(name)
    found = [_swap(parts, i) for i in range(len(parts))]
    if name.endswith("YN"):
        found += [f"Is{name[:-2]}", name[:-2]]
    if name in ("Vendor", "Customer", "Employee", "Job", "Contract", "Equipment"):
        found += [f"{name}ID", f"{name}Number"]  # not `VendorName`: a name is not the number
    if name in ("Description", "Name"):
        found += ["Title", "Desc" if name == "Description" else "FullName"]
    if name == "Status":
        found += ["StatusCode", "State"]
    found = [n for n in dict.fromkeys(found) if n and n.lower() != name.lower()]
    return found or ([name + "s"] if not name.endswith("s") else [])


def _swap(parts: list[str], index: int) -> str:
    """`parts` joined with part `index` expanded (or abbreviated, for an expansion)."""
    part = parts[index]
    reverse = {long: short for short, long in EXPANSIONS.items()}
    other = EXPANSIONS.get(part) or reverse.get(part)
    return "".join(parts[:index] + [other] + parts[index + 1:]) if other else ""
