"""R6: every rule file has YAML cases, and every case passes on the trace interpreter."""

from __future__ import annotations

import pytest

from srdi.rules_engine import load_rule_sets
from srdi.rules_engine.loader import read_yaml, rule_files
from tests.rules_engine.cases import RULES_DIR, all_cases, cases_file_for, check, run_case

RULE_SETS = load_rule_sets(RULES_DIR)
CASES = list(all_cases())


def test_every_rule_file_has_test_cases() -> None:
    missing = []
    for path in sorted((RULES_DIR / "criteria").rglob("*.yaml")) + sorted(
        (RULES_DIR / "policies").rglob("*.yaml")
    ):
        tests = cases_file_for(path)
        if not tests.exists() or not read_yaml(tests).get("cases"):
            missing.append(str(path.relative_to(RULES_DIR)))
    assert missing == [], f"rule files without YAML test cases: {missing}"


def test_every_rule_set_is_exercised() -> None:
    used = {c.rule_set for c in CASES}
    assert set(RULE_SETS) - used == set()


def test_rule_files_are_found() -> None:
    assert len(rule_files(RULES_DIR)) == len(RULE_SETS) >= 3


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.file.stem}: {c.name}")
def test_yaml_case(case) -> None:  # type: ignore[no-untyped-def]
    rs = RULE_SETS[case.rule_set]
    result = run_case(case, RULE_SETS)
    assert check(case, result, rs) == []
