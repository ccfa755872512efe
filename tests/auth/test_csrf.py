"""CSRF: a cookie-authenticated write needs X-CSRF-Token bound to that session; bearer clients need none."""

from sqlalchemy import func, select

from srdi.enterprise.models import Enterprise
from tests.auth.conftest import login
from tests.auth.route_policy import new_uscc
from tests.auth_support import TEST_PASSWORD


def _body():  # type: ignore[no-untyped-def]
    return {"uscc": new_uscc(), "name": "跨站请求测试企业", "region_code": "440305", "industry_code": "3562"}


def _count(db) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(Enterprise))


def test_cookie_write_without_csrf_header_is_refused_and_writes_nothing(anon_client, make_user, db):
    make_user("district_official", username="official")
    login(anon_client, "official", TEST_PASSWORD)
    before = _count(db)
    r = anon_client.post("/api/v1/enterprises", json=_body())
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (
        403,
        "csrf_failed",
        "安全校验失败，请刷新页面后重试",
    )
    assert _count(db) == before


def test_cookie_write_with_a_wrong_or_another_sessions_token_is_refused(
    anon_client, client_as, make_user, db
):
    make_user("district_official", username="official")
    make_user("district_official", username="other")
    from fastapi.testclient import TestClient

    with TestClient(anon_client.app) as second:
        other_csrf = login(second, "other", TEST_PASSWORD).json()["csrf_token"]
    login(anon_client, "official", TEST_PASSWORD)
    for token in ("x" * 64, other_csrf):
        r = anon_client.post("/api/v1/enterprises", json=_body(), headers={"X-CSRF-Token": token})
        assert r.status_code == 403


def test_cookie_write_with_its_csrf_token_succeeds(anon_client, make_user):
    make_user("district_official", username="official")
    csrf = login(anon_client, "official", TEST_PASSWORD).json()["csrf_token"]
    r = anon_client.post("/api/v1/enterprises", json=_body(), headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    assert r.json()["name"] == "跨站请求测试企业"


def test_cookie_reads_need_no_csrf_token(anon_client, make_user):
    make_user("district_official", username="official")
    login(anon_client, "official", TEST_PASSWORD)
    assert anon_client.get("/api/v1/enterprises").status_code == 200


def test_bearer_write_needs_no_csrf_token(client_as):
    c = client_as("district_official")
    assert c.post("/api/v1/enterprises", json=_body()).status_code == 201
