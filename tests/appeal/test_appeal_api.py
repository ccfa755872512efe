"""The closed loop through the API: file → accept → dispatch → start → answer → close → rate, and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from srdi.appeal.models import Appeal, AppealEvent
from srdi.auth.enums import Role
from srdi.notification.models import Notification
from tests.appeal import factories

LONG_TEXT = "融资" * 2501


def _counts(db):  # type: ignore[no-untyped-def]
    db.flush()
    return (
        db.scalar(select(func.count()).select_from(Appeal)),
        db.scalar(select(func.count()).select_from(AppealEvent)),
    )


def test_enterprise_files_and_follows_an_appeal_to_its_rating(db, client_as, make_user):
    factories.catalogue(db)
    ent = factories.enterprise(db)
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    r = me.post(
        "/api/v1/appeals",
        json={
            "title": "申请贴息贷款",
            "content": "我司想向银行贷款购置设备，请问专精特新企业有没有贷款贴息？",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["status"], body["status_label"], body["channel"]) == ("submitted", "已提交", "web")
    assert body["category_key"] == "financing"
    assert body["suggested_department_key"] == "sz_jrj"
    appeal_id = body["id"]

    district = client_as(Role.district_official)
    r = district.post(f"/api/v1/appeals/{appeal_id}/transitions", json={"action": "accept"})
    assert (r.status_code, r.json()["status"]) == (200, "accepted"), r.text
    r = district.post(
        f"/api/v1/appeals/{appeal_id}/transitions",
        json={"action": "dispatch", "department_key": "sz_jrj", "assist_department_keys": ["sz_ns_gxj"]},
    )
    assert (r.status_code, r.json()["department_name"]) == (200, "深圳市地方金融监督管理局"), r.text
    assert r.json()["assist_departments"] == ["深圳市南山区工业和信息化局"]

    handler = client_as(Role.department_handler, department="深圳市地方金融监督管理局")
    listed = handler.get("/api/v1/appeals").json()
    assert [i["id"] for i in listed["items"]] == [appeal_id]
    assert handler.get(f"/api/v1/appeals/{appeal_id}").json()["allowed_actions"] == ["start", "return"]
    assert (
        handler.post(f"/api/v1/appeals/{appeal_id}/transitions", json={"action": "start"}).status_code == 200
    )
    r = handler.post(
        f"/api/v1/appeals/{appeal_id}/transitions",
        json={"action": "answer", "answer": "可申请深圳市专精特新企业贷款贴息，按实际利息的50%给予补贴。"},
    )
    assert (r.status_code, r.json()["status_label"]) == (200, "已答复")
    assert me.post(f"/api/v1/appeals/{appeal_id}/transitions", json={"action": "close"}).status_code == 200
    r = me.post(
        f"/api/v1/appeals/{appeal_id}/transitions", json={"action": "rate", "satisfied": True, "rating": 5}
    )
    assert (r.status_code, r.json()["status"], r.json()["rating"]) == (200, "rated", 5)
    steps = [(e["from_status"], e["to_status"]) for e in r.json()["events"]]
    assert steps == [
        (None, "submitted"),
        ("submitted", "accepted"),
        ("accepted", "dispatched"),
        ("dispatched", "in_progress"),
        ("in_progress", "answered"),
        ("answered", "closed"),
        ("closed", "rated"),
    ]
    kinds = db.scalars(
        select(Notification.title).where(Notification.enterprise_id == ent.id).order_by(Notification.id)
    ).all()
    assert kinds[0] == "您的诉求“申请贴息贷款”已提交"
    assert kinds[-1] == "您的诉求已评价"
    assert len(kinds) == 7


def test_empty_and_oversized_texts_are_refused_in_chinese_and_nothing_is_filed(db, client_as):
    factories.catalogue(db)
    ent = factories.enterprise(db)
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    before = _counts(db)
    r = me.post("/api/v1/appeals", json={"title": "  ", "content": "想了解贷款贴息政策"})
    assert (r.status_code, r.json()["message"]) == (422, "诉求标题不能为空")
    r = me.post("/api/v1/appeals", json={"title": "融资", "content": LONG_TEXT})
    assert r.status_code == 422
    assert r.json()["message"] == "诉求内容不能超过 5000 个字（当前 5002 字），请精简或分条提交"
    assert _counts(db) == before


def test_a_transition_not_in_the_table_is_refused_and_changes_nothing(db, client_as, make_user):
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    a = factories.appeal(db, ent, filer)
    before = _counts(db)
    district = client_as(Role.district_official)
    r = district.post(f"/api/v1/appeals/{a.id}/transitions", json={"action": "close"})
    assert r.status_code == 409
    assert r.json()["message"] == "诉求当前状态为“已提交”，不能执行“办结”"
    assert _counts(db) == before
    db.refresh(a)
    assert (a.status, a.version) == ("submitted", 1)


def test_only_the_filing_enterprise_may_rate(db, client_as, make_user):
    ent = factories.enterprise(db)
    other = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    a = factories.appeal(db, ent, filer)
    a.status = "closed"
    db.flush()
    outsider = client_as(Role.enterprise, enterprise_id=other.id)
    r = outsider.post(
        f"/api/v1/appeals/{a.id}/transitions", json={"action": "rate", "satisfied": True, "rating": 5}
    )
    assert (r.status_code, r.json()["message"]) == (404, "未找到该诉求")
    official = client_as(Role.district_official)
    r = official.post(
        f"/api/v1/appeals/{a.id}/transitions", json={"action": "rate", "satisfied": True, "rating": 5}
    )
    assert (r.status_code, r.json()["message"]) == (403, "当前角色（区县主管部门）不能执行“评价”")
    db.refresh(a)
    assert (a.status, a.rating) == ("closed", None)


def test_duplicate_of_an_open_appeal_is_refused_with_its_number(db, client_as, make_user):
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    # Filed just before (the request files at the clock's time; older open appeals are outside the look-back).
    first = factories.appeal(db, ent, filer, at=datetime.now(UTC) - timedelta(hours=1))
    me = client_as(filer)
    r = me.post(
        "/api/v1/appeals",
        json={
            "title": "申请贴息贷款",
            "content": "我司计划向银行贷款500万元用于购置设备，想了解专精特新企业贷款贴息政策及申请流程。",
        },
    )
    assert r.status_code == 409
    assert r.json()["details"] == {
        "existing_id": first.id,
        "existing_title": "申请贴息贷款",
        "existing_url": f"/appeals/{first.id}",
        "similarity": 0.91,
        "can_override": False,
    }
    assert r.json()["message"] == (
        f"您已提交过相似的诉求（编号 {first.id}：申请贴息贷款，已提交），该诉求仍在办理中，请勿重复提交；"
        "如需补充情况，请在原诉求中上传材料"
    )
    # The enterprise cannot wave the check through.
    again = me.post(
        "/api/v1/appeals",
        json={
            "title": "申请贴息贷款",
            "content": "我司计划向银行贷款500万元用于购置设备，想了解专精特新企业贷款贴息政策及申请流程。",
            "confirm_duplicate": True,
        },
    )
    assert again.status_code == 409
    assert _counts(db)[0] == 1


def test_staff_are_warned_of_a_similar_open_appeal_and_may_still_file_it(db, client_as, make_user):
    ent = factories.enterprise(db)
    first = factories.appeal(
        db, ent, make_user(Role.enterprise, enterprise_id=ent.id), at=datetime.now(UTC) - timedelta(hours=1)
    )
    district = client_as(Role.district_official)
    body = {
        "title": "申请贴息贷款",
        "content": "企业来电：计划向银行贷款500万元用于购置设备，想了解专精特新企业贷款贴息政策和申请流程。",
        "enterprise_id": ent.id,
        "channel": "phone",
    }
    warned = district.post("/api/v1/appeals", json=body)
    assert warned.status_code == 409
    assert warned.json()["message"] == (
        f"该企业已有相似的诉求仍在办理中（编号 {first.id}：申请贴息贷款，已提交）。请先查看该诉求；"
        "如确属新的诉求，可选择“仍然登记”"
    )
    assert (warned.json()["details"]["existing_url"], warned.json()["details"]["can_override"]) == (
        f"/appeals/{first.id}",
        True,
    )
    assert _counts(db)[0] == 1
    filed = district.post("/api/v1/appeals", json=body | {"confirm_duplicate": True})
    assert filed.status_code == 201, filed.text
    first_event = filed.json()["events"][0]
    assert first_event["reason"] == f"渠道：电话；与诉求 {first.id} 相似，经工作人员确认仍予登记"
    assert first_event["detail"] == {"channel": "phone", "possible_duplicate_of": first.id}


def test_a_similar_appeal_that_is_closed_or_of_another_enterprise_is_no_duplicate(db, client_as, make_user):
    ent, other = factories.enterprise(db), factories.enterprise(db)
    recent = datetime.now(UTC) - timedelta(hours=1)
    done = factories.appeal(db, ent, make_user(Role.enterprise, enterprise_id=ent.id), at=recent)
    done.status = "closed"
    factories.appeal(db, other, make_user(Role.enterprise, enterprise_id=other.id), at=recent)
    db.flush()
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    r = me.post(
        "/api/v1/appeals",
        json={
            "title": "申请贴息贷款",
            "content": "我司计划向银行贷款500万元用于购置设备，想了解专精特新企业贷款贴息政策和申请流程。",
        },
    )
    assert r.status_code == 201, r.text


def test_staff_file_on_behalf_by_phone_and_handlers_see_only_their_units_appeals(db, client_as, make_user):
    factories.catalogue(db)
    ent = factories.enterprise(db)
    district = client_as(Role.district_official)
    r = district.post(
        "/api/v1/appeals",
        json={
            "title": "招聘研发人员",
            "content": "企业来电：需要引进高端研发人才，咨询人才落户和住房补贴。",
            "enterprise_id": ent.id,
            "channel": "hotline_12345",
        },
    )
    assert (r.status_code, r.json()["channel_label"], r.json()["category_key"]) == (
        201,
        "12345 热线转办",
        "talent_labour",
    ), r.text
    finance = client_as(Role.department_handler, department="深圳市地方金融监督管理局")
    assert finance.get("/api/v1/appeals").json()["total"] == 0
    assert finance.get(f"/api/v1/appeals/{r.json()['id']}").status_code == 404


def test_route_suggestions_rank_departments_without_filing(db, client_as):
    factories.catalogue(db)
    me = client_as(Role.district_official)
    before = _counts(db)
    r = me.post(
        "/api/v1/appeals/route-suggestions",
        json={"text": "想申请银行贷款贴息，资金周转困难", "region_code": "440305"},
    )
    assert r.status_code == 200
    top = r.json()[0]
    assert (top["department_key"], top["department_name"], top["category_key"]) == (
        "sz_jrj",
        "深圳市地方金融监督管理局",
        "financing",
    )
    # The words that decided it are shown (the exact list is the router's business).
    assert "贴息" in top["matched_terms"]
    assert _counts(db) == before


def test_a_handler_account_named_by_an_alias_belongs_to_its_unit(db, make_user):
    from srdi.appeal import service

    factories.catalogue(db)
    user = make_user(Role.department_handler, department="市金融局")
    dep = service.department_of_user(db, user)
    assert dep is not None and dep.key == "sz_jrj"
