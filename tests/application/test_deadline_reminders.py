"""Reminders on review deadlines (issue 14 deliverable 4): the enterprise before and after its 补正 deadline, the
expert (in the expert's own inbox, blind) before and after the scoring deadline — each exactly once, also when the
sweep runs again, twice in one day, or from two workers; and the 1 January job that opens annual update tasks."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from srdi.application import reminders, service
from srdi.application.enums import ReviewAction
from srdi.auth.enums import Role
from srdi.enterprise.models import ChangeLog
from srdi.notification.models import Notification
from tests.application import support
from tests.application.support import PDF

NAME = "深圳市提醒测试精工有限公司"


def _submitted(db, make_user):  # type: ignore[no-untyped-def]
    ent = support.enterprise(db, name=NAME)
    b = support.batch(db)
    owner = make_user(Role.enterprise, enterprise_id=ent.id)
    a = service.create_application(db, ent, b, owner)
    service.update_draft(db, owner, a.id, statement="主营减速器", pledge=True)
    for item in ("N2", "N3", "N6"):
        service.store_evidence(db, owner, a.id, item, "审计报告.pdf", PDF)
    service.submit(db, owner, a.id)
    return ent, a, owner


def _inbox(db: Session, **who: int) -> list[tuple[str, str]]:
    q = select(Notification).where(Notification.kind == reminders.KIND)
    for k, v in who.items():
        q = q.where(getattr(Notification, k) == v)
    return [(n.title, n.body) for n in db.scalars(q.order_by(Notification.id)).all()]


def test_the_enterprise_is_reminded_before_and_after_its_correction_deadline_once_each(
    db, client_as, make_user, clock, evidence_dir
):
    ent, a, _ = _submitted(db, make_user)
    district = make_user(Role.admin)
    service.review(
        db, district, a.id,
        service.ReviewData(ReviewAction.return_, "district_review", reason="材料不全", items=["补充研发费用明细"]),
    )  # fmt: skip
    assert a.correction_due_date == date(2026, 11, 9)  # Monday + 5 working days

    clock.day = date(2026, 11, 4)  # 3 working days left: not yet
    assert reminders.send_reminders(db).total == 0
    clock.day = date(2026, 11, 5)  # 2 working days left (Fri, Mon)
    assert reminders.send_reminders(db).correction_due == 1
    assert reminders.send_reminders(db).total == 0  # the second run of the day sends nothing
    clock.day = date(2026, 11, 9)  # the last day: still the one reminder
    assert reminders.send_reminders(db).total == 0
    clock.day = date(2026, 11, 10)
    assert reminders.send_reminders(db).correction_passed == 1
    clock.day = date(2026, 11, 11)
    assert reminders.send_reminders(db).total == 0
    assert _inbox(db, enterprise_id=ent.id) == [
        ("请于2026-11-09前完成补正", f"申报 #{a.id} 的补正期限还剩2个工作日（2026-11-09截止）。待补正：补充研发费用明细"),
        ("补正期限已于2026-11-09届满", f"申报 #{a.id} 的补正期限已过，申报不能再提交；如有异议请联系主管部门。待补正：补充研发费用明细"),
    ]  # fmt: skip
    # The enterprise reads them in its inbox, linked to the application.
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    titles = [n["title"] for n in me.get(f"/api/v1/enterprises/{ent.id}/notifications").json()]
    assert "补正期限已于2026-11-09届满" in titles


def test_the_expert_is_reminded_in_their_own_inbox_blind_and_once(
    db, client_as, make_user, clock, evidence_dir
):
    _, a, _ = _submitted(db, make_user)
    admin = make_user(Role.admin)
    for level in ("district_review", "city_review"):
        service.review(db, admin, a.id, service.ReviewData(ReviewAction.approve, level))
    me = make_user(Role.expert)
    support.expert(db, "提醒专家", "440106", user_id=me.id)
    support.expert(db, "无账号专家", "440304")  # no account: no inbox, nothing sent
    assignments = service.assign_experts(db, admin, a.id, seed=5)
    mine = next(x for x in assignments if x.expert_id == service.expert_of(db, me).id)  # type: ignore[union-attr]
    assert mine.due_date == date(2026, 11, 9)

    clock.day = date(2026, 11, 5)
    assert reminders.send_reminders(db).expert_due == 1
    clock.day = date(2026, 11, 10)
    out = reminders.send_reminders(db)
    assert (out.expert_due, out.expert_passed) == (0, 1)
    assert reminders.send_reminders(db).total == 0
    assert [t for t, _ in _inbox(db, user_id=me.id)] == [
        "请于2026-11-09前提交评分",
        "评分期限已于2026-11-09届满",
    ]

    expert = client_as(me)
    r = expert.get("/api/v1/notifications/mine")
    assert r.status_code == 200
    assert [n["title"] for n in r.json()] == ["评分期限已于2026-11-09届满", "请于2026-11-09前提交评分"]
    assert NAME not in r.text and "提醒测试" not in r.text
    assert r.json()[0]["link"] == "/expert"
    # Another account sees none of them.
    assert client_as(Role.expert).get("/api/v1/notifications/mine").json() == []


def test_a_scored_assignment_or_a_resubmitted_correction_gets_no_reminder(db, make_user, clock, evidence_dir):
    _, a, owner = _submitted(db, make_user)
    admin = make_user(Role.admin)
    service.review(
        db,
        admin,
        a.id,
        service.ReviewData(ReviewAction.return_, "district_review", reason="x", items=["补充"]),
    )
    service.submit(db, owner, a.id)  # corrected in time
    clock.day = date(2026, 11, 10)
    assert reminders.send_reminders(db).total == 0


def test_two_workers_send_each_reminder_once(engine, tmp_path, monkeypatch):
    """Two sweeps racing on one database: the unique constraint is the claim, so the reminder exists once and
    neither sweep fails. Run on both engines (SQLite serialises the writers, PostgreSQL waits on the index)."""
    import threading

    from srdi.auth.models import User
    from tests.auth_support import make_user as _make

    with Session(engine, expire_on_commit=False) as s:
        monkeypatch.setattr(service, "today", support.Clock(support.MONDAY))
        monkeypatch.setattr(service, "evidence_root", lambda: tmp_path)
        ent = support.enterprise(s, name=f"{NAME}并发")
        b = support.batch(s, name=f"并发提醒批次{id(s)}")
        owner = _make(s, Role.enterprise, enterprise_id=ent.id)
        a = service.create_application(s, ent, b, owner)
        service.update_draft(s, owner, a.id, statement="主营减速器", pledge=True)
        for item in ("N2", "N3", "N6"):
            service.store_evidence(s, owner, a.id, item, "审计报告.pdf", PDF)
        service.submit(s, owner, a.id)
        admin = _make(s, Role.admin)
        service.review(
            s,
            admin,
            a.id,
            service.ReviewData(ReviewAction.return_, "district_review", reason="x", items=["补充"]),
        )
        s.commit()
        ent_id, app_id, user_ids = ent.id, a.id, [owner.id, admin.id]

    day = date(2026, 11, 5)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(engine) as s:
                barrier.wait()
                results.append(reminders.send_reminders(s, day).correction_due)
                s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors, errors
        assert sorted(results) == [0, 1]
        with Session(engine) as s:
            assert len(_inbox(s, enterprise_id=ent_id)) == 1
    finally:
        from srdi.application.models import Application, ApplicationBatch
        from srdi.enterprise.models import Enterprise

        with Session(engine) as s:
            s.execute(Notification.__table__.delete().where(Notification.enterprise_id == ent_id))
            bid = s.get(Application, app_id).batch_id  # type: ignore[union-attr]
            s.delete(s.get(Enterprise, ent_id))
            s.flush()
            s.execute(ApplicationBatch.__table__.delete().where(ApplicationBatch.id == bid))
            for uid in user_ids:
                u = s.get(User, uid)
                if u is not None:
                    s.delete(u)
            s.commit()


def test_a_crash_before_the_commit_sends_nothing_and_the_rerun_sends_once(tmp_path):
    """The reminder job in a real process killed at ``application.reminders.before_commit``: no notice is stored;
    the next run stores it once."""
    db_file = tmp_path / "crash.sqlite3"
    script = f"""
import os, sys
from datetime import date
from sqlalchemy.orm import Session
from srdi.db.session import make_engine
from srdi.db.migrate import upgrade
from srdi.application import service, tasks
from srdi.application.enums import ReviewAction
from srdi.auth.enums import Role
from tests.application import support
from tests.application.support import PDF
from tests.auth_support import make_user

engine = make_engine("sqlite:///{db_file}")
if sys.argv[1] == "setup":
    with engine.begin() as conn:
        upgrade(conn)
    service.today = support.Clock(support.MONDAY)
    service.evidence_root = lambda: __import__("pathlib").Path("{tmp_path}")
    with Session(engine) as s:
        ent = support.enterprise(s)
        b = support.batch(s)
        owner = make_user(s, Role.enterprise, enterprise_id=ent.id)
        a = service.create_application(s, ent, b, owner)
        service.update_draft(s, owner, a.id, statement="x", pledge=True)
        for item in ("N2", "N3", "N6"):
            service.store_evidence(s, owner, a.id, item, "a.pdf", PDF)
        service.submit(s, owner, a.id)
        service.review(s, make_user(s, Role.admin), a.id, service.ReviewData(ReviewAction.return_, "district_review", reason="x", items=["补充"]))
        s.commit()
else:
    from contextlib import contextmanager
    @contextmanager
    def factory():
        with Session(engine) as s:
            yield s
    print(tasks.remind_deadlines_once(factory, date(2026, 11, 10)).total)
"""
    env = {**__import__("os").environ}
    run = lambda *args, **kw: subprocess.run(  # noqa: E731
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env={**env, **kw}, check=False
    )
    setup = run("setup")
    assert setup.returncode == 0, setup.stderr
    crashed = run("sweep", SRDI_FAULT="application.reminders.before_commit")
    assert crashed.returncode == 86, crashed.stderr
    first = run("sweep")
    again = run("sweep")
    assert (first.returncode, first.stdout.strip(), again.stdout.strip()) == (0, "1", "0"), first.stderr


def test_annual_updates_open_on_1_january_once_and_the_manual_open_still_works(db, client_as, monkeypatch):
    from srdi.application import dynamic_service, tasks
    from srdi.application.models import AnnualUpdateTask
    from srdi.enterprise.models import Recognition

    monkeypatch.setattr(dynamic_service, "today", support.Clock(date(2027, 1, 1)))
    holders = []
    for region in ("440305", "440106"):
        ent = support.enterprise(db, region=region)
        db.add(
            Recognition(
                enterprise_id=ent.id, tier="srdi_sme", level="provincial", batch="2025年第一批",
                source="official_list", announced_date=date(2025, 6, 1), valid_until=date(2028, 5, 31),
                status="valid",
            )
        )  # fmt: skip
        holders.append(ent)
    db.flush()
    # An official of one district opened their tasks by hand in December; the job opens the rest.
    monkeypatch.setattr(dynamic_service, "today", support.Clock(date(2026, 12, 20)))
    district = client_as(Role.district_official, region_code="440305")
    r = district.post("/api/v1/annual-updates/generation", json={"year": 2027})
    assert r.status_code == 201 and [t["enterprise_id"] for t in r.json()] == [holders[0].id]

    from contextlib import contextmanager

    @contextmanager
    def session_factory():  # type: ignore[no-untyped-def]
        yield db

    mine = {holders[0].id, holders[1].id}

    def tasks_2027() -> dict[int, str]:
        rows = db.scalars(select(AnnualUpdateTask).where(AnnualUpdateTask.year == 2027)).all()
        return {t.enterprise_id: t.status for t in rows if t.enterprise_id in mine}

    assert set(tasks_2027()) == {holders[0].id}
    assert tasks.open_annual_updates_once(session_factory, date(2026, 12, 31)) is None  # not January: nothing
    assert tasks.open_annual_updates_once(session_factory, date(2027, 2, 1)) is None
    assert set(tasks_2027()) == {holders[0].id}
    n = tasks.open_annual_updates_once(session_factory, date(2027, 1, 1))
    assert n is not None and n >= 1  # holders[1] (and any other holder in the database)
    assert set(tasks_2027()) == mine
    assert tasks.open_annual_updates_once(session_factory, date(2027, 1, 2)) is None  # once per year
    assert tasks.open_annual_updates_once(session_factory, date(2027, 3, 1)) is None
    task = db.scalars(select(AnnualUpdateTask).where(AnnualUpdateTask.enterprise_id == holders[1].id)).one()
    assert (task.year, task.fiscal_year, task.status, task.deadline_date) == (
        2027, 2026, "open", dynamic_service.deadline_of(2027, "440106")[1],
    )  # fmt: skip
    notes = db.scalars(
        select(ChangeLog.actor).where(
            ChangeLog.enterprise_id == holders[1].id, ChangeLog.entity == "annual_update_task"
        )
    ).all()
    assert notes == [dynamic_service.SYSTEM_OPENER]
    # The manual open still works for the next year, and leaves the opened ones alone.
    monkeypatch.setattr(dynamic_service, "today", support.Clock(date(2027, 12, 1)))
    r = district.post("/api/v1/annual-updates/generation", json={"year": 2027})
    assert (r.status_code, r.json()) == (201, [])


def test_a_recognition_ending_within_a_year_gets_one_re_review_notice(db, monkeypatch):
    from srdi.application import dynamic_service
    from srdi.application.models import AnnualUpdateTask
    from srdi.enterprise.models import Recognition

    def recognised(valid_until: date):  # type: ignore[no-untyped-def]
        ent = support.enterprise(db)
        db.add(
            Recognition(
                enterprise_id=ent.id, tier="srdi_sme", level="provincial", batch="2024年第一批",
                source="official_list", announced_date=date(2024, 6, 1), valid_until=valid_until, status="valid",
            )
        )  # fmt: skip
        db.flush()
        db.refresh(ent)
        return ent

    soon, later, lapsing = (
        recognised(date(2027, 5, 31)),
        recognised(date(2028, 5, 31)),
        recognised(date(2027, 5, 31)),
    )
    db.add(
        AnnualUpdateTask(
            enterprise_id=lapsing.id, region_code=lapsing.region_code, year=2026, fiscal_year=2025,
            regime="srdi_2022", deadline_date=date(2026, 4, 30), status="overdue", tiers=["srdi_sme"],
        )
    )  # fmt: skip
    db.flush()
    day = date(2026, 11, 2)
    assert dynamic_service.remind_expiring(db, day) >= 2
    assert dynamic_service.remind_expiring(db, day) == 0  # once
    assert dynamic_service.remind_expiring(db, date(2026, 11, 3)) == 0

    def titles(ent_id: int) -> list[str]:
        return [
            n.title
            for n in db.scalars(
                select(Notification).where(
                    Notification.enterprise_id == ent_id,
                    Notification.dedupe_key.startswith("dynamic:expiry:"),
                )
            )
        ]

    assert titles(soon.id) == ["专精特新中小企业认定将于2027-05-31到期，请申请复核"]
    assert titles(later.id) == []
    assert titles(lapsing.id) == ["专精特新中小企业认定将于2027-05-31到期，已无复核资格"]
