"""Leases and recovery (QUALITY R3): who owns a run or an import, when it counts as interrupted, that two workers
never both take one job, and that the app marks interrupted jobs at start-up and shows them in Chinese."""

from __future__ import annotations

import socket
import subprocess
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from srdi.auto_grant import repository, service, tasks
from srdi.auto_grant.exceptions import RunLeaseLost
from srdi.auto_grant.models import Grant, GrantRun
from srdi.db.base import utcnow
from srdi.enterprise.enums import ImportMode
from srdi.enterprise.models import ImportJob
from srdi.kit import leases
from tests.auto_grant.variable_policy import KEY, publish_variable_policy
from tests.policy.factories import enterprise


def _dead_owner() -> str:
    """The owner string of a process of this host that has ended (and been reaped)."""
    p = subprocess.Popen(["true"])
    p.wait()
    return f"{socket.gethostname()[:60]}:{p.pid}:deadbeef"


def _run(db: Session) -> GrantRun:
    for i in range(3):
        enterprise(db, dg_innovative=True, rd_deductible_yuan=f"{1000000 + i}.00")
    publish_variable_policy(db)
    run = service.create_run(db, KEY, date(2025, 6, 30), actor="official", scope_prefixes=None)
    db.flush()
    return run


def test_lease_states() -> None:
    now = utcnow()
    me = leases.owner_id()
    assert leases.expired(None, None, now)
    assert not leases.expired(me, now + timedelta(seconds=5), now)
    assert leases.expired(me, now - timedelta(seconds=1), now)
    assert leases.expired(
        _dead_owner(), now + timedelta(hours=1), now
    )  # its process is gone: no need to wait
    # Another host's process cannot be checked: its lease must run out.
    assert not leases.expired("elsewhere:1:abcd", now + timedelta(seconds=5), now)
    assert leases.expired("elsewhere:1:abcd", now - timedelta(seconds=1), now)


def test_of_two_workers_taking_over_a_dead_run_exactly_one_wins(db: Session) -> None:
    run = _run(db)
    dead = _dead_owner()
    run.lease_owner = dead
    db.flush()
    later = utcnow() + timedelta(seconds=60)
    first = repository.take_lease(
        db, run.id, seen_owner=dead, owner="w1:1:a", expires=later, status="running"
    )
    second = repository.take_lease(
        db, run.id, seen_owner=dead, owner="w2:2:b", expires=later, status="running"
    )
    assert (first, second) == (True, False)
    db.refresh(run)
    assert run.lease_owner == "w1:1:a"


def test_a_live_owner_keeps_its_run_and_an_expired_one_is_marked_interrupted(db: Session) -> None:
    run = _run(db)
    run.lease_owner, run.lease_expires_at = "elsewhere:1:abcd", utcnow() + timedelta(seconds=60)
    db.flush()
    assert service.mark_interrupted_runs(db) == []
    assert not service.claim_run(db, run)  # a second worker leaves it alone
    assert service.mark_interrupted_runs(db, utcnow() + timedelta(seconds=61)) == [run.id]
    db.refresh(run)
    assert (run.status, run.lease_owner) == ("interrupted", None)
    assert service.claim_run(db, run)  # resumable: re-posting the run takes it
    assert (run.status, run.lease_owner) == ("running", leases.owner_id())


def test_a_worker_that_lost_its_run_stops_before_writing_a_chunk(db: Session) -> None:
    run = _run(db)
    assert service.claim_run(db, run)
    # Meanwhile another process declared us dead and took the run over.
    assert repository.take_lease(
        db, run.id, seen_owner=leases.owner_id(), owner="elsewhere:1:abcd",
        expires=utcnow() + timedelta(seconds=60), status="running",
    )  # fmt: skip
    db.refresh(run)
    with pytest.raises(RunLeaseLost):
        service.execute_run(db, run)
    assert db.scalar(select(func.count()).select_from(Grant)) == 0

    @contextmanager
    def same_session():  # type: ignore[no-untyped-def]
        yield db

    tasks.execute_run(run.id, same_session)  # the background task does not even start: not ours
    assert db.scalar(select(func.count()).select_from(Grant)) == 0


def test_app_start_up_marks_interrupted_jobs_and_shows_them_in_chinese(app, db: Session, make_user) -> None:  # type: ignore[no-untyped-def]
    from tests.auth_support import bearer_for

    run = _run(db)
    run.lease_owner = _dead_owner()
    job = ImportJob(
        filename="企业数据.csv", file_sha256="0" * 64, file_format="csv", mode=ImportMode.all_or_nothing.value,
        dry_run=False, status="running", actor="admin-r", report={}, lease_owner=_dead_owner(),
        lease_expires_at=utcnow() + timedelta(seconds=60),
    )  # fmt: skip
    db.add(job)
    db.flush()
    admin = make_user("admin", username="admin-r")
    with TestClient(app, raise_server_exceptions=False) as c:  # the lifespan runs the start-up recovery
        c.headers.update(bearer_for(db, admin))
        r = c.get(f"/api/v1/imports/{job.id}")
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["status"], body["status_label"], body["message"]) == (
            "interrupted", "已中断（未写入）", "导入过程中服务中断，本次未写入任何数据，请重新上传文件",
        )  # fmt: skip
        r = c.get(f"/api/v1/grant-runs/{run.id}")
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["status_label"], r.json()["resumable"]) == (
            "interrupted", "已中断（可续跑）", True,
        )  # fmt: skip
