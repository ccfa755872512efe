"""Issue 15 deliverable 7: the built web UI is sent compressed, hashed assets cached for a year, index.html never."""

import gzip
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from srdi.config import Settings
from srdi.main import create_app

BUNDLE = b"console.log('\xe4\xb8\x93\xe7\xb2\xbe\xe7\x89\xb9\xe6\x96\xb0');\n" * 200


@pytest.fixture
def web(tmp_path: Path) -> TestClient:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=app></div>", encoding="utf-8")
    (tmp_path / "assets" / "index-abc123.js").write_bytes(BUNDLE)
    (tmp_path / "assets" / "index-abc123.js.gz").write_bytes(gzip.compress(BUNDLE))
    (tmp_path / "assets" / "index-abc123.js.br").write_bytes(b"brotli-bytes")
    (tmp_path / "assets" / "plain-def456.css").write_bytes(b"body{}")
    settings = Settings(web_dist_dir=tmp_path, database_url="sqlite://")
    return TestClient(create_app(settings))


def test_hashed_asset_is_sent_as_brotli_when_accepted_and_cached_immutable(web):
    r = web.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip, br"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "br"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["vary"] == "Accept-Encoding"
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["content-length"] == str(len(b"brotli-bytes"))


def test_gzip_when_brotli_is_not_accepted_and_plain_when_nothing_is(web):
    r = web.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip, br;q=0"})
    assert (r.headers["content-encoding"], r.content) == ("gzip", BUNDLE)  # the client decodes it
    r = web.get("/assets/index-abc123.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers
    assert r.content == BUNDLE


def test_asset_without_compressed_copy_is_sent_plain_and_copies_are_not_addressable(web):
    r = web.get("/assets/plain-def456.css", headers={"Accept-Encoding": "gzip, br"})
    assert (r.status_code, r.content, "content-encoding" in r.headers) == (200, b"body{}", False)
    assert web.get("/assets/index-abc123.js.gz").status_code == 404
    assert web.get("/assets/../index.html").status_code in (200, 404)  # never a file outside dist
    assert web.get("/assets/missing-000.js").status_code == 404


def test_index_html_and_deep_links_are_revalidated_on_every_load(web):
    for path in ("/", "/my", "/my/assessment", "/admin/users"):
        r = web.get(path)
        assert r.status_code == 200
        assert r.headers["cache-control"] == "no-cache"
        assert r.text.startswith("<!doctype html>")


def test_an_api_path_no_operation_serves_is_not_found_whatever_the_method(web):
    # The web UI's GET fallback matches every path; a POST to an API path that no route serves must not be
    # answered "method not allowed" (CI fuzz: POST /api/v1/appeals/null,null/transitions answered 405).
    for method in ("POST", "PUT", "DELETE"):
        r = web.request(method, "/api/v1/appeals/null,null/transitions")
        assert r.status_code == 404, (method, r.text)
        assert r.json()["code"] == "http_404"
    # A path the API does serve, with a method it does not offer, still names the methods it offers.
    r = web.delete("/api/v1/appeals")
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) >= {"GET", "POST"}
