"""Connection pool and worker threads sized together; an exhausted pool answers 503 at once (issue 8)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from srdi.auto_grant import service
from srdi.auto_grant.models import Disbursement, Grant
from srdi.config import get_settings
from srdi.db.session import get_db, get_task_session_factory, make_engine, pool_options
from srdi.main import create_app
from tests.auth_support import bearer_for, make_user
from tests.auto_grant.realdb import real_db  # noqa: F401 - fixture
from tests.auto_grant.variable_policy import KEY, publish_variable_policy
from tests.live_server import serving
from tests.policy.factories import enterprise

N = 50


def _app_on(engine, settings=None):  # type: ignore[no-untyped-def]
    """The app on ``engine`` (with ``settings``: pool, admission), each request one committed session."""
    app = create_app(settings)
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def _db() -> Iterator[Session]:
        s = factory()
        try:
            yield s
            s.commit()
        except Exception:
            s.rollback()
            raise
        finally:
            s.close()

    @contextmanager
    def _task() -> Iterator[Session]:
        with factory() as s:
            yield s

    app.dependency_overrides[get_db] = _db
    app.dependency_overrides[get_task_session_factory] = lambda: _task
    return app


def _serve(app):  # type: ignore[no-untyped-def]
    """The app under a real uvicorn (one event loop, anyio's 40 worker threads), as ``srdi serve`` runs it."""
    return serving(app, lifespan="auto")


def test_the_default_pool_is_as_large_as_the_worker_thread_pool():
    import anyio.to_thread

    opts = pool_options(get_settings())
    limiter_tokens = anyio.run(lambda: _tokens(anyio.to_thread))
    assert opts["pool_size"] >= limiter_tokens == 40
    assert opts["pool_timeout"] == 5.0


async def _tokens(to_thread) -> int:  # type: ignore[no-untyped-def]
    return int(to_thread.current_default_thread_limiter().total_tokens)


def test_fifty_concurrent_consents_over_http_give_one_disbursement_and_no_server_error(real_db):  # noqa: F811
    # The application's own engine settings (not the fixture's generous pool) serve the requests.
    engine = make_engine(real_db.url, **pool_options(get_settings()))
    with real_db.session() as db:
        ent = enterprise(db, dg_innovative=True, rd_deductible_yuan="1000000.00")
        publish_variable_policy(db)
        run = service.create_run(db, KEY, date(2025, 6, 30), actor="official", scope_prefixes=None)
        service.execute_run(db, run)
        user = make_user(db, "enterprise", enterprise_id=ent.id)
        headers = bearer_for(db, user)
        db.commit()
        gid = db.scalars(select(Grant.id).where(Grant.enterprise_id == ent.id)).one()

    barrier = threading.Barrier(N)
    codes: list[int] = []
    attempts: list[int] = []
    lock = threading.Lock()
    with _serve(_app_on(engine)) as base:

        def confirm(i: int) -> None:
            body = {"bank_name": "中国银行", "account_name": "企业", "bank_account": f"622200001234{i:04d}"}
            seen = []
            with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
                barrier.wait()
                # A 503 says "busy, retry" (SQLite's single writer): a client does as told, a 500 never comes.
                for _ in range(50):
                    r = c.post(f"/api/v1/grants/{gid}/consent", json=body)
                    seen.append(r.status_code)
                    if r.status_code != 503:
                        break
                    assert r.headers["retry-after"] == "5"
            with lock:
                codes.append(r.status_code)
                attempts.extend(seen)

        threads = [threading.Thread(target=confirm, args=(i,)) for i in range(N)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
    engine.dispose()
    assert sorted(set(codes)) == [200] and len(codes) == N
    assert set(attempts) <= {200, 503}
    with real_db.session() as db:
        assert (
            db.scalar(select(func.count()).select_from(Disbursement).where(Disbursement.grant_id == gid)) == 1
        )


def test_an_exhausted_pool_answers_503_with_retry_after_not_a_hang(real_db):  # noqa: F811
    engine = make_engine(real_db.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    with real_db.session() as db:
        user = make_user(db, "admin")
        headers = bearer_for(db, user)
        db.commit()
    from fastapi.testclient import TestClient

    held = engine.connect()  # the only connection, taken: the request must not wait 30 s for it
    try:
        with TestClient(_app_on(engine), raise_server_exceptions=False) as c:
            r = c.get("/api/v1/enterprises", headers=headers)
    finally:
        held.close()
        engine.dispose()
    assert r.status_code == 503
    assert r.json() == {
        "code": "service_busy",
        "message": "系统繁忙，请稍后重试",
        "message_en": "all database connections are busy",
    }
    assert r.headers["retry-after"] == "5"
