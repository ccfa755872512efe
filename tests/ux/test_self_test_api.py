"""Issue 15 deliverable 4: the public 企业自测 — questions from the rules, answers evaluated, nothing stored, throttled."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from srdi.auth.models import AuditLog
from srdi.criteria.models import Evaluation
from srdi.self_test.throttle import IpThrottle, TooManySelfTests

AS_OF = "2026-12-01"
ANSWERS = {
    "yearly:employees:1": 120,
    "yearly:operating_revenue:1": "8000",  # 万元
    "yearly:total_assets:1": "6000",
    "yearly:rd_expense:1": "500",
    "yearly:rd_expense:2": "400",
    "yearly:operating_revenue:2": "7000",
    "fact:independent_legal_person": True,
    "fact:restricted_product": False,
    "records:on_credit_blacklist": False,
}


def test_questions_carry_labels_units_in_wan_and_who_uses_them(client):
    r = client.get("/api/v1/self-test/questions", params={"region_code": "440305", "as_of": AS_OF})
    assert r.status_code == 200, r.text
    qs = {q["key"]: q for q in r.json()["questions"]}
    rev = qs["yearly:operating_revenue:1"]
    assert (rev["label"], rev["unit"], rev["type"], rev["group"]) == (
        "2025年营业收入",
        "万元",
        "money",
        "yearly",
    )
    assert rev["used_by"][0] == "划型"
    field = qs["fact:main_product_field"]
    assert field["label"] == "主导产品所属领域"  # no identifiers in what people read
    assert {c["label"] for c in field["choices"]} >= {"产业链“补短板/锻长板/填空白”成效"}
    assert qs["records:on_credit_blacklist"]["type"] == "bool"
    assert "size_class" not in {k.split(":")[1] for k in qs}  # 划型 is computed, never asked


def test_answers_give_every_tier_with_size_class_and_the_regions_policies_and_store_nothing(client, db):
    before = (
        db.scalar(select(func.count()).select_from(Evaluation)),
        db.scalar(select(func.count()).select_from(AuditLog)),
    )
    body = {"region_code": "440305", "industry_code": "3562", "as_of": AS_OF, "answers": ANSWERS}
    r = client.post("/api/v1/self-test/assess", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    tiers = {t["tier"]: t["status"] for t in out["assessment"]["tiers"]}
    assert tiers["little_giant"] == "fail"  # 900万元 of R&D over two years is below 1200万元
    assert set(tiers) == {"tech_sme", "innovative_sme", "tech_innovative_sme", "srdi_sme", "little_giant"}
    derived = out["assessment"]["tiers"][0]["result"].get("derived_facts") or []
    assert [d["label"] for d in derived] == ["小型"]
    titles = [p["title"] for p in out["policies"]]
    assert "广东省对专精特新“小巨人”企业给予资金奖励" in titles
    after = (
        db.scalar(select(func.count()).select_from(Evaluation)),
        db.scalar(select(func.count()).select_from(AuditLog)),
    )
    assert after == before


def test_bad_answers_are_refused_in_chinese(client):
    r = client.post("/api/v1/self-test/assess", json={"answers": {"yearly:operating_revenue:1": "很多"}})
    assert r.status_code == 422
    assert "应为以万元为单位的数字" in r.json()["message"]
    r = client.post("/api/v1/self-test/assess", json={"answers": {"rd_expense_y1 + 1": 1}})
    assert (r.status_code, r.json()["message"]) == (422, "包含不认识的问题")


def test_one_address_gets_thirty_calls_a_minute_then_a_chinese_429(client):
    for _ in range(30):
        assert client.get("/api/v1/self-test/questions").status_code == 200
    r = client.get("/api/v1/self-test/questions")
    assert r.status_code == 429
    assert r.json()["message"].startswith("自测请求过于频繁，请")


def test_the_window_slides_with_the_clock_no_sleeping():
    now = [datetime(2026, 12, 1, 1, 0, 0, tzinfo=UTC)]
    t = IpThrottle(limit=2, window=60, clock=lambda: now[0])
    t.hit("a")
    t.hit("a")
    with pytest.raises(TooManySelfTests):
        t.hit("a")
    t.hit("b")  # another address has its own budget
    now[0] = datetime(2026, 12, 1, 1, 1, 1, tzinfo=UTC)
    t.hit("a")
