"""揭榜挂帅 in headless Chromium (issue 17 "done when"): demo-chain-leader lands on its needs and publishes a
technology challenge; demo-district approves it; demo-enterprise finds it recommended with the reasons and takes
it up; the leader sees the match and the bid, selects it, starts and records the delivery.
Runs last of the browser tests (file name): its notification must not be the first one other tests read."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Pages, accept_confirmation, screenshot, wait_idle

pytestmark = pytest.mark.browser


def test_a_challenge_from_publication_to_delivery(pages: Pages, live_server: LiveServer) -> None:
    leader = pages.new("demo-chain-leader")
    leader.goto("/")
    expect(leader).to_have_url(re.compile(r"/matchmaking/needs$"))
    wait_idle(leader)
    leader.click("[data-testid=new-need]")
    leader.fill("[data-testid=need-title]", "晶圆精密定位平台国产化")
    leader.fill(
        "[data-testid=need-problem]", "我司半导体设备需晶圆精密定位平台，重复定位精度±1微米，替代进口产品。"
    )
    leader.fill("[data-testid=need-industries]", "3562")
    leader.fill("[data-testid=need-reward]", "50")
    leader.click("[data-testid=need-submit]")
    expect(leader.locator("[data-testid=need-status]")).to_have_text("待审核")
    need_url = re.sub(r"^https?://[^/]+", "", leader.url)

    district = pages.new("demo-district")
    district.goto("/matchmaking/needs")
    expect(district.locator("[data-testid=need-table]")).to_contain_text("晶圆精密定位平台国产化")
    district.goto(need_url)
    wait_idle(district)
    district.click("[data-testid=action-approve]")
    district.click("[data-testid=action-confirm]")
    accept_confirmation(district, "需求将对外发布")
    expect(district.locator("[data-testid=need-status]")).to_have_text("征集中")

    ent = pages.new("demo-enterprise")
    ent.goto("/matchmaking/needs")
    rec = ent.locator("[data-testid=recommendation]").first
    expect(rec).to_contain_text("晶圆精密定位平台国产化")
    expect(rec).to_contain_text("行业同为小类 C3562 半导体器件专用设备制造")
    expect(rec).to_contain_text("如《一种晶圆精密定位装置》")
    screenshot(ent, "matchmaking-recommended")
    rec.click()
    wait_idle(ent)
    ent.fill("[data-testid=bid-proposal]", "以自研晶圆精密定位装置为基础，3个月交付样机，精度±0.8微米。")
    ent.click("[data-testid=bid-submit]")
    expect(ent.locator("[data-testid=my-bid-sent]")).to_be_visible()

    leader.goto(need_url)
    wait_idle(leader)
    expect(leader.locator("[data-testid=match-table]")).to_contain_text("关键词")
    screenshot(leader, "matchmaking-matches")
    leader.click("text=揭榜方案（1）")
    expect(leader.locator("[data-testid=bid-table]")).to_contain_text("3个月交付样机")
    leader.locator("[data-testid=bid-table] button:has-text('选定')").click()
    accept_confirmation(leader, "该企业将成为揭榜方")
    expect(leader.locator("[data-testid=need-status]")).to_have_text("已揭榜")
    leader.click("[data-testid=action-start]")
    leader.click("[data-testid=action-confirm]")
    expect(leader.locator("[data-testid=need-status]")).to_have_text("攻关中")
    leader.click("[data-testid=action-deliver]")
    leader.fill("[data-testid=action-note]", "样机精度达标，转入批量采购")
    leader.click("[data-testid=action-confirm]")
    expect(leader.locator("[data-testid=need-status]")).to_have_text("已交付")
    leader.fill("[data-testid=contract-amount]", "120")
    leader.click("[data-testid=contract-record]")
    expect(leader.locator("[data-testid=first-purchase]")).to_contain_text("暂不符合首购奖励条件")
    ent.goto(need_url)
    wait_idle(ent)
    ent.click("[data-testid=contract-confirm]")
    accept_confirmation(ent, "确认合同")
    expect(ent.locator("[data-testid=first-purchase] .el-tag")).to_have_text("符合首购奖励条件")
    expect(ent.locator("[data-testid=contract-card]")).to_contain_text("120.00 万元，供方确认")
    leader.goto(need_url)
    wait_idle(leader)
    expect(leader.locator("[data-testid=first-purchase]")).to_contain_text("买方首次向该企业采购")
    screenshot(leader, "matchmaking-delivered")
    for p in (leader, district, ent):
        assert p.js_errors == []
