"""复核 on expiry (issue 14 deliverable 6): when a recognised title's validity ends it is 复核中 while a 复核
application is in progress and 已过期 without one (or once the 复核 is decided), each change written to 变更历史
exactly once — on a rerun and with two workers — and officials see the titles ending soon as 复核候选."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from srdi.application import dynamic_service
from srdi.application.models import AnnualUpdateTask, Application, ApplicationBatch
from srdi.auth.enums import Role
from srdi.enterprise.models import ChangeLog, Enterprise, Recognition
from tests.application import support

ENDED = date(2026, 10, 31)
DAY = date(2026, 11, 2)


def _recognised(db: Session, valid_until: date = ENDED, region: str = "440305") -> Recognition:
    ent = support.enterprise(db, region=region)
    rec = Recognition(
        enterprise_id=ent.id, tier="srdi_sme", level="provincial", batch="2023年第一批", source="official_list",
        announced_date=date(2023, 11, 1), valid_until=valid_until, status="valid",
    )  # fmt: skip
    db.add(rec)
    db.flush()
    return rec


def _re_review(db: Session, rec: Recognition, status: str = "in_review") -> Application:
    b = db.scalars(
        select(ApplicationBatch).where(ApplicationBatch.name == "2026年专精特新复核（到期测试）")
    ).first()
    if b is None:
        b = support.batch(db, name="2026年专精特新复核（到期测试）")
        b.purpose = "re_review"
    ent = db.get(Enterprise, rec.enterprise_id)
    assert ent is not None
    app = Application(
        batch_id=b.id, enterprise_id=ent.id, region_code=ent.region_code, tier=rec.tier, purpose="re_review",
        status=status, chain=[], profile={}, as_of_date=date(2026, 10, 9), rule_set_id="t", rule_set_hash="t",
        self_status="pass", inputs_snapshot={}, trace={}, submitted_at=datetime(2026, 10, 9, tzinfo=UTC),
    )  # fmt: skip
    db.add(app)
    db.flush()
    return app


def _history(db: Session, rec: Recognition) -> list[tuple[str | None, str | None, str | None]]:
    rows = db.scalars(
        select(ChangeLog)
        .where(
            ChangeLog.entity == "recognition",
            ChangeLog.entity_key == str(rec.id),
            ChangeLog.field == "status",
        )
        .order_by(ChangeLog.id)
    ).all()
    return [(r.old_value, r.new_value, r.note) for r in rows]


def test_an_ended_title_lapses_or_waits_for_its_re_review_once(db: Session) -> None:
    lapsing, reviewed, running = _recognised(db), _recognised(db), _recognised(db, valid_until=DAY)
    app = _re_review(db, reviewed)

    dynamic_service.sweep_expiry(db, ENDED)  # the last day of the validity: still valid
    db.refresh(lapsing)
    assert lapsing.status == "valid"
    out = dynamic_service.sweep_expiry(db, DAY)
    assert (out.expired, out.under_re_review) >= (1, 1)
    db.refresh(lapsing), db.refresh(reviewed), db.refresh(running)
    assert (lapsing.status, reviewed.status, running.status) == ("expired", "under_re_review", "valid")
    assert _history(db, lapsing) == [
        ("有效", "已过期", "专精特新中小企业认定有效期至2026-10-31届满，未在期满前提出复核申请，认定已过期")
    ]
    assert _history(db, reviewed) == [
        ("有效", "复核中",
         f"专精特新中小企业认定有效期至2026-10-31届满，复核申请 #{app.id} 尚在办理，认定复核中直至复核决定")
    ]  # fmt: skip

    # A rerun, the same day or later, writes nothing more.
    assert dynamic_service.sweep_expiry(db, DAY).total == 0
    assert dynamic_service.sweep_expiry(db, date(2026, 11, 3)).expired == 1  # ``running`` ended on the 2nd
    assert dynamic_service.sweep_expiry(db, date(2026, 11, 3)).total == 0
    assert len(_history(db, lapsing)) == len(_history(db, reviewed)) == 1

    # The 复核 is decided (未通过): the old title lapses, once.
    app.status = "rejected"
    db.flush()
    assert dynamic_service.sweep_expiry(db, date(2026, 11, 20)).expired >= 1
    assert dynamic_service.sweep_expiry(db, date(2026, 11, 20)).total == 0
    db.refresh(reviewed)
    assert reviewed.status == "expired"
    assert _history(db, reviewed)[1] == (
        "复核中", "已过期", f"专精特新中小企业认定有效期至2026-10-31届满，复核申请 #{app.id} 未通过，原认定已过期"
    )  # fmt: skip


def test_an_imported_under_re_review_title_without_an_application_is_left_as_the_list_says(
    db: Session,
) -> None:
    rec = _recognised(db)
    rec.status = "under_re_review"
    db.flush()
    dynamic_service.sweep_expiry(db, DAY)
    db.refresh(rec)
    assert rec.status == "under_re_review"
    assert _history(db, rec) == []


def test_two_workers_record_each_expiry_once(engine: Any) -> None:
    """Two sweeps racing on one database (both engines): each title changes once, one history row each."""
    with Session(engine, expire_on_commit=False) as s:
        a, b = _recognised(s), _recognised(s)
        _re_review(s, b)
        s.commit()
        ids = [a.enterprise_id, b.enterprise_id]
        recs = [a, b]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(engine) as s:
                barrier.wait()
                dynamic_service.sweep_expiry(s, DAY)
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
        with Session(engine) as s:
            got = [s.get(Recognition, r.id) for r in recs]
            assert [r.status for r in got if r is not None] == ["expired", "under_re_review"]
            assert [len(_history(s, r)) for r in recs] == [1, 1]
    finally:
        with Session(engine) as s:
            s.execute(Application.__table__.delete().where(Application.enterprise_id.in_(ids)))
            s.execute(ApplicationBatch.__table__.delete().where(ApplicationBatch.name.like("%到期测试%")))
            for i in ids:
                e = s.get(Enterprise, i)
                if e is not None:
                    s.delete(e)
            s.commit()


def test_officials_see_the_titles_ending_soon_with_their_re_review_state(
    db: Session, client_as: Any, monkeypatch: Any
) -> None:
    applied = _recognised(db, valid_until=date(2027, 3, 31))
    _re_review(db, applied)
    lost = _recognised(db, valid_until=date(2027, 4, 30))
    db.add(
        AnnualUpdateTask(
            enterprise_id=lost.enterprise_id, region_code="440305", year=2026, fiscal_year=2025,
            regime="srdi_2022", deadline_date=date(2026, 4, 30), status="overdue", tiers=["srdi_sme"],
        )
    )  # fmt: skip
    plain = _recognised(db, valid_until=date(2027, 5, 1))
    beyond = _recognised(db, valid_until=date(2027, 5, 3))  # more than 6 months after 2026-11-02
    elsewhere = _recognised(db, valid_until=date(2027, 1, 31), region="440106")
    db.flush()
    monkeypatch.setattr(dynamic_service, "today", support.Clock(DAY))
    district = client_as(Role.district_official, region_code="440305")
    r = district.get("/api/v1/re-review-candidates", params={"page_size": 200})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["months"], body["horizon"]) == (6, "2027-05-02")
    rows = {x["recognition_id"]: x for x in body["items"]}
    assert rows[applied.id]["state_label"] == "已申请复核"
    assert rows[lost.id]["state_label"] == "已丧失复核资格"
    assert rows[lost.id]["lost_reason"] == "未在2026-04-30前更新2025年度数据"
    assert rows[plain.id]["state_label"] == "未申请"
    assert rows[plain.id]["valid_until"] == "2027-05-01"
    assert beyond.id not in rows and elsewhere.id not in rows
    assert all(x["region_code"].startswith("440305") for x in body["items"])
    # Paged in SQL: one row a page, the total unchanged.
    one = district.get("/api/v1/re-review-candidates", params={"page_size": 1, "page": 2}).json()
    assert (one["total"], len(one["items"])) == (body["total"], 1)
    assert (
        client_as(Role.enterprise, enterprise_id=plain.enterprise_id)
        .get("/api/v1/re-review-candidates")
        .status_code
        == 403
    )


def test_a_crash_before_the_commit_changes_nothing_and_the_rerun_changes_once(tmp_path: Any) -> None:
    """The expiry job in a real process killed at ``application.expiry.before_commit``: the title is still 有效 with
    no history; the next run moves it and writes one row, the one after nothing."""
    import os
    import subprocess
    import sys

    db_file = tmp_path / "expiry.sqlite3"
    script = f"""
import sys
from contextlib import contextmanager
from datetime import date
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from srdi.db.session import make_engine
from srdi.db.migrate import upgrade
from srdi.application import tasks
from srdi.enterprise.models import ChangeLog, Recognition
from tests.application.test_expiry import _recognised

engine = make_engine("sqlite:///{db_file}")
if sys.argv[1] == "setup":
    with engine.begin() as conn:
        upgrade(conn)
    with Session(engine) as s:
        _recognised(s)
        s.commit()
else:
    @contextmanager
    def factory():
        with Session(engine) as s:
            yield s
    n = tasks.sweep_expiry_once(factory, date(2026, 11, 2))
    with Session(engine) as s:
        logs = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.entity == "recognition"))
        print(n, logs, s.scalars(select(Recognition.status)).one())
"""
    env = dict(os.environ)

    def run(*args: str, **kw: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            env={**env, **kw},
            check=False,
        )

    setup = run("setup")
    assert setup.returncode == 0, setup.stderr
    crashed = run("sweep", SRDI_FAULT="application.expiry.before_commit")
    assert crashed.returncode == 86, crashed.stderr
    first, again = run("sweep"), run("sweep")
    assert (first.returncode, first.stdout.strip(), again.stdout.strip()) == (
        0,
        "1 1 expired",
        "0 1 expired",
    ), first.stderr
