"""R6: every rule file has YAML cases, and every case passes on the trace interpreter."""

from __future__ import annotations

import pytest

from srdi.rules_engine import load_rule_sets
from srdi.rules_engine.cases import files_without_cases
from srdi.rules_engine.loader import rule_files
from tests.rules_engine.cases import RULES_DIR, all_cases, check, run_case

RULE_SETS = load_rule_sets(RULES_DIR)
CASES = list(all_cases())


def test_every_rule_file_has_test_cases() -> None:
    missing = files_without_cases(RULES_DIR)
    assert missing == [], f"rule files without YAML test cases: {missing}"


def test_a_rule_file_without_cases_is_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "criteria").mkdir()
    (tmp_path / "criteria" / "lonely.yaml").write_text("id: lonely\n", encoding="utf-8")
    (tmp_path / "tests" / "criteria").mkdir(parents=True)
    (tmp_path / "tests" / "criteria" / "lonely.yaml").write_text(
        "rule_set: lonely\ncases: []\n", encoding="utf-8"
    )
    # A data file beside the rules (no id, no kind: settings the domain reads) is not a rule.
    (tmp_path / "criteria" / "settings.yaml").write_text("limits: {respond: 3}\n", encoding="utf-8")
    assert files_without_cases(tmp_path) == ["criteria/lonely.yaml"]


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
