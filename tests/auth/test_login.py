"""Login: cookies, one answer for every failure, throttling per username and per address."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from srdi.auth.models import AuditLog, LoginThrottle, User
from srdi.db.base import utcnow
from tests.auth.conftest import login
from tests.auth_support import TEST_PASSWORD
from tests.auth_support import make_user as make_user_in


def _cookie_headers(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_login_sets_httponly_lax_session_cookie_and_a_readable_csrf_cookie(anon_client, make_user):
    user = make_user("district_official", username="nanshan")
    r = login(anon_client, "nanshan", TEST_PASSWORD)
    assert r.status_code == 200
    body = r.json()
    assert (body["user"]["username"], body["user"]["role_label"], body["user"]["region_label"]) == (
        "nanshan",
        "区县主管部门",
        "广东省深圳市南山区",
    )
    cookies = _cookie_headers(r)
    session, csrf = cookies["srdi_session"].lower(), cookies["srdi_csrf"].lower()
    assert "httponly" in session and "samesite=lax" in session and "path=/" in session
    assert "httponly" not in csrf and "samesite=lax" in csrf
    # Not Secure outside production, so the development server over plain HTTP works.
    assert "secure" not in session
    assert anon_client.cookies["srdi_csrf"] == body["csrf_token"]
    assert anon_client.get("/api/v1/auth/me").json()["id"] == user.id


def test_session_cookie_is_secure_in_production(anon_client, make_user, use_settings):
    make_user("expert", username="prod-user")
    use_settings(env="production")
    r = login(anon_client, "prod-user", TEST_PASSWORD)
    assert "secure" in _cookie_headers(r)["srdi_session"].lower()


def test_wrong_password_unknown_user_and_disabled_account_get_the_same_answer(anon_client, make_user):
    make_user("expert", username="known")
    make_user("expert", username="disabled", active=False)
    answers = {
        (r.status_code, r.json()["message"])
        for r in (
            login(anon_client, "known", "Wrong-pass-1"),
            login(anon_client, "nobody", "Wrong-pass-1"),
            login(anon_client, "disabled", TEST_PASSWORD),
        )
    }
    assert answers == {(401, "用户名或密码错误")}


def test_five_failures_lock_the_username_for_fifteen_minutes_even_against_the_right_password(
    anon_client, make_user, db
):
    user = make_user("expert", username="target")
    codes = [login(anon_client, "target", f"Wrong-{i}-pass").status_code for i in range(5)]
    assert codes == [401] * 5
    r = login(anon_client, "target", TEST_PASSWORD)
    assert r.status_code == 429
    assert r.json()["message"] == "登录失败次数过多，请 15 分钟后再试"
    assert r.headers["retry-after"] == "900"
    assert user.failed_login_count == 5


def test_lock_ends_after_its_time_and_a_success_clears_the_counter(anon_client, make_user, db):
    make_user("expert", username="target")
    for i in range(5):
        login(anon_client, "target", f"Wrong-{i}-pass")
    row = db.get(LoginThrottle, "user:target")
    assert row.failures == 5
    row.locked_until = utcnow() - timedelta(seconds=1)
    row.window_started_at = utcnow() - timedelta(minutes=16)
    db.flush()
    r = login(anon_client, "target", TEST_PASSWORD)
    assert r.status_code == 200
    assert db.get(LoginThrottle, "user:target") is None
    assert db.scalar(select(User.failed_login_count).where(User.username == "target")) == 0


def test_unknown_usernames_are_locked_like_real_ones(anon_client):
    for i in range(5):
        login(anon_client, "ghost", f"Wrong-{i}-pass")
    assert login(anon_client, "ghost", "Wrong-x-pass").status_code == 429


def test_one_address_trying_many_usernames_is_locked(anon_client, make_user, use_settings):
    make_user("expert", username="real")
    use_settings(login_max_failures_per_ip=3)
    for name in ("a1", "a2", "a3"):
        assert login(anon_client, name, "Wrong-pass-1").status_code == 401
    r = login(anon_client, "real", TEST_PASSWORD)
    assert (r.status_code, r.json()["message"]) == (429, "登录失败次数过多，请 15 分钟后再试")


def test_demo_account_cannot_log_in_outside_demo_mode(anon_client, make_user, use_settings):
    make_user("admin", username="demo-x", is_demo=True)
    use_settings(demo_mode=False)
    assert login(anon_client, "demo-x", TEST_PASSWORD).status_code == 401
    use_settings(demo_mode=True)
    assert login(anon_client, "demo-x", TEST_PASSWORD).status_code == 200


def test_logins_and_failures_are_audited_with_address(anon_client, make_user, db):
    user = make_user("expert", username="audited")
    login(anon_client, "audited", "Wrong-pass-1")
    login(anon_client, "audited", TEST_PASSWORD)
    rows = db.scalars(select(AuditLog).where(AuditLog.username == "audited").order_by(AuditLog.id)).all()
    assert [(r.action, r.user_id, r.detail.get("reason"), r.ip) for r in rows] == [
        ("auth.login_failed", user.id, "bad_credentials", "testclient"),
        ("auth.login", user.id, None, "testclient"),
    ]


def test_bearer_token_endpoint_returns_a_token_and_sets_no_cookie(anon_client, make_user):
    make_user("bank", username="api-bank")
    r = anon_client.post("/api/v1/auth/token", json={"username": "api-bank", "password": TEST_PASSWORD})
    assert r.status_code == 200
    assert r.headers.get_list("set-cookie") == []
    token = r.json()["access_token"]
    me = anon_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert (me.status_code, me.json()["role"]) == (200, "bank")


@pytest.fixture
def committing_app(app, engine: Engine) -> Iterator[Session]:
    """The app with the real transaction boundary (commit on success, rollback on error)."""
    from srdi.db.session import get_db

    def _real_db() -> Iterator[Session]:
        s = Session(bind=engine, expire_on_commit=False)
        try:
            yield s
            s.commit()
        except Exception:
            s.rollback()
            raise
        finally:
            s.close()

    app.dependency_overrides[get_db] = _real_db
    setup = Session(bind=engine)
    make_user_in(setup, "expert", username="commit-check")
    setup.commit()
    yield setup
    setup.execute(delete(AuditLog).where(AuditLog.username == "commit-check"))
    setup.execute(delete(LoginThrottle).where(LoginThrottle.key.like("%commit-check%")))
    setup.execute(delete(LoginThrottle).where(LoginThrottle.key == "ip:testclient"))
    setup.execute(delete(User).where(User.username == "commit-check"))
    setup.commit()
    setup.close()


def test_failed_login_counter_and_audit_row_survive_the_request_transaction(committing_app, anon_client):
    r = login(anon_client, "commit-check", "Wrong-pass-1")
    assert r.status_code == 401
    committing_app.expire_all()
    row = committing_app.get(LoginThrottle, "user:commit-check")
    assert row is not None and row.failures == 1
    actions = committing_app.scalars(select(AuditLog.action).where(AuditLog.username == "commit-check")).all()
    assert actions == ["auth.login_failed"]


def test_parallel_wrong_guesses_are_all_counted(engine: Engine):
    """Eight simultaneous failures on one username, each in its own committed transaction, count eight."""
    from concurrent.futures import ThreadPoolExecutor

    from srdi.auth import service
    from srdi.auth.exceptions import AccountLocked, LoginFailed
    from srdi.config import get_settings

    settings = get_settings().model_copy(update={"login_max_failures": 100, "login_max_failures_per_ip": 100})
    key = "user:parallel-target"

    def guess(i: int) -> str:
        with Session(bind=engine) as s:
            try:
                service.login(s, "parallel-target", f"Wrong-{i}-pass", settings, ip=f"10.0.0.{i}")
            except (LoginFailed, AccountLocked) as exc:
                s.commit()
                return type(exc).__name__
        return "ok"

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = list(pool.map(guess, range(8)))
        assert outcomes == ["LoginFailed"] * 8
        with Session(bind=engine) as s:
            assert s.get(LoginThrottle, key).failures == 8
    finally:
        with Session(bind=engine) as s:
            s.execute(
                delete(LoginThrottle).where(
                    LoginThrottle.key.in_([key, *[f"ip:10.0.0.{i}" for i in range(8)]])
                )
            )
            s.execute(delete(AuditLog).where(AuditLog.username == "parallel-target"))
            s.commit()
