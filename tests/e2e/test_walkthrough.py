"""Issue 15 deliverables 1 and 8: the browser walkthrough as a test — every role, every page its menu offers, on a
desktop and a phone: no script error, no failed API call, the page's heading shown, and nothing a person reads
that is a raw code, an identifier or an English word. Screenshots go to test-artifacts/screenshots/walk-*.png."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from srdi.auth.demo import DEMO_ACCOUNTS
from tests.e2e.conftest import PHONE, Pages, screenshot, wait_idle

pytestmark = pytest.mark.browser

# What a person must never read on a page: identifiers (snake_case, dotted codes such as enum or audit values)
# and English words. Usernames (demo-admin) and e-mail addresses are names people chose, not codes.
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", re.ASCII)
DOTTED = re.compile(r"\b[a-z_]+(?:\.[a-z_]+)+\b", re.ASCII)
ENGLISH = re.compile(r"\b[a-z]{4,}\b", re.ASCII)
# Usernames and actors (demo-admin, e2e-seed) are hyphenated names people chose, file types (xlsx, csv) are
# what a user's own files are called; neither is a code of ours.
NAMES = re.compile(
    r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|\b[a-z0-9]+(?:-[a-z0-9]+)+\b|\b(?:xlsx|xls|csv|pdf|png|jpe?g)\b",
    re.I | re.ASCII,
)
# The audit log shows each action's code beside its label on purpose: an administrator searches by it.
CODES_SHOWN_ON_PURPOSE = {"/admin/audit": DOTTED}


def raw_words(text: str, path: str) -> list[str]:
    text = NAMES.sub(" ", text)
    allowed = CODES_SHOWN_ON_PURPOSE.get(path)
    if allowed is not None:
        text = allowed.sub(" ", text)
    found: list[str] = []
    for pattern in (SNAKE, DOTTED, ENGLISH):
        found += pattern.findall(text)
        text = pattern.sub(" ", text)
    return found


def test_the_scanner_finds_codes_and_english_and_leaves_names_and_chinese_alone() -> None:
    assert raw_words("状态：pending_verification", "/x") == ["pending_verification"]
    assert raw_words("操作 user.create", "/x") == ["user.create"]
    assert (
        raw_words("Eligible 企业", "/x") == []
    )  # capitalised words are checked by ENGLISH only in lower case
    assert raw_words("结果 eligible", "/x") == ["eligible"]
    assert raw_words("demo-admin 于 2026-12-01 登录；联系 ops@example.gov.cn", "/x") == []
    assert raw_words("操作代码 user.create", "/admin/audit") == []
    assert raw_words("上传 .xlsx 或 .csv 文件；操作人 e2e-seed", "/x") == []
    # Chinese next to a name is a boundary too (ASCII word boundaries): 专家demo-expert is a name, 状态expert not.
    assert raw_words("专家demo-expert", "/x") == []
    assert raw_words("状态expert", "/x") == ["expert"]


def _menu_paths(page: Any) -> list[str]:
    """Click through the menu as a person would and note where each entry leads."""
    items = page.locator("[data-testid=menu] .el-menu-item")
    paths: list[str] = []
    for i in range(items.count()):
        items.nth(i).click()
        wait_idle(page)
        paths.append(page.url.split(page.url.split("/")[2], 1)[1])
    return paths


def _visit(page: Any, path: str, failures: list[str], shot: str) -> None:
    page.goto(path)
    wait_idle(page)
    heading = page.locator(".el-main h1").first
    expect(heading).to_be_visible(timeout=30_000)
    main = page.locator(".el-main").inner_text()
    if "尚在建设中" in main:
        failures.append(f"{path}: says 尚在建设中")
    words = raw_words(main, path.split("?")[0])
    if words:
        failures.append(f"{path}: raw codes or English on the page: {sorted(set(words))[:12]}")
    screenshot(page, shot)


@pytest.mark.parametrize("account", [a.username for a in DEMO_ACCOUNTS])
def test_every_menu_page_of_every_role_on_desktop_and_phone(pages: Pages, account: str) -> None:
    failures: list[str] = []
    bad_calls: list[str] = []

    desktop = pages.new(account)
    desktop.on(
        "response",
        lambda r: (
            bad_calls.append(f"{r.status} {r.request.method} {r.url}")
            if "/api/" in r.url and r.status >= 400
            else None
        ),
    )
    desktop.goto("/")
    wait_idle(desktop)
    paths = _menu_paths(desktop)
    assert paths, f"{account} has no menu"
    for path in paths:
        _visit(desktop, path, failures, f"walk-{account}-{path.strip('/').replace('/', '-') or 'home'}")

    phone = pages.new(account, viewport=PHONE)
    phone.on(
        "response",
        lambda r: (
            bad_calls.append(f"{r.status} {r.request.method} {r.url}")
            if "/api/" in r.url and r.status >= 400
            else None
        ),
    )
    for path in paths:
        _visit(phone, path, failures, f"walk-{account}-{path.strip('/').replace('/', '-') or 'home'}-phone")
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 1:
            failures.append(f"{path}: the phone page scrolls sideways by {overflow}px")

    assert desktop.js_errors == [] and phone.js_errors == [], desktop.js_errors + phone.js_errors
    assert bad_calls == [], bad_calls
    assert failures == [], "\n".join(failures)
