"""The ``srdi demo`` hook: a published policy library, one draft published with a budget, and one 免申即享 run.

Synthetic only: the Dongguan R&D subsidy needs two facts the registry does not hold (东莞创新型企业 status and
the tax-approved deductible R&D expense); for demo enterprises in 东莞 they are derived deterministically from
the synthetic registry (every fourth enterprise with R&D expense; 90% of that expense), never for real data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from srdi.kit.workdays import beijing_today

KEY = "dg_innovative_enterprise_rd_subsidy"
DEMO_BUDGET = "5000万元"
ACTOR = "demo"


def demo_hook(conn: Connection, result: Any, *, reset: bool) -> str:
    from srdi.auto_grant import repository, service
    from srdi.enterprise.models import Enterprise, YearlyFigure
    from srdi.policy import service as policy_service
    from srdi.policy.models import PolicyAnswer, PolicyVersion

    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        policy_service.sync_library(session, actor=ACTOR)
        today = beijing_today()
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
        drafted = session.scalars(
            select(PolicyVersion).where(PolicyVersion.policy_key == KEY, PolicyVersion.origin == "draft")
        ).first()
        if drafted is None:
            draft = policy_service.create_draft(
                session,
                KEY,
                parameters={},
                budget=DEMO_BUDGET,
                note="演示：设定年度预算5000万元",
                actor=ACTOR,
                scope_prefixes=None,
            )
            policy_service.sandbox(session, draft.id, as_of=today, scope_prefixes=None)
            policy_service.publish(session, draft.id, actor=ACTOR, scope_prefixes=None)
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
