"""Committed databases for reliability tests that cross process or thread boundaries (QUALITY R3, R4).

The shared ``db`` fixture is one rolled-back connection; a killed subprocess or 50 threads need real,
committed data in their own database: a fresh SQLite file, or a fresh schema on the test PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from srdi.db.migrate import upgrade
from srdi.db.session import make_engine
from tests.conftest import postgres_unreachable_reason, postgres_url


@dataclass
class RealDb:
    url: str  # for a subprocess (SRDI_DATABASE_URL)
    engine: Engine
    tmp: Path  # a directory of the test's own

    def session(self) -> Session:
        return sessionmaker(bind=self.engine, expire_on_commit=False)()


@contextmanager
def make_real_db(kind: str, directory: Path) -> Iterator[RealDb]:
    """A migrated database of its own: a SQLite file in ``directory`` or a fresh PostgreSQL schema."""
    if kind == "sqlite":
        url = f"sqlite:///{directory / 'real.sqlite3'}"
        eng = make_engine(url)
        with eng.begin() as conn:
            upgrade(conn)
        yield RealDb(url, eng, directory)
        eng.dispose()
        return
    reason = postgres_unreachable_reason()
    if reason:
        pytest.skip(reason)
    schema = f"srdi_rel_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url())
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{postgres_url()}?options={quote(f'-csearch_path={schema}')}"
    eng = make_engine(url, pool_size=60, max_overflow=10)
    with eng.begin() as conn:
        upgrade(conn)
    try:
        yield RealDb(url, eng, directory)
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def real_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RealDb]:
    with make_real_db(request.param, tmp_path) as rdb:
        yield rdb


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_real_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RealDb]:
    """One database for a module's tests (they clean what they write): one migration instead of one per test."""
    with make_real_db(request.param, tmp_path_factory.mktemp("realdb")) as rdb:
        yield rdb
