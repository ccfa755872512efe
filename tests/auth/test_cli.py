"""`srdi users …` against a real database (the commands commit; the test removes what it made)."""

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from srdi.auth import service
from srdi.auth.models import AuditLog, User, UserSession
from srdi.cli import app
from srdi.config import get_settings

NAMES = ("cli-city", "cli-bad")


@pytest.fixture
def cli_db(engine: Engine, monkeypatch) -> Iterator[Callable[[], Session]]:  # type: ignore[no-untyped-def]
    """Points the commands at the test database; yields a factory of short sessions for checks (a session
    left open would hold SQLite's write lock, BEGIN IMMEDIATE, and block the command)."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    monkeypatch.setattr("srdi.db.session.get_sessionmaker", lambda: factory)
    yield factory
    with factory() as s:
        uids = [str(i) for i in s.scalars(select(User.id).where(User.username.in_(NAMES)))]
        s.execute(delete(AuditLog).where(AuditLog.object_type == "user", AuditLog.object_id.in_(uids)))
        s.execute(delete(UserSession).where(UserSession.user_id.in_([int(i) for i in uids])))
        s.execute(delete(User).where(User.username.in_(NAMES)))
        s.commit()


def _user(cli_db: Callable[[], Session], username: str) -> User | None:
    with cli_db() as s:
        return s.scalar(select(User).where(User.username == username))


def test_users_create_list_reset_and_deactivate(cli_db):
    runner = CliRunner()
    r = runner.invoke(
        app,
        ["users", "create", "cli-city", "--role", "city_official", "--region", "4403", "--password-stdin"],
        input="City-pass-2026\n",
    )
    assert r.exit_code == 0, r.output
    assert "已创建用户 / created: cli-city（市级主管部门）" in r.output
    user = _user(cli_db, "cli-city")
    assert (user.role, user.region_code, user.is_demo) == ("city_official", "4403", False)
    assert service.verify_password(user.password_hash, "City-pass-2026", get_settings())

    r = runner.invoke(app, ["users", "list", "--role", "city_official"])
    assert "cli-city" in r.output and "广东省深圳市" in r.output

    r = runner.invoke(app, ["users", "reset-password", "cli-city", "--password", "City-pass-2027"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "deactivate", "cli-city"])
    assert r.exit_code == 0, r.output
    user = _user(cli_db, "cli-city")
    assert user.active is False
    assert service.verify_password(user.password_hash, "City-pass-2027", get_settings())
    with cli_db() as s:
        actions = s.scalars(
            select(AuditLog.action)
            .where(AuditLog.object_id == str(user.id), AuditLog.object_type == "user")
            .order_by(AuditLog.id)
        ).all()
    assert actions == ["user.create", "user.reset_password", "user.deactivate"]


def test_users_create_refuses_a_wrong_scope_with_the_reason_and_exit_code_1(cli_db):
    r = CliRunner().invoke(
        app,
        [
            "users",
            "create",
            "cli-bad",
            "--role",
            "district_official",
            "--region",
            "4403",
            "--password",
            "Valid-pass-1",
        ],
    )
    assert r.exit_code == 1
    assert "区县主管部门的行政区划代码应为 6 位" in r.output
    assert _user(cli_db, "cli-bad") is None
