"""The "done when" scenario over HTTP: an official drafts a policy, sees its sandbox impact, publishes it and
runs 免申即享; the enterprise sees it on its page, confirms, and is paid exactly once."""

from __future__ import annotations

from sqlalchemy import func, select

from srdi.auth.models import AuditLog
from srdi.auto_grant.models import Disbursement
from tests.policy.factories import enterprise

KEY = "dg_innovative_enterprise_rd_subsidy"


def test_official_drafts_sandboxes_publishes_runs_and_the_enterprise_is_paid_once(db, client_as):
    a = enterprise(db, dg_innovative=True, rd_deductible_yuan="4000000.00")
    b = enterprise(db, dg_innovative=True, rd_deductible_yuan="2000000.00")
    enterprise(db, dg_innovative=None, rd_deductible_yuan="2000000.00")
    official = client_as("city_official", region_code="4419")

    r = official.post(
        f"/api/v1/policies/{KEY}/drafts", json={"parameters": {"rate": "4%"}, "budget_yuan": "200000"}
    )
    assert r.status_code == 201, r.text
    draft = r.json()
    assert (draft["status"], draft["budget_yuan"], draft["parameters"][0]["value"]) == (
        "draft",
        "200000.00",
        "4%",
    )

    r = official.post(f"/api/v1/policy-versions/{draft['version_id']}/sandbox", json={"as_of": "2025-06-30"})
    assert r.status_code == 200, r.text
    s = r.json()
    # 5% → 4%: 200,000 + 100,000 元 becomes 160,000 + 80,000 元; the 200,000 元 budget covers only the first.
    assert (s["before"]["amount_yuan"], s["after"]["amount_yuan"]) == ("300000.00", "240000.00")
    assert (s["after"]["funded"], s["after"]["funded_yuan"], s["after"]["oversubscribed"]) == (
        1,
        "160000.00",
        True,
    )
    assert (s["gained"], s["lost"], s["amount_changed"]) == (0, 0, 2)
    assert s["before"]["counts"] == {"eligible": 2, "unknown": 1, "ineligible": 0}

    r = official.post(f"/api/v1/policy-versions/{draft['version_id']}/publish")
    assert (r.status_code, r.json()["status"]) == (200, "published")

    r = official.post("/api/v1/grant-runs", json={"policy_key": KEY, "as_of": "2025-06-30"})
    assert r.status_code == 202, r.text
    run = official.get(f"/api/v1/grant-runs/{r.json()['id']}").json()
    assert (run["status"], run["progress"], run["summary"]["by_status"]) == (
        "done",
        1.0,
        {"matched": 1, "waitlisted": 1},
    )
    grants = official.get(f"/api/v1/grant-runs/{run['id']}/grants").json()
    assert [(g["enterprise_id"], g["status"], g["amount_yuan"]) for g in grants] == [
        (a.id, "matched", "160000.00"),
        (b.id, "waitlisted", "80000.00"),
    ]

    me = client_as("enterprise", enterprise_id=a.id)
    page = me.get(f"/api/v1/enterprises/{a.id}/policies", params={"as_of": "2025-06-30"}).json()
    mine = {p["policy_key"]: p for p in page["eligible"]}
    assert mine[KEY]["amount_yuan"] == "160000.00"
    notes = me.get(f"/api/v1/enterprises/{a.id}/notifications").json()
    assert "免申即享待确认：东莞市创新型企业研发投入补助" in [n["title"] for n in notes]
    gid = me.get(f"/api/v1/enterprises/{a.id}/grants").json()[0]["id"]
    body = {
        "bank_name": "中国工商银行东莞分行",
        "account_name": "政策测试企业",
        "bank_account": "6222 0212 3456 7890",
    }
    first = me.post(f"/api/v1/grants/{gid}/consent", json=body)
    second = me.post(f"/api/v1/grants/{gid}/consent", json=body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["bank_account_masked"] == "************7890"
    assert "6222021234567890" not in first.text
    assert db.scalar(select(func.count()).select_from(Disbursement)) == 1

    batch = official.post("/api/v1/disbursement-batches", json={"policy_key": KEY, "period": "2025"}).json()
    assert (batch["count"], batch["total_yuan"]) == (1, "160000.00")
    csv_resp = official.get(f"/api/v1/disbursement-batches/{batch['id']}/export.csv")
    assert "\t6222021234567890,160000.00" in csv_resp.content.decode("utf-8-sig")
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "auto_grant.disbursement.export")
        )
        == 1
    )
    pub = official.post("/api/v1/grant-publicity", json={"policy_key": KEY, "period": "2025"}).json()
    assert [(i["enterprise_name"], i["amount_yuan"]) for i in pub["items"]] == [(a.name, "160000.00")]
    detail = me.get(f"/api/v1/grants/{gid}").json()
    assert [e["to_status"] for e in detail["events"]] == ["matched", "consented", "disbursed", "published"]


def test_another_enterprise_cannot_confirm_or_see_a_grant(db, client_as):
    a = enterprise(db, dg_innovative=True, rd_deductible_yuan="4000000.00")
    other = enterprise(db, dg_innovative=False)
    official = client_as("admin")
    official.post("/api/v1/grant-runs", json={"policy_key": KEY, "as_of": "2025-06-30"})
    gid = official.get(f"/api/v1/enterprises/{a.id}/grants").json()[0]["id"]
    intruder = client_as("enterprise", enterprise_id=other.id)
    r = intruder.post(
        f"/api/v1/grants/{gid}/consent",
        json={"bank_name": "某银行", "account_name": "冒名", "bank_account": "6222000099998888"},
    )
    assert (r.status_code, r.json()["message"]) == (404, "未找到该免申即享事项")
    assert db.scalar(select(func.count()).select_from(Disbursement)) == 0


def test_district_official_cannot_run_a_city_policy_and_nothing_is_created(db, client_as):
    official = client_as("district_official", region_code="441900")
    r = official.post("/api/v1/grant-runs", json={"policy_key": KEY, "as_of": "2025-06-30"})
    assert (r.status_code, r.json()["message"]) == (403, "该政策的适用地区超出本账号的管理范围")


def test_enterprise_contests_a_non_match_with_the_trace_attached(db, client_as):
    ent = enterprise(db, dg_innovative=False, rd_deductible_yuan="100.00")
    me = client_as("enterprise", enterprise_id=ent.id)
    r = me.post(
        f"/api/v1/enterprises/{ent.id}/contests",
        json={"policy_key": KEY, "reason": "我司已于2024年被评为瞪羚企业"},
    )
    assert r.status_code == 201, r.text
    official = client_as("city_official", region_code="4419")
    c = official.get("/api/v1/contests").json()[0]
    assert (c["policy_key"], c["status"]) == (KEY, "open")
    r = official.post(
        f"/api/v1/contests/{c['id']}/resolve", json={"upheld": True, "response": "已核实，补录认定后重新比对"}
    )
    assert r.json()["status_label"] == "异议成立"
