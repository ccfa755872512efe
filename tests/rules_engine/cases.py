"""The repository's rules directory bound to the YAML case runner in ``srdi.rules_engine.cases``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from srdi.rules_engine import cases as _cases
from srdi.rules_engine.cases import Case, check, load_cases, run_case, variables_for

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
TESTS_DIR = RULES_DIR / _cases.TESTS_SUBDIR

__all__ = [
    "RULES_DIR",
    "TESTS_DIR",
    "Case",
    "all_cases",
    "cases_file_for",
    "check",
    "load_cases",
    "run_case",
    "variables_for",
]


def all_cases() -> Iterator[Case]:
    return _cases.all_cases(RULES_DIR)


def cases_file_for(rule_file: Path) -> Path:
    return _cases.cases_file_for(rule_file, RULES_DIR)
