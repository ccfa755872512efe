"""The srdi demo hook publishes the library, one budgeted draft, and one 免申即享 run — and is idempotent."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from srdi.auto_grant.demo import demo_hook
from srdi.auto_grant.models import Grant, GrantRun
from srdi.demo.generator import DemoSpec, generate
from srdi.demo.loader import load
from srdi.kit.workdays import beijing_today
from srdi.policy.models import PolicyVersion


def test_demo_hook_creates_a_run_once(db: Session):
    conn = db.connection()
    load(conn, generate(DemoSpec(400, beijing_today(), seed=5)), seed=5)
    first = demo_hook(conn, None, reset=False)
    second = demo_hook(conn, None, reset=False)
    assert first.startswith("政策库已发布")
    assert "已存在" in second
    assert db.scalar(select(func.count()).select_from(GrantRun)) == 1
    run = db.scalars(select(GrantRun)).one()
    grants = db.scalar(select(func.count()).select_from(Grant))
    assert run.status == "done" and grants == run.total > 0
    published = db.scalars(
        select(PolicyVersion).where(
            PolicyVersion.policy_key == "dg_innovative_enterprise_rd_subsidy",
            PolicyVersion.status == "published",
        )
    ).one()
    assert (published.origin, published.budget_fen) == ("draft", 5_000_000_000)
