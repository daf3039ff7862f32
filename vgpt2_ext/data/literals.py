"""Literal values for templates: companies, months, amounts, TOP n, job and vendor numbers.

Questions and SQL of one example are filled from the same draw, so `{co}` in the question is `{co}` in the SQL;
a fresh draw per example varies the literals, so the model learns intents rather than strings. Months are
the first day of the month, as Vista stores `Mth`.
"""

from __future__ import annotations

import random
import string
from datetime import date
from functools import lru_cache

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
TOP_N = (5, 10, 15, 20, 25, 50, 100)
AMOUNTS = (500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000)
YEARS = (2021, 2022, 2023, 2024, 2025)
# words people search descriptions and names for on a construction site
WORDS = ("steel", "concrete", "rental", "fuel", "permit", "lumber", "freight", "labor", "rebar", "drywall", "asphalt",
         "gravel", "crane", "paving", "roofing", "electrical", "plumbing", "hvac", "insulation", "glazing", "masonry",
         "excavation", "demolition", "scaffold", "formwork", "survey", "landscaping", "fencing", "signage", "striping",
         "trucking", "dumpster", "generator", "forklift", "welding", "painting", "flooring", "millwork", "elevator",
         "sprinkler", "grading", "piling", "waterproofing", "backfill", "conduit", "fixtures", "cabinets", "doors",
         "windows", "overtime", "travel", "per diem", "bond", "insurance", "retention", "mobilization", "cleanup",
         "inspection", "testing", "engineering", "design", "consulting", "safety", "traffic control")


# parts of the names vendors, customers and subcontractors go by, and surnames employees do
FIRM = ("Acme", "Summit", "Pioneer", "Granite", "Cascade", "Redwood", "Liberty", "Keystone", "Frontier", "Horizon",
        "Ironwood", "Blue Ridge", "Northstar", "Evergreen", "Silver Creek", "Eagle", "Patriot", "Lakeside",
        "Tri-County", "Capital", "Coastal", "Heritage", "Premier", "Allied", "United", "Valley", "Mountain West",
        "Bayside",
        "Cornerstone", "Benchmark", "Titan", "Apex", "Sterling", "Riverbend", "Prairie", "Great Lakes", "Sunbelt",
        "Meridian", "Atlas", "Harbor")
TRADE = ("Supply", "Concrete", "Electric", "Steel", "Paving", "Rentals", "Mechanical", "Plumbing", "Builders",
         "Drywall", "Roofing", "Glass", "Lumber", "Trucking", "Excavating", "Masonry", "Landscaping", "Painting",
         "Equipment",
         "Materials", "Fabrication", "Contractors", "Services", "Engineering", "Surveying")
SURNAMES = ("Smith", "Johnson", "Garcia", "Miller", "Davis", "Martinez", "Wilson", "Anderson", "Thomas", "Moore",
            "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young",
            "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson",
            "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Phillips")


def draw(rng: random.Random) -> dict[str, str]:
    """One set of literal values, by slot name, as text ready for a question or a SQL template."""
    co, co2 = rng.sample(range(1, 10), 2)
    year = rng.choice(YEARS)
    month = rng.randint(1, 12)
    later = date(year + (month + 2) // 12, (month + 2) % 12 + 1, 1)
    first = date(year, month, 1)
    return {
        "co": CompanyLiteral(str(co), True), "co2": str(co2), "n": str(rng.choice(TOP_N)),
        "amount": str(rng.choice(AMOUNTS)),
        "year": str(year), "next_year": str(year + 1),
        "mth": first.isoformat(), "month": f"{MONTH_NAMES[month - 1]} {year}", "mth_short": first.isoformat()[:7],
        "mth_end": later.isoformat(), "month_end": f"{MONTH_NAMES[later.month - 1]} {later.year}",
        "day": date(year, month, rng.randint(1, 28)).isoformat(),
        "job": f"{rng.randint(10, 99)}-{rng.randint(100, 999)}",
        "contract": f"{rng.randint(10, 99)}-{rng.randint(100, 999)}",
        "phase": f"{rng.randint(1, 30):02d}-{rng.randint(1, 9)}00", "cost_type": str(rng.randint(1, 6)),
        "vendor": str(rng.randint(1000, 99999)), "customer": str(rng.randint(100, 9999)),
        "employee": str(rng.randint(100, 9999)), "equipment": f"E-{rng.randint(100, 999)}",
        "po": f"PO{rng.randint(10000, 99999)}", "sl": f"SL{rng.randint(10000, 99999)}",
        "glacct": f"{rng.randint(1000, 9999)}-{rng.randint(10, 99)}", "batch": str(rng.randint(1, 999)),
        "word": rng.choice(WORDS), "name": f"{rng.choice(FIRM)} {rng.choice(TRADE)}", "surname": rng.choice(SURNAMES),
        "letter": rng.choice(string.ascii_uppercase[:20]),
    }


class CompanyLiteral(str):
    """A company number that a SQL template writes as `{co:APCo}`: the number when the question states it, else
    the parameter named after the column (`@APCo`), as the system prompt asks. Plain `{co}` is the number."""

    stated: bool = True

    def __new__(cls, value: str, stated: bool) -> CompanyLiteral:
        made = super().__new__(cls, value)
        made.stated = stated
        return made

    def __format__(self, spec: str) -> str:
        return str(self) if self.stated or not spec else f"@{spec}"


def fill(template: str, values: dict[str, str]) -> str:
    """`template` with its `{slot}`s replaced; KeyError names an unknown slot (seed loading checks them)."""
    return template.format_map(values)


@lru_cache(maxsize=1)
def slot_names() -> frozenset[str]:
    """Every slot a template may use."""
    return frozenset(draw(random.Random(0)))
