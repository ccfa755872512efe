"""Issue 14 "done when", through the API: apply with evidence → 区县 returns for correction → the enterprise
corrects and resubmits → 区县 and 市级 approve → two experts score blind → 省级认定 → 公示 7 working days →
公告 → a recognition record with its validity on 一企一档; every step on the timeline with who and why."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from srdi.application.models import Application, ApplicationEvent
from srdi.auth.enums import Role
from srdi.auth.models import AuditLog
from srdi.enterprise.models import ChangeLog, Recognition
from tests.application import support
from tests.application.support import EXE, PDF, PNG


def _upload(client, app_id: int, item: str, content: bytes = PDF, name: str = "材料.pdf"):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/evidence-files",
        data={"application_id": str(app_id), "item_id": item},
        files={"file": (name, content, "application/pdf")},
    )


def test_an_application_walks_from_draft_to_a_recognition_record(
    db, client_as, make_user, clock, evidence_dir
):
    ent = support.enterprise(db, name="深圳南山精密传动测试有限公司")
    province = client_as(Role.provincial_official)
    r = province.post(
        "/api/v1/application-batches",
        json={
            "name": "2026年第二批广东省专精特新中小企业",
            "tier": "srdi_sme",
            "region_code": "44",
            "open_date": "2026-10-08",
            "close_date": "2026-11-30",
        },
    )
    assert r.status_code == 201, r.text
    batch_id = r.json()["id"]
    assert (r.json()["tier_label"], r.json()["is_open"]) == ("专精特新中小企业", True)

    me = client_as(Role.enterprise, enterprise_id=ent.id)
    assert [b["id"] for b in me.get("/api/v1/application-batches").json()] == [batch_id]
    r = me.post("/api/v1/applications", json={"batch_id": batch_id})
    assert r.status_code == 201, r.text
    app = r.json()
    app_id = app["id"]
    assert (app["status"], app["rule_set_id"], app["profile"]["name"]) == (
        "draft", "srdi_sme_2026", "深圳南山精密传动测试有限公司",
    )  # fmt: skip
    assert app["chain"] == ["district_review", "city_review", "expert_review", "provincial_decision"]
    assert app["rule_set_hash"] and app["trace"]["rule_set"] == "srdi_sme_2026"
    items = {i["id"]: (i["required"], i["rule_label"]) for i in app["evidence_items"]}
    assert items["N3"] == (True, "上年度营业收入不低于1500万元，或近两年新增股权投资不低于2000万元")
    assert sorted(k for k, (req, _) in items.items() if req) == ["N2", "N3", "N6"]

    # Refusals before submission: no pledge, then missing evidence; a forbidden file; nothing changes.
    r = me.post(f"/api/v1/applications/{app_id}/submission")
    assert (r.status_code, r.json()["message"]) == (422, "请先阅读并确认真实性承诺")
    me.patch(f"/api/v1/applications/{app_id}", json={"pledge_accepted": True, "statement": "主营精密减速器"})
    r = me.post(f"/api/v1/applications/{app_id}/submission")
    assert r.status_code == 422
    assert r.json()["message"].startswith("缺少必需的证明材料：截至上年末从事特定细分市场时间不少于3年")
    r = _upload(me, app_id, "N2", EXE, "伪装.pdf")
    assert (r.status_code, r.json()["message"]) == (
        422, "只接受 PDF、PNG 或 JPEG 文件（按文件内容识别，与文件名无关）",
    )  # fmt: skip
    assert list(evidence_dir.rglob("*")) == []
    for item, content in (("N2", PDF), ("N3", PDF), ("N6", PNG)):
        r = _upload(me, app_id, item, content)
        assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "image/png"
    r = me.post(f"/api/v1/applications/{app_id}/submission")
    assert (r.status_code, r.json()["status"], r.json()["level_label"]) == (200, "in_review", "区县初审"), (
        r.text
    )

    # 区县初审 returns it: a city official may not act at the district level.
    city = client_as(Role.city_official)
    district = client_as(Role.district_official)
    assert [a["id"] for a in district.get("/api/v1/applications?awaiting_me=true").json()["items"]] == [
        app_id
    ]
    assert city.get("/api/v1/applications?awaiting_me=true").json()["items"] == []
    r = city.post(
        f"/api/v1/applications/{app_id}/reviews", json={"action": "approve", "level": "district_review"}
    )
    assert (r.status_code, r.json()["message"]) == (403, "当前为“区县初审”阶段，应由区县主管部门办理")
    r = district.post(
        f"/api/v1/applications/{app_id}/reviews",
        json={"action": "return_for_correction", "level": "district_review", "reason": "研发费用材料不清晰",
              "items": ["补充2025年研发费用专项审计报告"]},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    # Monday 11-02 + 5 working days → Monday 11-09.
    assert (r.json()["status"], r.json()["correction_due_date"]) == ("return_for_correction", "2026-11-09")

    clock.day = date(2026, 11, 4)
    assert _upload(me, app_id, "N6", PDF, "研发费用专项审计报告.pdf").status_code == 201
    r = me.post(f"/api/v1/applications/{app_id}/submission")
    assert (r.status_code, r.json()["status"], r.json()["level"]) == (200, "in_review", "district_review")
    for who, level in ((district, "district_review"), (city, "city_review")):
        r = who.post(f"/api/v1/applications/{app_id}/reviews", json={"action": "approve", "level": level})
        assert r.status_code == 200, r.text
    assert r.json()["level_label"] == "专家评审"

    # 双随机: the expert of the applicant's own district and the declared tie are never drawn.
    e_users = [make_user(Role.expert, username=f"walk-expert-{i}") for i in range(3)]
    support.expert(db, "张评审", "440106", user_id=e_users[0].id)
    support.expert(db, "李评审", "440304", user_id=e_users[1].id)
    support.expert(db, "王评审", "440305", user_id=e_users[2].id)  # same district: conflict
    support.expert(db, "赵评审", "440106", declared_enterprise_ids=[ent.id])  # declared tie
    r = province.post(f"/api/v1/applications/{app_id}/expert-assignments", json={"seed": 20261104})
    assert r.status_code == 201, r.text
    assert sorted(a["expert_name"] for a in r.json()) == ["张评审", "李评审"]
    assert {a["seed"] for a in r.json()} == {20261104}

    for u in e_users[:2]:
        ex = client_as(u)
        [task] = ex.get("/api/v1/expert/assignments").json()
        sheet = {s["id"]: s["max_points"] for s in task["sheet"]}
        assert len(sheet) == 15 and set(sheet.values()) == {10}
        scores = {k: 8 for k in sheet}
        if u is e_users[1]:
            scores["N6"] = 6
        r = ex.put(f"/api/v1/expert/assignments/{task['id']}/scores", json={"scores": scores})
        assert (r.status_code, r.json()["status"]) == (200, "scored"), r.text
    a = province.get(f"/api/v1/applications/{app_id}").json()
    assert (a["level"], a["expert_score"], a["expert_divergent"]) == ("provincial_decision", "119.00", False)

    r = province.post(
        f"/api/v1/applications/{app_id}/reviews",
        json={"action": "approve", "level": "provincial_decision", "reason": "经审核、专家评审，同意认定"},
    )
    assert r.status_code == 200, r.text
    # 公示 from Wednesday 11-04 for 7 working days → Friday 11-13.
    assert (r.json()["status"], r.json()["publicity_end_date"]) == ("publicity", "2026-11-13")
    r = province.post(
        f"/api/v1/application-batches/{batch_id}/announcement", json={"document_no": "粤工信〔2026〕1号"}
    )
    assert (r.status_code, r.json()["message"]) == (
        409,
        "仍有 1 项申报在公示期内或有未答复的异议，暂不能公告",
    )

    clock.day = date(2026, 11, 16)
    r = province.post(
        f"/api/v1/application-batches/{batch_id}/announcement", json={"document_no": "粤工信〔2026〕1号"}
    )
    assert (r.status_code, [x["status"] for x in r.json()]) == (200, ["recognition"]), r.text
    rec = db.scalars(select(Recognition).where(Recognition.enterprise_id == ent.id)).one()
    assert (rec.tier, rec.level, rec.announced_date, rec.valid_until, rec.document_no) == (
        "srdi_sme", "provincial", date(2026, 11, 16), date(2029, 11, 15), "粤工信〔2026〕1号",
    )  # fmt: skip
    assert (
        db.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.entity == "recognition")) == 1
    )
    profile = me.get(f"/api/v1/enterprises/{ent.id}/recognitions").json()
    assert [(x["tier"], x["valid_until"], x["batch"]) for x in profile] == [
        ("srdi_sme", "2029-11-15", "2026年第二批广东省专精特新中小企业")
    ]

    # A second announcement of the batch is refused and changes nothing.
    before = db.scalar(select(func.count()).select_from(Recognition))
    r = province.post(f"/api/v1/application-batches/{batch_id}/announcement", json={})
    assert (r.status_code, r.json()["message"]) == (
        409, "批次“2026年第二批广东省专精特新中小企业”已于2026-11-16公告，不能重复公告",
    )  # fmt: skip
    assert db.scalar(select(func.count()).select_from(Recognition)) == before

    timeline = me.get(f"/api/v1/applications/{app_id}").json()["events"]
    steps = [(e["action"], e["level"]) for e in timeline if e["action"] != "upload"]
    assert steps == [
        ("create", None),
        ("submit", "district_review"),
        ("return_for_correction", "district_review"),
        ("resubmit", "district_review"),
        ("approve", "district_review"),
        ("approve", "city_review"),
        ("random_assignment", "expert_review"),
        ("score", "expert_review"),
        ("score", "expert_review"),
        ("experts_done", "provincial_decision"),
        ("approve", "provincial_decision"),
        ("publicity", None),
        ("announcement", None),
    ]
    ret = next(e for e in timeline if e["action"] == "return_for_correction")
    assert (ret["actor_name"], ret["reason"]) == ("测试区县主管部门（区县主管部门）", "研发费用材料不清晰")
    assign = next(e for e in timeline if e["action"] == "random_assignment")
    assert set(assign["detail"]) == {"due_date"}  # the enterprise is not told who its experts are
    assert (
        db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "application.review"))
        == 4
    )  # return, 区县, 市级, 省级 (the refused attempt left none)


def test_download_is_for_the_entitled_and_audited(db, client_as, clock, evidence_dir):
    ent = support.enterprise(db)
    b = support.batch(db)
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    app_id = me.post("/api/v1/applications", json={"batch_id": b.id}).json()["id"]
    file_id = _upload(me, app_id, "N3").json()["id"]
    r = me.get(f"/api/v1/evidence-files/{file_id}")
    assert (r.status_code, r.content, r.headers["content-type"]) == (200, PDF, "application/pdf")
    district = client_as(Role.district_official)
    # A draft is the enterprise's own until submitted: reviewers do not see it or its files.
    assert district.get(f"/api/v1/evidence-files/{file_id}").status_code == 404
    assert district.get(f"/api/v1/applications/{app_id}").status_code == 404
    _upload(me, app_id, "N2")
    _upload(me, app_id, "N6")
    me.patch(f"/api/v1/applications/{app_id}", json={"pledge_accepted": True})
    assert me.post(f"/api/v1/applications/{app_id}/submission").status_code == 200
    assert district.get(f"/api/v1/evidence-files/{file_id}").status_code == 200
    other = support.enterprise(db)
    for outsider in (
        client_as(Role.enterprise, enterprise_id=other.id),
        client_as(Role.district_official, region_code="440304"),
        client_as(Role.expert),
    ):
        r = outsider.get(f"/api/v1/evidence-files/{file_id}")
        assert r.status_code in (403, 404), r.text
    downloads = db.scalars(
        select(AuditLog.username).where(AuditLog.action == "application.evidence.download")
    ).all()
    assert len(downloads) == 2
    assert db.scalar(select(func.count()).select_from(ApplicationEvent)) >= 2
    assert db.get(Application, app_id).status == "in_review"  # type: ignore[union-attr]
