"""Events and talent needs in headless Chromium (issue 17 items 5–6): demo-enterprise publishes a hiring need and
demo-district finds it in its queue; demo-district creates a 对接会 for today, demo-enterprise and
demo-chain-leader register, the district confirms it was held, the leader records a contract with demo-enterprise
in 万元, demo-enterprise confirms it, and the district's figures count the event and the contract."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from srdi.kit.workdays import beijing_today
from tests.e2e.conftest import LiveServer, Pages, accept_confirmation, screenshot, wait_idle

pytestmark = pytest.mark.browser


def test_a_hiring_need_reaches_the_district_and_an_event_outcome_is_counted(
    pages: Pages, live_server: LiveServer
) -> None:
    today = beijing_today().isoformat()
    ent = pages.new("demo-enterprise")
    ent.goto("/matchmaking/talent")
    wait_idle(ent)
    ent.click("[data-testid=new-talent]")
    ent.fill("[data-testid=talent-post]", "精密装配技师")
    ent.locator("[data-testid=talent-count] input").fill("6")
    ent.click("[data-testid=talent-submit]")
    expect(ent.locator("[data-testid=talent-status]")).to_have_text("招聘中")
    expect(ent.locator(".el-timeline")).to_contain_text("推送至区人力资源服务")

    district = pages.new("demo-district")
    district.goto("/matchmaking/talent")
    expect(district.locator("[data-testid=talent-table]")).to_contain_text("精密装配技师")
    expect(district.locator("[data-testid=talent-table]")).to_contain_text("待响应")

    district.goto("/matchmaking/events")
    wait_idle(district)
    district.click("[data-testid=new-event]")
    dialog = district.locator(".event-dialog")
    dialog.wait_for()
    district.fill("[data-testid=event-title]", "南山区专精特新企业与链主企业供需对接会")
    dialog.locator("input[placeholder='选择日期']").fill(today)
    dialog.locator("input[placeholder='选择日期']").press("Enter")
    district.fill("[data-testid=event-place]", "深圳湾创新科技中心")
    district.fill("[data-testid=event-organiser]", "南山区工业和信息化局")
    district.click("[data-testid=event-submit]")
    expect(district.locator("[data-testid=event-status]")).to_have_text("报名中")
    event_url = re.sub(r"^https?://[^/]+", "", district.url)

    for who in (ent, pages.new("demo-chain-leader")):
        who.goto(event_url)
        wait_idle(who)
        who.click("[data-testid=register]")
        expect(who.locator(".el-descriptions")).to_contain_text("已报名")
    leader = pages.new("demo-chain-leader")

    district.goto(event_url)
    wait_idle(district)
    expect(district.locator("[data-testid=registration-table]")).to_contain_text("已报名")
    district.click("[data-testid=hold]")
    accept_confirmation(district, says="计入本地区对接活动场次")
    expect(district.locator("[data-testid=event-status]")).to_have_text("已举办")

    leader.goto(event_url)
    wait_idle(leader)
    leader.click("[data-testid=outcome]")
    out = leader.locator(".outcome-dialog")
    out.wait_for()
    leader.locator("[data-testid=outcome-seller]").click()
    leader.locator(".el-select-dropdown__item:visible").first.click()
    leader.fill("[data-testid=outcome-title]", "精密装配外协年度合同")
    leader.fill("[data-testid=outcome-amount]", "35.5")
    out.locator("input[placeholder='选择日期']").fill(today)
    out.locator("input[placeholder='选择日期']").press("Enter")
    leader.click("[data-testid=outcome-save]")
    table = leader.locator("[data-testid=outcome-table]")
    expect(table).to_contain_text("35.50 万元")
    expect(table).to_contain_text("仅买方登记")

    ent.goto(event_url)
    wait_idle(ent)
    ent.click("[data-testid=confirm-outcome]")
    accept_confirmation(ent)
    expect(ent.locator("[data-testid=outcome-table]")).to_contain_text("供方确认")
    screenshot(ent, "event-outcome-confirmed")

    district.goto("/matchmaking/figures")
    figures = district.locator("[data-testid=event-figures]")
    expect(figures).to_contain_text("已举办活动1 场")
    expect(figures).to_contain_text("35.50 万元")
    expect(district.locator("[data-testid=talent-figures]")).to_contain_text("6 人")
