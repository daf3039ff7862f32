"""The closest real names are difflib's, exactly: `NameIndex` only screens candidates with a bound of difflib's
own ratio before asking difflib."""

from __future__ import annotations

import difflib

import pytest

from vgpt2_ext.catalog import Catalog
from vgpt2_ext.catalog.names import NameIndex

INVENTED = ["Invoice", "Invoices", "Locations", "PayrollTimecard", "vSMRequiredMaterial_backupSetPart", "HQLC",
            "JCDP", "apthh", "bAPTHX", "Clients", "x", "ARBilling", "APTransactionLines", "jcjobs", "APTX", ""]


def _difflib(name: str, names: list[str], n: int) -> list[str]:
    spelling: dict[str, str] = {}
    for candidate in names:
        spelling.setdefault(candidate.lower(), candidate)
    return [spelling[m] for m in difflib.get_close_matches(name.lower(), list(spelling), n=n, cutoff=0.6)]


@pytest.mark.parametrize("n", [1, 3, 6])
@pytest.mark.parametrize("which", ["sample", "vista"])
def test_suggested_objects_are_difflibs_closest_matches(which: str, n: int, request: pytest.FixtureRequest) -> None:
    catalog: Catalog = request.getfixturevalue(which)
    names = [obj.name for obj in catalog.objects]
    asked = INVENTED + [name[:-1] + "Z" for name in names[::29]] + [name.upper() for name in names[::53]]
    assert [catalog.suggest_objects(name, n) for name in asked] == [_difflib(name, names, n) for name in asked]


def test_ties_and_spellings_follow_difflib() -> None:
    names = ["ABCD", "abce", "ABCF", "AbCg", "xyz", "ABCD"]  # four tie on ratio with `abcz`; `abcd` spelled twice
    index = NameIndex(names)
    for word in ("abcz", "ABCD", "bcda", "xy", "zzzz"):
        for n in (1, 2, 3, 5):
            assert index.closest(word, n) == _difflib(word, names, n), (word, n)
