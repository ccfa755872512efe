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


def test_regimes_agree_with_the_rule_files() -> None:
    from srdi.rules_engine.regime import check_regimes

    check_regimes(REGIMES, RULE_SETS)


def test_overlay_window_must_match_its_rule_file() -> None:
    from dataclasses import replace

    from srdi.rules_engine.errors import RuleError
    from srdi.rules_engine.regime import check_regimes

    wrong = replace(REGIMES.overlays[0], end=date(2026, 1, 31))
    with pytest.raises(RuleError, match="window or purposes differ"):
        check_regimes(replace(REGIMES, overlays=(wrong,)), RULE_SETS)


def test_overlay_note_names_the_notice() -> None:
    sel = select_regime(REGIMES, date(2025, 6, 30), "re_review", rule_sets=RULE_SETS)
    assert sel.tiers["little_giant"] == "little_giant_2022_notice_2025"
    assert "2025年专精特新「小巨人」企业培育工作通知" in sel.notes["little_giant"]


def test_srdi_re_review_2026_default_reading_is_stated_and_flagged() -> None:
    sel = select_regime(REGIMES, date(2026, 6, 30), "re_review", region_code="510107", rule_sets=RULE_SETS)
    assert sel.tiers["srdi_sme"] == "srdi_sme_2026"
    assert sel.readings == {"srdi_sme": ["srdi_sme_re_review_2026"]}
    assert "本系统采用：按2026办法附件1" in sel.notes["srdi_sme"]
    assert "待核实" in sel.notes["srdi_sme"]


def test_srdi_re_review_2026_other_reading_by_configuration() -> None:
    regimes = load_regimes(RULES_DIR, {"srdi_sme_re_review_2026": "standard_63"})
    sel = select_regime(regimes, date(2026, 6, 30), "re_review", region_code="510107", rule_sets=RULE_SETS)
    # 63号 附件2 with the Sichuan 特色化 table, as in the 2022 regime
    assert sel.tiers["srdi_sme"] == "srdi_sme_2022_sichuan"
    assert "比照117号" in sel.notes["srdi_sme"]
    assert sel.readings == {"srdi_sme": ["srdi_sme_re_review_2026"]}
    # the last day of the transition, then the 2026 standard again; new applications are never affected
    assert select_regime(regimes, date(2026, 12, 31), "re_review").tiers["srdi_sme"] == "srdi_sme_2022"
    assert select_regime(regimes, date(2027, 1, 1), "re_review").tiers["srdi_sme"] == "srdi_sme_2026"
    assert select_regime(regimes, date(2026, 6, 30), "new_application").tiers["srdi_sme"] == "srdi_sme_2026"
    assert select_regime(regimes, date(2026, 3, 31), "re_review").readings == {}


def test_unknown_reading_or_option_is_refused() -> None:
    from srdi.rules_engine.errors import RuleError

    with pytest.raises(RuleError, match="unknown option"):
        load_regimes(RULES_DIR, {"srdi_sme_re_review_2026": "whatever"})
    with pytest.raises(RuleError, match="unknown reading"):
        load_regimes(RULES_DIR, {"no_such_question": "x"})
