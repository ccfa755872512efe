"""Every audit action the code writes has a Chinese label (the audit log page shows labels, never codes): the
literal action strings found in the source, and the families built from an enum (f"appeal.{action}")."""

from __future__ import annotations

import re

from srdi.appeal.enums import AppealAction
from srdi.auth.enums import AUDIT_ACTION_LABELS, AuditAction
from srdi.config import REPO_ROOT
from srdi.finance.enums import RequestAction
from srdi.matchmaking.enums import BidAction, NeedAction

LITERAL = re.compile(r'audit\(\s*\w+\s*,\s*[^,()]+,\s*"([a-z_]+(?:\.[a-z_]+)+)"')


def _written_codes() -> set[str]:
    codes = {a.value for a in AuditAction}
    for path in (REPO_ROOT / "src" / "srdi").rglob("*.py"):
        codes |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    codes |= {f"appeal.{a.value}" for a in AppealAction}
    codes |= {f"finance.request_{a.value}" for a in RequestAction}
    codes |= {f"matchmaking.need.{a.value}" for a in NeedAction}
    codes |= {f"matchmaking.bid.{a.value}" for a in BidAction}
    return codes


def test_every_audit_action_written_has_a_label() -> None:
    codes = _written_codes()
    assert len(codes) > 40  # the scan found the literal actions, not nothing
    assert sorted(codes - set(AUDIT_ACTION_LABELS)) == []
