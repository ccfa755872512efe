"""Shared helpers for the benchmarks (never part of the test suite)."""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
sys.path.insert(0, str(ROOT / "src"))

# Both regimes' tier rule sets (rules/regimes.yaml), national tables.
REGIME_SETS = [
    "innovative_sme_2022",
    "srdi_sme_2022",
    "little_giant_2022",
    "tech_sme_2017",
    "tech_innovative_sme_2026",
    "srdi_sme_2026",
    "little_giant_2026",
]


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Median wall time of ``repeat`` runs and the last result."""
    times = []
    result: object = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    return f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
