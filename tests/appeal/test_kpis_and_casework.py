"""KPIs by department, district, category and month; casework assignment, worklist and visits."""

from __future__ import annotations

from datetime import UTC, datetime

from srdi.appeal import service
from srdi.appeal.enums import AppealAction
from srdi.auth.enums import Role
from srdi.casework import service as casework
from srdi.casework.enums import AssignmentBasis
from tests.appeal import factories

T = service.TransitionInput


def _through(db, a, official, handler, filer, *, answer_at, satisfied):  # type: ignore[no-untyped-def]
    now = factories.TUESDAY
    service.transition(db, a.id, T(AppealAction.accept), actor=official, now=now)
    service.transition(db, a.id, T(AppealAction.dispatch, department_key="sz_jrj"), actor=official, now=now)
    service.transition(db, a.id, T(AppealAction.start), actor=handler, now=now)
    service.transition(
        db, a.id, T(AppealAction.answer, answer="已答复企业，可申请贴息。"), actor=handler, now=answer_at
    )
    service.transition(db, a.id, T(AppealAction.close), actor=filer, now=answer_at)
    if satisfied is not None:
        service.transition(
            db,
            a.id,
            T(AppealAction.rate, satisfied=satisfied, rating=5 if satisfied else 2),
            actor=filer,
            now=answer_at,
        )


def test_kpis_by_department_count_rates_and_working_days(db, make_user, client_as):
    official = make_user(Role.district_official)
    handler = make_user(Role.department_handler, department="深圳市地方金融监督管理局")
    rows = []
    for i, (answer_at, satisfied) in enumerate(
        [
            (datetime(2026, 3, 4, 2, 0, tzinfo=UTC), True),  # Wednesday: 1 working day, on time
            (datetime(2026, 3, 6, 2, 0, tzinfo=UTC), False),  # Friday: 3 working days, on time
            (datetime(2026, 3, 12, 2, 0, tzinfo=UTC), None),  # Thursday next week: 7 days, late (due 03-10)
        ]
    ):
        ent = factories.enterprise(db)
        filer = make_user(Role.enterprise, enterprise_id=ent.id)
        a = factories.appeal(db, ent, filer, title=f"融资诉求{i}", content=f"第{i}家企业申请流动资金贷款贴息")
        _through(db, a, official, handler, filer, answer_at=answer_at, satisfied=satisfied)
        rows.append(a)
    ent = factories.enterprise(db)
    factories.appeal(db, ent, make_user(Role.enterprise, enterprise_id=ent.id), title="尚未受理的诉求")
    [dep] = [
        r
        for r in service.kpis(db, service.AppealScope(), "department")
        if r["label"] == "深圳市地方金融监督管理局"
    ]
    assert (dep["filed"], dep["done"], dep["on_time"], dep["rated"], dep["satisfied"]) == (3, 3, 2, 2, 1)
    assert (dep["closure_rate"], dep["on_time_rate"], dep["satisfaction_rate"]) == (1.0, 0.6667, 0.5)
    assert dep["avg_handling_working_days"] == round((1 + 3 + 7) / 3, 2)
    [month] = service.kpis(db, service.AppealScope(), "month")
    assert (month["key"], month["filed"], month["closure_rate"]) == ("2026-03", 4, 0.75)
    [district] = service.kpis(db, service.AppealScope(), "district")
    assert (district["label"], district["filed"]) == ("广东省深圳市南山区", 4)
    r = client_as(Role.city_official).get("/api/v1/appeal-kpis", params={"dimension": "category"})
    assert [(x["key"], x["filed"]) for x in r.json()["rows"]] == [("financing", 4)]
    assert r.json()["from_aggregate"] is False  # a few appeals: counted live, at the time of the query
    # Another city's official sees none of them.
    assert client_as(Role.city_official, region_code="4419").get("/api/v1/appeal-kpis").json()["rows"] == []


def test_commissioner_sees_only_assigned_enterprises_and_records_visits(db, make_user, client_as):
    mine = factories.enterprise(db, name="专员负责企业有限公司")
    other = factories.enterprise(db, name="未分配企业有限公司")
    commissioner = make_user(Role.service_commissioner)
    n = casework.assign(db, commissioner, AssignmentBasis.manual, enterprise_ids=[mine.id], actor="test")
    assert n == 1
    a_mine = factories.appeal(db, mine, make_user(Role.enterprise, enterprise_id=mine.id))
    a_other = factories.appeal(db, other, make_user(Role.enterprise, enterprise_id=other.id))
    c = client_as(commissioner)
    assert [i["id"] for i in c.get("/api/v1/appeals").json()["items"]] == [a_mine.id]
    assert c.get(f"/api/v1/appeals/{a_other.id}").status_code == 404
    w = c.get("/api/v1/casework/worklist").json()
    assert ([e["name"] for e in w["enterprises"]], [x["id"] for x in w["open_appeals"]]) == (
        ["专员负责企业有限公司"],
        [a_mine.id],
    )
    r = c.post(
        f"/api/v1/enterprises/{mine.id}/visits",
        json={
            "visit_date": "2026-03-03",
            "notes": "走访企业，了解到流动资金紧张，已协助提交贴息诉求。",
            "follow_up": "跟进贴息审批",
            "follow_up_due_date": "2026-03-10",
        },
    )
    assert r.status_code == 201, r.text
    assert (
        c.post(
            f"/api/v1/enterprises/{other.id}/visits",
            json={"visit_date": "2026-03-03", "notes": "走访记录内容"},
        ).status_code
        == 404
    )
    r = c.post(f"/api/v1/enterprises/{mine.id}/visits", json={"visit_date": "2026-03-03", "notes": "短"})
    assert (r.status_code, r.json()["message"]) == (422, "走访记录过短，请至少写 5 个字")
    assert [v["follow_up"] for v in c.get("/api/v1/casework/worklist").json()["follow_ups"]] == [
        "跟进贴息审批"
    ]
    # Commissioners accept appeals of their own enterprises (首接负责制).
    r = c.post(f"/api/v1/appeals/{a_mine.id}/transitions", json={"action": "accept"})
    assert r.json()["status"] == "accepted"


def test_assignment_by_district_gives_every_enterprise_of_the_area(db, make_user, client_as):
    ents = [factories.enterprise(db) for _ in range(3)]
    factories.enterprise(db, region="440304")
    commissioner = make_user(Role.service_commissioner)
    r = client_as(Role.district_official).post(
        "/api/v1/casework/assignments", json={"commissioner_id": commissioner.id, "basis": "district"}
    )
    assert r.status_code == 200
    ids = casework.enterprise_ids_of(db, commissioner.id)
    assert {e.id for e in ents} <= set(ids)
    assert all(e.region_code == "440305" for e in casework.repository.enterprises(db, ids))


def test_a_financing_appeal_suggests_the_policies_its_enterprise_qualifies_for(db, make_user, client_as):
    from datetime import date

    from srdi.policy import service as policy_service
    from tests.policy.factories import enterprise as policy_enterprise

    policy_service.sync_library(db)
    ent = policy_enterprise(db, dg_innovative=True, rd_deductible_yuan="12345678.90", little_giant=True)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    a = factories.appeal(db, ent, filer)
    keys = [p["policy_key"] for p in service.suggested_policies(db, a, date(2025, 6, 30))]
    assert "dg_innovative_enterprise_rd_subsidy" in keys
    assert "dg_little_giant_doubling_pilot" in keys
    assert not any(k.startswith(("cq_", "sz_")) for k in keys)
    other = factories.appeal(
        db,
        ent,
        filer,
        title="产品质量检验",
        content="产品型式检验周期长，请协助对接检测机构",
        category_key="market_licence",
    )
    assert service.suggested_policies(db, other, date(2025, 6, 30)) == []
    r = client_as(Role.city_official, region_code="4419").get(f"/api/v1/appeals/{a.id}/suggested-policies")
    assert r.status_code == 200 and "dg_innovative_enterprise_rd_subsidy" in [
        p["policy_key"] for p in r.json()
    ]


def test_an_enterprise_lists_only_its_own_appeals(db, make_user, client_as):
    mine = factories.enterprise(db)
    theirs = factories.enterprise(db)
    me = make_user(Role.enterprise, enterprise_id=mine.id)
    a = factories.appeal(db, mine, me)
    factories.appeal(db, theirs, make_user(Role.enterprise, enterprise_id=theirs.id))
    body = client_as(me).get("/api/v1/appeals", params={"status": ["submitted"]}).json()
    assert ([i["id"] for i in body["items"]], body["status_counts"]["submitted"]) == ([a.id], 1)


def test_admin_enters_a_missing_calendar_year_and_a_malformed_one_is_refused(db, client):
    r = client.get("/api/v1/admin/calendar/2031")
    assert (r.json()["known"], r.json()["source"]) == (False, "missing")
    bad = client.put(
        "/api/v1/admin/calendar/2031",
        json={"days": [{"date": "2031-01-06", "is_off_day": False, "name": "元旦"}]},
    )
    assert (bad.status_code, bad.json()["message"]) == (
        422,
        "2031-01-06（周一）本是工作日，调休上班日只能是周六或周日",
    )
    ok = client.put(
        "/api/v1/admin/calendar/2031",
        json={"days": [{"date": "2031-01-01", "is_off_day": True, "name": "元旦"}]},
    )
    assert ok.json() == {
        "year": 2031,
        "known": True,
        "source": "admin",
        "days": [{"date": "2031-01-01", "is_off_day": True, "name": "元旦"}],
        "entered_by": "test-admin",
    }
    r = client.put("/api/v1/admin/calendar/2026", json={"days": []})
    assert (r.status_code, r.json()["message"]) == (422, "2026 年的安排已内置，无需录入")
