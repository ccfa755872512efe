"""动态管理 in headless Chromium (issue 14.6): demo-district opens next year's annual updates; demo-enterprise
fills its update in 万元 and submits; the district acknowledges; demo-province revokes the title on 一企一档 after
confirming; the steps are on 变更历史 and the certificate page shows the record as void."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.e2e.conftest import LiveServer, Pages, accept_confirmation, screenshot, wait_idle

pytestmark = pytest.mark.browser


def test_annual_update_acknowledged_then_revocation_confirmed_on_the_profile(
    pages: Pages, live_server: LiveServer
) -> None:
    from srdi.auth.models import User
    from srdi.db.session import make_engine
    from srdi.enterprise.models import Recognition

    today = date.today()
    year = today.year + 1
    engine = make_engine(live_server.db_url)
    with Session(engine) as s:
        ent_id = s.scalar(select(User.enterprise_id).where(User.username == "demo-enterprise"))
        assert ent_id is not None
        rec = Recognition(
            enterprise_id=ent_id, tier="little_giant", level="national", batch="浏览器测试第一批",
            announced_date=today - timedelta(days=30), valid_until=today + timedelta(days=3 * 365),
            status="valid", source="official_list",
        )  # fmt: skip
        s.add(rec)
        s.commit()
        rec_id = rec.id
    engine.dispose()

    district = pages.new("demo-district")
    district.goto("/dynamic")
    wait_idle(district)
    district.locator("[data-testid=open-year]").locator("xpath=descendant-or-self::input").first.fill(
        str(year)
    )
    district.click("[data-testid=open-tasks]")
    wait_idle(district)
    expect(district.locator("[data-testid=task-table]")).to_contain_text(f"{year - 1} 年度经营数据")

    ent = pages.new("demo-enterprise")
    ent.goto("/dynamic")
    wait_idle(ent)
    expect(ent.locator("[data-testid=task-table]")).to_contain_text("待更新")
    ent.click("[data-testid=submit-task]")
    ent.fill("[data-testid=update-operating_revenue]", "8600")
    ent.fill("[data-testid=update-employees]", "120")
    screenshot(ent, "dynamic-annual-update-form")
    ent.click("[data-testid=update-save]")
    wait_idle(ent)
    expect(ent.locator("[data-testid=task-table]")).to_contain_text("已提交，待确认")

    district.reload()
    wait_idle(district)
    district.click("[data-testid=ack-task] >> nth=0")
    wait_idle(district)
    expect(district.locator("[data-testid=task-table]")).to_contain_text("已确认")
    screenshot(district, "dynamic-tasks-official")

    province = pages.new("demo-province")
    province.goto(f"/enterprises/{ent_id}")
    wait_idle(province)
    province.get_by_role("tab", name="认定记录").click()
    wait_idle(province)
    mine = province.locator("[data-testid=recognitions-table] tr", has_text="浏览器测试第一批")
    mine.locator("[data-testid=revoke]").click()
    wait_idle(province)
    province.click("[data-testid=revoke-kind]")
    province.get_by_role("option", name="偷漏税等违法行为").click()
    province.fill("[data-testid=revoke-reason]", "税务机关认定偷税")
    province.click("[data-testid=revoke-confirm]")
    accept_confirmation(province, says="3年内不得再次申报")
    wait_idle(province)
    expect(mine).to_contain_text("已撤销")

    ent.goto(f"/enterprises/{ent_id}")
    wait_idle(ent)
    ent.get_by_role("tab", name="变更历史").click()
    wait_idle(ent)
    history = ent.locator("[data-testid=history-table]")
    expect(history).to_contain_text("年度更新任务")
    expect(history).to_contain_text("3年内")
    ent.goto(f"/enterprises/{ent_id}/recognitions/{rec_id}/certificate")
    wait_idle(ent)
    expect(ent.locator("[data-testid=certificate-void]")).to_be_visible()
    screenshot(ent, "certificate-revoked")


def test_a_confirmed_rename_report_renames_the_registry_entry(pages: Pages, live_server: LiveServer) -> None:
    """demo-enterprise reports its 更名 with the new name; demo-district confirms after the question that names
    both names; 一企一档 shows the new name and 变更历史 the 企业名称 change (the name is restored afterwards, other
    browser tests know the demo enterprise by it)."""
    from srdi.auth.models import User
    from srdi.db.session import make_engine
    from srdi.enterprise.models import Enterprise

    engine = make_engine(live_server.db_url)
    with Session(engine) as s:
        ent_id = s.scalar(select(User.enterprise_id).where(User.username == "demo-enterprise"))
        assert ent_id is not None
        old_name = s.get(Enterprise, ent_id).name  # type: ignore[union-attr]
    new_name = "深圳市浏览器更名测试科技有限公司"
    try:
        ent = pages.new("demo-enterprise")
        ent.goto("/dynamic")
        wait_idle(ent)
        ent.get_by_role("tab", name="重大变化报告").click()
        date_input = ent.locator("[data-testid=change-date]").locator("xpath=descendant-or-self::input").first
        date_input.fill((date.today() - timedelta(days=7)).isoformat())
        date_input.press("Enter")
        ent.fill("[data-testid=change-new-name]", new_name)
        ent.fill("[data-testid=change-description]", "完成工商变更登记")
        ent.click("[data-testid=report-change]")
        wait_idle(ent)
        row = ent.locator("[data-testid=change-table] tr", has_text=new_name)
        expect(row).to_contain_text(f"名称：{old_name} → {new_name}")
        expect(row).to_contain_text("已报告，待确认")

        district = pages.new("demo-district")
        district.goto("/dynamic")
        wait_idle(district)
        district.get_by_role("tab", name="重大变化报告").click()
        mine = district.locator("[data-testid=change-table] tr", has_text=new_name)
        mine.locator("[data-testid=ack-change]").click()
        accept_confirmation(district, says=f"企业库中的名称将改为「{new_name}」")
        wait_idle(district)
        expect(mine).to_contain_text("已确认")
        screenshot(district, "dynamic-rename-confirmed")

        district.goto(f"/enterprises/{ent_id}")
        wait_idle(district)
        expect(district.locator("body")).to_contain_text(new_name)
        district.get_by_role("tab", name="变更历史").click()
        wait_idle(district)
        history = district.locator("[data-testid=history-table]")
        expect(history).to_contain_text("企业名称")
        expect(history).to_contain_text(new_name)
        assert ent.js_errors == [] and district.js_errors == []
    finally:
        with Session(engine) as s:
            e = s.get(Enterprise, ent_id)
            assert e is not None
            e.name = old_name
            s.commit()
        engine.dispose()


def test_the_district_sees_re_review_candidates_with_their_state(
    pages: Pages, live_server: LiveServer
) -> None:
    """demo-district's 复核候选 tab lists the titles of its region ending within the platform's months, each with
    its 复核 state and the date it ends (a title of demo-enterprise ending tomorrow, removed afterwards)."""
    import re

    from srdi.auth.models import User
    from srdi.db.session import make_engine
    from srdi.enterprise.models import Enterprise, Recognition

    today = date.today()
    ends = today + timedelta(days=1)
    engine = make_engine(live_server.db_url)
    with Session(engine) as s:
        ent_id = s.scalar(select(User.enterprise_id).where(User.username == "demo-enterprise"))
        assert ent_id is not None
        name = s.get(Enterprise, ent_id).name  # type: ignore[union-attr]
        rec = Recognition(
            enterprise_id=ent_id, tier="innovative_sme", level="provincial", batch="浏览器复核候选批",
            announced_date=ends.replace(year=ends.year - 3), valid_until=ends, status="valid",
            source="official_list",
        )  # fmt: skip
        s.add(rec)
        s.commit()
        rec_id = rec.id
    try:
        district = pages.new("demo-district")
        district.goto("/dynamic")
        wait_idle(district)
        district.get_by_role("tab", name="复核候选").click()
        wait_idle(district)
        expect(district.locator("[data-testid=candidate-hint]")).to_contain_text("个月内")
        row = district.locator("[data-testid=candidate-table] tr", has_text=name).filter(
            has_text=ends.isoformat()
        )
        expect(row.first).to_contain_text(re.compile("已申请复核|未申请|已丧失复核资格"))
        expect(row.first).to_contain_text("创新型中小企业")
        expect(district.locator("[data-testid=pager]")).to_be_visible()
        screenshot(district, "dynamic-re-review-candidates")
        assert district.js_errors == []
    finally:
        with Session(engine) as s:
            r = s.get(Recognition, rec_id)
            if r is not None:
                s.delete(r)
            s.commit()
        engine.dispose()
