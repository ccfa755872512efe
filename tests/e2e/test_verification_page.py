"""待核验 in headless Chromium (decision 0012-provenance): an enterprise answers the deciding questions itself, the
免申即享 run holds it, the enterprise sees 待核验 with the provenance of each input on 我的政策, a 东莞 city official
verifies both inputs in the queue (dialog, then confirmation), and the next run offers the grant for consent.
Screenshots in test-artifacts/screenshots/verification-*.png."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.auto_grant.variable_policy import KEY, publish_variable_policy
from tests.e2e.conftest import LiveServer, Pages, accept_confirmation, screenshot, wait_idle
from tests.e2e.seed import make_uscc

pytestmark = pytest.mark.browser
NAME = "东莞自报示例科技有限公司"


def _client(server: LiveServer, username: str) -> httpx.Client:
    r = httpx.post(
        f"{server.url}/api/v1/auth/token", json={"username": username, "password": server.demo_password}
    )
    assert r.status_code == 200, r.text
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {r.json()['access_token']}"}, timeout=60
    )


@pytest.fixture(scope="module")
def claimant(live_server: LiveServer) -> dict[str, Any]:
    """A 东莞 enterprise whose answers are its own word, its account, and a 东莞 city official.

    The library's R&D subsidy is an application; its test-only 免申即享 copy (same inputs) carries the money path.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(live_server.db_url)
    with Session(engine) as db:
        publish_variable_policy(db)
        db.commit()
    engine.dispose()
    admin = _client(live_server, "demo-admin")
    r = admin.post(
        "/api/v1/enterprises",
        json={
            "uscc": make_uscc(951, "441900"),
            "name": NAME,
            "region_code": "441900",
            "industry_code": "3562",
        },
    )
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    for username, role, extra in (
        ("e2e-dg-claimant", "enterprise", {"enterprise_id": eid}),
        ("e2e-dg-city", "city_official", {"region_code": "4419"}),
    ):
        r = admin.post(
            "/api/v1/admin/users",
            json={
                "username": username,
                "display_name": username,
                "role": role,
                "password": live_server.demo_password,
                **extra,
            },
        )
        assert r.status_code == 201, r.text
    me = _client(live_server, "e2e-dg-claimant")
    r = me.put(
        f"/api/v1/enterprises/{eid}/policy-answers",
        json={
            "answers": [
                {"key": "dg_innovative_enterprise", "fiscal_year": 0, "value": True},
                {"key": "rd_deductible_expense", "fiscal_year": date.today().year - 1, "value": "3000000.00"},
            ],
            "source": "tax",  # ignored: an enterprise's answer is 企业自报
        },
    )
    assert [a["source"] for a in r.json()] == ["self_reported", "self_reported"]
    return {"id": eid, "official": _client(live_server, "e2e-dg-city")}


def _run(official: httpx.Client) -> list[dict[str, Any]]:
    r = official.post("/api/v1/grant-runs", json={"policy_key": KEY, "as_of": date.today().isoformat()})
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    # The server runs it in the background: wait for the state to say so (a condition, not a fixed delay).
    deadline = time.monotonic() + 60
    while official.get(f"/api/v1/grant-runs/{run_id}").json()["status"] == "running":
        assert time.monotonic() < deadline, "run did not finish within 60 s"
        time.sleep(0.2)
    return list(
        official.get(f"/api/v1/grant-runs/{run_id}/grants", params={"page_size": 200}).json()["items"]
    )


def test_self_reported_match_waits_for_verification_and_is_offered_after_the_official_verifies(
    pages: Pages, claimant: dict[str, Any]
) -> None:
    official = claimant["official"]
    held = [g for g in _run(official) if g["enterprise_name"] == NAME]
    assert [(g["status"], g["status_label"], g["amount_yuan"]) for g in held] == [
        ("pending_verification", "待核验", "150000.00")
    ]

    ent = pages.new("e2e-dg-claimant")
    ent.goto("/my/policies")
    wait_idle(ent)
    expect(ent.locator(f"[data-testid=verification-{KEY}]")).to_have_text("待核验")
    expect(ent.locator(f"[data-testid=provenance-{KEY}]")).to_contain_text("企业自报")
    screenshot(ent, "verification-enterprise-pending")

    page = pages.new("e2e-dg-city")
    page.goto("/verifications")
    wait_idle(page)
    table = page.locator("[data-testid=verification-table]")
    expect(table).to_contain_text(NAME)
    expect(table).to_contain_text("东莞市创新型企业研发投入补助")
    expect(table).to_contain_text("300.00 万元")  # the claimed 3,000,000 元, shown in 万元
    screenshot(page, "verification-queue")
    for _ in range(2):
        table.locator("[data-testid^=verify-]").first.click()
        page.fill("[data-testid=verify-note]", "与科技局名单及税务核定数据比对一致")
        page.fill("[data-testid=verify-evidence]", "东科〔2025〕8号")
        page.click("[data-testid=verification-submit]")
        accept_confirmation(page, "核验通过")
        expect(page.locator(".el-message", has_text="已核验").last).to_be_visible()
        wait_idle(page)
    expect(page.locator("[data-state=empty]")).to_contain_text("暂无核验事项")  # both checked
    assert page.js_errors == []

    offered = [g for g in _run(official) if g["enterprise_name"] == NAME]
    assert [(g["status"], g["amount_yuan"]) for g in offered] == [("matched", "150000.00")]
    ent.goto("/my/policies")
    wait_idle(ent)
    expect(ent.locator(f"[data-testid=provenance-{KEY}]")).to_contain_text("已核验")
    expect(ent.locator(f"[data-testid=verification-{KEY}]")).to_have_count(0)
    screenshot(ent, "verification-enterprise-verified")
    assert ent.js_errors == []


LOAN = "gd_srdi_loan_interest_subsidy"


def test_self_reported_loan_interest_is_shown_as_such_and_counts_once_verified(
    pages: Pages, claimant: dict[str, Any], live_server: LiveServer
) -> None:
    """Decision 0032-interest-subsidy-verified-interest: the interest subsidy (an application) reads the interest
    the enterprise paid, its own word: 我的政策 shows 企业自报 and 待核验, the official verifies it in the queue."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from srdi.enterprise.models import Recognition

    engine = create_engine(live_server.db_url)
    with Session(engine) as db:  # a valid 专精特新 recognition from the official list: eligible
        db.add(
            Recognition(
                enterprise_id=claimant["id"], tier="srdi_sme", level="provincial", status="valid",
                announced_date=date(date.today().year - 1, 1, 1), valid_until=date(date.today().year + 2, 1, 1),
                source="official_list",
            )
        )  # fmt: skip
        db.commit()
    engine.dispose()
    me = _client(live_server, "e2e-dg-claimant")
    r = me.put(
        f"/api/v1/enterprises/{claimant['id']}/policy-answers",
        json={"answers": [{"key": "loan_interest_paid", "fiscal_year": 0, "value": "200000.00"}]},
    )
    assert [a["source"] for a in r.json()] == ["self_reported"], r.text

    ent = pages.new("e2e-dg-claimant")
    ent.goto("/my/policies")
    wait_idle(ent)
    expect(ent.locator(f"[data-testid=verification-{LOAN}]")).to_have_text("待核验")
    expect(ent.locator(f"[data-testid=provenance-{LOAN}]")).to_contain_text("企业自报")
    expect(ent.locator(f"[data-testid=verification-note-{LOAN}]")).to_contain_text(
        "方按核验后的数值测算和兑现"
    )
    screenshot(ent, "verification-loan-interest-pending")

    page = pages.new("e2e-dg-city")
    page.goto("/verifications")
    wait_idle(page)
    row = page.locator("[data-testid=verification-table] tr", has_text="当年实际支付的银行贷款利息")
    expect(row).to_contain_text("20.00 万元")
    row.locator("[data-testid^=verify-]").click()
    page.fill("[data-testid=verify-note]", "与贷款合同及利息支付凭证核对一致")
    page.click("[data-testid=verification-submit]")
    accept_confirmation(page, "核验通过")
    expect(page.locator(".el-message", has_text="已核验").last).to_be_visible()
    assert page.js_errors == []

    ent.goto("/my/policies")
    wait_idle(ent)
    expect(ent.locator(f"[data-testid=provenance-{LOAN}]")).to_contain_text("已核验")
    expect(ent.locator(f"[data-testid=verification-{LOAN}]")).to_have_count(0)
    assert ent.js_errors == []
