"""The credit scorecard is monotone by construction: a better figure never lowers a factor's points or the total,
and every band table is ordered (the first band that matches scores, so higher bands score at least as much)."""

from __future__ import annotations

from datetime import date
from itertools import product

from srdi.config import get_settings
from srdi.finance.service import SCORECARD_ID
from srdi.rules_engine import evaluate_variables, load_rule_sets

RS = load_rule_sets(get_settings().rules_dir)[SCORECARD_ID]
WAN = 1_000_000
AS_OF = date(2026, 10, 1)
BASE = {
    "valid_little_giant": False,
    "valid_srdi": False,
    "valid_tier1": False,
    "on_credit_blacklist": False,
    "operating_revenue_y1": 10_000 * WAN,
    "operating_revenue_y2": 9_000 * WAN,
    "net_profit_y1": 600 * WAN,
    "rd_expense_y1": 300 * WAN,
    "total_assets_y1": 8_000 * WAN,
    "total_liabilities_y1": 4_000 * WAN,
}


def total(**changes: object) -> int:
    result = evaluate_variables({**BASE, **changes}, RS, as_of=AS_OF)
    assert result.total is not None
    return result.total


def test_band_tables_are_ordered_and_weights_add_up_to_100() -> None:
    for ind in RS.indicators:
        points = [b.points for b in ind.bands]
        assert points == sorted(points, reverse=True), ind.id
        assert points[0] == ind.max_points
    assert sum(c.max_points for c in RS.categories) == 100
    assert RS.meta.verification == "UNVERIFIED"  # invented weights are shown 待核实


def test_a_better_figure_never_lowers_the_score() -> None:
    rd = [0, 50, 99, 100, 101, 299, 300, 499, 500, 800]  # 万元 of R&D on 1亿 revenue: 0%…8%
    debt = [
        9_000,
        6_401,
        6_400,
        5_201,
        5_200,
        4_001,
        4_000,
        1_000,
    ]  # 万元 of liabilities on 8000: worse → better
    growth = [8_000, 9_999, 10_000, 10_500, 11_499, 11_500, 13_000]  # revenue y1 with y2 = 1亿 → growth
    profit = [-100, 0, 1, 499, 500, 999, 1_000, 2_000]  # 万元 on 1亿
    seen = []
    for axis, values, key in (
        ("rd", rd, "rd_expense_y1"),
        ("debt", debt, "total_liabilities_y1"),
        ("profit", profit, "net_profit_y1"),
    ):
        scores = [total(**{key: v * WAN}) for v in values]
        assert scores == sorted(scores), (axis, scores)
        seen.append(scores)
    # Growth alone: revenue y1 moves, profit and R&D keep their share of it (the margin and intensity stay put).
    scores = [
        total(
            operating_revenue_y2=10_000 * WAN,
            operating_revenue_y1=v * WAN,
            net_profit_y1=v * WAN * 6 // 100,
            rd_expense_y1=v * WAN * 3 // 100,
        )
        for v in growth
    ]
    assert scores == sorted(scores), scores
    tiers = [total(), total(valid_tier1=True), total(valid_srdi=True), total(valid_little_giant=True)]
    assert tiers == sorted(tiers) == [62, 72, 80, 87]
    assert total(on_credit_blacklist=True) == total() - 15


def test_the_grid_of_all_band_combinations_is_monotone_in_each_factor() -> None:
    levels = {"rd_expense_y1": [0, 150, 300, 600], "total_liabilities_y1": [7_000, 5_000, 3_000]}
    for rd_a, rd_b, debt in product(
        levels["rd_expense_y1"], levels["rd_expense_y1"], levels["total_liabilities_y1"]
    ):
        if rd_a <= rd_b:
            assert total(rd_expense_y1=rd_a * WAN, total_liabilities_y1=debt * WAN) <= total(
                rd_expense_y1=rd_b * WAN, total_liabilities_y1=debt * WAN
            )


def test_top_grade_still_shows_the_smallest_change_that_raises_the_score_and_banks_get_factors_only() -> None:
    from srdi.finance.service import score_facts

    doc = {
        "yearly": {
            "2025": {
                "operating_revenue": "100000000.00",
                "rd_expense": "4000000.00",
                "net_profit": "6000000.00",
                "total_assets": "80000000.00",
                "total_liabilities": "40000000.00",
            },
            "2024": {"operating_revenue": "90000000.00"},
        },
        "recognitions": [
            {
                "tier": "little_giant",
                "level": "national",
                "status": "valid",
                "announced_date": "2025-01-01",
                "valid_until": "2028-01-01",
            }
        ],
        "compliance_records": [],
    }
    s = score_facts(doc, AS_OF)
    assert (s["total"], s["grade"], s["next_grade"]) == (87, "AAA", None)
    assert s["improvements"] == ["上年度净利润率 6%，达到 10%，可得 10 分（+3 分）"]
    bank = score_facts(doc, AS_OF, for_bank=True)
    assert "improvements" not in bank and all("inputs" not in f for f in bank["factors"])
