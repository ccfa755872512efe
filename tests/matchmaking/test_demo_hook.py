"""The matchmaking demo hook: leaders in 深圳/东莞/重庆 with needs at every step, capabilities, bids; idempotent;
demo-chain-leader's needs have matches and its district official a review queue."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from srdi.auth.models import User
from srdi.demo.generator import DemoSpec, generate
from srdi.demo.loader import load
from srdi.matchmaking import service
from srdi.matchmaking.demo import demo_hook
from srdi.matchmaking.models import Bid, Capability, MatchNeed


def test_demo_matchmaking_loads_needs_at_every_step_once(db: Session, monkeypatch) -> None:
    from srdi import config

    settings = config.get_settings().model_copy(update={"demo_mode": True})
    monkeypatch.setattr(config, "get_settings", lambda: settings)
    service._invalidate()
    conn = db.connection()
    load(conn, generate(DemoSpec(300, date(2026, 11, 30), seed=7)), seed=7)
    from srdi.auth.demo import create_demo_accounts

    create_demo_accounts(db, settings)
    message = demo_hook(conn, None, reset=False)
    assert message.startswith("供需对接：新发布需求 10 项"), message
    statuses = Counter(db.scalars(select(MatchNeed.status)).all())
    assert statuses == {
        "open": 5,
        "pending_review": 1,
        "delivered": 1,
        "in_progress": 1,
        "taken": 1,
        "failed": 1,
    }
    assert db.scalar(select(func.count()).select_from(Capability)) > 50
    assert db.scalar(select(func.count()).select_from(Bid)) >= 10
    leaders = {u.username: u for u in db.scalars(select(User).where(User.role == "chain_leader"))}
    assert set(leaders) == {"demo-chain-leader", "demo-chain-leader-dg", "demo-chain-leader-cq"}
    sz = leaders["demo-chain-leader"]
    mine = service.list_needs(db, sz, view="mine")
    assert len(mine) == 5
    open_need = next(n for n in mine if n.title == "机器人视觉引导与表面缺陷检测系统")
    assert service.matches_for_need(db, open_need, top_k=5)
    district = db.scalar(select(User).where(User.username == "demo-district"))
    assert [n.title for n in service.list_needs(db, district, view="review", status="pending_review")] == [
        "机器人用高柔性拖链电缆"
    ]
    # Again: nothing new.
    assert demo_hook(conn, None, reset=False).startswith("供需对接：新发布需求 0 项")


def test_demo_events_and_talent_needs_load_once_with_outcomes_for_the_demo_roles(
    db: Session, monkeypatch
) -> None:
    from srdi import config
    from srdi.auth.demo import create_demo_accounts
    from srdi.matchmaking import events_demo
    from srdi.matchmaking.models import EventOutcome, MatchEvent, TalentNeed
    from srdi.monitoring import service as monitoring_service
    from srdi.monitoring import targets

    settings = config.get_settings().model_copy(update={"demo_mode": True})
    monkeypatch.setattr(config, "get_settings", lambda: settings)
    service._invalidate()
    conn = db.connection()
    load(conn, generate(DemoSpec(300, date(2026, 11, 30), seed=7)), seed=7)
    create_demo_accounts(db, settings)
    demo_hook(conn, None, reset=False)
    message = events_demo.demo_hook(conn, None, reset=False)
    assert message.startswith("对接活动：新建活动 10 场"), message
    assert Counter(db.scalars(select(MatchEvent.status)).all()) == {"held": 6, "open": 4}
    outcomes = db.scalars(select(EventOutcome)).all()
    assert len(outcomes) == 6
    own = db.scalar(select(User).where(User.username == "demo-enterprise"))
    assert own is not None
    pending = [o for o in outcomes if o.seller_enterprise_id == own.enterprise_id]
    assert [(o.title, o.confirmed_at, o.verified_at) for o in pending] == [
        ("谐波减速器批量采购框架协议", None, None)
    ]
    assert len(db.scalars(select(TalentNeed).where(TalentNeed.enterprise_id == own.enterprise_id)).all()) == 2
    # Dongguan's three held 对接会 count towards its ≥ 5 a year (when they fall in this year).
    from srdi.kit.workdays import beijing_today

    today = beijing_today()
    dg = next(
        t
        for t in targets.rules().targets
        if t.region == "4419" and t.measure == "leader_matchmaking" and t.year == today.year
    )
    held_this_year = sum(
        1
        for e in db.scalars(
            select(MatchEvent).where(MatchEvent.region_code == "441900", MatchEvent.status == "held")
        )
        if e.event_date.year == today.year and e.kind == "matchmaking"
    )
    actual = monitoring_service.actual_of(db, dg, today)
    assert actual == (held_this_year or None)
    # Idempotent.
    assert events_demo.demo_hook(conn, None, reset=False).startswith(
        "对接活动：新建活动 0 场、合作成果 0 项；用人用工需求 0 项"
    )
