"""A test-only 免申即享 policy whose amount varies per enterprise, to exercise budgets and allocation orders.

The seed's own 免申即享 pilot (``dg_srdi_award_auto_grant``) pays one fixed amount, which cannot show an order.
This is the Dongguan R&D subsidy file copied under another id with ``mode: auto_grant`` and a stated order — a
fixture of the machinery, never part of the library (the real R&D subsidy is an application, see its file).
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy.orm import Session

from srdi.db.base import utcnow
from srdi.policy import service as policy_service
from srdi.policy.enums import VersionStatus
from srdi.rules_engine.policy import build_policy

KEY = "test_rd_auto_grant"


def publish_variable_policy(
    db: Session, *, order: str = "amount_desc", budget: str | None = None, rate_cap: str = "5%"
) -> Any:
    base = policy_service.library_files()["dg_innovative_enterprise_rd_subsidy"]
    data = copy.deepcopy(base.data)
    data["id"] = KEY
    pol_block = data["policy"]
    pol_block["mode"] = "auto_grant"
    pol_block.pop("review_checks", None)
    pol_block["budget"] = budget
    pol_block["allocation"] = {"order": order, "stated": True, "note": "测试：规定顺序"}
    pol_block["benefit"]["amount_is_maximum"] = False
    pol_block["benefit"]["amount_rule"] = {"kind": "rate", "text": "研发费用 × {rate_cap}", "cite": "测试"}
    for d in data["derived"]:
        if d["id"] == "rate_cap":
            d["expr"] = rate_cap
    pol = build_policy(data, policy_service.rules_dir())
    existing = policy_service.versions_of(db, KEY) if _has(db) else []
    for v in existing:
        if v.status == VersionStatus.published:
            v.status = VersionStatus.superseded
    row = policy_service.new_version(db, pol, data, KEY, len(existing) + 1, "test")
    row.status = VersionStatus.published
    row.published_by, row.published_at = "test", utcnow()
    db.flush()
    return row


def _has(db: Session) -> bool:
    from sqlalchemy import func, select

    from srdi.policy.models import PolicyVersion

    return bool(
        db.scalar(select(func.count()).select_from(PolicyVersion).where(PolicyVersion.policy_key == KEY))
    )
