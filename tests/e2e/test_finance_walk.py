"""产融对接 in headless Chromium (issue 16 "done when"), as new users would: the administrator links demo-bank to
its bank; demo-province generates and approves the period's Dongguan 产融合作 whitelist; demo-bank downloads it and
sees why each enterprise is on it, publishes a product that demo-province reviews; demo-enterprise sees its score and
how to raise it, finds the product, sends a request sharing its recognitions; the bank accepts and approves it within
the time limit; the loan appears in the monitoring figures and the interest subsidy computes on it.

The Dongguan enterprises and the bank are added for this module and removed afterwards, so the other browser tests
see the registry of tests/e2e/seed.py unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Pages, accept_confirmation, screenshot, wait_idle

pytestmark = pytest.mark.browser

BANK = "广东产融合作银行（测试）"
LISTED = "东莞市莞城精密模具有限公司"
NOT_LISTED = "东莞市莞城普通贸易有限公司"


@pytest.fixture(scope="module")
def dongguan(live_server: LiveServer) -> Iterator[dict[str, int]]:
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from srdi.db.session import make_engine
    from srdi.enterprise.models import Enterprise
    from srdi.finance.models import Bank, WhitelistRun
    from tests.finance import factories

    engine = make_engine(live_server.db_url)
    with Session(engine) as db:
        bank = factories.bank(db, "e2e_gd_ifb", BANK, "44")
        listed = factories.enterprise(db, LISTED)
        plain = factories.enterprise(db, NOT_LISTED, srdi=False)
        ids = {"bank": bank.id, "listed": listed.id, "plain": plain.id}
        db.commit()
    try:
        yield ids
    finally:
        with Session(engine) as db:
            db.execute(delete(WhitelistRun))
            db.execute(delete(Enterprise).where(Enterprise.id.in_([ids["listed"], ids["plain"]])))
            db.execute(
                delete(Bank).where(Bank.id == ids["bank"])
            )  # its products, requests and members go too
            db.commit()
        engine.dispose()


def _pick(page: Any, select: Any, option: str) -> None:
    """Choose ``option`` in an Element Plus select (its options are rendered in a popper at the page's end)."""
    select.click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def test_from_whitelist_to_a_loan_with_its_interest_subsidy(
    pages: Pages, live_server: LiveServer, dongguan: dict[str, int]
) -> None:
    # demo-bank, not yet linked to a bank, is told so in Chinese.
    bank = pages.new("demo-bank")
    bank.goto("/finance/requests")
    expect(bank.locator("[data-testid=no-bank]")).to_contain_text("尚未关联所属金融机构")
    expect(bank.locator("h1")).to_have_text("融资需求")

    admin = pages.new("demo-admin")
    admin.goto("/admin/bank-accounts")
    wait_idle(admin)
    _pick(admin, admin.locator("[data-testid=bank-select-demo-bank]"), BANK)
    admin.click("[data-testid=bank-save-demo-bank]")
    expect(admin.locator("[data-testid=bank-accounts]")).to_contain_text(BANK)

    # demo-province generates this period's 产融合作 list and approves it.
    province = pages.new("demo-province")
    province.goto("/finance/whitelists")
    card = province.locator("[data-testid=whitelist-dg_industry_finance]")
    card.locator("[data-testid=generate]").click()
    card.locator("[data-testid=approve]").click()
    accept_confirmation(province)
    expect(card).to_contain_text("已审定发布")

    # demo-bank sees the approved list, why each enterprise is on it, and downloads it.
    bank.goto("/finance/whitelists")
    card = bank.locator("[data-testid=whitelist-dg_industry_finance]")
    with bank.expect_download() as dl:
        card.locator("[data-testid=download]").first.click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    card.locator("button:has-text('查看入选理由')").first.click()
    entries = bank.locator("[data-testid=entries]")
    expect(entries).to_contain_text(LISTED)
    expect(entries).to_contain_text("首期名单：满足全部入选条件")
    expect(entries).not_to_contain_text(NOT_LISTED)
    screenshot(bank, "finance-whitelist-bank")

    # demo-bank publishes a product for valid 专精特新 enterprises; demo-province reviews it.
    bank.goto("/finance/products")
    wait_idle(bank)
    bank.click("[data-testid=new-product]")
    bank.fill("[data-testid=product-name]", "专精特新成长贷（测试）")
    _pick(bank, bank.locator(".cond .el-select").first, "持有有效期内的专精特新中小企业认定")
    bank.click("[data-testid=save-product]")
    expect(bank.locator("[data-testid=product-table]")).to_contain_text("待审核")
    province.goto("/finance/products")
    row = province.locator("[data-testid=product-table] tr", has_text="专精特新成长贷（测试）")
    row.locator("[data-testid=publish]").click()
    accept_confirmation(province)
    expect(row).to_contain_text("已发布")

    # demo-enterprise: its score and how to raise it, the product it qualifies for, a request.
    ent = pages.new("demo-enterprise")
    ent.goto("/my/finance")
    expect(ent.locator("[data-testid=score]")).to_contain_text("分")
    ent.click("text=适合我的贷款产品")
    offer = ent.locator("[data-testid=qualified]", has_text="专精特新成长贷（测试）")
    expect(offer).to_contain_text("持有有效期内的专精特新中小企业认定")
    offer.locator("[data-testid=apply]").click()
    ent.fill("[data-testid=amount]", "200")
    ent.fill("[data-testid=purpose]", "购置精密检测设备")
    ent.locator(".el-dialog label:has-text('梯度培育称号')").click()
    ent.locator("[data-testid=consent]").click()
    ent.click("[data-testid=send]")
    expect(ent.locator("[data-testid=my-requests]")).to_contain_text(BANK)

    # The bank sees it with its time limit, accepts and approves it.
    bank.goto("/finance/requests")
    req = bank.locator("[data-testid^=request-]", has_text="购置精密检测设备")
    expect(req.locator("[data-testid=due]")).to_contain_text("受理时限")
    expect(bank.locator("[data-testid=time-limits]")).to_contain_text("待核实")
    req.locator("[data-testid=act-accept]").click()
    bank.click("[data-testid=confirm]")
    expect(req.locator("[data-testid=due]")).to_contain_text("审批时限")
    req.locator("[data-testid=act-approve]").click()
    bank.fill("[data-testid=approve-amount]", "200")
    bank.fill("[data-testid=approve-rate]", "3.6")
    bank.click("[data-testid=confirm]")
    accept_confirmation(bank)
    bank.click("text=全部")
    req = bank.locator("[data-testid^=request-]", has_text="购置精密检测设备")
    expect(req).to_contain_text("已获批")
    # 200万元 × 3.6% = 7.2万元 of first-year interest; the policy file's 50% (待核实) gives 3.6万元.
    subsidy = req.locator("[data-testid=policy-link-interest_subsidy]")
    expect(subsidy).to_contain_text("测算贴息 3.6万元")
    expect(subsidy).to_contain_text("待核实")
    expect(req.locator("[data-testid=policy-link-guarantee_fee_cap]")).to_contain_text("担保费率不高于")
    screenshot(bank, "finance-request-approved")

    # The loan appears in the monitoring figures; the enterprise sees the subsidy computed on it.
    province.goto("/finance/figures")
    figures = province.locator("[data-testid=figures] tr", has_text=BANK)
    expect(figures).to_contain_text("200")
    expect(figures).to_contain_text("3.60%")
    expect(figures).to_contain_text("100.0%")  # both of the bank's stages were on time
    ent.goto("/my/finance")
    ent.click("text=我的融资需求")
    expect(ent.locator("[data-testid=policy-link-interest_subsidy]")).to_contain_text("测算贴息 3.6万元")
    screenshot(ent, "finance-enterprise-subsidy")
    for p in (bank, admin, province, ent):
        assert p.js_errors == [], p.js_errors
    assert re.search(r"/my/finance$", ent.url)
