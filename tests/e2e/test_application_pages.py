"""Issue 14 in headless Chromium, as new users would: demo-enterprise applies for 专精特新 with evidence,
demo-district returns it, the enterprise corrects and resubmits, the district and city approve, the province
draws two experts, both score blind (demo-expert lands on its assignments), the province approves and the
application is publicised. (公示 takes 7 working days; the announcement after it is tests/application/test_walk.)"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.e2e.conftest import LiveServer, Pages, accept_confirmation, screenshot, wait_idle
from tests.e2e.seed import FIRST_NAME

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _csrf(page: Any) -> dict[str, str]:
    return {"X-CSRF-Token": next(c["value"] for c in page.context.cookies() if c["name"] == "srdi_csrf")}


def _status(page: Any, text: str) -> None:
    expect(page.locator("[data-testid=application-status]")).to_have_text(text)


def _review(page: Any, url: str, button: str, fill: dict[str, str] | None = None) -> None:
    page.goto(url)
    wait_idle(page)
    page.click(f"[data-testid=review-{button}]")
    for selector, value in (fill or {}).items():
        page.fill(f"[data-testid={selector}]", value)
    page.click("[data-testid=review-send]")
    accept_confirmation(page, "申报")
    wait_idle(page)


def test_an_application_from_the_enterprise_to_publicity(
    pages: Pages, live_server: LiveServer, tmp_path
) -> None:
    from srdi.application.models import Expert
    from srdi.auth.models import User
    from srdi.db.session import make_engine

    province = pages.new("demo-province")
    province.goto("/application-batches")
    wait_idle(province)
    today = date.today()
    r = province.request.post(
        f"{live_server.url}/api/v1/application-batches",
        data={
            "name": "浏览器测试专精特新批次",
            "tier": "srdi_sme",
            "region_code": "44",
            "open_date": (today - timedelta(days=10)).isoformat(),
            "close_date": (today + timedelta(days=30)).isoformat(),
        },
        headers=_csrf(province),
    )
    assert r.status == 201, r.text()
    batch_id = r.json()["id"]
    admin = pages.new("demo-admin")
    r = admin.request.post(
        f"{live_server.url}/api/v1/admin/users",
        data={"username": "e2e-expert-2", "display_name": "评审专家乙", "role": "expert",
              "password": live_server.demo_password},
        headers=_csrf(admin),
    )  # fmt: skip
    assert r.status == 201, r.text()
    engine = make_engine(live_server.db_url)
    with Session(engine) as s:
        for username, region in (("demo-expert", "440106"), ("e2e-expert-2", "440304")):
            uid = s.scalar(select(User.id).where(User.username == username))
            s.add(
                Expert(
                    name=f"专家{username}",
                    region_code=region,
                    fields=[],
                    declared_enterprise_ids=[],
                    user_id=uid,
                )
            )
        s.commit()
    engine.dispose()

    ent = pages.new("demo-enterprise")
    ent.goto("/applications")
    wait_idle(ent)
    ent.click(f"[data-testid=apply-{batch_id}]")
    ent.wait_for_url(re.compile(r"/applications/\d+$"))
    url = re.sub(r"^https?://[^/]+", "", ent.url)
    wait_idle(ent)
    _status(ent, "草稿")
    pdf = tmp_path / "证明材料.pdf"
    pdf.write_bytes(PDF)
    for item in ("N2", "N3", "N6"):
        ent.set_input_files(f"[data-testid=upload-{item}]", str(pdf))
        wait_idle(ent)
    expect(ent.locator("[data-testid=evidence]")).to_contain_text("证明材料.pdf")
    ent.click("[data-testid=pledge]")
    screenshot(ent, "application-draft")
    ent.click("[data-testid=submit-application]")
    accept_confirmation(ent, "提交后申报材料不能再修改")
    wait_idle(ent)
    _status(ent, "审核中（区县初审）")

    district = pages.new("demo-district")
    _review(
        district,
        url,
        "return",
        {"review-items": "补充研发费用专项审计报告", "review-reason": "研发费用材料不清晰"},
    )
    _status(district, "退回补正（区县初审）")

    ent.reload()
    wait_idle(ent)
    expect(ent.locator("[data-testid=correction]")).to_contain_text("补充研发费用专项审计报告")
    ent.set_input_files("[data-testid=upload-N6]", str(pdf))
    wait_idle(ent)
    ent.click("[data-testid=submit-application]")
    accept_confirmation(ent, "提交后申报材料不能再修改")
    wait_idle(ent)
    _status(ent, "审核中（区县初审）")

    _review(district, url, "approve")
    _status(district, "审核中（市级审核）")
    city = pages.new("demo-city")
    _review(city, url, "approve")
    _status(city, "审核中（专家评审）")
    province.goto(url)
    wait_idle(province)
    province.click("[data-testid=assign-experts]")
    wait_idle(province)
    expect(province.locator("[data-testid=assign-card]")).to_contain_text("专家demo-expert")
    # The scheduler's reminder job, run on the scoring deadline (the day injected): each expert's inbox on the
    # assignments page shows it, blind.
    from srdi.application import reminders
    from srdi.application.models import ExpertAssignment

    engine = make_engine(live_server.db_url)
    with Session(engine) as s:
        due = s.scalar(select(func.max(ExpertAssignment.due_date)))
        assert due is not None
        assert reminders.send_reminders(s, due).expert_due >= 2
        s.commit()
    engine.dispose()

    for username in ("demo-expert", "e2e-expert-2"):
        ex = pages.new(username)
        ex.goto("/")
        ex.wait_for_url(re.compile(r"/expert$"))
        wait_idle(ex)
        expect(ex.locator("[data-testid=scoring-sheet]")).to_contain_text("专精特新中小企业评分表")
        expect(ex.locator("[data-testid=expert-inbox]")).to_contain_text(f"请于{due}前提交评分")
        assert FIRST_NAME not in ex.content()
        screenshot(ex, f"application-expert-{username}")
        ex.click("[data-testid=submit-scores]")
        wait_idle(ex)
        expect(ex.locator("[data-testid=assignment-list]")).to_contain_text("已评分")
        assert ex.js_errors == []

    _review(province, url, "approve", {"review-reason": "同意认定"})
    _status(province, "公示中")
    ent.reload()
    wait_idle(ent)
    timeline = ent.locator("[data-testid=timeline]")
    for step in (
        "提交申报",
        "退回补正",
        "补正后重新提交",
        "审核通过",
        "双随机抽取专家",
        "专家评审完成",
        "进入公示",
    ):
        expect(timeline).to_contain_text(step)
    screenshot(ent, "application-publicity")
    assert ent.js_errors == []
