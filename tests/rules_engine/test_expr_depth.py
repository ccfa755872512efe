"""Expression nesting is bounded (srdi.rules_engine.expr.parser.MAX_DEPTH): a clear RuleError, no RecursionError."""

from __future__ import annotations

import pytest

from srdi.rules_engine.errors import RuleError
from srdi.rules_engine.expr.parser import MAX_DEPTH, parse, parse_literal


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000 + "1" + ")" * 5000,
        "not " * 5000 + "true",
        "-" * 5000 + "1",
        "max(" * 5000 + "1" + ")" * 5000,
    ],
)
def test_5000_levels_of_nesting_are_refused_with_a_clear_error(text):
    with pytest.raises(RuleError, match=f"表达式嵌套层数过多（上限 {MAX_DEPTH} 层）"):
        parse(text)


def test_nesting_up_to_the_bound_still_parses():
    node = parse_literal("(" * (MAX_DEPTH - 1) + "600万元" + ")" * (MAX_DEPTH - 1))
    assert (node.value, node.unit) == (600 * 1_000_000, "money")


def test_a_policy_draft_with_5000_nested_parentheses_gives_422(client_as):
    official = client_as("city_official", region_code="4419")
    rate = "(" * 5000 + "4%" + ")" * 5000
    r = official.post(
        "/api/v1/policies/dg_innovative_enterprise_rd_subsidy/drafts", json={"parameters": {"rate_cap": rate}}
    )
    assert r.status_code == 422, r.text[:300]
    assert r.json()["message"].startswith("政策草稿有误：")
    assert "表达式嵌套层数过多（上限 50 层）" in r.json()["message"]
