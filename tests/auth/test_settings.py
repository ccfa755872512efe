"""Production mode refuses development defaults; security headers on every answer, HSTS in production."""

import pytest

from srdi.config import DEFAULT_SECRET, Settings
from srdi.main import create_app

GOOD = dict(
    env="production",
    secret_key="k" * 48,
    demo_mode=False,
    argon2_time_cost=3,
    argon2_memory_kib=65536,
    argon2_parallelism=4,
    session_ttl_minutes=120,
    session_max_hours=12,
)


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"secret_key": DEFAULT_SECRET}, "SRDI_SECRET_KEY must be set"),
        ({"secret_key": "short-secret"}, "SRDI_SECRET_KEY must be set"),
        ({"demo_mode": True}, "SRDI_DEMO_MODE must be false"),
        ({"argon2_memory_kib": 1024}, "below the Argon2id minimum"),
        ({"argon2_time_cost": 1}, "below the Argon2id minimum"),
        ({"session_max_hours": 24 * 30}, "session lifetimes must not exceed"),
    ],
)
def test_production_refuses_to_start_with_a_development_default(override, complaint):
    settings = Settings(**{**GOOD, **override})
    with pytest.raises(RuntimeError) as exc:
        create_app(settings)
    assert complaint in str(exc.value)


def test_production_with_safe_settings_starts_and_sends_hsts():
    from fastapi.testclient import TestClient

    app = create_app(Settings(**GOOD, database_url="sqlite://"))
    with TestClient(app) as c:
        r = c.get("/api/v1/health")
    assert r.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_development_answers_carry_security_headers_without_hsts(anon_client):
    r = anon_client.get("/api/v1/health")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in r.headers


def test_development_settings_are_not_checked():
    assert (
        Settings(env="development", secret_key=DEFAULT_SECRET, demo_mode=True).check_production_safety()
        is None
    )
