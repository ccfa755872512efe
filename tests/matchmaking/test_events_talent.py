"""Events (对接会、路演、新品发布、校企人才对接) and talent needs (用人用工) through the API: the walk from a hiring need
to the district's queue and from an event to a counted target; refusals of bad input in Chinese; who sees what."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from srdi.auth.enums import Role
from srdi.kit.workdays import beijing_today
from srdi.matchmaking.models import ActivityLog
from srdi.notification.models import Notification
from tests.matchmaking import factories

EVENTS = "/api/v1/match-events"
TALENT = "/api/v1/match-talent"

POST = {
    "kind": "hiring",
    "post": "嵌入式软件工程师",
    "headcount": 5,
    "skills": ["C/C++", "RTOS", "电机控制"],
    "place": "南山区西丽街道留仙大道",
    "salary_min_yuan": "15000",
    "salary_max_yuan": "25000",
    "joint_training": True,
    "description": "负责机器人关节驱动器固件开发，可与高校联合培养应届生。",
}


def _event(day=None, **kw):  # type: ignore[no-untyped-def]
    return {
        "kind": "matchmaking",
        "title": "东莞市专精特新企业与龙头企业供需对接会",
        "event_date": (day or beijing_today()).isoformat(),
        "place": "东莞市松山湖科技产业园区会展中心",
        "organiser": "东莞市工业和信息化局",
        "region_code": "441900",
        "industry_codes": ["3984"],
        **kw,
    }


def _notes(db, enterprise_id):  # type: ignore[no-untyped-def]
    db.flush()
    return db.scalars(
        select(Notification).where(Notification.enterprise_id == enterprise_id).order_by(Notification.id)
    ).all()


def test_walk_hiring_need_reaches_the_district_and_an_event_outcome_is_counted_towards_the_target(
    db, client_as
):
    ents = factories.suppliers(db)
    # A hiring need: published, pushed to 南山's human-resources services (the enterprise is told).
    owner = client_as(Role.enterprise, enterprise_id=ents["leader"].id)
    r = owner.post(TALENT, json=POST)
    assert r.status_code == 201, r.text
    need = r.json()
    assert (need["status_label"], need["region_name"], need["salary_text"]) == (
        "招聘中",
        "广东省深圳市南山区",
        "15,000–25,000 元/月",
    )
    assert [x["action_label"] for x in need["log"]] == ["发布用人需求", "推送至区人力资源服务"]
    [pushed] = _notes(db, ents["leader"].id)
    assert pushed.body == "“嵌入式软件工程师”（5 人）已推送至广东省深圳市南山区人力资源服务部门，请留意响应。"

    district = client_as(Role.district_official, region_code="440305")
    queue = district.get(TALENT, params={"view": "district"}).json()
    assert [(t["post"], t["enterprise_name"], t["headcount"]) for t in queue] == [
        ("嵌入式软件工程师", "深圳市链主机器人股份有限公司", 5)
    ]
    assert (
        client_as(Role.district_official, region_code="440306")
        .get(TALENT, params={"view": "district"})
        .json()
        == []
    )
    r = district.post(
        f"{TALENT}/{need['id']}/transitions",
        json={"action": "respond", "note": "已推荐至深圳大学专场招聘会，并推送 40 份匹配简历"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["response_note"] == "已推荐至深圳大学专场招聘会，并推送 40 份匹配简历"
    assert _notes(db, ents["leader"].id)[-1].title == "区人力资源服务已响应：嵌入式软件工程师"
    r = owner.post(f"{TALENT}/{need['id']}/outcomes",
                   json={"on_date": beijing_today().isoformat(), "resumes": 40, "interviews": 12, "hires": 5})  # fmt: skip
    assert r.status_code == 201, r.text
    assert (r.json()["hires"], r.json()["status_label"]) == (5, "已招满")

    # An event in 东莞: the city official creates it, an enterprise registers, it is held, a leader meets and buys.
    city = client_as(Role.city_official, region_code="4419")
    before = {
        t["measure"]: t["actual"]
        for t in city.get("/api/v1/monitoring/targets", params={"region": "4419"}).json()
        if not t["subject"]
    }
    assert before["leader_matchmaking"] is None
    r = city.post(EVENTS, json=_event())
    assert r.status_code == 201, r.text
    ev = r.json()
    assert (ev["kind_label"], ev["status_label"], ev["region_name"]) == (
        "供需对接会",
        "报名中",
        "广东省东莞市",
    )
    seller = client_as(Role.enterprise, enterprise_id=ents["planetary"].id)
    assert ev["id"] in [e["id"] for e in seller.get(EVENTS, params={"view": "open"}).json()]
    r = seller.post(f"{EVENTS}/{ev['id']}/registration", json={"note": "参会人：张经理"})
    assert r.status_code == 200, r.text
    assert r.json()["my_registration"] == "registered"
    assert [e["title"] for e in seller.get(EVENTS, params={"view": "mine"}).json()] == [ev["title"]]
    assert owner.get(EVENTS, params={"view": "mine"}).json() == []
    leader = client_as(Role.chain_leader, enterprise_id=ents["leader"].id)
    assert leader.post(f"{EVENTS}/{ev['id']}/registration", json={}).status_code == 200

    r = city.post(f"{EVENTS}/{ev['id']}/attendance",
                  json={"attended_enterprise_ids": [ents["planetary"].id, ents["leader"].id]})  # fmt: skip
    assert r.status_code == 200, r.text
    assert [x["attended_label"] for x in r.json()["registrations"]] == ["出席", "出席"]
    r = city.post(f"{EVENTS}/{ev['id']}/transitions", json={"action": "hold", "note": "到会企业 2 家"})
    assert r.json()["status_label"] == "已举办", r.text

    r = leader.post(f"{EVENTS}/{ev['id']}/meetings",
                    json={"enterprise_id": ents["planetary"].id, "note": "洽谈行星减速机配套"})  # fmt: skip
    assert r.status_code == 201, r.text
    r = leader.post(
        f"{EVENTS}/{ev['id']}/outcomes",
        json={"seller_enterprise_id": ents["planetary"].id, "title": "精密行星减速机年度采购",
              "amount_wan": "120.5", "signed_on": beijing_today().isoformat()},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    [o] = r.json()["outcomes"]
    assert (o["amount_text"], o["provenance"], o["can_confirm"]) == ("120.50 万元", "仅买方登记", False)
    assert _notes(db, ents["planetary"].id)[-1].title == "请确认合作成果：精密行星减速机年度采购"
    r = seller.post(f"/api/v1/match-outcomes/{o['id']}/confirm")
    assert r.json()["outcomes"][0]["provenance"] == "供方确认", r.text
    r = city.post(f"/api/v1/match-outcomes/{o['id']}/verify")
    assert r.json()["outcomes"][0]["provenance"] == "主管部门核实", r.text

    # Counted: Dongguan's ≥ 5 对接活动 a year now has one held on the platform; the figures add up.
    after = {
        t["measure"]: (t["actual"], t["value"])
        for t in city.get("/api/v1/monitoring/targets", params={"region": "4419"}).json()
        if not t["subject"]
    }
    assert after["leader_matchmaking"] == ("1", "5")
    assert after["talent_events"] == (None, "3")
    f = city.get("/api/v1/match-figures").json()
    assert (f["events_held"], f["registrations"], f["attended"], f["meetings"]) == (1, 2, 2, 1)
    assert (f["outcomes"], f["outcomes_proven"], f["amount_proven_text"]) == (1, 1, "120.50 万元")
    assert f["events_by_kind"]["供需对接会"] == 1
    sz = district.get("/api/v1/match-figures").json()
    assert (sz["talent_needs"], sz["headcount"], sz["resumes"], sz["interviews"], sz["hires"]) == (
        1,
        5,
        40,
        12,
        5,
    )
    assert sz["events_held"] == 0
    # Every step is in the event's log, with who did it.
    actions = [a.action for a in db.scalars(select(ActivityLog).where(ActivityLog.subject == "event"))]
    assert actions == ["event_create", "register", "register", "attendance", "event_hold", "meeting",
                       "outcome_record", "outcome_confirm", "outcome_verify"]  # fmt: skip


def test_empty_oversized_and_duplicate_postings_are_refused_in_chinese(db, client_as):
    ents = factories.suppliers(db)
    owner = client_as(Role.enterprise, enterprise_id=ents["harmonic"].id)
    cases = [
        ({"post": ""}, "岗位名称不能为空"),
        ({"post": "岗" * 61}, "岗位名称过长（61 字），请精简到 60 字以内"),
        ({"headcount": 0}, "需求人数须在 1 至 10000 之间"),
        ({"skills": ["技" * 31]}, "技能要求“技技技技技技技技技技…”过长（每项最多 30 字）"),
        ({"salary_min_yuan": "30000", "salary_max_yuan": "20000"}, "月薪下限不能高于上限"),
        ({"region_code": "440300"}, "工作地点请选择到区县"),
        ({"description": "说" * 2001}, "需求说明过长（2001 字），请精简到 2000 字以内"),
    ]
    for change, message in cases:
        r = owner.post(TALENT, json={**POST, **change})
        assert (r.status_code, r.json()["message"]) == (422, message), change
    assert owner.post(TALENT, json=POST).status_code == 201
    r = owner.post(TALENT, json={**POST, "post": " 嵌入式软件工程师！"})
    assert (r.status_code, r.json()["message"]) == (
        409,
        "贵企业已发布岗位“嵌入式软件工程师！”且仍在招聘中，请直接修改人数或登记成效",
    )
    need_id = owner.get(TALENT).json()[0]["id"]
    r = owner.post(f"{TALENT}/{need_id}/outcomes", json={"on_date": beijing_today().isoformat()})
    assert (r.status_code, r.json()["message"]) == (422, "请至少填写简历数、面试人数或录用人数中的一项")

    city = client_as(Role.city_official, region_code="4419")
    for change, message in [
        ({"title": ""}, "活动名称不能为空"),
        ({"title": "会" * 101}, "活动名称过长（101 字），请精简到 100 字以内"),
        ({"place": ""}, "活动地点不能为空"),
        ({"kind": "party"}, "活动类型只能是供需对接会、路演推介、新品发布会或校企人才对接会"),
        ({"event_date": (beijing_today() - timedelta(days=1)).isoformat()}, "活动日期不能早于今天"),
        ({"region_code": "440305"}, "活动所在地 440305 不在您的管辖范围内"),
        ({"capacity": 0}, "报名人数上限须在 1 至 5000 之间"),
    ]:
        r = city.post(EVENTS, json=_event(**change))
        assert (r.status_code, r.json()["message"]) == (422, message), change
    assert city.post(EVENTS, json=_event()).status_code == 201
    r = city.post(EVENTS, json=_event(title="东莞市专精特新企业与龙头企业供需对接会 "))
    assert r.status_code == 409
    assert r.json()["message"].endswith("已有同名活动“东莞市专精特新企业与龙头企业供需对接会”，请勿重复创建")
    ev = city.get(EVENTS, params={"view": "manage"}).json()[0]
    seller = client_as(Role.enterprise, enterprise_id=ents["planetary"].id)
    assert seller.post(f"{EVENTS}/{ev['id']}/registration", json={}).status_code == 200
    r = seller.post(f"{EVENTS}/{ev['id']}/registration", json={})
    assert (r.status_code, r.json()["message"]) == (409, "贵企业已报名该活动，请勿重复报名")
    r = city.post(f"{EVENTS}/{ev['id']}/transitions", json={"action": "cancel"})
    assert (r.status_code, r.json()["message"]) == (422, "取消原因不能为空")
    # Outcomes only after the event was held; amounts in 万元 bounded.
    leader = client_as(Role.chain_leader, enterprise_id=ents["leader"].id)
    body = {"seller_enterprise_id": ents["planetary"].id, "title": "精密减速机采购", "amount_wan": "10",
            "signed_on": beijing_today().isoformat()}  # fmt: skip
    r = leader.post(f"{EVENTS}/{ev['id']}/outcomes", json=body)
    assert (r.status_code, r.json()["message"]) == (409, "活动确认举办后才能登记合作成果")
    city.post(f"{EVENTS}/{ev['id']}/transitions", json={"action": "hold"})
    for amount, message in [
        ("0", "合同金额须大于 0"),
        ("2000000", "合同金额超过 100 亿元，请核对单位（万元）"),
    ]:
        r = leader.post(f"{EVENTS}/{ev['id']}/outcomes", json={**body, "amount_wan": amount})
        assert (r.status_code, r.json()["message"]) == (422, message)
    r = leader.post(f"{EVENTS}/{ev['id']}/meetings", json={"enterprise_id": ents["battery"].id})
    assert (r.status_code, r.json()["message"]) == (422, "贵企业须主办或报名该活动后才能登记洽谈")


def test_an_enterprise_sees_only_its_own_talent_needs_and_a_leader_only_its_own_meetings(db, client_as):
    ents = factories.suppliers(db)
    owner = client_as(Role.enterprise, enterprise_id=ents["harmonic"].id)  # 宝安 440306
    need_id = owner.post(TALENT, json=POST).json()["id"]
    district = client_as(Role.district_official, region_code="440306")
    district.post(f"{TALENT}/{need_id}/transitions", json={"action": "respond", "note": "推荐 3 名候选人"})

    other = client_as(Role.enterprise, enterprise_id=ents["planetary"].id)
    assert other.get(TALENT).json() == []
    assert other.get(TALENT, params={"view": "district"}).json() == []
    for call in (
        lambda: other.get(f"{TALENT}/{need_id}"),
        lambda: other.post(
            f"{TALENT}/{need_id}/outcomes", json={"on_date": beijing_today().isoformat(), "hires": 1}
        ),
        lambda: other.post(f"{TALENT}/{need_id}/transitions", json={"action": "close", "note": "不需要了"}),
        lambda: client_as(Role.district_official, region_code="440305").get(f"{TALENT}/{need_id}"),
    ):
        r = call()
        assert (r.status_code, r.json()["message"]) == (404, "未找到该用人需求")
    mine = owner.get(f"{TALENT}/{need_id}").json()
    assert mine["response_note"] == "推荐 3 名候选人"
    assert mine["allowed_actions"] == ["outcome", "close"]
    # The enterprise cannot answer for the district.
    r = owner.post(f"{TALENT}/{need_id}/transitions", json={"action": "respond", "note": "自己响应自己"})
    assert r.status_code == 422

    # Two leaders at one event: each sees only its own meetings.
    second = factories.enterprise(db, "东莞市第二链主电子有限公司", region="441900", industry="3984")
    city = client_as(Role.city_official, region_code="4419")
    ev = city.post(EVENTS, json=_event()).json()
    for e in (ents["planetary"], ents["battery"]):
        client_as(Role.enterprise, enterprise_id=e.id).post(f"{EVENTS}/{ev['id']}/registration", json={})
    a = client_as(Role.chain_leader, enterprise_id=ents["leader"].id)
    b = client_as(Role.chain_leader, enterprise_id=second.id)
    for c in (a, b):
        assert c.post(f"{EVENTS}/{ev['id']}/registration", json={}).status_code == 200
    assert (
        a.post(f"{EVENTS}/{ev['id']}/meetings", json={"enterprise_id": ents["planetary"].id}).status_code
        == 201
    )
    assert (
        b.post(f"{EVENTS}/{ev['id']}/meetings", json={"enterprise_id": ents["battery"].id}).status_code == 201
    )
    r = a.post(f"{EVENTS}/{ev['id']}/meetings", json={"enterprise_id": ents["planetary"].id})
    assert (r.status_code, r.json()["message"]) == (409, "该活动中与这家企业的洽谈已登记，请勿重复登记")
    assert [m["enterprise_name"] for m in a.get("/api/v1/match-meetings").json()] == [
        "东莞市行星传动有限公司"
    ]
    assert [m["enterprise_name"] for m in a.get(f"{EVENTS}/{ev['id']}").json()["meetings"]] == [
        "东莞市行星传动有限公司"
    ]
    assert len(b.get("/api/v1/match-meetings").json()) == 1
    assert len(city.get(f"{EVENTS}/{ev['id']}").json()["meetings"]) == 2
    # Registrations (with notes and attendance) are for the organiser and officials only; a leader at the event
    # sees who else registered, to record its meetings; an enterprise sees neither, and only its own meetings.
    seen = a.get(f"{EVENTS}/{ev['id']}").json()
    assert seen["registrations"] is None
    assert {p["enterprise_name"] for p in seen["participants"]} == {
        "东莞市行星传动有限公司",
        "重庆市储能电池有限公司",
        "东莞市第二链主电子有限公司",
    }
    plain = client_as(Role.enterprise, enterprise_id=ents["planetary"].id).get(f"{EVENTS}/{ev['id']}").json()
    assert (plain["registrations"], plain["participants"]) == (None, [])
    assert [m["leader_name"] for m in plain["meetings"]] == ["深圳市链主机器人股份有限公司"]
    # A leader cannot manage an event officials organise.
    r = a.post(f"{EVENTS}/{ev['id']}/transitions", json={"action": "hold"})
    assert (r.status_code, r.json()["message"]) == (404, "未找到该活动")


def test_a_job_fair_shows_the_posts_of_registered_enterprises_and_the_need_is_told_of_it(db, client_as):
    ents = factories.suppliers(db)
    district = client_as(Role.district_official, region_code="440305")
    day = beijing_today() + timedelta(days=20)
    fair = district.post(EVENTS, json=_event(day, kind="job_fair", title="南山区专精特新企业校园招聘会",
                                            region_code="440305", place="深圳大学粤海校区",
                                            organiser="南山区人力资源局"))  # fmt: skip
    assert fair.status_code == 201, fair.text
    fair_id = fair.json()["id"]
    owner = client_as(Role.enterprise, enterprise_id=ents["leader"].id)
    need = owner.post(TALENT, json=POST).json()
    assert [f["title"] for f in need["fairs"]] == ["南山区专精特新企业校园招聘会"]
    told = _notes(db, ents["leader"].id)[-1]
    assert told.title == "有适合“嵌入式软件工程师”的校企人才对接会"
    assert f"{day.isoformat()} 南山区专精特新企业校园招聘会（深圳大学粤海校区）" in told.body
    owner.post(f"{EVENTS}/{fair_id}/registration", json={})
    posts = district.get(f"{EVENTS}/{fair_id}").json()["fair_posts"]
    assert [(p["post"], p["headcount"], p["salary_text"]) for p in posts] == [
        ("嵌入式软件工程师", 5, "15,000–25,000 元/月")
    ]
    # Attendance and the outcome wait for the day itself.
    r = district.post(f"{EVENTS}/{fair_id}/transitions", json={"action": "hold"})
    assert (r.status_code, r.json()["message"]) == (409, f"活动日期为 {day.isoformat()}，举办后才能确认")
