"""Issue 15.3: a role sees only the actions it may take (the policy library's ``may_manage``), and a page opened
directly — a bookmark, a refresh — lands where it points for every demo role."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Pages, wait_idle

pytestmark = pytest.mark.browser


def test_a_district_official_is_not_offered_policy_management_a_city_official_is(pages: Pages) -> None:
    district = pages.new("demo-district")
    district.goto("/policies")
    wait_idle(district)
    table = district.locator(".el-main table").first
    expect(table).to_be_visible()
    expect(district.locator("[data-testid^=draft-]")).to_have_count(0)
    expect(district.locator(".el-main")).to_contain_text("上级管理")
    district.goto("/grant-runs")
    wait_idle(district)
    expect(district.locator("[data-testid=run-none]")).to_be_visible()
    expect(district.locator("[data-testid=run-start]")).to_have_count(0)

    city = pages.new("demo-city")  # 深圳市: manages the policies that apply within 4403 only
    city.goto("/policies")
    wait_idle(city)
    flags = city.request.get("/api/v1/policies").json()
    managed = [p["policy_key"] for p in flags if p["may_manage"]]
    assert managed and len(managed) < len(flags)
    expect(city.locator("[data-testid^=draft-]")).to_have_count(len(managed))
    expect(city.locator(f"[data-testid=draft-{managed[0]}]")).to_be_visible()
    assert district.js_errors == [] and city.js_errors == []


# username → paths opened directly (and refreshed); ``{first}`` is the seeded 南山 enterprise.
DEEP: dict[str, list[str]] = {
    "demo-admin": ["/admin/calendar", "/admin/rule-sets", "/enterprises/{first}/assessment", "/grant-runs"],
    "demo-province": ["/application-batches", "/applications", "/dashboard", "/finance/whitelists"],
    "demo-city": ["/policies", "/batch", "/enterprises/{first}", "/appeal-kpis"],
    "demo-district": ["/enterprises/{first}/assessment", "/verifications", "/matchmaking/needs", "/import"],
    "demo-commissioner": ["/casework", "/appeals/new", "/enterprises"],
    "demo-handler": ["/appeals", "/account/password"],
    "demo-expert": ["/expert", "/account/password"],
    "demo-bank": ["/finance/products", "/finance/figures", "/finance/whitelists"],
    "demo-enterprise": ["/my/finance", "/matchmaking/bids", "/matchmaking/capabilities", "/appeals/new"],
    "demo-chain-leader": ["/matchmaking/needs/new", "/my/policies", "/appeals"],
}


@pytest.mark.parametrize("username", list(DEEP))
def test_a_deep_link_opens_its_page_and_survives_a_refresh(pages: Pages, username: str) -> None:
    page = pages.new(username)
    first = pages.server.ids["first"]
    for raw in DEEP[username]:
        path = raw.format(first=first)
        page.goto(path)
        page.wait_for_url(re.compile(re.escape(path) + "$"))
        heading = page.locator(".el-main h1").first
        expect(heading).to_be_visible(timeout=30_000)
        title = " ".join(heading.inner_text().split())
        page.reload()
        page.wait_for_url(re.compile(re.escape(path) + "$"))
        expect(page.locator(".el-main h1").first).to_have_text(
            re.compile(r"\s*".join(map(re.escape, title.split())))
        )
        main = page.locator(".el-main").inner_text()
        assert "页面不存在" not in main and "尚在建设中" not in main, path
    assert page.js_errors == []
