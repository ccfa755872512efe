"""Trusted proxies (SRDI_TRUSTED_PROXIES): none by default, so X-Forwarded-For cannot choose a client address."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from uvicorn.config import Config
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from srdi.auth.dependencies import client_ip
from srdi.cli import proxy_options
from srdi.config import Settings


def _echo_app() -> FastAPI:
    app = FastAPI()

    @app.get("/ip")
    def ip(request: Request) -> dict[str, str | None]:
        return {"ip": client_ip(request)}

    return app


def _served(settings: Settings, peer: str, forwarded: str) -> str | None:
    """The client address the application sees when uvicorn runs with ``srdi serve``'s proxy options."""
    opts = proxy_options(settings)
    config = Config(_echo_app(), **opts)  # type: ignore[arg-type]
    app = (
        ProxyHeadersMiddleware(_echo_app(), trusted_hosts=config.forwarded_allow_ips)
        if config.proxy_headers
        else _echo_app()
    )
    with TestClient(app, client=(peer, 1234)) as c:  # type: ignore[arg-type]
        return c.get("/ip", headers={"X-Forwarded-For": forwarded}).json()["ip"]


def test_by_default_no_proxy_is_trusted_not_even_loopback():
    assert proxy_options(Settings(trusted_proxies="")) == {"proxy_headers": False, "forwarded_allow_ips": ""}
    assert _served(Settings(trusted_proxies=""), "127.0.0.1", "203.0.113.9") == "127.0.0.1"


def test_a_configured_proxy_reports_the_client_and_others_cannot():
    settings = Settings(trusted_proxies="10.0.0.2, 10.0.1.0/24")
    assert proxy_options(settings) == {
        "proxy_headers": True,
        "forwarded_allow_ips": ["10.0.0.2", "10.0.1.0/24"],
    }
    assert _served(settings, "10.0.0.2", "203.0.113.9") == "203.0.113.9"
    assert _served(settings, "10.0.1.77", "203.0.113.10") == "203.0.113.10"
    assert _served(settings, "198.51.100.1", "203.0.113.9") == "198.51.100.1"


def test_a_trusted_proxy_forwarding_garbage_gives_no_address_rather_than_an_error():
    settings = Settings(trusted_proxies="10.0.0.2")
    assert _served(settings, "10.0.0.2", "x" * 60) is None
