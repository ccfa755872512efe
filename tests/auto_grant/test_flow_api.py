"""The "done when" scenario over HTTP: an official drafts a policy, sees its sandbox impact, publishes it and
runs 免申即享; the enterprise sees it on its page, confirms, and is paid exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from srdi.auth.models import AuditLog
from srdi.auto_grant.models import Disbursement, Grant
from tests.policy.factories import enterprise

KEY = "dg_srdi_award_auto_grant"  # the seed's own 免申即享 pilot (004, 工信局 reply 二(二))
AWARD = "东莞市“专精特新”企业奖励（企莞家“免申即享”试点）"


def test_official_drafts_sandboxes_publishes_runs_and_the_enterprise_is_paid_once(db, client_as):
    a = enterprise(db, provincial_srdi=True)
    b = enterprise(db, little_giant=True)
    enterprise(db)  # no recognition: not eligible, whatever it might declare
    official = client_as("city_official", region_code="4419")

    lib = {p["policy_key"]: p for p in official.get("/api/v1/policies").json()}[KEY]
    assert lib["mode_label"] == "免申即享"
    assert lib["payment_deadline_days"] == 2
    assert lib["amount_rule"]["text"] == "每家企业定额奖励10万元（金额待核实：种子未载）"
    assert [p["unverified"] is not None for p in lib["parameters"]] == [True]
    assert lib["allocation_stated"] is False

    r = official.post(
        f"/api/v1/policies/{KEY}/drafts", json={"parameters": {"award": "8万元"}, "budget_yuan": "100000"}
    )
    assert r.status_code == 201, r.text
    draft = r.json()
    assert (draft["status"], draft["budget_yuan"], draft["parameters"][0]["value"]) == (
        "draft",
        "100000.00",
        "8万元",
    )

    r = official.post(f"/api/v1/policy-versions/{draft['version_id']}/sandbox", json={"as_of": "2025-06-30"})
    assert r.status_code == 200, r.text
    s = r.json()
    # 10万 → 8万 each; 16万 demanded of a 10万 budget, shared pro rata (the seed states no order): 5万 each.
    assert (s["before"]["amount_yuan"], s["after"]["amount_yuan"]) == ("200000.00", "160000.00")
    assert (s["after"]["funded"], s["after"]["funded_yuan"], s["after"]["oversubscribed"]) == (
        2,
        "100000.00",
        True,
    )
    assert s["before"]["counts"] == {"eligible": 2, "unknown": 0, "ineligible": 1}

    r = official.post(f"/api/v1/policy-versions/{draft['version_id']}/publish")
    assert (r.status_code, r.json()["status"]) == (200, "published")

    r = official.post("/api/v1/grant-runs", json={"policy_key": KEY, "as_of": "2025-06-30"})
    assert r.status_code == 202, r.text
    run = official.get(f"/api/v1/grant-runs/{r.json()['id']}").json()
    assert (run["status"], run["progress"], run["summary"]["by_status"]) == ("done", 1.0, {"matched": 2})
    assert run["summary"]["allocation"]["order"] == "pro_rata"
    grants = official.get(f"/api/v1/grant-runs/{run['id']}/grants").json()["items"]
    assert sorted((g["enterprise_id"], g["status"], g["amount_yuan"]) for g in grants) == [
        (a.id, "matched", "50000.00"),
        (b.id, "matched", "50000.00"),
    ]

    me = client_as("enterprise", enterprise_id=a.id)
    notes = me.get(f"/api/v1/enterprises/{a.id}/notifications").json()
    assert f"免申即享待确认：{AWARD}" in [n["title"] for n in notes]
    mine = me.get(f"/api/v1/enterprises/{a.id}/grants").json()[0]
    gid = mine["id"]
    assert "按比例" in mine["trace"]["allocation"]["label"]
    assert (mine["payment_deadline_days"], mine["payment_due_at"], mine["overdue"]) == (2, None, False)
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
    assert first.json()["payment_due_at"] is not None and first.json()["overdue"] is False
    assert db.scalar(select(func.count()).select_from(Disbursement)) == 1

    batch = official.post("/api/v1/disbursement-batches", json={"policy_key": KEY, "period": "once"}).json()
    assert (batch["count"], batch["total_yuan"]) == (1, "50000.00")
    csv_resp = official.get(f"/api/v1/disbursement-batches/{batch['id']}/export.csv")
    assert "\t6222021234567890,50000.00" in csv_resp.content.decode("utf-8-sig")
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "auto_grant.disbursement.export")
        )
        == 1
    )
    paid = me.get(f"/api/v1/grants/{gid}").json()
    assert (paid["status"], paid["overdue"], paid["overdue_label"]) == ("disbursed", False, "")
    assert official.get("/api/v1/overdue-grants").json() == []
    pub = official.post("/api/v1/grant-publicity", json={"policy_key": KEY, "period": "once"}).json()
    assert [(i["enterprise_name"], i["amount_yuan"]) for i in pub["items"]] == [(a.name, "50000.00")]
    detail = me.get(f"/api/v1/grants/{gid}").json()
    assert [e["to_status"] for e in detail["events"]] == ["matched", "consented", "disbursed", "published"]


def test_a_confirmed_grant_left_unpaid_past_two_working_days_is_listed_and_flagged(db, client_as):
    a = enterprise(db, provincial_srdi=True)
    official = client_as("city_official", region_code="4419")
    official.post("/api/v1/grant-runs", json={"policy_key": KEY, "as_of": "2025-06-30"})
    me = client_as("enterprise", enterprise_id=a.id)
    gid = me.get(f"/api/v1/enterprises/{a.id}/grants").json()[0]["id"]
    me.post(
        f"/api/v1/grants/{gid}/consent",
        json={"bank_name": "中国银行东莞分行", "account_name": "企业", "bank_account": "6222000011112222"},
    )
    g = db.get(Grant, gid)
    # Confirmed on Tuesday 30 September 2025 (10:00 Beijing): 国庆 and 中秋 run 1–8 October, so the two working
    # days are Thursday 9 and Friday 10 October; by today the payment is long overdue.
    g.consented_at = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)
    db.flush()
    [row] = official.get("/api/v1/overdue-grants").json()
    assert (row["id"], row["overdue"]) == (gid, True)
    assert row["payment_due_at"].startswith("2025-10-10T16:00:00")  # 24:00 Beijing on 10 October
    assert row["overdue_label"].startswith("逾期未拨付（时限为确认后2个工作日，已超")
    outsider = client_as("district_official", region_code="440305")
    assert outsider.get("/api/v1/overdue-grants").json() == []


def test_another_enterprise_cannot_confirm_or_see_a_grant(db, client_as):
    a = enterprise(db, provincial_srdi=True)
    other = enterprise(db)
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
    ent = enterprise(db)
    me = client_as("enterprise", enterprise_id=ent.id)
    r = me.post(
        f"/api/v1/enterprises/{ent.id}/contests",
        json={"policy_key": KEY, "reason": "我司已于2024年被认定为省级专精特新中小企业"},
    )
    assert r.status_code == 201, r.text
    official = client_as("city_official", region_code="4419")
    c = official.get("/api/v1/contests").json()["items"][0]
    assert (c["policy_key"], c["status"]) == (KEY, "open")
    r = official.post(
        f"/api/v1/contests/{c['id']}/resolve", json={"upheld": True, "response": "已核实，补录认定后重新比对"}
    )
    assert r.json()["status_label"] == "异议成立"
