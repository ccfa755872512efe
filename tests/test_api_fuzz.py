"""QUALITY R2: every API operation fuzzed from the OpenAPI document — no server error, no response that breaks
the documented schema. Runs against its own migrated SQLite database with a few demo enterprises, logged in as
an administrator (who may call everything), with a bounded number of examples per operation."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from srdi.db.migrate import upgrade  # noqa: E402
from srdi.db.session import make_engine  # noqa: E402

_DIR = Path(tempfile.mkdtemp(prefix="srdi-fuzz-"))
_URL = f"sqlite:///{_DIR / 'fuzz.sqlite3'}"


def _build():  # type: ignore[no-untyped-def]
    from srdi.db import session as db_session
    from srdi.demo.generator import DemoSpec, generate
    from srdi.demo.loader import load
    from srdi.main import create_app
    from tests.auth_support import bearer_for, make_user

    engine = make_engine(_URL)
    with engine.begin() as conn:
        upgrade(conn)
        load(conn, generate(DemoSpec(count=30, seed=7, as_of=date(2026, 6, 30))))
    with Session(engine) as s:
        admin = make_user(s, "admin", username="fuzz-admin")
        headers = bearer_for(s, admin)
        s.commit()
    app = create_app()
    maker = db_session.sessionmaker(bind=engine, expire_on_commit=False)

    def _db():  # type: ignore[no-untyped-def]
        session = maker()
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
        finally:
            session.close()

    app.dependency_overrides[db_session.get_db] = _db

    # Background tasks (a 通报 build, an aggregate refresh) work on the fuzz database too, not the configured one.
    from contextlib import contextmanager

    @contextmanager
    def _task_session():  # type: ignore[no-untyped-def]
        session = maker()
        try:
            yield session
        finally:
            session.close()

    app.dependency_overrides[db_session.get_task_session_factory] = lambda: _task_session
    return app, headers


APP, HEADERS = _build()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
EXAMPLES = int(os.environ.get("SRDI_FUZZ_EXAMPLES", "8"))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_operation_never_errors_and_keeps_its_schema(case):  # type: ignore[no-untyped-def]
    # Business validation (check characters, region codes, facts) rightly rejects much schema-valid input,
    # so "schema-valid data must be accepted" is not one of the checks; everything else is.
    case.call_and_validate(headers=HEADERS, excluded_checks=[positive_data_acceptance])
