"""srdi.rules_engine.policy: region scope, effective window, amounts in whole fen, drafts — and the Polars
executor agreeing with the trace interpreter on every policy, amounts included."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest

from srdi.rules_engine import load_rule_sets
from srdi.rules_engine.batch import variables_table
from srdi.rules_engine.errors import RuleError
from srdi.rules_engine.policy import (
    amount_fen,
    assess,
    assess_variables,
    build_policy,
    evaluate_policies_frame,
    load_policies,
    with_parameters,
)
from tests.rules_engine.cases import RULES_DIR

RULE_SETS = load_rule_sets(RULES_DIR)
POLICIES = load_policies(RULES_DIR, RULE_SETS)
AS_OF = date(2025, 6, 30)
RD = POLICIES["dg_innovative_enterprise_rd_subsidy"]


def test_the_seed_library_has_every_encoded_measure_and_each_cites_a_seed_file():
    assert len(POLICIES) == 27
    for p in POLICIES.values():
        assert p.seeds and all(s.file.endswith(".txt") and s.quote for s in p.seeds), p.id
        assert all(s.seed_title and s.source_address for s in p.seeds), p.id
        assert (p.mode == "auto_grant") == (not p.review_checks), p.id
        # A portal home page is not a citation: a URL, where a file has one, is the seed's own address.
        assert p.rule_set.meta.url in ("", *(s.source_address for s in p.seeds)), p.id
        if p.monetary:
            assert p.amount_rule["kind"] in ("fixed", "rate", "rate_capped", "capped", "pro_rata"), p.id
            assert p.amount_rule["cite"], p.id


def test_every_measure_of_the_readme_table_names_an_existing_file_or_a_reason():
    readme = (RULES_DIR / "policies" / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(?:\w+/)?(\w+)\.yaml`", readme))
    assert named == set(POLICIES)


def test_shenzhen_draft_measures_are_never_in_force_and_say_so():
    sz = [p for p in POLICIES.values() if p.id.startswith("sz_")]
    assert len(sz) == 10 and all(p.status == "draft" for p in sz)
    p = POLICIES["sz_maker_china_division_award"]
    facts = {"region_code": "440305", "awards": [{"kind": "maker_china", "level": "municipal"}]}
    a = assess(p, facts, date(2030, 1, 1))
    assert (a.status, a.reasons) == ("ineligible", ["该政策为征求意见稿，尚未正式施行，不能据此兑现"])
    s = p.summary()
    assert (s["effective_from"], s["policy_status_label"]) == (None, "征求意见稿（未施行）")


def test_the_rd_subsidy_is_an_application_with_5_percent_as_a_ceiling():
    s = RD.summary()
    assert (RD.mode, RD.amount_is_maximum, s["amount_rule"]["kind"]) == ("application", True, "capped")
    assert "最高不超过5%" in s["amount_rule"]["text"]


def test_a_1e25_answer_is_set_aside_as_unknown_with_a_chinese_reason_never_an_engine_error():
    facts = {
        "region_code": "441900",
        "policy_answers": {"dg_innovative_enterprise": True},
        "yearly": {"2024": {"rd_deductible_expense": "10000000000000000000000000"}},
    }
    a = assess(RD, facts, AS_OF)
    assert (a.status, a.amount_fen) == ("unknown", None)
    assert a.reasons == [
        "上年度经税务部门核定的可加计扣除研发费用超出合理范围（不超过1000亿元），请核实后再填报"
    ]
    assert [v["id"] for v in a.bound_violations] == ["rd_deductible_y1"]


def test_postdoc_funding_is_for_any_new_station_and_little_giant_is_only_one_recommendation_route():
    funding = POLICIES["dg_postdoc_station_funding"]
    a = assess(
        funding,
        {"region_code": "441900", "policy_answers": {"postdoc_platform_newly_established": True}},
        AS_OF,
    )
    assert (a.status, a.amount_fen) == ("eligible", 120_000_000)
    rec = POLICIES["dg_postdoc_station_recommendation"]
    b = assess(
        rec,
        {"region_code": "441900", "recognitions": [], "yearly": {"2024": {"operating_revenue": "1000"}}},
        AS_OF,
    )
    assert b.status == "unknown"  # the other five conditions are not in the seed: unknown, never "not met"


def test_a_policy_without_bounds_on_a_money_input_is_refused():
    data = with_parameters(RD, {})
    del data["policy"]["bounds"]
    with pytest.raises(RuleError, match="needs plausible bounds"):
        build_policy(data, RULES_DIR)


def test_capped_amount_rule_requires_the_amount_to_be_a_ceiling():
    data = with_parameters(RD, {})
    data["policy"]["benefit"]["amount_is_maximum"] = False
    with pytest.raises(RuleError, match="amount_is_maximum"):
        build_policy(data, RULES_DIR)


def test_amount_is_rounded_down_to_the_fen():
    facts = {
        "region_code": "441900",
        "policy_answers": {"dg_innovative_enterprise": True},
        "yearly": {"2024": {"rd_deductible_expense": "0.39"}},
    }
    a = assess(RD, facts, AS_OF)
    # 39 fen × 5% = 1.95 fen → 1 fen; never rounded up past the 5% ceiling.
    assert (a.status, a.amount_fen) == ("eligible", 1)
    assert amount_fen(None) is None


def test_outside_the_region_is_ineligible_with_the_reason():
    facts = {
        "region_code": "440305",
        "policy_answers": {"dg_innovative_enterprise": True},
        "yearly": {"2024": {"rd_deductible_expense": "100.00"}},
    }
    a = assess(RD, facts, AS_OF)
    assert (a.status, a.amount_fen, a.reasons) == (
        "ineligible",
        None,
        ["企业所在地 440305 不在政策适用地区（4419）内"],
    )


def test_before_the_effective_date_is_ineligible():
    cq = POLICIES["cq_little_giant_award"]
    facts = {
        "region_code": "500112",
        "recognitions": [
            {
                "tier": "little_giant",
                "level": "national",
                "announced_date": "2024-07-01",
                "valid_until": "2027-06-30",
                "status": "valid",
            }
        ],
    }
    assert assess(cq, facts, date(2025, 12, 31)).status == "eligible"
    late = assess(cq, facts, date(2026, 1, 1))
    assert (late.status, late.reasons) == (
        "ineligible",
        ["2026-01-01 不在政策有效期内（2022-01-01 至 2025-12-31）"],
    )


def test_unknown_region_makes_an_otherwise_eligible_enterprise_may_qualify():
    a = assess(
        RD,
        {
            "policy_answers": {"dg_innovative_enterprise": True},
            "yearly": {"2024": {"rd_deductible_expense": "100.00"}},
        },
        AS_OF,
    )
    assert (a.status, a.missing_inputs) == ("unknown", [{"id": "region_code", "label": "企业所在行政区划"}])


def test_a_draft_changes_a_parameter_and_the_budget_and_is_checked_like_a_file():
    data = with_parameters(RD, {"rate_cap": "3%"}, budget="3000万元")
    draft = build_policy(data, RULES_DIR)
    assert (draft.budget_fen, draft.parameters[0].value) == (3_000_000_000, "3%")
    facts = {
        "region_code": "441900",
        "policy_answers": {"dg_innovative_enterprise": True},
        "yearly": {"2024": {"rd_deductible_expense": "1000000.00"}},
    }
    assert assess(draft, facts, AS_OF).amount_fen == 3_000_000
    with pytest.raises(RuleError, match="unknown parameter"):
        with_parameters(RD, {"cap": "1%"})
    with pytest.raises(RuleError, match="needs a number value"):
        with_parameters(RD, {"rate_cap": "30万元"})
    # The eligibility itself guards the seed's ceiling: a 6% draft makes nobody eligible.
    over = build_policy(with_parameters(RD, {"rate_cap": "6%"}), RULES_DIR)
    assert assess(over, facts, AS_OF).reasons == ["不满足：补助比例上限不超过5%（草稿不得突破原文上限）"]


def _random_facts(rng: random.Random, i: int) -> dict[str, object]:
    tiers = [("little_giant", "national"), ("srdi_sme", "provincial"), ("srdi_sme", "municipal")]
    recs = []
    for tier, level in tiers:
        if rng.random() < 0.4:
            recs.append(
                {
                    "tier": tier,
                    "level": level,
                    "announced_date": "2023-07-01",
                    "valid_until": rng.choice(["2025-06-29", "2025-06-30", "2027-01-01"]),
                    "status": rng.choice(["valid", "valid", "revoked"]),
                }
            )
    answers: dict[str, object] = {}
    for key, values in {
        "dg_innovative_enterprise": [True, False, None],
        "state_space_rent_years": [2, 3, None],
        "platform_service_fee": ["80000.00", "0.03", None],
        "training_person_times": [0, 3, None],
        "training_fee_per_person_time": ["19999.99", "20000.00", "25000.00", None],
        "talent_count": [1, 2, None],
        "maker_guangdong_top50": [True, False, None],
    }.items():
        v = rng.choice(values)
        if v is not None:
            answers[key] = v
    money = [
        "0.00",
        "0.01",
        "0.39",
        "299999999.99",
        "300000000.00",
        "399999999.99",
        "400000000.00",
        "500000000.00",
        "12345678.90",
    ]
    year = {
        k: rng.choice(money)
        for k in ("rd_deductible_expense", "output_value", "operating_revenue")
        if rng.random() < 0.8
    }
    awards = [
        {
            "kind": "maker_china",
            "level": rng.choice(["national", "municipal"]),
            "award_date": "2024-09-01",
            "rank": None,
            "top_group": rng.choice([50, 500, None]),
        }
        for _ in range(rng.randint(0, 2))
    ]
    return {
        "uscc": f"U{i:05d}",
        "region_code": rng.choice(["441900", "440305", "440106", "500112", None]),
        "recognitions": recs if rng.random() < 0.9 else None,
        "policy_answers": answers,
        "yearly": {"2024": year},
        "awards": awards,
        "rd_institutions": [{"level": "provincial"}] if rng.random() < 0.3 else [],
    }


def test_polars_and_the_trace_interpreter_agree_on_every_policy_for_random_enterprises():
    from srdi.rules_engine.facts import build_variables

    rng = random.Random(7)
    docs = [_random_facts(rng, i) for i in range(400)]
    pols = list(POLICIES.values())
    sets = [p.rule_set for p in pols]
    rows = [build_variables(d, AS_OF, sets) for d in docs]
    table = variables_table(
        rows, sets, keys={"uscc": [d["uscc"] for d in docs], "region_code": [d["region_code"] for d in docs]}
    )
    out = evaluate_policies_frame(table, pols, AS_OF, key="uscc").to_dicts()
    mismatches = []
    for doc, row, got in zip(docs, rows, out, strict=True):
        for p in pols:
            a = assess_variables(p, row, AS_OF, region_code=doc["region_code"])  # type: ignore[arg-type]
            want = (a.status, a.amount_fen)
            have = (got[p.id + "__status"], got[p.id + "__amount_fen"])
            if want != have:
                mismatches.append((doc["uscc"], p.id, want, have))
    assert mismatches == []
    statuses = {got[p.id + "__status"] for got in out for p in pols}
    assert statuses == {"eligible", "unknown", "ineligible"}
