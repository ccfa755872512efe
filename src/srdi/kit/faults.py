"""Named fault points for crash and recovery tests (QUALITY R3, R8).

Code that must survive a crash calls ``fault_point("grant.after_chunk")`` at the places where a process could die:
after a chunk, inside a transaction before its commit, between a commit and the event it announces, during an
export. In production nothing is set and the call costs one dictionary lookup.

A test arms a point through the environment of the subprocess it drives::

    SRDI_FAULT=grant.after_chunk:3     # die at the 3rd time this point is reached
    SRDI_FAULT=grant.before_commit     # die the first time

The process then ends with ``os._exit(FAULT_EXIT_CODE)`` — no ``finally`` blocks, no atexit handlers, no flush of
open transactions: as close to ``kill -9`` as Python allows, and at exactly the same place on a fast machine and a
slow one, which a timer-based kill never is.
"""

from __future__ import annotations

import os
import sys
from collections import Counter

FAULT_ENV = "SRDI_FAULT"
FAULT_EXIT_CODE = 86

_hits: Counter[str] = Counter()


def _armed() -> tuple[str, int] | None:
    spec = os.environ.get(FAULT_ENV, "").strip()
    if not spec:
        return None
    name, _, nth = spec.partition(":")
    return name.strip(), int(nth) if nth.strip() else 1


def fault_point(name: str) -> None:
    """Die here if the environment armed this point and it has now been reached the configured number of times."""
    armed = _armed()
    if armed is None or armed[0] != name:
        return
    _hits[name] += 1
    if _hits[name] >= armed[1]:
        sys.stderr.write(f"srdi: fault injected at {name} (hit {_hits[name]})\n")
        sys.stderr.flush()
        os._exit(FAULT_EXIT_CODE)


def reset() -> None:
    """Forget the hit counts (for in-process tests of the hook itself)."""
    _hits.clear()
