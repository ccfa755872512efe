"""The appeals demo hook near a year the calendar lacks: appeals whose deadlines would run into that year are
skipped and counted, the rest load — `srdi demo` never fails in late December."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from srdi.appeal import service
from srdi.appeal.demo import demo_hook
from srdi.appeal.models import Appeal
from srdi.demo.generator import DemoSpec, generate
from srdi.demo.loader import load


def test_demo_appeals_load_on_the_last_day_of_the_known_calendar(db: Session, monkeypatch) -> None:
    from srdi import config

    settings = config.get_settings().model_copy(update={"demo_mode": True})
    monkeypatch.setattr(config, "get_settings", lambda: settings)
    monkeypatch.setattr(service, "now_utc", lambda: datetime(2026, 12, 31, 2, 0, tzinfo=UTC))
    conn = db.connection()
    load(conn, generate(DemoSpec(300, date(2026, 12, 31), seed=7)), seed=7)
    from srdi.auth.demo import create_demo_accounts  # the accounts the hook assigns work to

    create_demo_accounts(db, settings)
    message = demo_hook(conn, None, reset=False)
    stored = db.scalar(select(func.count()).select_from(Appeal))
    assert stored > 0
    assert "未生成" in message and "缺少下一年度节假日安排" in message
