"""产融对接 end to end through the API: an official generates and approves a period's whitelist, a bank downloads
it (formula-safe, audited) and sees why each enterprise is on it; the next period says who left and why; an
enterprise sees its score and how to raise it, finds a product, sends a request; the bank approves it and the loan
appears in the figures. Refusals: another bank's objects are 404, unknown eligibility fields are named, a request
without consent shares nothing."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from srdi.auth.enums import Role
from srdi.auth.models import AuditLog
from srdi.enterprise.models import ComplianceRecord, Recognition
from tests.finance import factories


def _world(db: Session, client_as: Any) -> tuple[Any, ...]:
    bank_a = factories.bank(db, "gd_ifb", "广东产融银行（测试）", "44")
    bank_b = factories.bank(db, "sz_tech", "深圳科创银行（测试）", "4403")
    ents = {
        "e1": factories.enterprise(db, "莞城精密制造有限公司"),
        "e2": factories.enterprise(db, "莞城普通贸易有限公司", srdi=False),
        "e3": factories.enterprise(db, "莞城失信电子有限公司", blacklisted=True),
        "e4": factories.enterprise(db, '=HYPERLINK("http://evil.example","点我")有限公司'),
        "e5": factories.enterprise(db, "莞城缺数据科技有限公司", revenue_wan=0),
    }
    province = client_as(Role.provincial_official, region_code="44")
    a = client_as(Role.bank)
    factories.member(db, a.user.id, bank_a)
    b = client_as(Role.bank)
    factories.member(db, b.user.id, bank_b)
    return bank_a, bank_b, ents, province, a, b


def test_official_generates_and_approves_a_whitelist_and_the_bank_downloads_it_with_reasons(db, client_as):  # type: ignore[no-untyped-def]
    _bank_a, _bank_b, ents, province, bank, other_bank = _world(db, client_as)
    r = province.post("/api/v1/finance/whitelists/dg_industry_finance/runs", json={"period": "2026Q3"})
    assert r.status_code == 200, r.text
    run = r.json()
    assert (run["status"], run["members"], run["entered"], run["exited"], run["undecided"], run["as_of"]) == (
        "draft",
        2,
        2,
        0,
        1,
        "2026-07-01",
    )
    # A draft is not for banks.
    assert bank.get(f"/api/v1/finance/whitelist-runs/{run['id']}").status_code == 404
    r = province.post(f"/api/v1/finance/whitelist-runs/{run['id']}/approval")
    assert (r.status_code, r.json()["status_label"]) == (200, "已审定发布"), r.text

    detail = bank.get(f"/api/v1/finance/whitelist-runs/{run['id']}")
    assert detail.status_code == 200, detail.text
    entries = {e["name"]: e for e in detail.json()["entries"]}
    assert sorted(entries) == sorted([ents["e1"].name, ents["e4"].name])
    e1 = entries[ents["e1"].name]
    assert [(c["id"], c["met"], c["needs_verification"]) for c in e1["conditions"]] == [
        ("W1", True, False),
        ("W2", True, True),
        ("W3", True, True),
    ]
    assert e1["conditions"][2]["shown"]["上年度研发费用占营业收入比重"] == "4%"
    assert e1["why_change"] == ["首期名单：满足全部入选条件"]
    assert detail.json()["whitelist"]["unverified"][0]["item"] == "W2"
    # Officials see who is undecided and what data is missing; the bank never sees non-members.
    official = {
        e["name"]: e for e in province.get(f"/api/v1/finance/whitelist-runs/{run['id']}").json()["entries"]
    }
    assert official[ents["e5"].name]["change_label"] == "数据不足待定"
    assert official[ents["e5"].name]["why_change"] == ["数据不足，无法判定：上年度营业收入、上年度研发费用"]

    # Another bank (Shenzhen) does not cooperate in Dongguan: the run does not exist for it.
    assert other_bank.get(f"/api/v1/finance/whitelist-runs/{run['id']}").status_code == 404
    assert other_bank.get(f"/api/v1/finance/whitelist-runs/{run['id']}/export").status_code == 404
    assert other_bank.get("/api/v1/finance/whitelists").json() == []

    # Export: formula-safe and audited.
    x = bank.get(f"/api/v1/finance/whitelist-runs/{run['id']}/export")
    assert x.status_code == 200, x.text
    ws = load_workbook(io.BytesIO(x.content)).active
    names = [row[1] for row in ws.iter_rows(min_row=4, values_only=True)]
    assert "'" + ents["e4"].name in names
    assert all(
        not (isinstance(c, str) and c.startswith("=")) for row in ws.iter_rows(values_only=True) for c in row
    )
    logged = db.scalars(select(AuditLog).where(AuditLog.action == "finance.whitelist_export")).all()
    assert [(a.object_id, a.detail["rows"], a.detail["bank"]) for a in logged] == [
        (str(run["id"]), 2, "gd_ifb")
    ]

    # Next quarter: e1's recognition is revoked, e3's 失信 entry was removed → e1 out (why), e3 in.
    rec = db.scalars(select(Recognition).where(Recognition.enterprise_id == ents["e1"].id)).one()
    rec.status = "revoked"
    rec.revoked_date = date(2026, 8, 1)
    cr = db.scalars(select(ComplianceRecord).where(ComplianceRecord.enterprise_id == ents["e3"].id)).one()
    cr.resolved_date = date(2026, 8, 1)
    db.flush()
    db.expire_all()
    r = province.post("/api/v1/finance/whitelists/dg_industry_finance/runs", json={"period": "2026Q4"})
    q4 = r.json()
    assert (q4["members"], q4["entered"], q4["exited"], q4["previous_period"]) == (2, 1, 1, "2026Q3"), r.text
    changes = {
        e["name"]: e for e in province.get(f"/api/v1/finance/whitelist-runs/{q4['id']}").json()["entries"]
    }
    assert changes[ents["e1"].name]["change"] == "out"
    assert changes[ents["e1"].name]["why_change"][0].startswith(
        "需满足：持有有效期内的省级专精特新中小企业认定"
    )
    assert changes[ents["e3"].name]["why_change"] == ["上期（2026Q3）未在名单，本期满足全部入选条件"]
    assert changes[ents["e4"].name]["change"] == "kept"
    # An approved period cannot be regenerated.
    assert (
        province.post(
            "/api/v1/finance/whitelists/dg_industry_finance/runs", json={"period": "2026Q3"}
        ).status_code
        == 409
    )
    # A Shenzhen district official cannot generate Dongguan's list.
    district = client_as(Role.district_official, region_code="440305")
    assert (
        district.post(
            "/api/v1/finance/whitelists/dg_industry_finance/runs", json={"period": "2026Q4"}
        ).status_code
        == 404
    )


def test_enterprise_sees_its_score_factors_provenance_and_how_to_raise_it(db, client_as):  # type: ignore[no-untyped-def]
    _, _, ents, _, _, _ = _world(db, client_as)
    me = client_as(Role.enterprise, enterprise_id=ents["e1"].id)
    r = me.get(f"/api/v1/finance/enterprises/{ents['e1'].id}/credit-score")
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["total"], s["grade"], s["next_grade"], s["needs_verification"]) == (80, "AA", "AAA", True)
    points = {f["id"]: f["points"] for f in s["factors"]}
    assert points == {
        "tier_held": 18,
        "rd_intensity": 10,
        "debt_level": 20,
        "revenue_growth": 10,
        "net_margin": 7,
        "credit_record": 15,
    }
    rd = next(f for f in s["factors"] if f["id"] == "rd_intensity")
    assert {i["label"]: i["provenance"] for i in rd["inputs"]}["上年度研发费用"] == "税务数据"
    assert len(s["improvements"]) == 1 and "可得" in s["improvements"][0]
    # Someone else's score is not visible.
    assert me.get(f"/api/v1/finance/enterprises/{ents['e2'].id}/credit-score").status_code == 404
    card = me.get("/api/v1/finance/scorecard").json()
    assert [g["id"] for g in card["grades"]] == ["AAA", "AA", "A", "B", "C"]
    assert sum(f["max_points"] for f in card["factors"]) == 100


def test_product_with_unknown_field_or_bad_rule_is_refused_naming_the_field(db, client_as):  # type: ignore[no-untyped-def]
    _, _, _, _, bank, _ = _world(db, client_as)
    base = {
        "name": "专精特新信用贷",
        "amount_min": "500000",
        "amount_max": "10000000",
        "rate_min_percent": "3.2",
        "rate_max_percent": "4.5",
        "term_months_max": 36,
        "collateral": "none",
        "guarantee": "none",
    }
    r = bank.post(
        "/api/v1/finance/products",
        json={**base, "eligibility": [{"field": "secret_salary", "op": ">=", "value": "1"}]},
    )
    assert (r.status_code, r.json()["details"]["fields"]) == (422, ["secret_salary"]), r.text
    assert "secret_salary" in r.json()["message"]
    r = bank.post("/api/v1/finance/products", json={**base, "eligibility": [{"expr": "credit_score >= and"}]})
    assert r.status_code == 422 and "无法解析" in r.json()["message"], r.text
    r = bank.post(
        "/api/v1/finance/products",
        json={**base, "eligibility": [{"expr": "credit_score >= 60 and owner_age < 50"}]},
    )
    assert (r.status_code, r.json()["details"]["fields"]) == (422, ["owner_age"]), r.text
    r = bank.post(
        "/api/v1/finance/products",
        json={**base, "eligibility": [{"field": "operating_revenue_y1", "op": ">=", "value": "abc"}]},
    )
    assert r.status_code == 422 and "operating_revenue_y1" in r.json()["message"], r.text


def test_enterprise_finds_a_product_sends_a_request_and_the_bank_approves_it(db, client_as):  # type: ignore[no-untyped-def]
    bank_a, bank_b, ents, province, bank, other_bank = _world(db, client_as)
    base = {
        "amount_min": "500000",
        "amount_max": "10000000",
        "rate_min_percent": "3.2",
        "rate_max_percent": "4.5",
        "term_months_max": 36,
        "collateral": "none",
        "guarantee": "none",
    }
    ok = bank.post(
        "/api/v1/finance/products",
        json={
            **base,
            "name": "专精特新信用贷",
            "eligibility": [
                {"field": "credit_score", "op": ">=", "value": "70"},
                {"field": "valid_srdi", "op": "is_true"},
                {"field": "operating_revenue_y1", "op": ">=", "value": "2000"},
            ],
        },
    )
    assert (ok.status_code, ok.json()["status"]) == (200, "pending_review"), ok.text
    assert [c["label"] for c in ok.json()["conditions"]] == [
        "平台信用评分不低于 70分",
        "持有有效期内的专精特新中小企业认定",
        "上年度营业收入不低于 2000万元",
    ]
    near = bank.post(
        "/api/v1/finance/products",
        json={
            **base,
            "name": "小巨人研发贷",
            "eligibility": [
                {"field": "valid_little_giant", "op": "is_true"},
                {"field": "rd_ratio_y1", "op": ">=", "value": "3"},
            ],
        },
    )
    me = client_as(Role.enterprise, enterprise_id=ents["e1"].id)
    assert me.get(f"/api/v1/finance/products/{ok.json()['id']}").status_code == 404  # not yet reviewed
    for p in (ok, near):
        r = province.post(f"/api/v1/finance/products/{p.json()['id']}/review", json={"decision": "publish"})
        assert r.json()["status_label"] == "已发布", r.text
    # Another bank does not see this bank's products.
    assert other_bank.get(f"/api/v1/finance/products/{ok.json()['id']}").status_code == 404

    m = me.get(f"/api/v1/finance/enterprises/{ents['e1'].id}/product-matches").json()
    assert [p["name"] for p in m["qualified"]] == ["专精特新信用贷"]
    assert [p["name"] for p in m["near_misses"]] == ["小巨人研发贷"]
    assert m["near_misses"][0]["missing"] == ["需满足：持有有效期内的专精特新“小巨人”企业认定"]

    r = me.post(
        "/api/v1/finance/requests",
        json={
            "bank_ids": [bank_a.id],
            "product_id": ok.json()["id"],
            "amount": "3000000",
            "purpose": "购置数控设备",
            "term_months": 24,
            "first_loan": True,
            "consent": True,
            "share": ["identity", "credit_score"],
        },
    )
    assert r.status_code == 200, r.text
    req = r.json()[0]
    # Sent to the other bank without consent: that bank learns nothing about the enterprise.
    r = me.post(
        "/api/v1/finance/requests",
        json={
            "bank_ids": [bank_b.id],
            "amount": "1000000",
            "purpose": "流动资金",
            "term_months": 12,
            "consent": False,
            "share": [],
        },
    )
    blind = r.json()[0]
    seen_b = other_bank.get(f"/api/v1/finance/requests/{blind['id']}").json()
    assert (seen_b["enterprise"], seen_b["shared"]) == (None, [])
    assert ents["e1"].name not in other_bank.get("/api/v1/finance/requests").text
    # Share without consent is refused.
    assert (
        me.post(
            "/api/v1/finance/requests",
            json={
                "bank_ids": [bank_b.id],
                "amount": "1000000",
                "purpose": "流动资金",
                "term_months": 12,
                "consent": False,
                "share": ["financials"],
            },
        ).status_code
        == 422
    )
    # Bank A cannot open bank B's request, and the other way round.
    assert bank.get(f"/api/v1/finance/requests/{blind['id']}").status_code == 404
    assert other_bank.get(f"/api/v1/finance/requests/{req['id']}").status_code == 404
    assert (
        other_bank.post(
            f"/api/v1/finance/requests/{req['id']}/transitions", json={"action": "accept"}
        ).status_code
        == 404
    )
    assert [x["id"] for x in bank.get("/api/v1/finance/requests").json()["items"]] == [req["id"]]

    seen = bank.get(f"/api/v1/finance/requests/{req['id']}").json()
    assert seen["enterprise"]["name"] == ents["e1"].name
    assert seen["enterprise"]["credit_score"]["total"] == 80
    assert "inputs" not in seen["enterprise"]["credit_score"]["factors"][0]  # banks see factors only
    assert "financials" not in seen["enterprise"]

    assert (
        bank.post(f"/api/v1/finance/requests/{req['id']}/transitions", json={"action": "approve"}).status_code
        == 409
    )
    assert (
        bank.post(f"/api/v1/finance/requests/{req['id']}/transitions", json={"action": "accept"}).status_code
        == 200
    )
    r = bank.post(
        f"/api/v1/finance/requests/{req['id']}/transitions",
        json={"action": "approve", "amount": "2500000", "rate_percent": "3.65"},
    )
    assert (r.status_code, r.json()["status_label"], r.json()["approved_amount"]) == (
        200,
        "已获批",
        "2500000.00",
    ), r.text
    assert [e["action"] for e in r.json()["events"]] == ["submit", "accept", "approve"]
    # The recorded loan and the policies it bears on: the interest subsidy's eligibility and the interest base.
    links = me.get(f"/api/v1/finance/requests/{req['id']}").json()["policy_links"]
    assert [(x["policy_id"], x["status"], x["interest_per_year"], x["amount"]) for x in links] == [
        ("gd_srdi_loan_interest_subsidy", "eligible", "91250.00", "45625.00"),
        ("dg_risk_compensation", "no_list", None, None),  # no approved risk-compensation list yet
    ]
    assert links[0]["basis"] == "本笔贷款首年利息约 9.13万元（250万元 × 3.65%）"
    assert links[0]["amount_label"] == "测算贴息 4.56万元"
    assert links[0]["needs_verification"] and "贴息比例" in links[0]["unverified"][0]
    # The links reveal the tier: this bank was not given the recognitions, so it sees only why not.
    seen = bank.get(f"/api/v1/finance/requests/{req['id']}").json()
    assert (seen["policy_links"], seen["policy_links_note"][:12]) == ([], "企业未同意向本行共享梯度")
    r = other_bank.post(f"/api/v1/finance/requests/{blind['id']}/transitions", json={"action": "decline"})
    assert r.status_code == 422  # a decline needs its reason
    other_bank.post(
        f"/api/v1/finance/requests/{blind['id']}/transitions",
        json={"action": "decline", "note": "未授权共享数据，无法评估"},
    )

    figs = {f["key"]: f for f in province.get("/api/v1/finance/figures?by=bank").json()}
    a = figs["广东产融银行（测试）"]
    assert (
        a["requests"],
        a["approved"],
        a["approved_amount"],
        a["first_loans"],
        a["average_rate_percent"],
    ) == (1, 1, "2500000.00", 1, "3.65")
    assert figs["深圳科创银行（测试）"]["declined"] == 1
    by_district = province.get("/api/v1/finance/figures?by=district").json()
    assert [(f["key"], f["requests"], f["approved"]) for f in by_district] == [("441900", 2, 1)]
    by_tier = province.get("/api/v1/finance/figures?by=tier").json()
    assert [(f["label"], f["requests"], f["first_loans"]) for f in by_tier] == [("专精特新中小企业", 2, 1)]
