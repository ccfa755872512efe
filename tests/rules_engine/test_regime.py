from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from srdi.rules_engine import load_rule_sets
from srdi.rules_engine.loader import read_yaml
from srdi.rules_engine.regime import load_regimes, select_regime
from tests.rules_engine.cases import RULES_DIR, TESTS_DIR

REGIMES = load_regimes(RULES_DIR)
RULE_SETS = load_rule_sets(RULES_DIR)
CASES: list[dict[str, Any]] = read_yaml(TESTS_DIR / "regimes.yaml")["cases"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: str(c["name"]))
def test_regime_case(case: dict[str, Any]) -> None:
    as_of = date.fromisoformat(str(case["as_of"]))
    purpose = str(case.get("purpose", "new_application"))
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(LookupError, match=str(expect["error"])):
            select_regime(REGIMES, as_of, purpose, case.get("region_code"), RULE_SETS)
        return
    sel = select_regime(REGIMES, as_of, purpose, case.get("region_code"), RULE_SETS)
    assert sel.regime == expect["regime"]
    assert {t: sel.tiers.get(t) for t in expect["tiers"]} == expect["tiers"]


def test_every_configured_rule_set_exists_and_is_in_force() -> None:
    for regime in REGIMES.regimes:
        for tier, rid in regime.tiers.items():
            assert rid in RULE_SETS, f"{regime.id}.{tier} names missing rule set {rid}"
            assert RULE_SETS[rid].tier == tier or tier == "innovative_sme"
    for o in REGIMES.overrides:
        assert o.rule_set in RULE_SETS


def test_unknown_purpose_is_rejected() -> None:
    with pytest.raises(ValueError, match="purpose"):
        select_regime(REGIMES, date(2025, 1, 1), "renewal")
