"""Issue 15.3: an irreversible action asks first (web/src/kit/confirm.ts) — the question names the object and what
will happen — and cancelling it changes nothing. (拨付's question and its cancel: test_policy_pages.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Pages, wait_idle

pytestmark = pytest.mark.browser


def _active(page: object, username: str) -> bool:
    users = page.request.get("/api/v1/admin/users", params={"page_size": 200}).json()["items"]  # type: ignore[attr-defined]
    return next(u["active"] for u in users if u["username"] == username)


def test_deactivating_a_user_asks_first_and_cancel_leaves_the_user_active(pages: Pages) -> None:
    page = pages.new("demo-admin")
    page.goto("/admin/users")
    wait_idle(page)
    writes: list[str] = []
    page.on(
        "request",
        lambda r: writes.append(f"{r.method} {r.url}") if r.method != "GET" and "/api/" in r.url else None,
    )
    row = page.locator("[data-testid=users-table] .el-table__row", has_text="demo-bank")
    # The 操作 column is fixed on the right: element-plus renders it in the row, the visible copy is clicked.
    row.get_by_role("button", name="停用").first.click()
    box = page.locator(".el-message-box.confirm-irreversible")
    expect(box).to_be_visible()
    expect(box.locator(".el-message-box__title")).to_have_text("确认停用用户")
    expect(box).to_contain_text("（demo-bank）")
    expect(box).to_contain_text("该用户将立即退出登录")
    box.locator(".el-message-box__btns button", has_text="取消").click()
    expect(box).to_be_hidden()
    wait_idle(page)
    assert _active(page, "demo-bank") is True
    expect(row.locator(".el-tag").first).to_have_text("启用")
    assert writes == []  # nothing was sent
    assert page.js_errors == []
