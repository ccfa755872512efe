"""The appeals loop in headless Chromium: an enterprise files on a phone, sees the suggested department, the
district accepts and dispatches, the handler answers, the enterprise rates; the KPI page and the commissioner's
worklist show it (screenshots in test-artifacts/screenshots/appeal-*.png)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, LiveServer, Pages, accept_confirmation, screenshot, wait_idle

pytestmark = pytest.mark.browser


def _act(page: Any, action: str, fill: dict[str, str] | None = None) -> None:
    page.click(f"[data-testid=action-{action}]")
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    page.click("[data-testid=action-confirm]")
    if action in ("reject", "close"):  # these end the appeal: asked once more
        accept_confirmation(page, "诉求")
    wait_idle(page)
    expect(page.locator(".el-dialog")).to_be_hidden()


def test_an_appeal_from_a_phone_to_its_rating(pages: Pages, live_server: LiveServer) -> None:
    ent = pages.new("demo-enterprise", viewport=PHONE)
    ent.goto("/appeals/new")
    ent.fill("[data-testid=appeal-title]", "申请专精特新贷款贴息")
    ent.fill("[data-testid=appeal-content]", "我司向银行贷款300万元购置设备，想了解贷款贴息的申请条件。")
    expect(ent.locator("[data-testid=appeal-suggestion]")).to_contain_text("深圳市地方金融监督管理局")
    expect(ent.locator("[data-testid=appeal-suggestion]")).to_contain_text("贴息")
    screenshot(ent, "appeal-new-phone")
    ent.click("[data-testid=appeal-submit]")
    expect(ent.locator("[data-testid=appeal-status]")).to_have_text("已提交")
    appeal_url = re.sub(r"^https?://[^/]+", "", ent.url)

    district = pages.new("demo-district")
    district.goto(appeal_url)
    wait_idle(district)
    _act(district, "accept")
    expect(district.locator("[data-testid=appeal-status]")).to_have_text("已受理")
    _act(district, "dispatch")  # the dialog starts on the suggested department
    expect(district.locator("[data-testid=appeal-status]")).to_have_text("已转派")

    handler = pages.new("demo-handler")
    handler.goto("/appeals")
    expect(handler.locator("[data-testid=appeal-table]")).to_contain_text("申请专精特新贷款贴息")
    handler.goto(appeal_url)
    wait_idle(handler)
    _act(handler, "start")
    _act(
        handler,
        "answer",
        {"[data-testid=answer-text]": "可申请深圳市专精特新企业贷款贴息，请于申报期内提交材料。"},
    )
    expect(handler.locator("[data-testid=appeal-status]")).to_have_text("已答复")

    ent.goto(appeal_url)
    wait_idle(ent)
    expect(ent.locator("[data-testid=appeal-answer]")).to_contain_text("贷款贴息")
    _act(ent, "close")
    _act(ent, "rate")
    expect(ent.locator("[data-testid=appeal-status]")).to_have_text("已评价")
    expect(ent.locator("[data-testid=appeal-events]")).to_contain_text("责任单位经办人（演示）")
    screenshot(ent, "appeal-progress-phone")

    city = pages.new("demo-city")
    city.goto("/appeal-kpis")
    wait_idle(city)
    expect(city.locator("[data-testid=kpi-table]")).to_contain_text("深圳市地方金融监督管理局")
    expect(city.locator("[data-testid=kpi-table]")).to_contain_text("100.0%")
    # When the figures were counted, in Beijing time as people read it (the demo's few appeals: counted live).
    expect(city.locator("[data-testid=kpi-counted-at]")).to_have_text(
        re.compile(r"^统计于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）$")
    )
    screenshot(city, "appeal-kpis")
    for p in (ent, district, handler, city):
        assert p.js_errors == []


def test_the_commissioner_lands_on_the_worklist_of_their_enterprises(
    pages: Pages, live_server: LiveServer
) -> None:
    r = httpx.post(
        f"{live_server.url}/api/v1/auth/token",
        json={"username": "demo-admin", "password": live_server.demo_password},
    )
    admin = httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {r.json()['access_token']}"}
    )
    users = admin.get("/api/v1/admin/users", params={"role": "service_commissioner"}).json()["items"]
    commissioner = next(u for u in users if u["username"] == "demo-commissioner")
    r = admin.post(
        "/api/v1/casework/assignments", json={"commissioner_id": commissioner["id"], "basis": "district"}
    )
    assert r.status_code == 200, r.text
    page = pages.new()
    page.goto("/login")
    page.locator("[data-testid=demo-accounts] button[data-username=demo-commissioner]").click()
    page.wait_for_url(re.compile(r"/casework$"))
    wait_idle(page)
    assert (
        int(page.locator("[data-testid=wl-enterprises] .el-statistic__number").inner_text())
        == r.json()["assigned"]
    )
    screenshot(page, "appeal-worklist")
    assert page.js_errors == []
