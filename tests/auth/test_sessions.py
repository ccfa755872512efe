"""Sessions: idle and absolute expiry, logout, and sessions ended by deactivation or a password change."""

import hashlib
from datetime import timedelta

from sqlalchemy import select

from srdi.auth import service
from srdi.auth.models import UserSession
from srdi.db.base import utcnow
from tests.auth.conftest import login
from tests.auth_support import TEST_PASSWORD


def _session_of(db, user):  # type: ignore[no-untyped-def]
    return db.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    ).all()[-1]


def test_only_the_sha256_of_the_token_is_stored(anon_client, make_user, db):
    user = make_user("expert", username="hashme")
    r = anon_client.post("/api/v1/auth/token", json={"username": "hashme", "password": TEST_PASSWORD})
    token = r.json()["access_token"]
    sess = _session_of(db, user)
    assert sess.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in sess.token_hash


def test_idle_session_expires_after_the_configured_minutes(anon_client, make_user, db, use_settings):
    use_settings(session_ttl_minutes=30)
    user = make_user("expert", username="idle")
    login(anon_client, "idle", TEST_PASSWORD)
    sess = _session_of(db, user)
    sess.last_seen_at = utcnow() - timedelta(minutes=29)
    db.flush()
    assert anon_client.get("/api/v1/auth/me").status_code == 200
    # That request counted as activity: the idle clock restarted.
    assert utcnow() - sess.last_seen_at < timedelta(minutes=1)
    sess.last_seen_at = utcnow() - timedelta(minutes=31)
    db.flush()
    r = anon_client.get("/api/v1/auth/me")
    assert (r.status_code, r.json()["message"]) == (401, "登录已过期或无效，请重新登录")


def test_active_session_still_ends_at_its_absolute_cap(anon_client, make_user, db):
    user = make_user("expert", username="busy")
    login(anon_client, "busy", TEST_PASSWORD)
    sess = _session_of(db, user)
    sess.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    assert anon_client.get("/api/v1/auth/me").status_code == 401


def test_session_cap_is_session_max_hours_from_login(anon_client, make_user, db, use_settings):
    use_settings(session_max_hours=8)
    user = make_user("expert", username="cap")
    login(anon_client, "cap", TEST_PASSWORD)
    sess = _session_of(db, user)
    assert sess.expires_at - sess.created_at == timedelta(hours=8)


def test_logout_revokes_the_session_and_clears_the_cookies(anon_client, make_user, db):
    user = make_user("expert", username="leaver")
    csrf = login(anon_client, "leaver", TEST_PASSWORD).json()["csrf_token"]
    r = anon_client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204
    assert _session_of(db, user).revoked_at is not None
    assert "srdi_session" not in anon_client.cookies
    assert anon_client.get("/api/v1/auth/me").status_code == 401


def test_revoked_token_cannot_be_replayed_as_bearer(anon_client, make_user):
    make_user("expert", username="replay")
    token = anon_client.post(
        "/api/v1/auth/token", json={"username": "replay", "password": TEST_PASSWORD}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert anon_client.post("/api/v1/auth/logout", headers=auth).status_code == 204
    assert anon_client.get("/api/v1/auth/me", headers=auth).status_code == 401


def test_deactivating_a_user_ends_their_sessions_at_once(client, client_as, make_user):
    victim = client_as("expert")
    assert victim.get("/api/v1/auth/me").status_code == 200
    r = client.post(f"/api/v1/admin/users/{victim.user.id}/deactivate")
    assert (r.status_code, r.json()["active"]) == (200, False)
    assert victim.get("/api/v1/auth/me").status_code == 401


def test_password_change_keeps_this_session_and_ends_the_others(anon_client, client_as, make_user, db):
    user = make_user("expert", username="changer")
    other = client_as(user)
    csrf = login(anon_client, "changer", TEST_PASSWORD).json()["csrf_token"]
    r = anon_client.post(
        "/api/v1/auth/password",
        json={"old_password": TEST_PASSWORD, "new_password": "Brand-new-2027"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 204
    assert anon_client.get("/api/v1/auth/me").status_code == 200
    assert other.get("/api/v1/auth/me").status_code == 401
    assert login(anon_client, "changer", "Brand-new-2027").status_code == 200


def test_password_change_needs_the_old_password(client_as):
    c = client_as("expert")
    r = c.post(
        "/api/v1/auth/password", json={"old_password": "Wrong-pass-1", "new_password": "Brand-new-2027"}
    )
    assert (r.status_code, r.json()["message"]) == (400, "原密码不正确")


def test_login_removes_the_users_sessions_that_ended_over_a_day_ago(anon_client, make_user, db):
    user = make_user("expert", username="tidy")
    now = utcnow()
    for revoked in (now - timedelta(days=2), now - timedelta(hours=1)):
        login(anon_client, "tidy", TEST_PASSWORD)
        _session_of(db, user).revoked_at = revoked
        db.flush()
    login(anon_client, "tidy", TEST_PASSWORD)
    db.expire_all()
    rows = db.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    ages = sorted(
        round((now - service.as_utc(r.revoked_at)).total_seconds() / 3600) for r in rows if r.revoked_at
    )
    # The one revoked two days ago is gone; the one revoked an hour ago and the live one stay.
    assert (ages, len(rows)) == ([1], 2)


def test_logging_in_again_in_the_same_browser_ends_the_previous_session(anon_client, make_user, db):
    first = make_user("expert", username="first-user")
    make_user("expert", username="second-user")
    login(anon_client, "first-user", TEST_PASSWORD)
    old_session = _session_of(db, first)
    assert login(anon_client, "second-user", TEST_PASSWORD).status_code == 200
    assert old_session.revoked_at is not None
    assert anon_client.get("/api/v1/auth/me").json()["username"] == "second-user"
