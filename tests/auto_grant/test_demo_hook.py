"""The srdi demo hook publishes the library and one 免申即享 run of the Dongguan 专精特新 award — idempotently."""

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
    assert run.policy_key == "dg_srdi_award_auto_grant"
    # Every grant is the award's 待核实 demo amount (10万元): eligibility from recognition records only.
    amounts = set(db.scalars(select(Grant.amount_fen)))
    assert amounts == {10_000_000}
    published = db.scalars(
        select(PolicyVersion).where(
            PolicyVersion.policy_key == "dg_srdi_award_auto_grant", PolicyVersion.status == "published"
        )
    ).one()
    assert (published.origin, published.budget_fen) == ("library", None)


def test_demo_mixes_provenance_and_binds_dongguan_accounts_to_a_payable_and_a_held_grant(
    db: Session, monkeypatch
):
    from srdi import config
    from srdi.auth.models import User
    from srdi.policy.models import PolicyAnswer

    settings = config.get_settings().model_copy(update={"demo_mode": True})
    monkeypatch.setattr(config, "get_settings", lambda: settings)
    conn = db.connection()
    load(conn, generate(DemoSpec(400, beijing_today(), seed=5)), seed=5)
    message = demo_hook(conn, None, reset=False)
    assert "东莞演示账号 demo-dg-city、demo-dg-enterprise、demo-dg-pending" in message
    sources = set(db.scalars(select(PolicyAnswer.source)).all())
    assert sources == {"official_list", "tax", "self_reported"}
    users = {u.username: u for u in db.scalars(select(User).where(User.username.like("demo-dg-%"))).all()}
    status = {
        name: db.scalars(select(Grant.status).where(Grant.enterprise_id == users[name].enterprise_id)).one()
        for name in ("demo-dg-enterprise", "demo-dg-pending")
    }
    assert status == {"demo-dg-enterprise": "matched", "demo-dg-pending": "pending_verification"}
    assert (users["demo-dg-city"].role, users["demo-dg-city"].region_code) == ("city_official", "4419")
    assert "东莞演示账号" not in demo_hook(conn, None, reset=False)  # idempotent
