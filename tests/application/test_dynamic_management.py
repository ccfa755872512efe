"""动态管理 as workflows (issue 14 deliverable 6, CRITERIA §7): annual update tasks with the regime's deadline and
the consequence of missing it, major-change reports within 3 months, revocation with a kind from
rules/dynamic_management.yaml and the 3-year ban; every step on 一企一档's history; bad input refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from srdi.application import dynamic_service
from srdi.application import service as app_service
from srdi.application.models import AnnualUpdateTask
from srdi.auth.enums import Role
from srdi.auth.models import AuditLog
from srdi.enterprise.models import ChangeLog, Recognition, YearlyFigure
from tests.application import support


@pytest.fixture
def day(monkeypatch: pytest.MonkeyPatch) -> support.Clock:
    """One Beijing date for both services (the application's batch window and the dynamic deadlines)."""
    c = support.Clock(date(2027, 3, 1))
    monkeypatch.setattr(app_service, "today", c)
    monkeypatch.setattr(dynamic_service, "today", c)
    return c


def _recognised(db, region: str = "440305", tier: str = "srdi_sme"):  # type: ignore[no-untyped-def]
    ent = support.enterprise(db, region=region)
    rec = Recognition(
        enterprise_id=ent.id, tier=tier, level="provincial", batch="2025年第一批", source="official_list",
        announced_date=date(2025, 6, 1), valid_until=date(2028, 5, 31), status="valid",
    )  # fmt: skip
    db.add(rec)
    db.flush()
    db.refresh(ent)
    return ent, rec


def _history(db, ent_id: int, entity: str) -> list[tuple[str | None, str | None, str]]:  # type: ignore[no-untyped-def]
    rows = db.scalars(
        select(ChangeLog)
        .where(ChangeLog.enterprise_id == ent_id, ChangeLog.entity == entity)
        .order_by(ChangeLog.id)
    ).all()
    return [(r.old_value, r.new_value, r.note or "") for r in rows]


def _open(client, year: int = 2027) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    r = client.post("/api/v1/annual-updates/generation", json={"year": year})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_annual_update_is_opened_submitted_and_acknowledged_with_every_step_on_the_profile(
    db, client_as, day
):
    ent, _ = _recognised(db)
    other_region, _ = _recognised(db, region="440106")
    district = client_as(Role.district_official)  # 440305
    tasks = _open(district)
    assert [(t["enterprise_id"], t["fiscal_year"], t["deadline_date"], t["status_label"]) for t in tasks] == [
        (ent.id, 2026, "2027-05-31", "待更新")  # regime_2026: 5月31日 (rules/dynamic_management.yaml)
    ]
    assert tasks[0]["consequence"] == "未及时更新的，取消复核资格"
    assert tasks[0]["tier_labels"] == ["专精特新中小企业"]
    assert _open(district) == []  # idempotent
    assert other_region.id not in {t["enterprise_id"] for t in district.get("/api/v1/annual-updates").json()}

    me = client_as(Role.enterprise, enterprise_id=ent.id)
    assert [t["id"] for t in me.get("/api/v1/annual-updates").json()] == [tasks[0]["id"]]
    r = me.post(
        f"/api/v1/annual-updates/{tasks[0]['id']}/submission",
        json={"figures": {"operating_revenue": "86000000.00", "employees": 120, "source": "tax"},
              "note": "已按审计报告填报"},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["task"]["status_label"] == "已提交，待确认"
    assert body["provenance_notice"].startswith("企业账号填报的数据一律记为“企业自报”")
    fig = db.scalars(select(YearlyFigure).where(YearlyFigure.enterprise_id == ent.id)).one()
    assert (fig.fiscal_year, fig.operating_revenue, fig.employees) == (2026, 8_600_000_000, 120)
    assert fig.sources == {"operating_revenue": "self_reported", "employees": "self_reported"}

    r = me.post(f"/api/v1/annual-updates/{tasks[0]['id']}/submission", json={"figures": {"employees": 1}})
    assert (r.status_code, r.json()["message"]) == (409, "该年度更新任务当前为“已提交，待确认”，不能重复提交")

    r = district.post(f"/api/v1/annual-updates/{tasks[0]['id']}/acknowledgement", json={"note": "数据齐全"})
    assert (r.status_code, r.json()["status_label"]) == (200, "已确认")
    assert r.json()["acknowledged_by"].startswith(district.user.display_name or district.user.username)
    steps = _history(db, ent.id, "annual_update_task")
    assert [(o, n) for o, n, _ in steps] == [
        (None, "待更新"),
        ("待更新", "已提交，待确认"),
        ("已提交，待确认", "已确认"),
    ]
    assert steps[0][2] == "请于2027-05-31前更新2026年度数据；未及时更新的，取消复核资格"
    assert steps[1][2] == "提交2026年度更新（营业收入、从业人员，企业自报）：已按审计报告填报"
    assert steps[2][2] == "确认2026年度更新：数据齐全"
    # 一企一档's 变更历史 (the profile's timeline) lists them with the figures the update wrote.
    hist = me.get(f"/api/v1/enterprises/{ent.id}/history", params={"page_size": 50}).json()["items"]
    assert {(h["entity"], h["new_value"]) for h in hist} >= {
        ("annual_update_task", "已确认"),
        ("yearly_figure", "8600000000"),
    }
    actions = db.scalars(select(AuditLog.action).where(AuditLog.action.like("dynamic.%"))).all()
    assert sorted(actions) == sorted(
        ["dynamic.annual_update.open", "dynamic.annual_update.open", "dynamic.annual_update.submit",
         "dynamic.annual_update.acknowledge"]
    )  # fmt: skip


def test_a_late_submission_is_refused_and_the_sweep_records_the_lost_re_review_once(db, client_as, day):
    ent, _ = _recognised(db)
    task = _open(client_as(Role.district_official))[0]
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    day.day = date(2027, 6, 1)  # the day after 5月31日 (Beijing)
    assert me.get("/api/v1/annual-updates", params={"status": "late"}).json()[0]["overdue"] is True
    r = me.post(f"/api/v1/annual-updates/{task['id']}/submission", json={"figures": {"employees": 90}})
    assert (r.status_code, r.json()["message"]) == (
        422, "2027年度更新已于2027-05-31截止，不能再提交：未及时更新的，取消复核资格",
    )  # fmt: skip
    assert db.scalars(select(YearlyFigure).where(YearlyFigure.enterprise_id == ent.id)).all() == []
    assert db.get(AnnualUpdateTask, task["id"]).status == "open"  # type: ignore[union-attr]

    assert dynamic_service.sweep_overdue(db).overdue == 1
    assert dynamic_service.sweep_overdue(db).overdue == 0  # compare-and-set: recorded exactly once
    db.expire_all()
    assert db.get(AnnualUpdateTask, task["id"]).status == "overdue"  # type: ignore[union-attr]
    assert _history(db, ent.id, "annual_update_task")[-1] == (
        "待更新", "逾期未更新", "未在2027-05-31前更新2026年度数据：未及时更新的，取消复核资格",
    )  # fmt: skip

    # The consequence: a 复核 application for the title is refused in Chinese; a new application is not.
    user = me.user
    b = support.batch(db, open_date=date(2027, 6, 1), close_date=date(2027, 7, 31))
    b.purpose = "re_review"
    db.flush()
    with pytest.raises(app_service.InvalidApplication) as exc:
        app_service.create_application(db, ent, b, user)
    assert exc.value.message_zh == "贵企业未在2027-05-31前更新2026年度数据，未及时更新的，取消复核资格"


def test_another_enterprises_task_and_another_districts_task_answer_404(db, client_as, day):
    ent, _ = _recognised(db)
    stranger, _ = _recognised(db, region="440305")
    tasks = {t["enterprise_id"]: t["id"] for t in _open(client_as(Role.district_official))}
    them = client_as(Role.enterprise, enterprise_id=stranger.id)
    r = them.post(f"/api/v1/annual-updates/{tasks[ent.id]}/submission", json={"figures": {"employees": 5}})
    assert (r.status_code, r.json()["message"]) == (404, "未找到该年度更新任务")
    assert them.get(f"/api/v1/annual-updates/{tasks[ent.id]}").status_code == 404
    elsewhere = client_as(Role.district_official, region_code="440106")
    assert elsewhere.get(f"/api/v1/annual-updates/{tasks[ent.id]}").status_code == 404
    r = elsewhere.post(f"/api/v1/annual-updates/{tasks[ent.id]}/acknowledgement", json={})
    assert r.status_code == 404
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    assert me.post(f"/api/v1/annual-updates/{tasks[ent.id]}/acknowledgement", json={}).status_code == 403
    r = me.post(f"/api/v1/annual-updates/{tasks[ent.id]}/submission", json={"figures": {}})
    assert (r.status_code, r.json()["message"]) == (422, "请至少填写一项2026年度经营数据")


def test_major_change_reports_carry_the_3_month_deadline_and_refuse_bad_input(db, client_as, day):
    ent, _ = _recognised(db)
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    r = me.post(
        "/api/v1/major-changes",
        json={
            "kind": "rename", "change_date": "2027-01-10", "description": "更名为深圳南山精工有限公司",
            "new_name": "深圳南山精工有限公司",
        },
    )  # fmt: skip
    assert r.status_code == 201, r.text
    old_name = ent.name
    assert (r.json()["old_name"], r.json()["new_name"]) == (old_name, "深圳南山精工有限公司")
    on_time = r.json()
    assert (on_time["kind_label"], on_time["due_date"], on_time["late"], on_time["status_label"]) == (
        "更名", "2027-04-10", False, "已报告，待确认",
    )  # fmt: skip
    r = me.post(
        "/api/v1/major-changes",
        json={"kind": "cross_province_move", "change_date": "2026-11-30", "description": "迁至湖南长沙"},
    )
    assert (r.status_code, r.json()["due_date"], r.json()["late"]) == (201, "2027-02-28", True)
    r = me.post(
        "/api/v1/major-changes", json={"kind": "rename", "change_date": "2027-01-10", "description": "x"}
    )
    assert (r.status_code, r.json()["message"]) == (422, "更名报告请填写变更后的企业名称")
    r = me.post(
        "/api/v1/major-changes",
        json={"kind": "rename", "change_date": "2027-01-10", "description": "x", "new_name": ent.name},
    )
    assert (r.status_code, r.json()["message"]) == (422, f"新名称与企业库中的名称“{ent.name}”相同")
    r = me.post(
        "/api/v1/major-changes",
        json={"kind": "merger", "change_date": "2027-01-10", "description": "x", "new_name": "某某"},
    )
    assert (r.status_code, r.json()["message"]) == (422, "只有更名报告填写新名称（本报告为合并）")
    r = me.post(
        "/api/v1/major-changes",
        json={"kind": "rename", "change_date": "2027-03-02", "description": "x", "new_name": "某某"},
    )
    assert (r.status_code, r.json()["message"]) == (422, "变化日期2027-03-02晚于今天，请在变化发生后报告")
    r = me.post(
        "/api/v1/major-changes", json={"kind": "bankruptcy", "change_date": "2027-01-10", "description": "x"}
    )
    assert r.status_code == 422

    elsewhere = client_as(Role.district_official, region_code="440106")
    r = elsewhere.post(f"/api/v1/major-changes/{on_time['id']}/acknowledgement", json={})
    assert r.status_code == 404
    assert elsewhere.get("/api/v1/major-changes").json() == []
    district = client_as(Role.district_official)
    r = district.post(f"/api/v1/major-changes/{on_time['id']}/acknowledgement", json={"note": "已变更登记"})
    assert (r.status_code, r.json()["status_label"]) == (200, "已确认")
    # The confirmed 更名 renamed the registry entry, old → new on 变更历史 with the report as the reason.
    db.refresh(ent)
    assert ent.name == "深圳南山精工有限公司"
    renamed = db.scalars(
        select(ChangeLog).where(ChangeLog.enterprise_id == ent.id, ChangeLog.entity == "enterprise")
    ).all()
    assert [(c.field, c.old_value, c.new_value, c.source, c.note) for c in renamed] == [
        ("name", old_name, "深圳南山精工有限公司", "verified",
         f"更名报告 #{on_time['id']}（2027-01-10变更）经主管部门确认"),
    ]  # fmt: skip
    assert district.get(f"/api/v1/enterprises/{ent.id}").json()["name"] == "深圳南山精工有限公司"
    r = district.post(f"/api/v1/major-changes/{on_time['id']}/acknowledgement", json={})
    assert (r.status_code, r.json()["message"]) == (409, "该重大变化报告已确认")
    notes = [n for _, _, n in _history(db, ent.id, "major_change_report")]
    assert notes == [
        "报告更名（2027-01-10）：更名为深圳南山精工有限公司（新名称：深圳南山精工有限公司）",
        "报告跨省迁移（2026-11-30）：迁至湖南长沙；已超过3个月的报告期限（应于2027-02-28前报告）",
        "确认更名报告：已变更登记",
    ]


def test_revocation_takes_a_kind_from_the_file_and_the_ban_refuses_a_new_application(db, client_as, day):
    ent, rec = _recognised(db)
    province = client_as(Role.provincial_official)
    url = f"/api/v1/recognitions/{rec.id}/revocation"
    r = province.post(url, json={"kind": "bribery", "reason": "行贿"})
    assert r.status_code == 422 and r.json()["message"].startswith(
        "“bribery”不是撤销情形，可选：安全事故、质量事故"
    )
    r = province.post(url, json={"kind": "safety_incident", "severity": "minor", "reason": "一般事故"})
    assert (r.status_code, r.json()["message"]) == (422, "“安全事故”须为重大或特别重大等级才撤销认定")
    assert (
        client_as(Role.district_official).post(url, json={"kind": "tax_violation", "reason": "x"}).status_code
        == 403
    )
    assert (
        client_as(Role.provincial_official, region_code="43")
        .post(url, json={"kind": "tax_violation", "reason": "x"})
        .status_code
        == 404
    )
    db.refresh(rec)
    assert rec.status == "valid"

    r = province.post(
        url, json={"kind": "safety_incident", "severity": "major", "reason": "2027年2月发生重大生产安全事故"}
    )
    assert r.status_code == 201, r.text
    assert (r.json()["kind_label"], r.json()["severity_label"], r.json()["ban_until"]) == (
        "安全事故", "重大", "2030-03-01",
    )  # fmt: skip
    db.refresh(rec)
    assert (rec.status, rec.revoked_date, rec.revocation_reason) == (
        "revoked",
        date(2027, 3, 1),
        "major_accident",
    )
    assert _history(db, ent.id, "recognition")[-1] == (
        "有效", "已撤销",
        "撤销专精特新中小企业认定：安全事故（重大），2027年2月发生重大生产安全事故；3年内（2030-03-01前）不得再次申报"
        "（暂行办法 第十六条）",
    )  # fmt: skip
    assert province.post(url, json={"kind": "tax_violation", "reason": "x"}).status_code == 409

    # The ban: the enterprise's next application is refused in Chinese until three years have passed.
    b = support.batch(db, open_date=date(2027, 3, 1), close_date=date(2027, 4, 30))
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    r = me.post("/api/v1/applications", json={"batch_id": b.id})
    assert (r.status_code, r.json()["message"]) == (
        422,
        "贵企业的专精特新中小企业认定已于2027-03-01撤销（发生重大安全（含网络安全、数据安全）、质量、环境污染等事故），"
        "3年内不得再次申报，2030-03-01起方可申报",
    )
    day.day = date(2030, 3, 1)
    later = support.batch(db, open_date=date(2030, 2, 1), close_date=date(2030, 4, 30))
    r = me.post("/api/v1/applications", json={"batch_id": later.id})
    assert r.status_code == 201, r.text


def test_revocation_kinds_are_read_from_the_rule_file(client_as):
    kinds = client_as(Role.provincial_official).get("/api/v1/revocation-kinds").json()
    assert [(k["kind"], k["severity_labels"], k["bars_application"]) for k in kinds] == [
        ("safety_incident", ["重大", "特别重大"], True),
        ("quality_incident", ["重大", "特别重大", "严重"], True),
        ("environmental_incident", ["重大", "特别重大"], True),
        ("cyber_data_incident", ["重大", "特别重大"], True),
        ("serious_dishonesty_list", [], True),
        ("tax_violation", [], True),
    ]


def test_the_certificate_pdf_is_for_the_enterprise_and_officials_in_scope_and_audited(db, client_as, day):
    ent, rec = _recognised(db)
    url = f"/api/v1/enterprises/{ent.id}/recognitions/{rec.id}/certificate.pdf"
    r = client_as(Role.enterprise, enterprise_id=ent.id).get(url)
    assert (r.status_code, r.headers["content-type"], r.content[:5]) == (200, "application/pdf", b"%PDF-")
    assert client_as(Role.district_official).get(url).status_code == 200
    other, _ = _recognised(db)
    assert client_as(Role.enterprise, enterprise_id=other.id).get(url).status_code == 404
    assert client_as(Role.district_official, region_code="440106").get(url).status_code == 404
    assert client_as(Role.expert).get(url).status_code == 403
    r = client_as(Role.enterprise, enterprise_id=ent.id).get(
        f"/api/v1/enterprises/{ent.id}/recognitions/{rec.id + 1000}/certificate.pdf"
    )
    assert (r.status_code, r.json()["message"]) == (404, "未找到该认定记录")
    audited = db.scalars(
        select(AuditLog.action).where(AuditLog.action == "dynamic.certificate.download")
    ).all()
    assert len(audited) == 2
