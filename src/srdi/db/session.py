"""Engine and session factory. Services never commit: the request or task boundary does (convention 8)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from srdi.config import Settings, get_settings


def _json_dumps(value: object) -> str:
    # Keep Chinese readable in JSON columns, so tag filters can match the stored text on every engine.
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str, *, sqlite_begin: str | None = None, **kwargs: object) -> Engine:
    kwargs.setdefault("json_serializer", _json_dumps)
    if url.startswith("sqlite"):
        # SQLite waits for locks with its busy timeout (connect_args below); lock_timeout_ms is PostgreSQL's.
        kwargs.pop("lock_timeout_ms", None)
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # SQLite's busy timeout: a writer waits this long for another's commit (pool_timeout is separate).
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            if sqlite_begin:
                dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        if sqlite_begin:
            # pysqlite defers BEGIN to the first write, so a SAVEPOINT can run outside any transaction and its
            # RELEASE commits. Code that nests transactions (the test suite's rolled-back sessions) asks
            # SQLAlchemy to emit BEGIN itself — its documented recipe for SQLite.
            # A connection may pick its own form with the execution option ``sqlite_begin``.
            @event.listens_for(engine, "begin")
            def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
                conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", sqlite_begin))

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    lock_timeout = kwargs.pop("lock_timeout_ms", None)
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if lock_timeout:

        @event.listens_for(engine, "connect")
        def _pg_lock_timeout(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # A request never waits on a row lock for longer than this: 40 requests blocked behind one row can
            # hold every worker thread while the lock holder needs one to finish its answer and commit — the
            # server would stall for good (measured: tests/db/test_pool.py). They give up with a 503 instead.
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET lock_timeout = {int(str(lock_timeout))}")
            dbapi_conn.commit()

    return engine


def pool_options(settings: Settings) -> dict[str, Any]:
    """The pool sized to the threads that can hold a connection (STACK.md traps: a pool smaller than anyio's 40
    worker threads stalled the server for 30 s); a caller that still finds it exhausted waits briefly and gets
    a 503 (srdi.main), not a hung request."""
    return {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_seconds,
        "lock_timeout_ms": int(settings.db_lock_timeout_seconds * 1000),
    }


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, **pool_options(settings))


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def get_db() -> Iterator[Session]:
    """FastAPI dependency: one request, one transaction (the same boundary as ``session_scope``)."""
    with session_scope() as session:
        yield session


@contextmanager
def session_scope() -> Iterator[Session]:
    """One CLI command or background task, one transaction."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


# How a background task opens a session of its own (tests substitute one that shares the test's session).
SessionFactory = Callable[[], AbstractContextManager[Session]]


@contextmanager
def task_session() -> Iterator[Session]:
    """A session for one background task; the task commits each unit of work itself."""
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.close()


def get_task_session_factory() -> SessionFactory:
    """FastAPI dependency: the session factory handed to background tasks (tests replace it)."""
    return task_session


# The request's session as a typed parameter, declared once for every router (issue 9, "plumbing once"). The
# function scope closes the transaction before the response is sent, so a failed commit is the client's error
# answer rather than a success already on the wire.
DbSession = Annotated[Session, Depends(get_db, scope="function")]
