"""Child processes that end with their parent: a worker whose parent was killed (SIGKILL, a crash) must not
run on, orphaned, holding memory and CPU (the data build's provers, the sandbox's workers)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent ends (Linux; elsewhere nothing), then exit at
    once if the parent (`parent`, its pid when this process was started) has already gone."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:
        os._exit(0)
