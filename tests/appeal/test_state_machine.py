"""The transition table, deadlines stamped per stage, and concurrent transitions (QUALITY R4)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from srdi.appeal import service
from srdi.appeal.enums import AppealAction, AppealStatus, RejectReason
from srdi.appeal.exceptions import ConcurrentChange, InvalidAppeal, TransitionNotAllowed
from srdi.appeal.models import Appeal, AppealEvent, RoutingCorrection
from srdi.auth.enums import Role
from srdi.auth.models import User
from srdi.enterprise.models import Enterprise
from srdi.kit.workdays import CalendarYearMissing
from tests.appeal import factories
from tests.auth_support import make_user

T = service.TransitionInput


def test_every_status_is_reachable_and_the_table_lists_each_action_once():
    targets = {t.target for t in service.TRANSITIONS.values()}
    assert targets | {AppealStatus.submitted} == set(AppealStatus)
    assert [r["action"] for r in service.transition_table()] == [a.value for a in AppealAction]


def test_deadlines_are_stamped_in_working_days_across_a_weekend(db, make_user):
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    official = make_user(Role.district_official)
    # Thursday 2026-03-05 10:00 Beijing: accept within 2 working days → end of Monday 03-09.
    thursday = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
    a = factories.appeal(db, ent, filer, at=thursday)
    assert a.accept_due_at == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    assert (a.due_stage, a.due_at) == ("accept", a.accept_due_at)
    service.transition(db, a.id, T(AppealAction.accept), actor=official, now=thursday)
    assert a.dispatch_due_at == datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    service.transition(
        db, a.id, T(AppealAction.dispatch, department_key="sz_jrj"), actor=official, now=thursday
    )
    # 融资需求: 5 working days from Thursday → Thursday 03-12, 24:00 Beijing.
    assert a.answer_due_at == datetime(2026, 3, 12, 16, 0, tzinfo=UTC)


def test_policy_questions_are_due_within_24_hours(db, make_user):
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    official = make_user(Role.district_official)
    a = factories.appeal(db, ent, filer, title="咨询专精特新认定条件", category_key="policy_consulting")
    service.transition(db, a.id, T(AppealAction.accept), actor=official, now=factories.TUESDAY)
    service.transition(
        db, a.id, T(AppealAction.dispatch, department_key="sz_zxqyj"), actor=official, now=factories.TUESDAY
    )
    assert a.answer_due_at == datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


def test_reject_needs_one_of_the_seven_reasons(db, make_user):
    ent = factories.enterprise(db)
    a = factories.appeal(db, ent, make_user(Role.enterprise, enterprise_id=ent.id))
    official = make_user(Role.district_official)
    with pytest.raises(InvalidAppeal) as exc:
        service.transition(db, a.id, T(AppealAction.reject), actor=official)
    assert exc.value.message_zh == "不予受理须选择理由（七种情形之一）"
    service.transition(
        db, a.id, T(AppealAction.reject, reject_reason=RejectReason.litigation), actor=official
    )
    assert (a.status, a.reject_reason, a.due_at) == ("rejected", "litigation", None)
    last = service.events(db, a)[-1]
    assert last.reason == "已进入或应通过诉讼、仲裁、行政复议等法定途径解决"


def test_return_goes_back_to_the_dispatcher_and_redo_follows_a_dissatisfied_rating(db, make_user):
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    official = make_user(Role.district_official)
    handler = make_user(Role.department_handler, department="深圳市人力资源和社会保障局")
    finance = make_user(Role.department_handler, department="深圳市地方金融监督管理局")
    a = factories.appeal(db, ent, filer)
    now = factories.TUESDAY
    service.transition(db, a.id, T(AppealAction.accept), actor=official, now=now)
    service.transition(db, a.id, T(AppealAction.dispatch, department_key="sz_rsj"), actor=official, now=now)
    with pytest.raises(InvalidAppeal):
        service.transition(db, a.id, T(AppealAction.return_), actor=handler, now=now)
    service.transition(
        db, a.id, T(AppealAction.return_, reason="属融资事项，非本局职责"), actor=handler, now=now
    )
    assert (a.status, a.department_id) == ("accepted", None)
    service.transition(
        db,
        a.id,
        T(AppealAction.dispatch, department_key="sz_jrj", category_key="financing"),
        actor=official,
        now=now,
    )
    for inp in (T(AppealAction.start), T(AppealAction.answer, answer="请通过深圳市融资服务平台申请贴息。")):
        service.transition(db, a.id, inp, actor=finance, now=now)
    service.transition(db, a.id, T(AppealAction.close), actor=filer, now=now)
    service.transition(db, a.id, T(AppealAction.rate, satisfied=False, rating=2), actor=filer, now=now)
    service.transition(
        db, a.id, T(AppealAction.redo, reason="企业不满意：未说明申请时限"), actor=official, now=now
    )
    assert (a.status, a.redo_count, a.satisfied, a.due_stage) == ("dispatched", 1, None, "answer")
    assert [e.to_status for e in service.events(db, a)] == [
        "submitted",
        "accepted",
        "dispatched",
        "accepted",
        "dispatched",
        "in_progress",
        "answered",
        "closed",
        "rated",
        "dispatched",
    ]
    # The first dispatch went elsewhere than the router suggested: staff's choice is kept for the router.
    rows = db.scalars(select(RoutingCorrection).where(RoutingCorrection.appeal_id == a.id)).all()
    assert [(r.suggested_department_key, r.chosen_department_key) for r in rows] == [("sz_jrj", "sz_rsj")]


def test_redo_after_a_satisfied_rating_is_refused(db, make_user):
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    a = factories.appeal(db, ent, filer)
    a.status, a.satisfied = "rated", True
    db.flush()
    with pytest.raises(TransitionNotAllowed):
        service.transition(db, a.id, T(AppealAction.redo, reason="x"), actor=make_user(Role.admin))


def test_a_stale_version_is_refused_and_nothing_changes(db, make_user):
    ent = factories.enterprise(db)
    a = factories.appeal(db, ent, make_user(Role.enterprise, enterprise_id=ent.id))
    with pytest.raises(ConcurrentChange) as exc:
        service.transition(db, a.id, T(AppealAction.accept, expected_version=7), actor=make_user(Role.admin))
    assert exc.value.message_zh == "该诉求刚被他人处理，请刷新后重试"
    assert (a.status, a.version) == ("submitted", 1)


def test_a_deadline_in_a_year_without_holiday_data_is_refused_and_nothing_is_filed(db, make_user):
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    before = db.scalar(select(func.count()).select_from(Appeal))
    with pytest.raises(CalendarYearMissing) as exc:
        factories.appeal(db, ent, filer, at=datetime(2031, 6, 2, 2, 0, tzinfo=UTC))
    assert exc.value.message_zh.startswith("2031年的法定节假日和调休安排尚未录入（已有年份：2007–2026）")
    assert db.scalar(select(func.count()).select_from(Appeal)) == before


def test_an_administrator_entered_year_makes_its_deadlines_computable(db, make_user):
    from srdi.kit.workdays import DayOverride

    service.set_calendar_year(
        db, 2031, [DayOverride(datetime(2031, 6, 3).date(), True, "端午节")], entered_by="test-admin"
    )
    ent = factories.enterprise(db)
    a = factories.appeal(
        db, ent, make_user(Role.enterprise, enterprise_id=ent.id), at=datetime(2031, 6, 2, 2, 0, tzinfo=UTC)
    )
    # Monday 06-02 + 2 working days, skipping the entered 端午节 on Tuesday 06-03 → end of Thursday 06-05.
    assert a.accept_due_at == datetime(2031, 6, 5, 16, 0, tzinfo=UTC)


# --- concurrency: real threads, each with its own connection and transaction --------------------------------


def _committed_world(engine) -> tuple[int, list[int], int]:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as s:
        service.ensure_catalogue(s)
        ent = factories.enterprise(s, name="并发测试企业有限公司")
        filer = make_user(s, Role.enterprise, enterprise_id=ent.id)
        officials = [make_user(s, Role.district_official) for _ in range(8)]
        a = factories.appeal(s, ent, filer)
        s.commit()
        return a.id, [o.id for o in officials], ent.id


def _cleanup(engine, appeal_id: int, user_ids: list[int], ent_id: int) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        s.execute(delete(Appeal).where(Appeal.id == appeal_id))
        s.execute(delete(User).where(User.enterprise_id == ent_id))
        s.execute(delete(User).where(User.id.in_(user_ids)))
        s.execute(delete(Enterprise).where(Enterprise.id == ent_id))
        s.commit()


def test_concurrent_accepts_apply_exactly_once(engine):
    appeal_id, official_ids, ent_id = _committed_world(engine)
    barrier = threading.Barrier(len(official_ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept(uid: int) -> None:
        # Wait first: on SQLite a transaction's first statement takes the write lock (BEGIN IMMEDIATE).
        barrier.wait()
        with Session(engine) as s:
            try:
                actor = s.get(User, uid)
                service.transition(s, appeal_id, T(AppealAction.accept), actor=actor)  # type: ignore[arg-type]
                s.commit()
                result = "ok"
            except (TransitionNotAllowed, ConcurrentChange) as exc:
                s.rollback()
                result = type(exc).__name__
            except Exception as exc:  # SQLite: a writer that lost the race is told the database is busy
                s.rollback()
                result = "busy" if "locked" in str(exc) or "busy" in str(exc).lower() else repr(exc)
            with lock:
                outcomes.append(result)

    try:
        threads = [threading.Thread(target=accept, args=(uid,)) for uid in official_ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert outcomes.count("ok") == 1, outcomes
        assert set(outcomes) <= {"ok", "TransitionNotAllowed", "ConcurrentChange", "busy"}, outcomes
        with Session(engine) as s:
            a = s.get(Appeal, appeal_id)
            assert (a.status, a.version) == ("accepted", 2)  # type: ignore[union-attr]
            steps = s.execute(
                select(AppealEvent.from_status, AppealEvent.to_status)
                .where(AppealEvent.appeal_id == appeal_id)
                .order_by(AppealEvent.id)
            ).all()
            assert [tuple(x) for x in steps] == [(None, "submitted"), ("submitted", "accepted")]
    finally:
        _cleanup(engine, appeal_id, official_ids, ent_id)


def test_concurrent_answer_and_return_never_both_apply(engine):
    """Two different transitions from the same state race: one wins, the other sees the new state."""
    appeal_id, official_ids, ent_id = _committed_world(engine)
    with Session(engine) as s:
        official = s.get(User, official_ids[0])
        service.transition(s, appeal_id, T(AppealAction.accept), actor=official)  # type: ignore[arg-type]
        service.transition(s, appeal_id, T(AppealAction.dispatch, department_key="sz_jrj"), actor=official)  # type: ignore[arg-type]
        h = make_user(s, Role.department_handler, department="深圳市地方金融监督管理局")
        service.transition(s, appeal_id, T(AppealAction.start), actor=h)
        s.commit()
        handler_id = h.id
    official_ids.append(handler_id)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name: str, inp: service.TransitionInput) -> None:
        barrier.wait()
        with Session(engine) as s:
            try:
                actor = s.get(User, handler_id)
                service.transition(s, appeal_id, inp, actor=actor)  # type: ignore[arg-type]
                s.commit()
                outcomes[name] = "ok"
            except Exception as exc:
                s.rollback()
                outcomes[name] = type(exc).__name__

    try:
        threads = [
            threading.Thread(
                target=act, args=("answer", T(AppealAction.answer, answer="已答复：可申请贴息。"))
            ),
            threading.Thread(target=act, args=("return", T(AppealAction.return_, reason="非本单位职责"))),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes.values()).count("ok") == 1, outcomes
        with Session(engine) as s:
            a = s.get(Appeal, appeal_id)
            winner = next(k for k, v in outcomes.items() if v == "ok")
            assert a.status == {"answer": "answered", "return": "accepted"}[winner]  # type: ignore[union-attr]
            n = s.scalar(
                select(func.count()).select_from(AppealEvent).where(AppealEvent.appeal_id == appeal_id)
            )
            assert n == 5
    finally:
        _cleanup(engine, appeal_id, official_ids, ent_id)
