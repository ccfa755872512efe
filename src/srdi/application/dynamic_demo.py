"""The ``srdi demo`` hook of 动态管理: this year's annual update tasks for the recognised demo enterprises of the demo
district (one acknowledged, one awaiting confirmation, the rest open or, past the deadline, overdue as the
scheduler's sweep records it) and major-change reports in every state (a 更名 awaiting confirmation, a confirmed 更名
that renamed the registry entry, a late 跨省迁移, a confirmed 重组, and one from the demo enterprise's own account).

Reports and acknowledgements go through the real service, so 变更历史 shows what the service writes. Idempotent:
once a demo report exists, nothing more is added (``--reset`` removes them with the demo enterprises).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

DEMO_REPORTER = "企业填报人（演示）"
DEMO_OPENER = "系统（演示数据）"


def _renamed(name: str) -> str:
    stem = name.removesuffix("有限公司").removesuffix("股份")
    return f"{stem}科技有限公司" if not stem.endswith("科技") else f"{stem}智能有限公司"


def _ensure_re_review_candidate(session: Session, own: set[int], day: Any) -> int:
    """At least one title of the demo district ending within the 复核候选 months, so 动态管理's 复核候选 list is
    not empty: when the generated registry has none, one recognised enterprise gets a title of a 2023 batch ending
    in about two months (synthetic like the rest). Returns the titles added (0 or 1)."""
    from srdi.application import dynamic_service as dyn
    from srdi.application.service import workflow
    from srdi.auth.enums import DEMO_REGION_DISTRICT
    from srdi.enterprise.models import Enterprise, Recognition

    until = dyn.add_months(day, workflow().re_review_candidate_months)
    in_district = (
        select(Recognition.id)
        .join(Enterprise, Enterprise.id == Recognition.enterprise_id)
        .where(
            Enterprise.region_code.startswith(DEMO_REGION_DISTRICT),
            Recognition.tier.in_(dyn.RECOGNISED),
            Recognition.status == "valid",
            Recognition.valid_until >= day,
            Recognition.valid_until <= until,
        )
    )
    if session.scalar(in_district.limit(1)) is not None:
        return 0
    rows = session.scalars(
        select(Enterprise)
        .where(Enterprise.is_synthetic.is_(True), Enterprise.region_code == DEMO_REGION_DISTRICT)
        .order_by(Enterprise.id)
    ).all()
    ent = next((e for e in rows if e.id not in own), rows[0] if rows else None)
    if ent is None:
        return 0
    ends = day + timedelta(days=60)
    ent.recognitions.append(
        Recognition(
            tier="srdi_sme", level="provincial", batch=f"{ends.year - 3}年第一批（演示数据）",
            announced_date=dyn.add_years(ends, -3), valid_until=ends, status="valid", source="official_list",
            evidence="演示数据：即将到期、待复核",
        )
    )  # fmt: skip
    session.flush()
    return 1


def demo_hook(conn: Connection, result: Any, *, reset: bool) -> str:
    from srdi.application import dynamic_service as dyn
    from srdi.application.enums import MajorChangeKind, UpdateTaskStatus
    from srdi.application.models import MajorChangeReport
    from srdi.auth.enums import DEMO_REGION_DISTRICT
    from srdi.auth.models import User
    from srdi.enterprise.models import Enterprise
    from srdi.kit.workdays import utc_now

    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        # The reports' actor is the demo 填报人 with its role, as actor_name writes it.
        exists = select(MajorChangeReport.id).where(MajorChangeReport.reported_by.startswith(DEMO_REPORTER))
        if session.scalar(exists) is not None:
            session.commit()
            return "动态管理演示数据已存在 / demo dynamic management already present"
        users = {u.username: u for u in session.scalars(select(User).where(User.is_demo.is_(True))).all()}
        if any(n not in users for n in ("demo-district", "demo-enterprise")):
            session.commit()
            return "未生成动态管理演示数据：缺少演示账号 / demo dynamic management skipped: no demo accounts"
        district = users["demo-district"]
        own = {u.enterprise_id for u in users.values() if u.enterprise_id is not None}
        day = dyn.today()

        # Annual update tasks of this year, as the district would open them (the 1 January job opens all regions').
        tasks = dyn._open_tasks(
            session,
            day.year,
            lambda e: e.region_code == DEMO_REGION_DISTRICT and e.id not in own,
            DEMO_OPENER,
        )
        for i, task in enumerate(tasks[:2]):
            # Submitted in time by the enterprise (the figures themselves stay as the registry has them).
            task.status = UpdateTaskStatus.submitted.value
            task.submitted_at = utc_now()
            task.submitted_by = DEMO_REPORTER
            task.note = "已按上年度财务报表更新（演示数据）"
            session.flush()
            dyn._log(
                session, task.enterprise_id, "annual_update_task", task.id, UpdateTaskStatus.open.label,
                UpdateTaskStatus.submitted.label, DEMO_REPORTER, f"提交{task.fiscal_year}年度更新（演示数据）",
            )  # fmt: skip
            if i == 0:
                dyn.acknowledge_annual_update(session, district, task.id, "已核对（演示数据）")
        overdue = dyn.sweep_overdue(session, day, batch=10_000).overdue

        # Major-change reports, from the enterprises' (unsaved) 填报人 accounts.
        ents = [
            e
            for e in session.scalars(
                select(Enterprise)
                .where(Enterprise.is_synthetic.is_(True), Enterprise.region_code == DEMO_REGION_DISTRICT)
                .order_by(Enterprise.id.desc())
            ).all()
            if e.id not in own
        ][:4]
        plans = (
            (MajorChangeKind.rename, 20, "完成工商变更登记，企业名称变更", True, False),
            (MajorChangeKind.rename, 45, "完成工商变更登记，企业名称变更", True, True),
            (MajorChangeKind.cross_province_move, 150, "生产基地及注册地迁至湖南省长沙市", False, False),
            (MajorChangeKind.restructuring, 60, "引入战略投资者，完成股权重组", False, True),
        )
        reports = 0
        for ent, (kind, days_ago, text, rename, acknowledge) in zip(ents, plans, strict=False):
            applicant = User(
                username=f"demo-reporter-{ent.id}", display_name=DEMO_REPORTER, role="enterprise",
                enterprise_id=ent.id,
            )  # fmt: skip
            row = dyn.report_major_change(
                session, applicant, kind, day - timedelta(days=days_ago), text,
                new_name=_renamed(ent.name) if rename else None,
            )  # fmt: skip
            reports += 1
            if acknowledge:
                dyn.acknowledge_major_change(session, district, row.id, "已核对营业执照（演示数据）")
        mine = users["demo-enterprise"]
        if mine.enterprise_id is not None:
            me = User(
                username="demo-reporter-own", display_name=DEMO_REPORTER, role="enterprise",
                enterprise_id=mine.enterprise_id,
            )  # fmt: skip
            dyn.report_major_change(
                session,
                me,
                MajorChangeKind.restructuring,
                day - timedelta(days=10),
                "新设全资子公司承接研发业务",
            )
            reports += 1
        candidates = _ensure_re_review_candidate(session, own, day)
        session.commit()
        open_left = sum(1 for t in tasks if t.status == UpdateTaskStatus.open.value)
        return (
            f"动态管理演示数据：年度更新任务 {len(tasks)} 项（逾期 {overdue} 项，待更新 {open_left} 项），"
            f"重大变化报告 {reports} 份 / demo dynamic management: {len(tasks)} annual update tasks, "
            f"{reports} major-change reports" + (f"；补充复核候选 {candidates} 项" if candidates else "")
        )
    finally:
        session.close()
