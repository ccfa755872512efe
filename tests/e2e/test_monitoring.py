"""Issue 18's walk as a new user would take it: demo-city opens the dashboard, sees the city's targets, drills
into a district, sees the SRDI-vs-all-SMEs comparison, generates the quarter's 通报 and finds it archived."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Pages, screenshot, wait_idle

pytestmark = pytest.mark.browser


def test_city_official_drills_down_and_generates_the_quarters_report(pages: Pages) -> None:
    page = pages.new("demo-city")
    t0 = time.perf_counter()
    page.goto("/dashboard")
    expect(page.locator("[data-testid=targets]")).to_be_visible()
    usable = time.perf_counter() - t0
    wait_idle(page)
    print(f"dashboard usable after {usable * 1000:.0f} ms")
    assert usable < 10  # P7's 2 s is measured in benchmarks/README.md; this guards against a hang
    expect(page.locator("[data-testid=overview-region]")).to_have_text("广东省深圳市")
    # Shenzhen's yearly targets from the seed (SEED-001), shown 待核实.
    targets = page.locator("[data-testid=targets]")
    expect(targets).to_contain_text("专精特新企业家及高管培训人数")
    expect(targets).to_contain_text("待核实")
    expect(page.locator("[data-testid=growth-method]")).to_contain_text("同口径")
    screenshot(page, "monitoring-city")

    page.locator("[data-testid=children] .el-table__row", has_text="南山区").click()
    expect(page.locator("[data-testid=overview-region]")).to_have_text("广东省深圳市南山区")
    expect(page.locator("[data-testid=drill-up]")).to_be_visible()
    page.locator("[data-testid=drill-up]").click()
    expect(page.locator("[data-testid=overview-region]")).to_have_text("广东省深圳市")

    page.locator("[data-testid=make-report]").click()
    archive = page.locator("[data-testid=report-archive]")
    expect(archive).to_contain_text("已完成", timeout=30_000)
    expect(archive).to_contain_text("demo-city")
    screenshot(page, "monitoring-report")
    assert page.js_errors == []
