"""Time limits of the bank's steps in working days (rules/finance/settings/time_limits.yaml): each stage's deadline
is stamped on the request and on the event that opened it, counted on the platform calendar (调休 included, the
years administrators entered too); an overdue request says so on the bank's list; the figures give the on-time
rate. The clock is the service's ``utcnow``, set per step."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from srdi.auth.enums import Role
from srdi.finance import deadlines, service
from srdi.kit.workdays import DayOverride, WorkdayCalendar
from tests.finance import factories

SEPT_1 = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Beijing


def _at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(service, "utcnow", lambda: moment)


def test_the_settings_file_is_data_marked_unverified() -> None:
    limits = service.time_limits()
    assert [(s.key, s.label, s.working_days) for s in limits.stages.values()] == [
        ("respond", "受理时限", 3),
        ("decide", "审批时限", 15),
    ]
    assert limits.needs_verification
    assert all("待核实" in (s.unverified or "") for s in limits.stages.values())


def test_deadlines_count_working_days_across_a_holiday() -> None:
    limits = service.time_limits()
    cal = WorkdayCalendar.bundled()
    # Submitted Wed 30 Sept 2026: the 国庆 days off (from 1 Oct) do not count; the deadline is 24:00 Beijing of
    # the third working day after submission.
    submitted = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    due = deadlines.due_for(limits, cal, "submitted", submitted)
    assert due == cal.deadline_at(submitted, 3)
    assert due is not None and due > datetime(2026, 10, 8, tzinfo=UTC)  # the holiday does not count
    assert deadlines.due_for(limits, cal, "info_requested", submitted) is None  # the enterprise's turn
    assert deadlines.due_for(limits, cal, "approved", submitted) is None
    # A year the calendar lacks: no Monday-to-Friday guess, no deadline.
    assert deadlines.due_for(limits, cal, "accepted", datetime(2031, 3, 3, tzinfo=UTC)) is None
    entered = cal.with_year(2031, [DayOverride(date(2031, 1, 1), True, "元旦")])
    assert deadlines.due_for(limits, entered, "accepted", datetime(2031, 3, 3, tzinfo=UTC)) is not None


def _send(me: Any, bank_id: int) -> dict[str, Any]:
    r = me.post(
        "/api/v1/finance/requests",
        json={
            "bank_ids": [bank_id],
            "amount": "2000000",
            "purpose": "流动资金",
            "term_months": 12,
            "consent": True,
            "share": ["identity"],
        },
    )
    assert r.status_code == 200, r.text
    return r.json()[0]  # type: ignore[no-any-return]


def test_each_stage_is_stamped_and_late_steps_show_on_the_list_and_in_the_figures(  # type: ignore[no-untyped-def]
    db, client_as, monkeypatch
):
    bank = factories.bank(db, "dg_tl", "东莞时限银行（测试）", "4419")
    ent = factories.enterprise(db, "莞城时限测试有限公司")
    teller = client_as(Role.bank)
    factories.member(db, teller.user.id, bank)
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    province = client_as(Role.provincial_official, region_code="44")
    cal = WorkdayCalendar.bundled()

    _at(monkeypatch, SEPT_1)
    req = _send(me, bank.id)
    respond_due = cal.deadline_at(SEPT_1, 3)
    assert respond_due == datetime(2026, 9, 4, 16, 0, tzinfo=UTC)  # end of Fri 4 Sept, Beijing
    assert req["due_label"] == "受理时限"
    assert req["time_limit_unverified"] is True
    assert datetime.fromisoformat(req["due_at"]) == respond_due
    assert datetime.fromisoformat(req["events"][0]["due_at"]) == respond_due

    # Tuesday 8 Sept: the bank has not acted — overdue, on its own list.
    _at(monkeypatch, datetime(2026, 9, 8, 2, 0, tzinfo=UTC))
    listed = teller.get("/api/v1/finance/requests").json()["items"]
    assert [(x["id"], x["overdue"], x["overdue_label"]) for x in listed] == [
        (req["id"], True, "已超受理时限2个工作日（3个工作日内受理或要求补充材料）")
    ]
    fig = province.get("/api/v1/finance/figures?by=bank").json()[0]
    assert (fig["timed_stages"], fig["on_time_stages"], fig["overdue_open"]) == (1, 0, 1)

    # Accepted late on the 8th; the decision is due 15 working days later (中秋 25 Sept is a day off).
    r = teller.post(f"/api/v1/finance/requests/{req['id']}/transitions", json={"action": "accept"})
    accepted = r.json()
    decide_due = cal.deadline_at(datetime(2026, 9, 8, 2, 0, tzinfo=UTC), 15)
    assert (accepted["due_label"], datetime.fromisoformat(accepted["due_at"])) == ("审批时限", decide_due)
    assert accepted["overdue"] is False
    assert accepted["late_stages"] == ["受理时限逾期（应于2026年9月4日前办理）"]

    # Approved in time on the 15th.
    _at(monkeypatch, datetime(2026, 9, 15, 2, 0, tzinfo=UTC))
    r = teller.post(
        f"/api/v1/finance/requests/{req['id']}/transitions",
        json={"action": "approve", "amount": "2000000", "rate_percent": "3.2"},
    )
    done = r.json()
    assert (done["due_at"], done["overdue"], done["working_days_to_decision"]) == (None, False, 10)
    fig = province.get("/api/v1/finance/figures?by=bank").json()[0]
    assert (
        fig["timed_stages"],
        fig["on_time_stages"],
        fig["on_time_rate_percent"],
        fig["overdue_open"],
    ) == (2, 1, "50.0", 0)


def test_asking_for_more_stops_the_clock_and_the_supplement_restarts_it(  # type: ignore[no-untyped-def]
    db, client_as, monkeypatch
):
    bank = factories.bank(db, "dg_tl2", "东莞补件银行（测试）", "4419")
    ent = factories.enterprise(db, "莞城补件测试有限公司")
    teller = client_as(Role.bank)
    factories.member(db, teller.user.id, bank)
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    _at(monkeypatch, SEPT_1)
    req = _send(me, bank.id)
    r = teller.post(
        f"/api/v1/finance/requests/{req['id']}/transitions",
        json={"action": "ask_info", "note": "请补充财务报表"},
    )
    assert (r.json()["due_at"], r.json()["due_label"], r.json()["late_stages"]) == (None, None, [])
    # The enterprise takes a month; no limit ran meanwhile, and the decision limit starts on supply.
    supplied = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)
    _at(monkeypatch, supplied)
    r = me.post(
        f"/api/v1/finance/requests/{req['id']}/transitions", json={"action": "supply_info", "note": "已上传"}
    )
    body = r.json()
    assert (body["due_label"], datetime.fromisoformat(body["due_at"])) == (
        "审批时限",
        WorkdayCalendar.bundled().deadline_at(supplied, 15),
    )
    assert body["overdue"] is False
