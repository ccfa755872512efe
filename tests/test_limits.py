"""Request limits (srdi.kit.limits): body sizes per route, JSON depth and numbers, control characters (QUALITY S6)."""

from __future__ import annotations

import json

import pytest

from srdi.kit.limits import MIB, check_json
from tests.asgi_drive import drive, generated_body

MB = 1000 * 1000


def test_an_anonymous_300_mb_json_body_is_refused_after_reading_at_most_the_limit(app):
    r = drive(
        app,
        "POST",
        "/api/v1/enterprises",
        headers={"content-type": "application/json", "transfer-encoding": "chunked"},
        body=generated_body(300 * MB, head=b'{"name": "'),
    )
    assert r.status == 413
    assert r.json()["code"] == "body_too_large"
    assert r.json()["message"] == "请求内容过大，上限为 1 MiB"
    # One mebibyte plus the chunk that crossed it, out of 300 MB: the rest was never pulled from the client.
    assert MIB < r.consumed <= MIB + 64 * 1024
    assert r.headers["content-security-policy"].startswith("default-src 'self'")


def test_a_declared_300_mb_body_is_refused_before_a_single_byte_is_read(app):
    r = drive(
        app,
        "POST",
        "/api/v1/enterprises",
        headers={"content-type": "application/json", "content-length": str(300 * MB)},
        body=generated_body(300 * MB),
    )
    assert (r.status, r.consumed) == (413, 0)


def test_an_anonymous_1_gb_upload_is_refused_with_401_before_the_body_is_read(app):
    r = drive(
        app,
        "POST",
        "/api/v1/imports",
        headers={"content-type": "multipart/form-data; boundary=x", "transfer-encoding": "chunked"},
        body=generated_body(1000 * MB),
    )
    assert (r.status, r.json()["message"], r.consumed) == (401, "请先登录", 0)


def test_an_upload_over_the_upload_limit_streams_only_up_to_the_limit(app, db, make_user):
    from tests.auth_support import bearer_for

    user = make_user("admin")
    limit = 101 * MIB
    boundary = "srdiboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    r = drive(
        app,
        "POST",
        "/api/v1/imports",
        headers={
            "content-type": f"multipart/form-data; boundary={boundary}",
            "transfer-encoding": "chunked",
            **bearer_for(db, user),
        },
        body=generated_body(400 * MB, chunk=1024 * 1024, head=head),
    )
    assert r.status == 413
    assert r.json()["message"] == "上传的文件过大，上限为 101 MiB"
    assert limit < r.consumed <= limit + MIB


def test_a_json_body_nested_5000_deep_is_refused_with_a_chinese_message(anon_client):
    body = "[" * 5000 + "]" * 5000
    r = anon_client.post(
        "/api/v1/self-assessment", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["details"][0]["message"] == "JSON 嵌套层数过多（上限 32 层）"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("Infinity", "数值 Infinity 不是有限数"),
        ("-Infinity", "数值 -Infinity 不是有限数"),
        ("NaN", "数值 NaN 不是有限数"),
        ("1e999", "数值 1e999 超出允许范围"),
        ("123456789012345678901234", "数值 123456789012345678901234 超出允许范围"),
    ],
)
def test_unbounded_numbers_in_the_public_self_assessment_give_422(anon_client, number, message):
    body = (
        '{"facts": {"region_code": "440305", "industry_code": "3562", '
        f'"yearly": {{"2025": {{"operating_revenue": {number}}}}}}}}}'
    )
    r = anon_client.post(
        "/api/v1/self-assessment", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert r.json()["details"][0]["message"] == message


def test_a_number_string_beyond_any_amount_in_the_self_assessment_gives_422(anon_client):
    facts = {
        "region_code": "440305",
        "industry_code": "3562",
        "yearly": {"2025": {"operating_revenue": "1e400"}},
    }
    r = anon_client.post("/api/v1/self-assessment", json={"facts": facts})
    assert r.status_code == 422, r.text
    # The facts check names the field and the allowed range (rules_engine.facts_check).
    assert "yearly.2025.operating_revenue" in r.json()["message"]
    assert "绝对值小于10^13" in r.json()["message"]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_in_a_body_field_give_422_even_on_the_anonymous_login(anon_client, char):
    body = json.dumps({"username": f"admin{char}", "password": "x"})  # ASCII escapes: \u0000, \ud800
    r = anon_client.post("/api/v1/auth/login", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    detail = r.json()["details"][0]
    assert (detail["field"], detail["message"]) == ("username", f"含有不允许的控制字符（U+{ord(char):04X}）")


def test_control_characters_in_a_query_parameter_give_422(client):
    r = client.get("/api/v1/enterprises", params={"q": "abc\x00def"})
    assert r.status_code == 422
    assert r.json()["details"][0] == {
        "field": "q",
        "message": "含有不允许的控制字符（U+0000）",
        "message_en": "control character in a parameter",
    }


def test_a_nul_in_a_path_parameter_gives_422(client):
    r = client.get("/api/v1/enterprises/by-uscc/9144%000305MAH2MAL19H")
    assert r.status_code == 422


def test_tab_newline_and_chinese_text_pass_the_json_check():
    check_json('{"a": "第一行\\n第二行\\t制表", "b": [1, 2.5, -3], "c": {"d": null}}'.encode())


def test_the_depth_check_ignores_brackets_inside_strings():
    check_json(json.dumps({"text": "[" * 100 + "{" * 100}).encode())


def test_an_invalid_content_length_gives_400(app):
    r = drive(app, "POST", "/api/v1/auth/login", headers={"content-length": "abc"}, body=b"{}")
    assert r.status == 400


def test_a_nul_in_an_uploaded_file_name_gives_422(client, app, db):
    from contextlib import contextmanager

    from srdi.enterprise.importing.router import get_session_factory

    @contextmanager
    def _same_session():  # type: ignore[no-untyped-def]
        yield db

    app.dependency_overrides[get_session_factory] = lambda: _same_session
    # Built by hand: httpx would percent-encode the NUL in the file name, a hostile client does not.
    raw = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="\xe4\xbc\x81\x00.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\nuscc\n\r\n--b--\r\n"
    )
    r = client.post(
        "/api/v1/imports", content=raw, headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert r.status_code == 422
    assert r.json()["message"] == "文件名含有不允许的控制字符（U+0000）"


def test_docs_and_the_openapi_document_are_off_in_production(engine):
    from fastapi.testclient import TestClient

    from srdi.config import get_settings
    from srdi.main import create_app

    settings = get_settings().model_copy(
        update={
            "env": "production",
            "secret_key": "x" * 40,
            "demo_mode": False,
            "argon2_memory_kib": 19456,
            "argon2_time_cost": 2,
        }
    )
    with TestClient(create_app(settings)) as c:
        assert c.get("/api/v1/openapi.json").status_code == 404
        # /docs and /redoc are then ordinary web UI paths (index.html when built, else 404): no API browser.
        for path in ("/docs", "/redoc"):
            assert "swagger" not in c.get(path).text.lower() and "redoc.standalone" not in c.get(path).text
    with TestClient(create_app()) as c:
        assert c.get("/api/v1/openapi.json").status_code == 200
        assert "swagger-ui" in c.get("/docs").text


def test_the_content_security_policy_allows_nothing_inline_and_no_other_origin(anon_client):
    csp = anon_client.get("/api/v1/health").headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "http" not in csp and "cdn" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
