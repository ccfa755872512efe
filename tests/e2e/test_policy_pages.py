"""Policy library, sandbox, 免申即享 run and the enterprise's confirmation in headless Chromium (screenshots in
test-artifacts/screenshots/policy-*.png)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, LiveServer, Pages, screenshot, wait_idle
from tests.e2e.seed import make_uscc

pytestmark = pytest.mark.browser
KEY = "dg_innovative_enterprise_rd_subsidy"


def _admin(server: LiveServer) -> httpx.Client:
    r = httpx.post(
        f"{server.url}/api/v1/auth/token", json={"username": "demo-admin", "password": server.demo_password}
    )
    assert r.status_code == 200, r.text
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {r.json()['access_token']}"}, timeout=60
    )


@pytest.fixture(scope="module")
def dongguan(live_server: LiveServer) -> dict[str, Any]:
    """A 东莞 enterprise that qualifies for the R&D subsidy (5% of 2,000,000 yuan = 10 万元) and its own account."""
    admin = _admin(live_server)
    r = admin.post(
        "/api/v1/enterprises",
        json={
            "uscc": make_uscc(901, "441900"),
            "name": "东莞示例精工有限公司",
            "region_code": "441900",
            "industry_code": "3562",
        },
    )
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    # As an official's import would record them: the 科技局 list and the 税务核定 figure (authoritative provenance).
    for answer, source in (
        ({"key": "dg_innovative_enterprise", "fiscal_year": 0, "value": True}, "official_list"),
        (
            {"key": "rd_deductible_expense", "fiscal_year": date.today().year - 1, "value": "2000000.00"},
            "tax",
        ),
    ):
        r = admin.put(
            f"/api/v1/enterprises/{eid}/policy-answers", json={"answers": [answer], "source": source}
        )
        assert r.status_code == 200, r.text
    r = admin.post(
        "/api/v1/admin/users",
        json={
            "username": "e2e-dg-enterprise",
            "display_name": "东莞示例精工",
            "role": "enterprise",
            "password": live_server.demo_password,
            "enterprise_id": eid,
        },
    )
    assert r.status_code == 201, r.text
    return {"id": eid}


def test_official_drafts_sandboxes_and_publishes_then_runs_and_the_enterprise_confirms(
    pages: Pages, dongguan: dict[str, Any]
) -> None:
    page = pages.new("demo-admin")
    page.goto("/policies")
    wait_idle(page)
    expect(page.locator("[data-testid=policy-table]")).to_contain_text("东莞市创新型企业研发投入补助")
    screenshot(page, "policy-library")

    page.click(f"[data-testid=draft-{KEY}]")
    page.fill("[data-testid=budget-wan]", "500")
    page.click("[data-testid=save-draft]")
    sandbox = page.locator("[data-testid=sandbox]")
    expect(sandbox).to_contain_text("新增符合", timeout=30_000)
    # The one qualifying enterprise: 2,000,000 元 × 5% = 100,000 元 = 10.00 万元, inside a 500 万元 budget.
    expect(sandbox).to_contain_text("10.00 万元")
    expect(sandbox).to_contain_text("500.00 万元")
    screenshot(page, "policy-sandbox")
    page.click("[data-testid=publish-draft]")
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(page.locator(".el-message", has_text="已发布")).to_be_visible()

    page.goto("/grant-runs")
    wait_idle(page)
    page.click("[data-testid=run-policy]")
    page.locator(".el-select-dropdown__item", has_text="东莞市创新型企业研发投入补助").click()
    page.click("[data-testid=run-start]")
    expect(page.locator("[data-testid=run-progress]")).to_contain_text("已完成", timeout=60_000)
    grants = page.locator("[data-testid=run-grants]")
    expect(grants).to_contain_text("东莞示例精工有限公司")
    expect(grants).to_contain_text("待企业确认")
    expect(grants).to_contain_text("10.00")
    screenshot(page, "grant-run")

    ent = pages.new("e2e-dg-enterprise")
    ent.goto("/my/policies")
    wait_idle(ent)
    expect(ent.locator("[data-testid=notification]").first).to_contain_text("免申即享待确认")
    expect(ent.locator("[data-testid=policies-eligible]")).to_contain_text("东莞市创新型企业研发投入补助")
    ent.locator("[data-testid^=confirm-]").first.click()
    ent.fill("[data-testid=bank-name]", "中国工商银行东莞分行")
    ent.fill("[data-testid=account-name]", "东莞示例精工有限公司")
    ent.fill("[data-testid=bank-account]", "6222 0212 3456 7890")
    ent.click("[data-testid=consent-submit]")
    expect(ent.locator("[data-testid^=grant-]").first).to_contain_text("************7890")
    expect(ent.locator("[data-testid^=grant-]").first).to_contain_text("已确认，待拨付")
    assert "6222021234567890" not in ent.content()
    screenshot(ent, "policy-enterprise-confirmed")
    assert ent.js_errors == []

    page.goto("/grant-runs")
    wait_idle(page)
    page.locator("[data-testid=runs-table] .el-table__row").first.click()
    wait_idle(page)
    page.click("[data-testid=disburse]")
    expect(page.locator("[data-testid=batches-table]")).to_contain_text("10.00 万元")
    screenshot(page, "grant-disbursed")
    assert page.js_errors == []


def test_enterprise_sees_its_policies_with_what_is_missing_on_a_phone(pages: Pages) -> None:
    page = pages.new("demo-enterprise", viewport=PHONE)
    page.goto("/my/policies")
    wait_idle(page)
    expect(page.locator("[data-testid=policy-summary]")).to_contain_text("符合")
    # The seeded 南山 enterprise is a valid 专精特新: the guarantee-fee measure applies; the state-space one needs 年产值.
    expect(page.locator("[data-testid=policies-eligible]")).to_contain_text("担保费率")
    expect(page.locator("[data-testid=policies-unknown]")).to_contain_text("上年度年产值")
    screenshot(page, "policy-my-phone")
    assert page.js_errors == []
    assert re.search(r"/my/policies$", page.url)


def test_enterprise_supplies_the_missing_inputs_and_the_policy_becomes_eligible(pages: Pages) -> None:
    page = pages.new("demo-enterprise")
    page.goto("/my/policies")
    wait_idle(page)
    unknown = page.locator("[data-testid=policies-unknown]")
    expect(unknown).to_contain_text("专精特新企业受让国有产业用房")
    # 年产值 exactly 3亿元 and exactly 3 years of renting: both edges are included (以上).
    page.fill("[data-testid=answer-output_value_y1]", "300000000")
    page.click("[data-testid=answer-save-output_value_y1]")
    wait_idle(page)
    page.fill("[data-testid=answer-state_space_rent_years]", "3")
    page.click("[data-testid=answer-save-state_space_rent_years]")
    wait_idle(page)
    expect(page.locator("[data-testid=policies-eligible]")).to_contain_text("专精特新企业受让国有产业用房")
    screenshot(page, "policy-answers-filled")
    assert page.js_errors == []
