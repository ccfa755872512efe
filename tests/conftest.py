"""Shared fixtures. Database tests run on SQLite always and on PostgreSQL when one is reachable.

PostgreSQL: ``SRDI_TEST_DATABASE_URL`` if set, else the server on 127.0.0.1:5432 (database ``test``). Each test
session works in a schema of its own, dropped at the end; each test runs in a transaction that is rolled back.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

os.environ.setdefault("SRDI_ENV", "test")
# Argon2id stays Argon2id in tests, only cheaper (production refuses these values, see Settings).
os.environ.setdefault("SRDI_ARGON2_MEMORY_KIB", "1024")
os.environ.setdefault("SRDI_ARGON2_TIME_COST", "1")
os.environ.setdefault("SRDI_ARGON2_PARALLELISM", "1")
# Recovery runs at the app's start-up in tests too; its periodic round would share the test's session from
# another thread, so it is off (tests/auto_grant/test_recovery.py drives the rounds itself).
os.environ.setdefault("SRDI_RECOVERY_INTERVAL_SECONDS", "0")

from srdi.db.migrate import upgrade
from srdi.db.session import make_engine

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    return os.environ.get("SRDI_TEST_DATABASE_URL") or DEFAULT_PG_URL


def postgres_unreachable_reason() -> str | None:
    import psycopg

    url = postgres_url().replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:
        return (
            f"PostgreSQL not reachable at {postgres_url()} ({type(exc).__name__}); "
            "set SRDI_TEST_DATABASE_URL to run the PostgreSQL tests"
        )
    return None


def _create_pg_schema_engine() -> tuple[Engine, str]:
    schema = f"srdi_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url())
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    eng = make_engine(
        postgres_url(), connect_args={"options": f"-csearch_path={schema}"}, pool_size=20, max_overflow=40
    )
    return eng, schema


def _drop_pg_schema(schema: str) -> None:
    admin = make_engine(postgres_url())
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        # BEGIN IMMEDIATE: real transactions (savepoints work) that wait for each other instead of failing.
        eng = make_engine(f"sqlite:///{path}", sqlite_begin="BEGIN IMMEDIATE")
        with eng.begin() as conn:
            upgrade(conn)
        yield eng
        eng.dispose()
        return
    reason = postgres_unreachable_reason()
    if reason:
        pytest.skip(reason)
    eng, schema = _create_pg_schema_engine()
    with eng.begin() as conn:
        upgrade(conn)
    yield eng
    eng.dispose()
    _drop_pg_schema(schema)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    # On SQLite the outer transaction is deferred: it takes the write lock at the test's first write, as
    # pysqlite would, so tests that also commit through other sessions are not blocked from the start.
    conn = engine.connect().execution_options(sqlite_begin="BEGIN")
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        conn.close()


@pytest.fixture
def app(db: Session):  # type: ignore[no-untyped-def]
    from srdi.db.session import get_db
    from srdi.main import create_app

    application = create_app()

    def _test_db() -> Iterator[Session]:
        yield db
        db.flush()

    application.dependency_overrides[get_db] = _test_db

    # Policy and 免申即享 background tasks (push refresh, grant runs) use the test's session as well.

    # Background tasks (batch runs, push refreshes, 免申即享 runs) work in the test's session too, so they see
    # its data and roll back with it.
    from contextlib import contextmanager

    from srdi.db.session import get_task_session_factory

    @contextmanager
    def _task_session() -> Iterator[Session]:
        yield db

    application.dependency_overrides[get_task_session_factory] = lambda: _task_session
    return application


@pytest.fixture
def anon_client(app):  # type: ignore[no-untyped-def]
    """A client that has not logged in."""
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def make_user(db: Session):  # type: ignore[no-untyped-def]
    """``make_user(role, **fields)`` → a User row (tests/auth_support.py)."""
    from tests.auth_support import make_user as _make

    return lambda role, **kw: _make(db, role, **kw)


@pytest.fixture
def client_as(app, db: Session, make_user):  # type: ignore[no-untyped-def]
    """``client_as(role_or_user, **user_fields)`` → a TestClient with a bearer session for that user."""
    from contextlib import ExitStack

    from fastapi.testclient import TestClient

    from srdi.auth.models import User
    from tests.auth_support import bearer_for

    with ExitStack() as stack:

        def _as(who, **kw):  # type: ignore[no-untyped-def]
            user = who if isinstance(who, User) else make_user(who, **kw)
            c = stack.enter_context(TestClient(app, raise_server_exceptions=False))
            c.headers.update(bearer_for(db, user))
            c.user = user  # type: ignore[attr-defined]
            return c

        yield _as


@pytest.fixture
def client(client_as):  # type: ignore[no-untyped-def]
    """Logged in as an administrator (every endpoint, every region)."""
    return client_as("admin", username="test-admin")
