"""Issue 13 §6: a year the bundled holiday data lacks is entered by an administrator through the API, validated and
audited; until then filing refuses with a Chinese message that says what to do, afterwards deadlines compute."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from srdi.appeal import service
from srdi.appeal.models import Appeal, CalendarYear, WorkdayOverride
from srdi.auth.enums import Role
from srdi.auth.models import AuditLog
from tests.appeal import factories

# Thursday 2027-02-04 10:00 Beijing.
THURSDAY_2027 = datetime(2027, 2, 4, 2, 0, tzinfo=UTC)

SPRING_2027 = [
    {"date": "2027-01-01", "is_off_day": True, "name": "元旦"},
    *({"date": f"2027-02-{d:02d}", "is_off_day": True, "name": "春节"} for d in range(6, 14)),
    {"date": "2027-02-14", "is_off_day": False, "name": "春节"},
]

APPEAL = {"title": "申请贴息贷款", "content": "我司想向银行贷款购置设备，请问专精特新企业有没有贷款贴息？"}


def _rows(db):  # type: ignore[no-untyped-def]
    db.flush()
    return (
        db.scalar(select(func.count()).select_from(CalendarYear)),
        db.scalar(select(func.count()).select_from(WorkdayOverride)),
    )


def test_admin_enters_2027_and_an_appeal_filed_then_gets_its_deadline(db, client, client_as, monkeypatch):
    monkeypatch.setattr(service, "utcnow", lambda: THURSDAY_2027)
    factories.catalogue(db)
    ent = factories.enterprise(db)
    me = client_as(Role.enterprise, enterprise_id=ent.id)

    listing = client.get("/api/v1/admin/calendar").json()
    assert (listing["editable"], listing["next_missing_year"], listing["years"][0]["year"]) == (
        True,
        2027,
        2026,
    )

    refused = me.post("/api/v1/appeals", json=APPEAL)
    assert refused.status_code == 422
    assert refused.json()["code"] == "calendar_year_missing"
    assert refused.json()["message"] == (
        "2027年的法定节假日和调休安排尚未录入（已有年份：2007–2026），暂时无法按工作日计算办理期限，本次操作未执行。"
        "请联系平台管理员在“工作日历”页面录入国务院办公厅发布的2027年放假安排，录入后即可重新提交"
    )
    assert db.scalar(select(func.count()).select_from(Appeal)) == 0

    saved = client.put("/api/v1/admin/calendar/2027", json={"days": SPRING_2027})
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert (body["known"], body["source"], body["entered_by"], len(body["days"])) == (
        True,
        "admin",
        "test-admin",
        10,
    )
    assert body["days"][-1] == {"date": "2027-02-14", "is_off_day": False, "name": "春节"}

    filed = me.post("/api/v1/appeals", json=APPEAL)
    assert filed.status_code == 201, filed.text
    # Thu 02-04 + 2 working days: Fri 02-05, then 02-06..13 off, then the 调休 Sunday 02-14 → its end, Beijing.
    assert (filed.json()["due_stage"], filed.json()["due_at"]) == ("accept", "2027-02-14T16:00:00Z")

    listing = client.get("/api/v1/admin/calendar").json()
    assert (listing["next_missing_year"], listing["years"][0]["year"], listing["years"][0]["source"]) == (
        2028,
        2027,
        "admin",
    )
    row = db.scalars(select(AuditLog).where(AuditLog.action == "calendar.year.save")).one()
    assert (row.object_type, row.object_id, row.username) == ("calendar_year", "2027", "test-admin")
    assert row.detail == {"days": 10, "off_days": 9, "make_up_days": 1, "replaced": False, "previous_days": 0}


def test_admin_corrects_an_entered_year_and_the_replacement_is_audited(db, client):
    client.put("/api/v1/admin/calendar/2027", json={"days": SPRING_2027})
    again = client.put("/api/v1/admin/calendar/2027", json={"days": SPRING_2027[:1]})
    assert [d["date"] for d in again.json()["days"]] == ["2027-01-01"]
    assert _rows(db) == (1, 1)
    last = db.scalars(
        select(AuditLog).where(AuditLog.action == "calendar.year.save").order_by(AuditLog.id.desc())
    ).first()
    assert last is not None
    assert (last.detail["replaced"], last.detail["previous_days"]) == (True, 10)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (
            [{"date": "2028-01-01", "is_off_day": True, "name": "元旦"}],
            "日期 2028-01-01 不在 2027 年内",
        ),
        (
            [
                {"date": "2027-01-01", "is_off_day": True, "name": "元旦"},
                {"date": "2027-01-01", "is_off_day": True, "name": "元旦"},
            ],
            "日期 2027-01-01 重复",
        ),
        (
            [
                {"date": "2027-01-01", "is_off_day": True, "name": "元旦"},
                {"date": "2027-03-01", "is_off_day": False, "name": "春节"},
            ],
            "2027-03-01（周一）本是工作日，调休上班日只能是周六或周日",
        ),
        (
            [{"date": "2027-02-20", "is_off_day": False, "name": "春节"}],
            "2027 年的安排至少应有一天放假（如元旦），请按国务院办公厅通知录入",
        ),
        ([{"date": "2027-01-01", "is_off_day": True, "name": "  "}], "2027-01-01 未填写节日名称"),
    ],
    ids=["outside-the-year", "duplicate", "make-up-on-a-weekday", "no-day-off", "blank-name"],
)
def test_a_malformed_year_is_refused_in_chinese_and_nothing_is_stored(db, client, days, message):
    r = client.put("/api/v1/admin/calendar/2027", json={"days": days})
    assert (r.status_code, r.json()["message"]) == (422, message)
    assert _rows(db) == (0, 0)
    assert client.get("/api/v1/admin/calendar/2027").json()["source"] == "missing"
    assert (
        db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "calendar.year.save"))
        == 0
    )


def test_a_bundled_year_cannot_be_overwritten_and_a_year_out_of_range_is_refused(db, client):
    r = client.put("/api/v1/admin/calendar/2026", json={"days": SPRING_2027[:1]})
    assert (r.status_code, r.json()["message"]) == (422, "2026 年的安排已内置，无需录入")
    assert client.put("/api/v1/admin/calendar/2101", json={"days": []}).status_code == 422
    assert _rows(db) == (0, 0)


def test_only_administrators_enter_a_year(db, client_as):
    r = client_as(Role.city_official, region_code="4403").put(
        "/api/v1/admin/calendar/2027", json={"days": SPRING_2027}
    )
    assert r.status_code == 403
    assert _rows(db) == (0, 0)
