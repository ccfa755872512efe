"""The financing demo hook: demo-bank works for a bank with requests to handle; products exist in every review
state, requests in every state, last quarter's lists approved and this quarter's a draft; a second run adds nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from srdi.auth.models import User
from srdi.demo.generator import DemoSpec, generate
from srdi.demo.loader import load
from srdi.finance import repository
from srdi.finance.demo import demo_hook
from srdi.finance.models import FinancingRequest, LoanProduct, WhitelistRun


def test_demo_hook_gives_demo_bank_work_in_every_state_and_is_idempotent(db: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from srdi import config

    settings = config.get_settings().model_copy(update={"demo_mode": True})
    monkeypatch.setattr(config, "get_settings", lambda: settings)
    conn = db.connection()
    load(conn, generate(DemoSpec(200, date(2026, 12, 1), seed=11)), seed=11)
    from srdi.auth.demo import create_demo_accounts

    create_demo_accounts(db, settings)
    first = demo_hook(conn, None, reset=False)
    assert "银行 3 家，新建产品 6 个" in first and "融资需求 8 笔" in first
    bank_user = db.scalars(select(User).where(User.username == "demo-bank")).one()
    bank = repository.bank_of_user(db, bank_user.id)
    assert bank is not None and bank.code == "gd_ifb"
    statuses = set(db.scalars(select(FinancingRequest.status)).all())
    assert statuses == {"submitted", "accepted", "info_requested", "approved", "declined", "withdrawn"}
    assert set(db.scalars(select(LoanProduct.status)).all()) == {"published", "pending_review", "rejected"}
    assert (
        db.scalar(
            select(func.count()).select_from(FinancingRequest).where(FinancingRequest.bank_id == bank.id)
        )
        == 4
    )
    runs = {(r.list_key, r.status) for r in db.scalars(select(WhitelistRun)).all()}
    assert ("dg_industry_finance", "approved") in runs and ("dg_industry_finance", "draft") in runs
    again = demo_hook(conn, None, reset=False)
    assert "新建产品 0 个、白名单批次 0 个、融资需求 0 笔" in again
    # --reset: the lists and demo requests are made again for the new demo enterprises.
    after_reset = demo_hook(conn, None, reset=True)
    assert "新建产品 0 个、白名单批次 3 个、融资需求 8 笔" in after_reset
