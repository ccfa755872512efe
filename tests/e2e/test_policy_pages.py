"""Policy library, sandbox, 免申即享 run and the enterprise's confirmation in headless Chromium (screenshots in
test-artifacts/screenshots/policy-*.png)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, LiveServer, Pages, accept_confirmation, screenshot, wait_idle
from tests.e2e.seed import make_uscc

pytestmark = pytest.mark.browser
KEY = "dg_srdi_award_auto_grant"  # the seed's own 免申即享 pilot (004, 工信局 reply 二(二))
AWARD = "东莞市“专精特新”企业奖励（企莞家“免申即享”试点）"


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
    """A 东莞 provincial 专精特新 enterprise (the recognition as an imported 工信局 list would record it) that the
    award's data comparison finds (10 万元, the 待核实 demo amount), with its own account."""
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
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from srdi.enterprise.models import Recognition

    engine = create_engine(live_server.db_url)
    with Session(engine) as db:
        db.add(
            Recognition(
                enterprise_id=eid,
                tier="srdi_sme",
                level="provincial",
                batch="2024年第一批",
                announced_date=date(date.today().year - 1, 1, 15),
                valid_until=date(date.today().year + 2, 1, 14),
                status="valid",
                document_no="粤工信融资函〔2024〕12号",
                source="official_list",
            )
        )
        db.commit()
    engine.dispose()
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
    table = page.locator("[data-testid=policy-table]")
    expect(table).to_contain_text("东莞市创新型企业研发投入补助")
    expect(table).to_contain_text("征求意见稿")  # the Shenzhen 32 measures are a draft, shown so
    expect(table).to_contain_text("比例最高不超过5%")  # the R&D subsidy's 5% is a ceiling, in words
    screenshot(page, "policy-library")
    page.locator("[data-testid=policy-table] .el-table__row", has_text=AWARD).locator(
        ".el-table__expand-icon"
    ).click()
    expect(page.locator("[data-testid=policy-unverified]").first).to_contain_text("奖励金额")
    expect(table).to_contain_text("企业确认后 2 个工作日内拨付")
    screenshot(page, "policy-library-award")

    page.click(f"[data-testid=draft-{KEY}]")
    page.fill("[data-testid=budget-wan]", "500")
    page.click("[data-testid=save-draft]")
    sandbox = page.locator("[data-testid=sandbox]")
    expect(sandbox).to_contain_text("新增符合", timeout=30_000)
    # The one qualifying enterprise: the 10 万元 award (待核实), inside a 500 万元 budget.
    expect(sandbox).to_contain_text("10.00 万元")
    expect(sandbox).to_contain_text("500.00 万元")
    screenshot(page, "policy-sandbox")
    page.click("[data-testid=publish-draft]")
    accept_confirmation(page, "重新计算所有企业的政策匹配")
    expect(page.locator(".el-message", has_text="已发布")).to_be_visible()

    page.goto("/grant-runs")
    wait_idle(page)
    page.click("[data-testid=run-policy]")
    page.locator(".el-select-dropdown__item", has_text=AWARD).click()
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
    expect(ent.locator("[data-testid=policies-eligible]")).to_contain_text(AWARD)
    ent.locator("[data-testid^=confirm-]").first.click()
    ent.fill("[data-testid=bank-name]", "中国工商银行东莞分行")
    ent.fill("[data-testid=account-name]", "东莞示例精工有限公司")
    ent.fill("[data-testid=bank-account]", "6222 0212 3456 7890")
    ent.click("[data-testid=consent-submit]")
    expect(ent.locator("[data-testid^=grant-]").first).to_contain_text("************7890")
    expect(ent.locator("[data-testid^=grant-]").first).to_contain_text("已确认，待拨付")
    expect(ent.locator("[data-testid=grant-deadline]").first).to_contain_text("确认后 2 个工作日，截止")
    assert "6222021234567890" not in ent.content()
    screenshot(ent, "policy-enterprise-confirmed")
    assert ent.js_errors == []

    page.goto("/grant-runs")
    wait_idle(page)
    page.locator("[data-testid=runs-table] .el-table__row").first.click()
    wait_idle(page)
    # 拨付 asks first, naming the run and what follows; cancelling it pays nothing.
    page.click("[data-testid=disburse]")
    box = page.locator(".el-message-box.confirm-irreversible")
    expect(box).to_contain_text("确认拨付")
    expect(box).to_contain_text(AWARD)
    box.locator(".el-message-box__btns button", has_text="取消").click()
    expect(box).to_be_hidden()
    wait_idle(page)
    expect(page.locator("[data-testid=batches-table]")).not_to_contain_text("10.00 万元")
    assert page.request.get("/api/v1/disbursement-batches").json()["total"] == 0
    page.click("[data-testid=disburse]")
    accept_confirmation(page, "生成含完整收款账号的拨付文件")
    expect(page.locator("[data-testid=batches-table]")).to_contain_text("10.00 万元")
    expect(page.locator("[data-testid=overdue-card]")).to_be_visible()
    screenshot(page, "grant-disbursed")
    assert page.js_errors == []


def test_enterprise_sees_its_policies_with_what_is_missing_on_a_phone(pages: Pages) -> None:
    page = pages.new("demo-enterprise", viewport=PHONE)
    page.goto("/my/policies")
    wait_idle(page)
    expect(page.locator("[data-testid=policy-summary]")).to_contain_text("符合")
    # The seeded 南山 enterprise is a valid 专精特新: the Guangdong risk-compensation scope applies; the Shenzhen
    # guarantee-fee measure is a 征求意见稿, never in force; the 创客广东 support needs an answer.
    expect(page.locator("[data-testid=policies-eligible]")).to_contain_text("信贷风险补偿")
    expect(page.locator("[data-testid=policies-ineligible]")).to_contain_text("征求意见稿")
    expect(page.locator("[data-testid=policies-unknown]")).to_contain_text("创客广东")
    screenshot(page, "policy-my-phone")
    assert page.js_errors == []
    assert re.search(r"/my/policies$", page.url)


def test_enterprise_supplies_the_missing_inputs_and_the_policy_becomes_eligible(pages: Pages) -> None:
    page = pages.new("demo-enterprise")
    page.goto("/my/policies")
    wait_idle(page)
    unknown = page.locator("[data-testid=policies-unknown]")
    expect(unknown).to_contain_text("“创客广东”创新创业大赛50强获奖项目落地广东支持")
    page.click("[data-testid=answer-maker_guangdong_top50]")
    page.locator(".el-select-dropdown__item:visible", has_text="是").click()
    page.click("[data-testid=answer-save-maker_guangdong_top50]")
    wait_idle(page)
    expect(page.locator("[data-testid=policies-eligible]")).to_contain_text(
        "“创客广东”创新创业大赛50强获奖项目落地广东支持"
    )
    screenshot(page, "policy-answers-filled")
    assert page.js_errors == []
