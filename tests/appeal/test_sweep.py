"""The overdue sweep: reminders before a deadline, escalation after it, once per step, across restarts and workers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from srdi.appeal import service, tasks
from srdi.appeal.enums import AppealAction
from srdi.appeal.models import Appeal, AppealEvent, AppealNotice
from srdi.auth.enums import Role
from srdi.auth.models import User
from srdi.enterprise.models import Enterprise
from srdi.kit.faults import FAULT_EXIT_CODE
from tests.appeal import factories
from tests.auth_support import make_user

T = service.TransitionInput


def _dispatched(db: Session, at: datetime) -> Appeal:
    ent = factories.enterprise(db)
    filer = make_user(db, Role.enterprise, enterprise_id=ent.id)
    official = make_user(db, Role.district_official)
    a = factories.appeal(db, ent, filer, at=at)
    service.transition(db, a.id, T(AppealAction.accept), actor=official, now=at)
    service.transition(db, a.id, T(AppealAction.dispatch, department_key="sz_jrj"), actor=official, now=at)
    return a


def _kinds(db: Session, appeal_id: int) -> list[tuple[str, int | None]]:
    rows = db.scalars(
        select(AppealEvent).where(AppealEvent.appeal_id == appeal_id, AppealEvent.kind != "transition")
    ).all()
    return [(e.kind, (e.detail or {}).get("level")) for e in rows]


def test_reminder_then_department_then_district_each_once(db):
    a = _dispatched(db, factories.TUESDAY)
    due = a.answer_due_at
    assert due == datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # 5 working days: end of Tuesday 03-10
    assert service.sweep(db, due - timedelta(hours=30)).total == 0
    r = service.sweep(db, due - timedelta(hours=2))
    assert (r.reminded, r.escalated_department) == (1, 0)
    assert service.sweep(db, due - timedelta(hours=1)).total == 0
    r = service.sweep(db, due + timedelta(minutes=1))
    assert (r.reminded, r.escalated_department, r.escalated_district) == (0, 1, 0)
    # One working day more (Wednesday 03-11) before the district is told.
    assert service.sweep(db, due + timedelta(hours=23)).total == 0
    r = service.sweep(db, due + timedelta(hours=24, minutes=1))
    assert r.escalated_district == 1
    assert service.sweep(db, due + timedelta(days=3)).total == 0
    assert _kinds(db, a.id) == [("reminder", None), ("escalation", 1), ("escalation", 2)]
    notices = db.scalars(select(AppealNotice.title).where(AppealNotice.appeal_id == a.id)).all()
    assert notices == [
        "新转派诉求：申请贴息贷款",
        "即将超时：申请贴息贷款",
        "超时督办：申请贴息贷款",
        "超时督办（区县）：申请贴息贷款",
    ]


def test_a_new_stage_resets_what_the_sweeper_owes(db):
    a = _dispatched(db, factories.TUESDAY)
    service.sweep(db, a.answer_due_at + timedelta(minutes=1))
    db.refresh(a)
    assert (a.reminded, a.escalation_level) == (True, 1)
    handler = make_user(db, Role.department_handler, department="深圳市地方金融监督管理局")
    service.transition(db, a.id, T(AppealAction.start), actor=handler)
    service.transition(db, a.id, T(AppealAction.answer, answer="已电话答复企业贴息申请流程。"), actor=handler)
    assert (a.due_at, a.reminded, a.escalation_level, a.on_time) == (None, False, 0, False)


# --- several workers, restarts --------------------------------------------------------------------------------


def _committed(engine, n: int) -> tuple[list[int], list[int], list[int]]:  # type: ignore[no-untyped-def]
    with Session(engine, expire_on_commit=False) as s:
        service.ensure_catalogue(s)
        ids, users, ents = [], [], []
        for _ in range(n):
            a = _dispatched(s, factories.TUESDAY)
            ids.append(a.id)
            ents.append(a.enterprise_id)
        users = list(s.scalars(select(User.id).where(User.role == "district_official")).all())
        s.commit()
    return ids, users, ents


def _cleanup(engine, ids: list[int], ents: list[int]) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        s.execute(delete(Appeal).where(Appeal.id.in_(ids)))
        s.execute(delete(User).where(User.enterprise_id.in_(ents)))
        s.execute(delete(Enterprise).where(Enterprise.id.in_(ents)))
        s.commit()


def _factory(engine):  # type: ignore[no-untyped-def]
    @contextmanager
    def open_session():  # type: ignore[no-untyped-def]
        with Session(engine) as s:
            yield s

    return open_session


def test_four_workers_sweeping_at_once_act_once_per_item(engine):
    ids, _, ents = _committed(engine, 12)
    late = datetime(2026, 3, 10, 16, 1, tzinfo=UTC)
    barrier = threading.Barrier(4)
    errors: list[str] = []

    def work() -> None:
        barrier.wait()
        try:
            tasks.sweep_once(_factory(engine), now=late)
        except Exception as exc:  # SQLite: a worker that finds the database busy simply retries later
            if "locked" not in str(exc):
                errors.append(repr(exc))

    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        tasks.sweep_once(_factory(engine), now=late)  # whatever a busy worker left, the next run does
        assert errors == []
        with Session(engine) as s:
            for i in ids:
                assert _kinds(s, i) == [("reminder", None), ("escalation", 1)], i
    finally:
        _cleanup(engine, ids, ents)


def _url_of(engine) -> str:  # type: ignore[no-untyped-def]
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        with engine.connect() as c:
            schema = c.execute(text("select current_schema()")).scalar()
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    return url


SWEEP_SCRIPT = """
import sys
from datetime import datetime
from srdi.appeal import tasks
r = tasks.sweep_once(now=datetime.fromisoformat(sys.argv[1]))
print(r.reminded, r.escalated_department, r.escalated_district)
"""


def _run_sweeper(engine, now: datetime, fault: str | None) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "SRDI_DATABASE_URL": _url_of(engine), "SRDI_ENV": "test"}
    env.pop("SRDI_FAULT", None)
    if fault:
        env["SRDI_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-c", SWEEP_SCRIPT, now.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_sweeper_killed_before_commit_leaves_nothing_and_the_restarted_one_escalates_once(engine):
    ids, _, ents = _committed(engine, 3)
    late = datetime(2026, 3, 10, 16, 1, tzinfo=UTC)
    try:
        died = _run_sweeper(engine, late, "appeal.sweep.before_commit")
        assert died.returncode == FAULT_EXIT_CODE, died.stderr
        with Session(engine) as s:
            assert [_kinds(s, i) for i in ids] == [[], [], []]
        again = _run_sweeper(engine, late, None)
        assert (again.returncode, again.stdout.split()) == (0, ["3", "3", "0"]), again.stderr
        third = _run_sweeper(engine, late, None)
        assert third.stdout.split() == ["0", "0", "0"]
        with Session(engine) as s:
            assert [_kinds(s, i) for i in ids] == [[("reminder", None), ("escalation", 1)]] * 3
    finally:
        _cleanup(engine, ids, ents)


def test_many_due_items_are_swept_in_bounded_batches_and_waiting_ones_do_not_starve_the_rest(db):
    """Three appeals escalated once over a weekend owe nothing until Monday ends; they come first in deadline
    order. With batches of two, a sweep that re-read from the start (or stopped at a batch that did nothing)
    would never reach the two appeals behind them."""
    # Friday 2026-03-06 ends at 16:00 UTC; Sunday 03-08 02:00 Beijing is 26 hours later, before Monday ends.
    friday_end = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    now = datetime(2026, 3, 7, 18, 0, tzinfo=UTC)
    waiting = [_dispatched(db, factories.TUESDAY) for _ in range(3)]
    for i, a in enumerate(waiting):
        a.due_at, a.reminded, a.escalation_level = friday_end + timedelta(seconds=i), True, 1
    due = [_dispatched(db, factories.TUESDAY) for _ in range(2)]
    for i, a in enumerate(due):
        a.due_at, a.reminded, a.escalation_level = datetime(2026, 3, 7, 17, 0, i, tzinfo=UTC), False, 0
    db.flush()

    batches: list[int] = []
    r = service.sweep_all(db, now, batch=2, after_batch=lambda b: batches.append(b.scanned))
    assert batches == [2, 2, 1]
    assert (r.scanned, r.reminded, r.escalated_department, r.escalated_district) == (5, 2, 2, 0)
    for a in due:
        assert _kinds(db, a.id) == [("reminder", None), ("escalation", 1)]
    for a in waiting:
        assert _kinds(db, a.id) == []
    # A second run at the same moment owes nothing and reads the three waiting ones once each.
    again = service.sweep_all(db, now, batch=2)
    assert (again.total, again.scanned) == (0, 3)


def test_a_batch_size_below_one_is_refused(db):
    import pytest

    with pytest.raises(ValueError, match="batch must be positive"):
        service.sweep_all(db, factories.TUESDAY, batch=0)


def test_the_worker_commits_each_batch_and_empties_its_session(db, monkeypatch):
    """sweep_once commits after every batch and drops what it read, so memory holds one batch."""
    a = _dispatched(db, factories.TUESDAY)
    b = _dispatched(db, factories.TUESDAY)
    db.flush()
    calls: list[str] = []

    class _Session:
        def __init__(self, inner: Session) -> None:
            self.inner = inner

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(self.inner, name)

        def commit(self) -> None:
            calls.append("commit")
            self.inner.flush()

        def expunge_all(self) -> None:
            calls.append("expunge")

    @contextmanager
    def factory():  # type: ignore[no-untyped-def]
        yield _Session(db)

    r = tasks.sweep_once(factory, a.answer_due_at + timedelta(minutes=1), batch=1)
    assert (r.reminded, r.escalated_department) == (2, 2)
    assert calls == ["commit", "expunge"] * 3  # two full batches of one, then an empty one
    assert b.id != a.id
