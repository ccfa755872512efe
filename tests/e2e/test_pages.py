"""Every page, every role, in headless Chromium against the real server; screenshots in test-artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Pages, screenshot, wait_idle
from tests.e2e.seed import FIRST_NAME, FUTIAN_COUNT, NANSHAN_COUNT, SRDI_UNTIL

pytestmark = pytest.mark.browser

OFFICIAL_MENU = [
    "企业信息库",
    "数据导入",
    "批量评价",
    "区县看板",
    "政策库",
    "免申即享",
    "核验队列",
    "融资需求",
    "融资白名单",
    "贷款产品",
    "融资监测",
    "诉求",
    "诉求指标",
    "供需对接",
    "对接活动",
    "用人用工",
    "对接成效",
    "申报审核",
]
ENTERPRISE_MENU = [
    "我的企业档案",
    "梯度自评",
    "我的政策",
    "融资服务",
    "诉求",
    "供需对接",
    "我的能力与产品",
    "我的揭榜",
    "对接活动",
    "用人用工",
    "申报审核",
    "动态管理",
]
# A chain leader also records its meetings at events (issue 17).
LEADER_MENU = [*ENTERPRISE_MENU[:9], "我的洽谈", *ENTERPRISE_MENU[9:]]
ADMIN_MENU = [
    *OFFICIAL_MENU,
    "申报批次",
    "动态管理",
    "用户与角色",
    "审计日志",
    "规则版本",
    "责任单位",
    "工作日历",
    "银行账号",
]
# username → (landing path pattern, menu entries the role must see)
ROLES: dict[str, tuple[str, list[str]]] = {
    "demo-admin": (r"/admin/users$", ADMIN_MENU),
    "demo-province": (r"/dashboard$", [*OFFICIAL_MENU, "申报批次", "动态管理"]),
    "demo-city": (r"/dashboard$", [*OFFICIAL_MENU, "动态管理"]),
    "demo-district": (r"/dashboard$", [*OFFICIAL_MENU, "动态管理"]),
    "demo-commissioner": (r"/casework$", ["企业信息库", "核验队列", "专员工作台", "诉求", "诉求指标"]),
    "demo-handler": (r"/appeals$", ["诉求"]),
    "demo-expert": (r"/expert$", ["评审任务"]),
    "demo-bank": (r"/finance/requests$", ["融资需求", "融资白名单", "贷款产品", "融资监测"]),
    "demo-enterprise": (r"/enterprises/\d+$", ENTERPRISE_MENU),
    # A chain leader's work is its needs and challenges (issue 17), not its own file.
    "demo-chain-leader": (r"/matchmaking/needs$", LEADER_MENU),
}


def menu_texts(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid=menu] .el-menu-item").all_inner_texts()]


def test_unauthenticated_visit_is_sent_to_the_login_page_which_lists_demo_accounts(pages: Pages) -> None:
    page = pages.new()
    page.goto("/enterprises")
    page.wait_for_url(re.compile(r"/login\?redirect=/enterprises$"))
    expect(page.locator("[data-testid=demo-accounts] button")).to_have_count(len(ROLES))
    screenshot(page, "login")
    assert page.js_errors == []


def test_wrong_password_shows_the_backends_chinese_message_and_stays_on_login(pages: Pages) -> None:
    page = pages.new()
    page.goto("/login")
    page.fill("input[name=username]", "demo-district")
    page.fill("input[name=password]", "not-the-password")
    page.click("[data-testid=login-submit]")
    err = page.locator("[data-testid=login-error]")
    err.wait_for()
    assert "用户名或密码" in err.inner_text()
    assert page.url.endswith("/login")
    screenshot(page, "login-error")


@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_signs_in_by_the_login_form_and_lands_on_its_home_with_its_menu(
    pages: Pages, username: str
) -> None:
    landing, menu = ROLES[username]
    page = pages.new()
    page.goto("/login")
    page.locator(f"[data-testid=demo-accounts] button[data-username={username}]").click()
    page.wait_for_url(re.compile(landing))
    wait_idle(page)
    assert menu_texts(page) == menu
    assert page.locator("[data-testid=current-user]").is_visible()
    screenshot(page, f"role-{username}-home")
    assert page.js_errors == []


def test_logout_ends_the_session_and_protected_pages_need_login_again(pages: Pages) -> None:
    page = pages.new("demo-district")
    page.goto("/enterprises")
    wait_idle(page)
    page.click("[data-testid=logout]")
    page.wait_for_url(re.compile(r"/login"))
    page.goto("/enterprises")
    page.wait_for_url(re.compile(r"/login\?redirect="))


def test_registry_district_official_searches_filters_sorts_and_pages(pages: Pages) -> None:
    page = pages.new("demo-district")
    page.goto("/enterprises")
    wait_idle(page)
    total = page.locator("[data-testid=registry-total]")
    # A district official sees only 南山区 (440305).
    expect(total).to_have_text(f"共 {NANSHAN_COUNT} 家企业")
    expect(page.locator("[data-testid=registry-table] tbody tr")).to_have_count(20)
    screenshot(page, "registry-district-page1")

    page.locator("[data-testid=registry-pager] .el-pager li", has_text="2").click()
    page.wait_for_url(re.compile(r"page=2"))
    wait_idle(page)
    expect(page.locator("[data-testid=registry-table] tbody tr")).to_have_count(NANSHAN_COUNT - 20)

    page.locator("[data-testid=search-input]").fill("南山示例")
    page.click("[data-testid=search-button]")
    page.wait_for_url(re.compile(r"q="))
    wait_idle(page)
    expect(total).to_have_text("共 1 家企业")
    row = page.locator("[data-testid=registry-table] tbody tr").first
    assert FIRST_NAME in row.inner_text()
    assert "创新型中小企业" in row.inner_text() and "专精特新中小企业" in row.inner_text()

    page.goto("/enterprises?tier=innovative_sme")
    wait_idle(page)
    # 南山: the first enterprise and two others hold a valid 创新型 recognition.
    expect(total).to_have_text("共 3 家企业")
    screenshot(page, "registry-filter-tier")

    page.goto("/enterprises?sort=name&desc=1")
    wait_idle(page)
    # By code point, 深 (U+6DF1) sorts after 测 (U+6D4B): descending puts the first enterprise on top.
    first_cells = page.locator("[data-testid=registry-table] tbody tr td:first-child")
    expect(first_cells.nth(0)).to_have_text(FIRST_NAME)
    expect(first_cells.nth(1)).to_have_text("测试05区第23号智能装备有限公司")


def test_registry_city_official_sees_both_districts_and_filters_by_district(pages: Pages) -> None:
    page = pages.new("demo-city")
    page.goto("/enterprises")
    wait_idle(page)
    total = page.locator("[data-testid=registry-total]")
    expect(total).to_have_text(f"共 {NANSHAN_COUNT + FUTIAN_COUNT} 家企业")
    page.click("[data-testid=filter-region]")
    page.locator(".el-select-dropdown__item", has_text="福田区").click()
    page.wait_for_url(re.compile(r"region=440304"))
    wait_idle(page)
    expect(total).to_have_text(f"共 {FUTIAN_COUNT} 家企业")
    screenshot(page, "registry-city-filter-district")


def test_enterprise_home_shows_profile_figures_in_wan_with_chart_facts_recognitions_history(
    pages: Pages,
) -> None:
    ent_id = pages.server.ids["first"]
    page = pages.new("demo-enterprise")
    page.goto(f"/enterprises/{ent_id}")
    wait_idle(page)
    assert FIRST_NAME in page.locator("[data-testid=enterprise-name]").inner_text()
    profile = page.locator("[data-testid=profile]").inner_text()
    assert "2015-03-01" in profile
    assert "13812345678" not in profile  # the phone number is masked
    table = page.locator("[data-testid=yearly-table]").inner_text()
    assert "8,600.00" in table  # 86,000,000.00 yuan
    assert "754.20" in table  # R&D 7,542,000.00 yuan
    assert "-123.46" in table  # 2024 net profit -1,234,567.89 yuan
    assert "万元" not in table.replace("（万元）", "")  # the unit is in the column headers, not in every cell
    assert "8.77%" in table  # 754.20 / 8,600.00
    assert "营业收入（万元）" in table
    # The chart draws after the data arrives (a later tick than network idle): wait for it, not count once.
    expect(page.locator("[data-testid=yearly-chart] canvas")).to_have_count(1)
    screenshot(page, "enterprise-home-figures")

    page.get_by_role("tab", name="创新与质量").click()
    wait_idle(page)
    assert "一种晶圆精密定位装置" in page.locator("[data-testid=facts]").inner_text()
    screenshot(page, "enterprise-home-facts")

    page.get_by_role("tab", name="认定记录").click()
    wait_idle(page)
    rec = page.locator("[data-testid=recognitions-table]").inner_text()
    assert "专精特新中小企业" in rec and SRDI_UNTIL.isoformat() in rec
    screenshot(page, "enterprise-home-recognitions")

    page.get_by_role("tab", name="变更历史").click()
    wait_idle(page)
    history = page.locator("[data-testid=history-table]")
    expect(history).to_contain_text("→")
    # Read every page: other walks (the rename in test_dynamic_pages) add newer rows on the same enterprise, which
    # push the seed's rows off the first page.
    text = history.inner_text()
    following = page.locator(".el-tab-pane .pager .btn-next")
    while following.count() and following.is_enabled():
        before = text
        following.click()
        expect(history).not_to_have_text(before)
        text += history.inner_text()
    assert "年度经营数据（2025 年度）" in text
    assert "e2e-seed" in text
    # Yearly money in 万元 with two decimals, never the stored 分; fields and records by their Chinese names.
    assert "（空） → 8,600.00 万元" in text and "8600000000" not in text
    assert "营业收入" in text and "operating_revenue" not in text and "yearly_figure" not in text
    screenshot(page, "enterprise-home-history")
    assert page.js_errors == []


def test_enterprise_home_on_a_phone_sized_screen_has_no_horizontal_page_scroll(pages: Pages) -> None:
    ent_id = pages.server.ids["first"]
    page = pages.new("demo-enterprise", viewport=PHONE)
    page.goto(f"/enterprises/{ent_id}")
    wait_idle(page)
    expect(page.locator("[data-testid=yearly-chart] canvas")).to_have_count(1)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow == 0
    screenshot(page, "mobile-enterprise-home")
    page.get_by_role("button", name="菜单").click()
    page.locator(".el-drawer [data-testid=menu]").wait_for()
    screenshot(page, "mobile-menu", full_page=False)


def test_enterprise_user_opening_the_registry_is_sent_to_its_own_file(pages: Pages) -> None:
    ent_id = pages.server.ids["first"]
    page = pages.new("demo-enterprise")
    page.goto("/enterprises")
    page.wait_for_url(re.compile(rf"/enterprises/{ent_id}$"))


def test_unknown_enterprise_shows_the_not_found_message(pages: Pages) -> None:
    page = pages.new("demo-admin")
    page.goto("/enterprises/999999")
    wait_idle(page)
    err = page.locator("[data-state=error]")
    assert "不存在" in err.inner_text() or "未找到" in err.inner_text()
    screenshot(page, "enterprise-not-found")


def test_dashboard_city_official_sees_funnel_and_district_bars_with_exact_counts(pages: Pages) -> None:
    page = pages.new("demo-city")
    page.goto("/dashboard")
    wait_idle(page)
    assert page.locator("[data-testid=kpi-total]").inner_text() == str(NANSHAN_COUNT + FUTIAN_COUNT)
    assert page.locator("[data-testid=kpi-innovative_sme]").inner_text() == "4"
    assert page.locator("[data-testid=kpi-srdi_sme]").inner_text() == "1"  # the expired one does not count
    assert page.locator("[data-testid=kpi-little_giant]").inner_text() == "1"
    for chart in ("funnel", "districts", "size", "industries", "yearly"):
        expect(page.locator(f"[data-testid=chart-{chart}] canvas")).to_have_count(1)
    screenshot(page, "dashboard-city")


def test_dashboard_district_official_is_limited_to_the_district(pages: Pages) -> None:
    page = pages.new("demo-district")
    page.goto("/dashboard")
    wait_idle(page)
    assert page.locator("[data-testid=kpi-total]").inner_text() == str(NANSHAN_COUNT)
    assert page.locator("[data-testid=kpi-little_giant]").inner_text() == "0"
    screenshot(page, "dashboard-district")


def test_dashboard_on_a_phone_sized_screen(pages: Pages) -> None:
    page = pages.new("demo-district", viewport=PHONE)
    page.goto("/dashboard")
    wait_idle(page)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    screenshot(page, "mobile-dashboard")


def test_unknown_path_shows_the_not_found_page(pages: Pages) -> None:
    page = pages.new("demo-district")
    page.goto("/no-such-page")
    page.get_by_text("页面不存在").first.wait_for()
    screenshot(page, "not-found")
