"""Issue 15: deep links for every role, the administration pages and the password change, desktop and phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Pages, accept_confirmation, screenshot, wait_idle

pytestmark = pytest.mark.browser

# username → [(path opened directly, where the page must be, a text its main content shows)]
DEEP_LINKS: dict[str, list[tuple[str, str, str]]] = {
    "demo-enterprise": [
        ("/my", r"/enterprises/\d+$", ""),
        ("/my/assessment", r"/enterprises/\d+/assessment$", "梯度自评"),
        ("/my/policies", r"/my/policies$", "我的政策"),
    ],
    "demo-district": [("/enterprises", r"/enterprises$", "企业信息库"), ("/batch", r"/batch$", "批量评价")],
    "demo-admin": [("/admin/audit", r"/admin/audit$", "审计日志"), ("/policies", r"/policies$", "政策库")],
    "demo-bank": [("/account/password", r"/account/password$", "修改密码")],
}


@pytest.mark.parametrize("username", list(DEEP_LINKS))
def test_a_bookmarked_page_opens_where_it_points(pages: Pages, username: str) -> None:
    page = pages.new(username)
    for path, where, text in DEEP_LINKS[username]:
        page.goto(path)
        page.wait_for_url(re.compile(where))
        expect(page.locator(".el-main h1").first).to_be_visible(timeout=30_000)
        expect(page.locator(".el-main h1").first).to_contain_text(text)
        assert "尚在建设中" not in page.locator(".el-main").inner_text()
    assert page.js_errors == []


def test_a_deep_link_survives_the_login_and_lands_where_it_pointed(pages: Pages) -> None:
    page = pages.new()
    page.goto("/my/assessment")
    page.wait_for_url(re.compile(r"/login\?redirect=/my/assessment$"))
    page.locator("[data-testid=demo-accounts] button[data-username=demo-enterprise]").click()
    page.wait_for_url(re.compile(r"/enterprises/\d+/assessment$"))
    assert page.js_errors == []


def test_a_page_outside_the_role_sends_it_home_not_to_a_403(pages: Pages) -> None:
    page = pages.new("demo-district")
    page.goto("/admin/users")
    page.wait_for_url(re.compile(r"/dashboard$"))


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_admin_creates_a_user_finds_it_and_reads_the_audit_log(pages: Pages, viewport: str) -> None:
    page = pages.new("demo-admin", **({"viewport": PHONE} if viewport == "phone" else {}))
    page.goto("/admin/users")
    wait_idle(page)
    expect(page.locator("[data-testid=demo-banner]")).to_be_visible()
    name = f"ux-bank-{viewport}"
    page.click("[data-testid=create-user]")
    page.fill("input[name=new-username]", name)
    page.fill("input[name=new-display-name]", "招商银行南山支行")
    page.click("[data-testid=new-role]")
    page.locator(".el-select-dropdown__item:visible", has_text="金融机构").click()
    page.fill("input[name=new-password]", "Bank2026pass")
    page.click("[data-testid=create-submit]")
    expect(page.locator(".el-message--success")).to_contain_text(f"已创建用户 {name}（金融机构）")
    screenshot(page, f"admin-users-{viewport}")

    page.goto("/admin/audit")
    wait_idle(page)
    page.fill("input[name=audit-action]", "user.create")
    page.click("[data-testid=audit-search]")
    wait_idle(page)
    expect(page.locator("[data-testid=audit-table]")).to_contain_text("新建用户")
    expect(page.locator("[data-testid=audit-table]")).to_contain_text("demo-admin")
    with page.expect_download() as dl:
        page.click("[data-testid=audit-export]")
    assert re.fullmatch(r"audit-log-\d{8}\.csv", dl.value.suggested_filename)
    screenshot(page, f"admin-audit-{viewport}")
    assert page.js_errors == []


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_rule_sets_and_calendar_pages_show_their_lists(pages: Pages, viewport: str) -> None:
    page = pages.new("demo-admin", **({"viewport": PHONE} if viewport == "phone" else {}))
    page.goto("/admin/rule-sets")
    wait_idle(page)
    expect(page.locator("[data-testid=rule-sets-table]")).to_contain_text("工信部企业〔2022〕63号")
    expect(page.locator("[data-testid=rule-sets-table]")).to_contain_text("待核实")
    # Each rule set names the copy that was read and says the official address is not yet verified.
    refs = page.locator("[data-testid=rule-set-references]").first
    expect(refs).to_contain_text("实际阅读的转载")
    expect(refs).to_contain_text("官方发布地址待核实")
    screenshot(page, f"admin-rule-sets-{viewport}")
    page.goto("/admin/calendar")
    wait_idle(page)
    expect(page.locator("[data-testid=calendar-table]")).to_contain_text("2026-01-01")
    expect(page.locator("[data-testid=calendar-table]")).to_contain_text("调休上班")
    expect(page.locator("[data-testid=calendar-readonly]")).to_contain_text("其后的年份由管理员按通知录入")
    screenshot(page, f"admin-calendar-{viewport}")
    assert page.js_errors == []


# This Element Plus version drops a date picker's data-testid, so the 调休 date input is found by its row.
MAKE_UP_INPUT = "[data-testid=calendar-editor] .adder:has-text('调休上班') .el-date-editor input"


def test_admin_enters_the_missing_year_with_a_holiday_and_a_make_up_day(pages: Pages) -> None:
    page = pages.new("demo-admin")
    page.goto("/admin/calendar")
    wait_idle(page)
    missing = page.locator("[data-testid=calendar-missing]")
    expect(missing).to_contain_text("2027 年的放假和调休安排尚未录入")
    page.click("[data-testid=calendar-enter-missing]")
    expect(page.locator("[data-testid=calendar-source]")).to_have_text("未录入")
    rng = page.locator("[data-testid=calendar-editor] .el-range-input")
    rng.nth(0).fill("2027-02-06")
    rng.nth(1).fill("2027-02-13")
    rng.nth(1).press("Enter")
    page.fill("input[name=calendar-holiday-name]", "春节")
    page.click("[data-testid=calendar-add-holiday]")
    # A 调休 working day on a Monday is flagged before saving, and saving is disabled.
    page.locator(MAKE_UP_INPUT).fill("2027-03-01")
    page.locator(MAKE_UP_INPUT).press("Enter")
    page.fill("input[name=calendar-make-up-name]", "春节")
    page.click("[data-testid=calendar-add-make-up]")
    expect(page.locator("[data-testid=calendar-problems]")).to_contain_text(
        "2027-03-01（周一）本是工作日，调休上班日只能是周六或周日"
    )
    expect(page.locator("[data-testid=calendar-save]")).to_be_disabled()
    page.locator("[data-testid=calendar-table] tr", has_text="2027-03-01").get_by_text("删除").click()
    page.locator(MAKE_UP_INPUT).fill("2027-02-14")
    page.locator(MAKE_UP_INPUT).press("Enter")
    page.click("[data-testid=calendar-add-make-up]")
    expect(page.locator("[data-testid=calendar-problems]")).to_have_count(0)
    page.click("[data-testid=calendar-save]")
    accept_confirmation(page, "2027 年的工作日期限将按此安排计算")
    expect(page.locator(".el-message--success")).to_contain_text("已保存 2027 年放假安排")
    expect(page.locator("[data-testid=calendar-source]")).to_contain_text("管理员录入（demo-admin）")
    expect(page.locator("[data-testid=calendar-table]")).to_contain_text("2027-02-14")
    screenshot(page, "admin-calendar-entered")
    assert page.js_errors == []


def _login_form(page: Any, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("[data-testid=login-submit]")


def test_password_change_needs_the_current_password_and_ends_other_sessions(pages: Pages) -> None:
    server = pages.server
    admin = pages.new("demo-admin")
    r = admin.request.post(
        f"{server.url}/api/v1/admin/users",
        data={
            "username": "ux-expert",
            "display_name": "评审专家乙",
            "role": "expert",
            "password": server.demo_password,
        },
        headers={
            "X-CSRF-Token": next(c["value"] for c in admin.context.cookies() if c["name"] == "srdi_csrf")
        },
    )
    assert r.status == 201, r.text()
    other = pages.new("ux-expert")  # a second session of the same user, elsewhere
    page = pages.new("ux-expert", viewport=PHONE)
    page.goto("/account/password")
    wait_idle(page)
    page.fill("input[name=old-password]", "wrong-password-1")
    page.fill("input[name=new-password]", "Expert2026new")
    page.fill("input[name=new-password-again]", "Expert2026new")
    page.click("[data-testid=password-submit]")
    expect(page.locator("[data-testid=password-error]")).to_contain_text("密码")
    page.fill("input[name=old-password]", server.demo_password)
    page.click("[data-testid=password-submit]")
    expect(page.locator("[data-testid=password-done]")).to_be_visible()
    screenshot(page, "password-change-phone")
    assert other.request.get(f"{server.url}/api/v1/auth/me").status == 401
    assert page.request.get(f"{server.url}/api/v1/auth/me").status == 200
    assert page.js_errors == []


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_self_test_without_an_account_gives_tiers_size_class_and_policies(
    pages: Pages, viewport: str
) -> None:
    page = pages.new(viewport=PHONE if viewport == "phone" else {"width": 1440, "height": 900})
    page.goto("/login")
    page.click("[data-testid=self-test-link]")
    page.wait_for_url(re.compile(r"/self-test$"))
    page.click("[data-testid=st-region]")
    page.keyboard.type("深圳市南山区")
    page.locator(".el-select-dropdown__item:visible", has_text="深圳市南山区").first.click()
    page.click("[data-testid=st-industry]")
    page.keyboard.type("半导体器件专用设备制造")
    # By its text: while the region list fades out its chosen item still matches :visible, and a bare
    # .first picked it on a fast machine and then waited for it to become clickable.
    page.locator(".el-select-dropdown__item:visible", has_text="半导体器件专用设备制造").first.click()
    page.click("[data-testid=st-next]")
    year = page.locator("[data-key='yearly:employees:1'] input")
    year.fill("120")
    page.locator("[data-key='yearly:operating_revenue:1'] input").fill("8000")
    page.locator("[data-key='yearly:total_assets:1'] input").fill("6000")
    page.locator("[data-key='yearly:rd_expense:1'] input").fill("500")
    page.locator("[data-key='yearly:rd_expense:2'] input").fill("400")
    screenshot(page, f"self-test-yearly-{viewport}")
    page.click("[data-testid=st-next]")
    page.click("[data-testid=st-next]")
    # 主导产品所属领域 offers every value its rule file allows, 其他领域 included (it offered only two before).
    page.click("[data-key='fact:main_product_field'] .el-select")
    page.locator(".el-select-dropdown__item:visible", has_text="其他领域").first.click()
    expect(page.locator("[data-key='fact:main_product_field']")).to_contain_text("其他领域")
    page.click("[data-testid=st-next]")
    result = page.locator("[data-testid=self-test-result]")
    expect(result).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid=st-size-class]")).to_contain_text("小型")
    expect(page.locator("[data-tier=little_giant]")).to_contain_text("未达到")
    expect(page.locator("[data-testid=st-policies]")).to_contain_text(
        "广东省对专精特新“小巨人”企业给予资金奖励"
    )
    screenshot(page, f"self-test-result-{viewport}")
    assert page.js_errors == []
