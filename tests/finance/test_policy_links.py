"""Policy links of a recorded loan (issue 16.5): the interest subsidy computed by its policy file on the loan's
interest, the Shenzhen guarantee-fee cap (≤ ½ of the benchmark rate, from the dated rate file) and
risk-compensation eligibility from the approved risk-compensation whitelist — shown to the enterprise, to
officials, and to the bank only when the enterprise shared its recognitions."""

from __future__ import annotations

from datetime import date
from typing import Any

from srdi.auth.enums import Role
from srdi.finance import benchmark, service
from tests.finance import factories


def test_the_fee_cap_is_half_the_benchmark_in_force_on_the_approval_day() -> None:
    rates = service.benchmark_rates()
    assert rates.needs_verification
    wan = 1_000_000  # fen
    cap = benchmark.fee_cap(rates, date(2025, 6, 1), 500 * wan, 36)
    assert cap is not None
    assert (cap.benchmark_bp, cap.benchmark_term, cap.cap_bp, cap.cap_fen_per_year) == (
        300,
        "1年期",
        150,
        75_000_00,
    )
    # The day the rate changed takes the new rate; the day before, the old one (3.10% → 1.55%).
    assert benchmark.fee_cap(rates, date(2025, 5, 20), wan, 12).cap_bp == 150  # type: ignore[union-attr]
    assert benchmark.fee_cap(rates, date(2025, 5, 19), wan, 12).cap_bp == 155  # type: ignore[union-attr]
    # Over five years takes the 5-year rate; an odd basis point is rounded down (a ceiling is never exceeded).
    long = benchmark.fee_cap(rates, date(2024, 11, 1), 3 * wan, 84)
    assert long is not None and (long.benchmark_bp, long.cap_bp, long.cap_fen_per_year) == (360, 180, 54_000)
    assert benchmark.fee_cap(rates, date(2024, 1, 1), wan, 12) is None  # before the first recorded rate


def _product(bank: Any, official: Any, guarantee: str) -> int:
    r = bank.post(
        "/api/v1/finance/products",
        json={
            "name": "专精特新担保贷",
            "amount_min": "100000",
            "amount_max": "10000000",
            "rate_min_percent": "3",
            "rate_max_percent": "5",
            "term_months_max": 36,
            "collateral": "none",
            "guarantee": guarantee,
            "eligibility": [{"field": "valid_srdi", "op": "is_true"}],
        },
    )
    assert r.status_code == 200, r.text
    pid = int(r.json()["id"])
    assert (
        official.post(f"/api/v1/finance/products/{pid}/review", json={"decision": "publish"}).status_code
        == 200
    )
    return pid


def _approved(me: Any, teller: Any, bank_id: int, product_id: int | None, share: list[str]) -> int:
    r = me.post(
        "/api/v1/finance/requests",
        json={
            "bank_ids": [bank_id],
            "product_id": product_id,
            "amount": "2000000",
            "purpose": "研发设备",
            "term_months": 6,
            "consent": bool(share),
            "share": share,
        },
    )
    assert r.status_code == 200, r.text
    rid = int(r.json()[0]["id"])
    teller.post(f"/api/v1/finance/requests/{rid}/transitions", json={"action": "accept"})
    r = teller.post(
        f"/api/v1/finance/requests/{rid}/transitions",
        json={"action": "approve", "amount": "2000000", "rate_percent": "4"},
    )
    assert r.status_code == 200, r.text
    return rid


def test_a_shenzhen_loan_with_government_guarantee_gets_the_fee_cap_and_the_subsidy(db, client_as):  # type: ignore[no-untyped-def]
    bank = factories.bank(db, "sz_pl", "深圳政策银行（测试）", "4403")
    ent = factories.enterprise(db, "深圳南山政策测试有限公司", region="440305")
    teller = client_as(Role.bank)
    factories.member(db, teller.user.id, bank)
    city = client_as(Role.city_official, region_code="4403")
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    pid = _product(teller, city, "government_guarantee")
    rid = _approved(me, teller, bank.id, pid, ["identity", "recognitions"])

    links = {x["kind"]: x for x in me.get(f"/api/v1/finance/requests/{rid}").json()["policy_links"]}
    assert sorted(links) == ["guarantee_fee_cap", "interest_subsidy", "risk_compensation"]
    sub = links["interest_subsidy"]
    # 200万元 × 4% × 6/12 = 4万元 of interest; the file's 50% (待核实) gives 2万元, under the 100万元 cap.
    assert (sub["status"], sub["interest_per_year"], sub["amount"]) == ("eligible", "40000.00", "20000.00")
    assert sub["basis"] == "本笔贷款首年利息约 4万元（200万元 × 4.00% × 6/12）"
    fee = links["guarantee_fee_cap"]
    assert (fee["status"], fee["status_label"]) == ("draft", "征求意见稿（未施行），仅供参考")
    today_rate = service.benchmark_rates().on(date.today())
    assert today_rate is not None
    half = today_rate.one_year_bp // 2
    assert fee["cap_rate_percent"] == f"{half / 100:.2f}"
    assert fee["amount"] == f"{2_000_000 * half // 10_000}.00"
    assert fee["needs_verification"] is True and "LPR" in fee["unverified"][0]
    risk = links["risk_compensation"]
    assert (risk["status"], risk["reasons"]) == ("not_applicable", ["企业所在地不在本名单适用地区（4419）内"])
    # The bank was given the recognitions: it sees the same links; so do the city's officials.
    assert [x["kind"] for x in teller.get(f"/api/v1/finance/requests/{rid}").json()["policy_links"]] == [
        "interest_subsidy",
        "guarantee_fee_cap",
        "risk_compensation",
    ]
    assert len(city.get(f"/api/v1/finance/requests/{rid}").json()["policy_links"]) == 3


def test_a_dongguan_enterprise_on_the_approved_risk_compensation_list_is_eligible(db, client_as):  # type: ignore[no-untyped-def]
    bank = factories.bank(db, "dg_pl", "东莞政策银行（测试）", "4419")
    listed = factories.enterprise(db, "莞城风补在列有限公司")
    plain = factories.enterprise(db, "莞城风补未列有限公司", srdi=False)
    teller = client_as(Role.bank)
    factories.member(db, teller.user.id, bank)
    province = client_as(Role.provincial_official, region_code="44")
    run = province.post(
        "/api/v1/finance/whitelists/dg_risk_compensation/runs", json={"period": "2026Q3"}
    ).json()
    assert province.post(f"/api/v1/finance/whitelist-runs/{run['id']}/approval").status_code == 200

    rid = _approved(client_as(Role.enterprise, enterprise_id=listed.id), teller, bank.id, None, ["identity"])
    links = {x["kind"]: x for x in province.get(f"/api/v1/finance/requests/{rid}").json()["policy_links"]}
    assert "guarantee_fee_cap" not in links  # a Shenzhen measure: not shown for a Dongguan loan
    risk = links["risk_compensation"]
    assert (risk["status"], risk["basis"]) == ("listed", "2026Q3 期名单（已审定）在列")
    assert risk["reasons"] and all(r.startswith("满足：") for r in risk["reasons"])
    # Shared without recognitions: the bank is told why it sees no links.
    seen = teller.get(f"/api/v1/finance/requests/{rid}").json()
    assert seen["policy_links"] == [] and "梯度培育称号" in seen["policy_links_note"]

    rid2 = _approved(client_as(Role.enterprise, enterprise_id=plain.id), teller, bank.id, None, [])
    links2 = {x["kind"]: x for x in province.get(f"/api/v1/finance/requests/{rid2}").json()["policy_links"]}
    assert links2["risk_compensation"]["status"] == "not_listed"
    assert links2["risk_compensation"]["reasons"]  # why not, from the list's conditions
    assert links2["interest_subsidy"]["status"] == "ineligible"
    assert links2["interest_subsidy"]["amount"] is None
