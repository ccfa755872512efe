"""The ``srdi demo`` hook: a published policy library and one 免申即享 run of the seed's own pilot.

The run is the Dongguan 专精特新 award (seed 004, 工信局 reply 二(二)): eligibility comes from the recognition
records, the enterprise only confirms and gives its account, and the payment is due within 2 working days.
Synthetic only: the Dongguan R&D subsidy (an application, not 免申即享) needs two facts the registry does not
hold; for demo enterprises in 东莞 they are derived deterministically from the synthetic registry (every fourth
enterprise with R&D expense; 90% of that expense), never for real data.

Provenance is mixed, as on a real platform (decision 0012-provenance): most answers arrive as an official's
imports (科技局 list → 官方名单, 税务核定 → 税务), every third of them as the enterprise's own word (企业自报).
One Dongguan enterprise's 专精特新 recognition is recorded as its own declaration (the list that would prove it
has not been imported), so the award run holds that grant 待核验 in the verification queue. In demo mode two
Dongguan enterprise accounts and a Dongguan city official are added: ``demo-dg-enterprise`` can confirm a real
grant, ``demo-dg-pending`` waits for verification, ``demo-dg-city`` (东莞市工业和信息化局) verifies or rejects.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from srdi.kit.workdays import beijing_today

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
        have = {a.enterprise_id for a in policy_service.answers_of_many(session, [r[0] for r in rows])}
        added = 0
        for i, (eid, rd_fen) in enumerate(rows):
            if eid in have or i % 4 or rd_fen is None:
                continue
            deductible_fen = rd_fen * 9 // 10
            own_word = (i // 4) % 3 == 1  # every third answering enterprise filled the answers in itself
            session.add_all(
                [
                    PolicyAnswer(
                        enterprise_id=eid,
                        key="dg_innovative_enterprise",
                        fiscal_year=0,
                        value=True,
                        source="self_reported" if own_word else "official_list",
                        updated_by=ACTOR,
                    ),
                    PolicyAnswer(
                        enterprise_id=eid,
                        key="rd_deductible_expense",
                        fiscal_year=year,
                        value=f"{deductible_fen // 100}.{deductible_fen % 100:02d}",
                        source="self_reported" if own_word else "tax",
                        updated_by=ACTOR,
                    ),
                ]
            )
            added += 1
        session.flush()
        _declared_recognition(session)
        run = None
        if not repository.runs(session, limit=1):
            run = service.create_run(session, KEY, today, actor=ACTOR, scope_prefixes=None)
            service.execute_run(session, run)
        accounts = _dongguan_accounts(session)
        session.commit()
        by_status = (run.summary or {}).get("by_status", {}) if run else {}
    finally:
        session.close()
    return (
        f"政策库已发布；东莞演示补充信息 {added} 家；免申即享批次 {by_status or '已存在'}{accounts} / "
        f"policy library published; {added} Dongguan demo answers; auto-grant run {by_status or 'exists'}"
    )


DONGGUAN_ACCOUNTS = (
    # username, display name, the grant status of the enterprise it is bound to
    ("demo-dg-enterprise", "东莞企业用户（演示：可确认免申即享）", "matched"),
    ("demo-dg-pending", "东莞企业用户（演示：待核验）", "pending_verification"),
)


def _dongguan_accounts(session: Session) -> str:
    """Accounts that show the money path end to end (demo mode only; existing ones are left alone)."""
    from srdi.auth.enums import Role
    from srdi.auth.service import UserData, create_user, get_user_by_username
    from srdi.auto_grant.models import Grant
    from srdi.config import get_settings

    settings = get_settings()
    if not settings.demo_mode:
        return ""
    made = []
    if get_user_by_username(session, "demo-dg-city") is None:
        create_user(
            session,
            UserData("demo-dg-city", "东莞市工业和信息化局（演示）", Role.city_official, settings.demo_password,
                     region_code="4419", is_demo=True),
            settings,
            actor=None,
        )  # fmt: skip
        made.append("demo-dg-city")
    for username, display, status in DONGGUAN_ACCOUNTS:
        if get_user_by_username(session, username) is not None:
            continue
        grant = session.scalars(
            select(Grant)
            .where(Grant.policy_key == KEY, Grant.status == status)
            .order_by(Grant.rank, Grant.id)
        ).first()
        if grant is None:
            continue
        create_user(
            session,
            UserData(username, display, Role.enterprise, settings.demo_password, enterprise_id=grant.enterprise_id,
                     is_demo=True),
            settings,
            actor=None,
        )  # fmt: skip
        made.append(username)
    return f"；东莞演示账号 {'、'.join(made)}" if made else ""


def _declared_recognition(session: Session) -> None:
    """One Dongguan enterprise's 省级专精特新 recognition as the enterprise's own declaration (企业自报)."""
    from srdi.enterprise.models import Enterprise, Recognition

    if session.scalars(select(Recognition.id).where(Recognition.source == "self_reported")).first():
        return
    rec = session.scalars(
        select(Recognition)
        .join(Enterprise, Enterprise.id == Recognition.enterprise_id)
        .where(
            Enterprise.region_code.startswith("4419"),
            Enterprise.is_synthetic.is_(True),
            Recognition.tier == "srdi_sme",
            Recognition.level == "provincial",
            Recognition.status == "valid",
        )
        .order_by(Recognition.id)
    ).first()
    if rec is not None:
        rec.source = "self_reported"
        session.flush()
