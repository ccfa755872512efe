"""The web UI works under the strict Content-Security-Policy (no 'unsafe-inline', no other origin): nothing blocked
on the pages that use the most of Element Plus and ECharts (issue 8, QUALITY S2)."""

from __future__ import annotations

from tests.e2e.conftest import Pages, wait_idle


def test_login_page_has_nothing_blocked_by_the_csp(pages: Pages) -> None:
    page = pages.new()
    page.goto("/login")
    page.locator("[data-testid=demo-accounts] button").first.wait_for()
    assert page.csp_violations == []  # type: ignore[attr-defined]
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_dashboard_and_registry_with_charts_tables_and_dialogs_have_nothing_blocked(pages: Pages) -> None:
    page = pages.new("demo-city")
    page.goto("/dashboard")
    wait_idle(page)
    page.goto("/enterprises")
    wait_idle(page)
    page.goto(f"/enterprises/{pages.server.ids['first']}")
    wait_idle(page)
    page.locator("[data-testid=yearly-table]").wait_for()
    assert page.csp_violations == []  # type: ignore[attr-defined]
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_the_policy_is_enforced_an_injected_inline_script_is_blocked_and_reported(pages: Pages) -> None:
    page = pages.new()
    page.goto("/login")
    page.locator("[data-testid=demo-accounts] button").first.wait_for()
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as report:
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
            " document.head.appendChild(s); }"
        )
    assert page.evaluate("() => window.ran === undefined")
    assert "script-src" in report.value.text
