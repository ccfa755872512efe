"""Fixtures of the auth tests: settings per test, and a login helper."""

from __future__ import annotations

import pytest

from srdi.config import Settings, get_settings


@pytest.fixture
def use_settings(app):  # type: ignore[no-untyped-def]
    """``use_settings(**overrides)`` → the Settings every request of this test sees."""

    def _use(**overrides):  # type: ignore[no-untyped-def]
        settings = get_settings().model_copy(update=overrides)
        app.dependency_overrides[get_settings] = lambda: settings
        return settings

    yield _use
    app.dependency_overrides.pop(get_settings, None)


def login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


__all__ = ["Settings", "login"]
