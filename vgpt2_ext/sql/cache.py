"""Caches keyed by a catalog's fingerprint, so work derived from a catalog is done once per catalog.

A `Catalog` is a large frozen dataclass: hashing it on every call would cost more than the work saved.
Its fingerprint is a content hash, so equal catalogs share one cache entry.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from vgpt2_ext.catalog import Catalog

T = TypeVar("T")

# fingerprint -> the first catalog seen with it (catalogs are few and long-lived)
_CATALOGS: dict[str, Catalog] = {}


def per_catalog(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Cache `function(catalog, *args)` on `(catalog.fingerprint, *args)`; `args` must be hashable."""

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        @lru_cache(maxsize=maxsize)
        def by_fingerprint(fingerprint: str, *args: Any) -> T:
            return function(_CATALOGS[fingerprint], *args)

        @wraps(function)
        def cached(catalog: Catalog, *args: Any) -> T:
            fingerprint = catalog.fingerprint
            _CATALOGS.setdefault(fingerprint, catalog)
            return by_fingerprint(fingerprint, *args)

        return cached

    return decorate
