"""The ``srdi demo`` hook: a published policy library and one 免申即享 run of the seed's own pilot.

The run is the Dongguan 专精特新 award (seed 004, 工信局 reply 二(二)): eligibility comes from the recognition
records, the enterprise only confirms and gives its account, and the payment is due within 2 working days.
Synthetic only: the Dongguan R&D subsidy (an application, not 免申即享) needs two facts the registry does not
hold; for demo enterprises in 东莞 they are derived deterministically from the synthetic registry (every fourth
enterprise with R&D expense; 90% of that expense), never for real data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

KEY = "dg_srdi_award_auto_grant"
ACTOR = "demo"


def demo_hook(conn: Connection, result: Any, *, reset: bool) -> str:
    from srdi.auto_grant import repository, service
    from srdi.enterprise.models import Enterprise, YearlyFigure
    from srdi.policy import service as policy_service
    from srdi.policy.models import PolicyAnswer

    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        policy_service.sync_library(session, actor=ACTOR)
        today = date.today()
        year = today.year - 1
        rows = session.execute(
            select(Enterprise.id, YearlyFigure.rd_expense)
            .join(YearlyFigure, YearlyFigure.enterprise_id == Enterprise.id)
            .where(
                Enterprise.region_code.startswith("4419"),
                Enterprise.is_synthetic.is_(True),
                YearlyFigure.fiscal_year == year,
                YearlyFigure.rd_expense > 0,
            )
            .order_by(Enterprise.id)
        ).all()
        have = {a.enterprise_id for a in repository_answers(session, [r[0] for r in rows])}
        added = 0
        for i, (eid, rd_fen) in enumerate(rows):
            if eid in have or i % 4 or rd_fen is None:
                continue
            deductible_fen = rd_fen * 9 // 10
            session.add_all(
                [
                    PolicyAnswer(
                        enterprise_id=eid,
                        key="dg_innovative_enterprise",
                        fiscal_year=0,
                        value=True,
                        updated_by=ACTOR,
                    ),
                    PolicyAnswer(
                        enterprise_id=eid,
                        key="rd_deductible_expense",
                        fiscal_year=year,
                        value=f"{deductible_fen // 100}.{deductible_fen % 100:02d}",
                        updated_by=ACTOR,
                    ),
                ]
            )
            added += 1
        session.flush()
        run = None
        if not repository.runs(session, limit=1):
            run = service.create_run(session, KEY, today, actor=ACTOR, scope_prefixes=None)
            service.execute_run(session, run)
        session.commit()
        by_status = (run.summary or {}).get("by_status", {}) if run else {}
    finally:
        session.close()
    return (
        f"政策库已发布；东莞演示补充信息 {added} 家；免申即享批次 {by_status or '已存在'} / "
        f"policy library published; {added} Dongguan demo answers; auto-grant run {by_status or 'exists'}"
    )


def repository_answers(session: Session, ids: list[int]) -> list[Any]:
    from srdi.policy import repository

    out = []
    for i in range(0, len(ids), 500):
        out += repository.answers_of(session, ids[i : i + 500])
    return out
