"""获奖记录 on 一企一档 through the browser: an official adds a 创客中国 award (the group is asked for), then deletes it
after confirming; the enterprise's own account sees the list without the buttons."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Pages, accept_confirmation, screenshot, wait_idle

pytestmark = pytest.mark.browser


def test_official_adds_a_maker_china_award_with_its_group_then_deletes_it(pages: Pages) -> None:
    ent_id = pages.server.ids["first"]
    page = pages.new("demo-district")
    page.goto(f"/enterprises/{ent_id}")
    wait_idle(page)
    page.locator(".el-tabs__item", has_text="获奖记录").click()
    page.click("[data-testid=award-add]")
    dialog = page.locator(".award-dialog")
    dialog.wait_for()
    page.locator("[data-testid=award-name]").fill("第九届“创客中国”中小企业创新创业大赛")
    dialog.locator("input[placeholder='选择日期']").fill("2025-11-20")
    dialog.locator("input[placeholder='选择日期']").press("Enter")
    expect(dialog).to_contain_text("“创客中国”获奖须选择组别")
    expect(page.locator("[data-testid=award-save]")).to_be_disabled()
    page.locator("[data-testid=award-group]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="企业组").click()
    page.locator("[data-testid=award-list]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="全国500强").click()
    screenshot(page, "award-dialog", full_page=False)
    page.click("[data-testid=award-save]")
    expect(dialog).to_be_hidden()
    table = page.locator("[data-testid=awards-table]")
    expect(table).to_contain_text("第九届“创客中国”中小企业创新创业大赛")
    expect(table).to_contain_text("企业组")
    expect(table).to_contain_text("全国500强")
    expect(table).to_contain_text("国家级")
    expect(table).not_to_contain_text("enterprise_group")
    page.locator("[data-testid=award-delete]").first.click()
    accept_confirmation(page, "将删除获奖记录")
    expect(page.locator("[data-testid=awards-panel]")).to_contain_text("暂无获奖记录")
    assert page.js_errors == []


def test_enterprise_account_reads_awards_without_write_buttons(pages: Pages) -> None:
    ent_id = pages.server.ids["first"]
    page = pages.new("demo-enterprise")
    page.goto(f"/enterprises/{ent_id}")
    wait_idle(page)
    page.locator(".el-tabs__item", has_text="获奖记录").click()
    expect(page.locator("[data-testid=awards-panel]")).to_be_visible()
    expect(page.locator("[data-testid=award-add]")).to_have_count(0)
    assert page.js_errors == []
