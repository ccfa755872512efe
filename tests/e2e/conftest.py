"""Browser tests: the real server (uvicorn subprocess) on a temporary SQLite database, driven by Debian's chromium.

Skipped with a message when chromium or the built web UI (web/dist) is missing. Screenshots go to
test-artifacts/screenshots/ (gitignored); look at them after a change to a page.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from srdi.config import REPO_ROOT, Settings

SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
WEB_DIST = REPO_ROOT / "web" / "dist"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# Test-only password hashing cost: the server and the seeding must agree, and logins stay fast.
FAST_ARGON2 = {"SRDI_ARGON2_MEMORY_KIB": "1024", "SRDI_ARGON2_TIME_COST": "1", "SRDI_ARGON2_PARALLELISM": "1"}


def _skip_reason() -> str | None:
    if not shutil.which("chromium"):
        return "browser tests need Debian's chromium (apt-get install chromium fonts-noto-cjk)"
    if not (WEB_DIST / "index.html").exists():
        return "browser tests need the built web UI: cd web && npm ci && npm run build"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return (
            "browser tests need the playwright Python package (pip install playwright; no browser download)"
        )
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    ids: dict[str, int]
    demo_password: str
    db_url: str = ""  # for fixtures that add what no route creates (an imported recognition list)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from sqlalchemy.orm import Session

    from srdi.auth.demo import create_demo_accounts
    from srdi.db.migrate import upgrade
    from srdi.db.session import make_engine
    from tests.e2e.seed import seed

    db_url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.sqlite3'}"
    env = {
        **os.environ,
        "SRDI_DATABASE_URL": db_url,
        "SRDI_ENV": "test",
        "SRDI_DEMO_MODE": "true",
        "SRDI_WEB_DIST_DIR": str(WEB_DIST),
        "SRDI_LOG_LEVEL": "WARNING",
        "SRDI_EVIDENCE_DIR": str(tmp_path_factory.mktemp("evidence")),
        **FAST_ARGON2,
    }
    settings = Settings(
        database_url=db_url,
        env="test",
        demo_mode=True,
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        argon2_parallelism=1,
    )
    engine = make_engine(db_url)
    with engine.begin() as conn:
        upgrade(conn)
    with Session(engine) as db:
        ids = seed(db)
        create_demo_accounts(db, settings)
        db.commit()
    engine.dispose()

    port = _free_port()
    log = (tmp_path_factory.getbasetemp() / "e2e-server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "srdi.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # Only a bound for a server that hangs (a crash is seen at once by poll()); generous, so a loaded
        # machine that takes long to import the app never fails a test.
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}; see {log.name}")
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start within 300 s; see {log.name}")
            time.sleep(0.2)
        yield LiveServer(url=url, ids=ids, demo_password=settings.demo_password, db_url=db_url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser(live_server: LiveServer) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Pages:
    """Opens pages as a given demo account; saves screenshots."""

    def __init__(self, browser: Any, server: LiveServer) -> None:
        self.browser = browser
        self.server = server
        self.contexts: list[Any] = []

    def new(self, username: str | None = None, viewport: dict[str, int] = DESKTOP) -> Any:
        # Reduced motion turns ECharts animation off (kit/components/EChart.vue), so screenshots are stable.
        ctx = self.browser.new_context(
            viewport=viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            reduced_motion="reduce",
            base_url=self.server.url,
        )
        self.contexts.append(ctx)
        if username:
            r = ctx.request.post(
                "/api/v1/auth/login", data={"username": username, "password": self.server.demo_password}
            )
            assert r.status == 200, r.text()
        page = ctx.new_page()
        # Bounds for a page that never gets there, not expectations of speed: a loaded machine must not fail a
        # test that a quiet one passes.
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # type: ignore[attr-defined]
        # What the Content-Security-Policy blocked (Chromium reports it on the console, not as a page error).
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.csp_violations = blocked  # type: ignore[attr-defined]
        return page

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def pages(browser: Any, live_server: LiveServer) -> Iterator[Pages]:
    p = Pages(browser, live_server)
    yield p
    p.close()


def screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_idle(page: Any) -> None:
    """Wait until no request is in flight and no skeleton is showing."""
    from playwright.sync_api import expect

    page.wait_for_load_state("networkidle")
    # A locator, not wait_for_function: the page's CSP forbids the eval that a string predicate needs.
    expect(page.locator("[data-state=loading]")).to_have_count(0)


def accept_confirmation(page: Any, says: str | None = None) -> None:
    """Answer the irreversible-action question (web/src/kit/confirm.ts) with its confirm button."""
    from playwright.sync_api import expect

    box = page.locator(".el-message-box.confirm-irreversible")
    expect(box).to_be_visible()
    if says:
        expect(box).to_contain_text(says)
    box.locator(".el-message-box__btns .el-button--primary").click()
    expect(box).to_be_hidden()
