"""Keep N cores busy for S seconds (default: every core, 300 s) — to run the crash tests on a loaded machine.

    python scripts/busy_load.py [seconds] [workers] &

Bounded in time, so a forgotten run stops by itself (QUALITY R8: the crash tests must pass the same way idle
and loaded).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time


def _spin(until: float) -> None:
    x = 0
    while time.monotonic() < until:
        x = (x * 31 + 7) % 1_000_003


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 300.0
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else (os.cpu_count() or 2)
    until = time.monotonic() + min(seconds, 1800.0)
    procs = [multiprocessing.Process(target=_spin, args=(until,)) for _ in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()


if __name__ == "__main__":
    main()
