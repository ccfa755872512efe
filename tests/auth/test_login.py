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


def _login_from(client, ip: str, username: str, password: str):  # type: ignore[no-untyped-def]
    """A login whose peer address is ``ip`` (the application sees it as uvicorn would hand it over)."""
    from fastapi.testclient import TestClient

    with TestClient(client.app, raise_server_exceptions=False, client=(ip, 50000)) as c:
        return login(c, username, password)


def test_five_failures_from_one_address_make_that_address_wait_even_against_the_right_password(
    anon_client, make_user, db
):
    user = make_user("expert", username="target")
    codes = [
        _login_from(anon_client, "198.51.100.7", "target", f"Wrong-{i}-pass").status_code for i in range(5)
    ]
    assert codes == [401] * 5
    r = _login_from(anon_client, "198.51.100.7", "target", TEST_PASSWORD)
    assert r.status_code == 429
    assert r.json()["message"] == "登录失败次数过多，请 30 秒后再试"
    assert r.headers["retry-after"] == "30"
    assert user.failed_login_count == 5


def test_an_outsider_cannot_lock_the_administrator_out(anon_client, make_user):
    make_user("admin", username="root-admin")
    for i in range(12):
        _login_from(anon_client, "203.0.113.66", "root-admin", f"Wrong-{i}-pass")
    assert _login_from(anon_client, "203.0.113.66", "root-admin", TEST_PASSWORD).status_code == 429
    # The administrator, from their own address, is not affected by the attacker's failures.
    assert _login_from(anon_client, "192.0.2.10", "root-admin", TEST_PASSWORD).status_code == 200


def test_each_further_failure_doubles_the_wait_up_to_the_cap(anon_client, make_user, db, use_settings):
    from srdi.auth.service import backoff

    settings = use_settings()
    assert [backoff(n, settings).total_seconds() for n in (5, 6, 7, 8, 9, 10, 11, 50)] == [
        30,
        60,
        120,
        240,
        480,
        900,
        900,
        900,
    ]
    make_user("expert", username="slow")
    for i in range(5):
        _login_from(anon_client, "198.51.100.8", "slow", f"Wrong-{i}-pass")
    row = db.get(LoginThrottle, "pair:198.51.100.8|slow")
    row.locked_until = utcnow() - timedelta(seconds=1)
    db.flush()
    assert _login_from(anon_client, "198.51.100.8", "slow", "Wrong-6-pass").status_code == 401
    r = _login_from(anon_client, "198.51.100.8", "slow", TEST_PASSWORD)
    assert (r.status_code, r.headers["retry-after"]) == (429, "60")
    assert r.json()["message"] == "登录失败次数过多，请 1 分钟后再试"


def test_lock_ends_after_its_time_and_a_success_clears_the_counter(anon_client, make_user, db):
    make_user("expert", username="target")
    for i in range(5):
        _login_from(anon_client, "198.51.100.9", "target", f"Wrong-{i}-pass")
    row = db.get(LoginThrottle, "pair:198.51.100.9|target")
    assert row.failures == 5
    row.locked_until = utcnow() - timedelta(seconds=1)
    db.flush()
    r = _login_from(anon_client, "198.51.100.9", "target", TEST_PASSWORD)
    assert r.status_code == 200
    assert db.get(LoginThrottle, "pair:198.51.100.9|target") is None
    assert db.scalar(select(User.failed_login_count).where(User.username == "target")) == 0


def test_unknown_usernames_are_throttled_like_real_ones(anon_client):
    for i in range(5):
        _login_from(anon_client, "198.51.100.10", "ghost", f"Wrong-{i}-pass")
    assert _login_from(anon_client, "198.51.100.10", "ghost", "Wrong-x-pass").status_code == 429


def test_one_address_trying_many_usernames_is_locked(anon_client, make_user, use_settings):
    make_user("expert", username="real")
    use_settings(login_max_failures_per_ip=3)
    for name in ("a1", "a2", "a3"):
        assert _login_from(anon_client, "198.51.100.11", name, "Wrong-pass-1").status_code == 401
    r = _login_from(anon_client, "198.51.100.11", "real", TEST_PASSWORD)
    assert (r.status_code, r.json()["message"]) == (429, "登录失败次数过多，请 15 分钟后再试")
    assert r.headers["retry-after"] == "900"


def test_usernames_are_case_insensitive_one_account_one_throttle(anon_client, client, db):
    r = client.post(
        "/api/v1/admin/users",
        json={"username": "Thr4", "display_name": "甲", "role": "expert", "password": "Passw0rd-1"},
    )
    assert (r.status_code, r.json()["username"]) == (201, "thr4")
    again = client.post(
        "/api/v1/admin/users",
        json={"username": "THR4", "display_name": "乙", "role": "expert", "password": "Passw0rd-1"},
    )
    assert (again.status_code, again.json()["message"]) == (409, "用户名 thr4 已存在")
    assert _login_from(anon_client, "198.51.100.12", "Thr4", "Passw0rd-1").status_code == 200
    assert _login_from(anon_client, "198.51.100.12", "ｔｈｒ4", "Passw0rd-1").status_code == 200
    _login_from(anon_client, "198.51.100.12", "THR4", "wrong-pass-1")
    assert db.get(LoginThrottle, "pair:198.51.100.12|thr4").failures == 1


@pytest.mark.parametrize(
    "forwarded", ["1.2.3.4, " * 20, "not-an-ip", "<script>", "2001:db8::1%eth0" + "x" * 40]
)
def test_a_peer_that_is_not_an_ip_address_never_breaks_a_login(anon_client, make_user, db, forwarded):
    # What uvicorn would hand over from an X-Forwarded-For it was (wrongly) told to trust.
    make_user("expert", username="xff")
    r = _login_from(anon_client, forwarded[:200], "xff", TEST_PASSWORD)
    assert r.status_code == 200
    row = db.scalars(select(AuditLog).where(AuditLog.username == "xff")).one()
    assert row.ip is None


def test_a_valid_peer_address_is_audited_in_canonical_form(anon_client, make_user, db):
    make_user("expert", username="v6")
    assert _login_from(anon_client, "2001:DB8:0:0::1", "v6", TEST_PASSWORD).status_code == 200
    assert db.scalars(select(AuditLog.ip).where(AuditLog.username == "v6")).one() == "2001:db8::1"


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
        ("auth.login_failed", user.id, "bad_credentials", None),
        ("auth.login", user.id, None, None),
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
    setup.execute(delete(LoginThrottle).where(LoginThrottle.key == "ip:unknown"))
    setup.execute(delete(User).where(User.username == "commit-check"))
    setup.commit()
    setup.close()


def test_failed_login_counter_and_audit_row_survive_the_request_transaction(committing_app, anon_client):
    r = login(anon_client, "commit-check", "Wrong-pass-1")
    assert r.status_code == 401
    committing_app.expire_all()
    row = committing_app.get(LoginThrottle, "pair:unknown|commit-check")
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
    key = "pair:10.0.0.1|parallel-target"

    def guess(i: int) -> str:
        with Session(bind=engine) as s:
            try:
                service.login(s, "parallel-target", f"Wrong-{i}-pass", settings, ip="10.0.0.1")
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
            s.execute(delete(LoginThrottle).where(LoginThrottle.key.in_([key, "ip:10.0.0.1"])))
            s.execute(delete(AuditLog).where(AuditLog.username == "parallel-target"))
            s.commit()


def test_a_look_alike_username_with_a_zero_width_space_is_refused(client):
    r = client.post(
        "/api/v1/admin/users",
        json={
            "username": "ad\u200bmin",
            "display_name": "假管理员",
            "role": "expert",
            "password": "Passw0rd-1",
        },
    )
    assert r.status_code == 422
    assert (
        r.json()["details"][0]["message"] == "名称中含有不可见字符或文字方向控制字符（U+200B），请删除后重试"
    )
