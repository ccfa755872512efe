from __future__ import annotations

from srdi.rules_engine import evaluate_variables, load_rule_sets
from srdi.rules_engine.facts import coerce_literal
from srdi.rules_engine.gap import _options, _with_sentence, gap_analysis
from srdi.rules_engine.loader import read_yaml
from tests.rules_engine.cases import RULES_DIR, TESTS_DIR

RULE_SETS = load_rule_sets(RULES_DIR)


def _vars(rule_set: str, test_file: str, **overrides: object) -> dict[str, object]:
    rs = RULE_SETS[rule_set]
    inputs = {**read_yaml(TESTS_DIR / test_file)["defaults"]["inputs"], **overrides}
    return {k: coerce_literal(v, rs.types[k]) for k, v in inputs.items()}


def test_dv2_needs_self_developed_ip_and_names_the_nearest_route() -> None:
    rs = RULE_SETS["innovative_sme_2022"]
    v = _vars(
        "innovative_sme_2022",
        "criteria/national/innovative_sme_2022.yaml",
        ip1_self_developed=0,
        ip1_count=0,
        ip2_software=1,
        rd_expense_y1="21万元",
        total_liabilities_y1="400万元",
        main_business_revenue_y1="1260万元",
    )
    gap = gap_analysis(evaluate_variables(v, rs), rs)
    assert gap.reached is False
    assert gap.sentences == [
        "与主导产品相关的自主研发Ⅰ类知识产权数量 0，达到 1，可得 15 分（+10 分）",
        "最近的直通条件：D1 近三年内获得过国家级、省级科技奖励",
    ]


def test_rd_ratio_upgrade_sentence_matches_the_issue_example() -> None:
    rs = RULE_SETS["innovative_sme_2022"]
    # R&D 2.6% scores 10; with Ⅱ类 IP only (5) the innovation floor of 20 needs the R&D band B.
    v = _vars(
        "innovative_sme_2022",
        "criteria/national/innovative_sme_2022.yaml",
        ip1_self_developed=0,
        ip1_count=0,
        ip2_software=1,
        rd_expense_y1="36.4万元",
    )
    result = evaluate_variables(v, rs)
    options = _options(rs, result.values)
    assert [_with_sentence(rs, result.values, u).sentence for u in options["rd_intensity"]] == [
        "上年度研发费用总额占营业收入总额比重 2.6%，达到 3%，可得 15 分（+5 分）",
        "上年度研发费用总额占营业收入总额比重 2.6%，达到 5%，可得 20 分（+10 分）",
    ]
    # Two single changes of +5 tie (R&D to band B, or one Ⅰ类 IP); the plan is one of them, never both.
    plan = [(u.indicator, u.band, u.gain) for u in gap_analysis(result, rs).upgrades]
    assert plan in ([("rd_intensity", "B", 5)], [("ip_main_product", "C", 5)])


def test_dv4_reports_the_failed_gate_first() -> None:
    rs = RULE_SETS["srdi_sme_2022"]
    v = _vars("srdi_sme_2022", "criteria/national/srdi_sme_2022.yaml", rd_expense_y1="90万元")
    gap = gap_analysis(evaluate_variables(v, rs), rs)
    assert gap.conditions[0] == (
        "上年度研发费用总额 90万元，需达到 100万元（Z2 上年度研发费用总额不低于100万元，且占营业收入总额比重不低于3%）"
    )
    assert [(u.indicator, u.points) for u in gap.upgrades] == [("rd_input", 6)]


def test_smallest_set_prefers_one_change_and_the_lowest_sufficient_band() -> None:
    rs = RULE_SETS["srdi_sme_2022"]
    v = _vars(
        "srdi_sme_2022",
        "criteria/national/srdi_sme_2022.yaml",
        rd_institution_provincial=False,
        rd_institution_any=False,
    )
    result = evaluate_variables(v, rs)
    assert result.total == 57
    gap = gap_analysis(result, rs)
    # +3 is needed: 市级研发机构 (+4) is the cheapest single change that is enough.
    assert [(u.indicator, u.band, u.gain) for u in gap.upgrades] == [("rd_institution_level", "C", 4)]


def test_passing_enterprise_has_no_gap() -> None:
    rs = RULE_SETS["innovative_sme_2022"]
    v = _vars("innovative_sme_2022", "criteria/national/innovative_sme_2022.yaml")
    gap = gap_analysis(evaluate_variables(v, rs), rs)
    assert gap.reached is True
    assert gap.sentences == []


def test_unknown_result_lists_missing_data() -> None:
    rs = RULE_SETS["srdi_sme_2026"]
    v = _vars("srdi_sme_2026", "criteria/national/srdi_sme_2026.yaml", niche_market_leading=None)
    gap = gap_analysis(evaluate_variables(v, rs), rs)
    assert gap.missing == ["主导产品在国内或国际细分市场占有率较为靠前（企业说明，经审核）"]
