"""Versions stored before amount rules and bounds were required still load (history, grants, traces), without
an invented rule: the amount rule says it was not recorded and the 统一社会信用代码 order becomes pro rata."""

from __future__ import annotations

import copy

import pytest

from srdi.policy import service
from srdi.policy.models import PolicyVersion
from srdi.rules_engine.errors import RuleError
from srdi.rules_engine.policy import build_policy


def _legacy_rd() -> dict:  # type: ignore[type-arg]
    data = copy.deepcopy(service.library_files()["dg_innovative_enterprise_rd_subsidy"].data)
    data["id"] = "legacy_rd"
    del data["policy"]["benefit"]["amount_rule"]
    del data["policy"]["bounds"]
    data["policy"]["allocation"] = {"order": "uscc"}
    return data


def test_a_legacy_version_is_refused_as_a_new_draft_but_reads_as_history(db):
    data = _legacy_rd()
    with pytest.raises(RuleError):
        build_policy(data, service.rules_dir())
    row = PolicyVersion(
        policy_key="legacy_rd",
        version=1,
        status="superseded",
        origin="draft",
        title="旧版",
        mode="application",
        region_codes=["4419"],
        budget_fen=None,
        data=data,
        content_hash="legacy-test-hash",
        created_by="test",
    )
    db.add(row)
    db.flush()
    pol = service.policy_of(row)
    assert (pol.allocation_order, pol.allocation_stated) == ("pro_rata", False)
    assert pol.amount_rule == {"kind": "capped", "text": "（旧版本未记载金额规则）", "cite": "旧版本"}
    assert pol.bounds["rd_deductible_y1"].max_text == "10000亿元"
