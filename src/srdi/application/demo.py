"""The ``srdi demo`` hook: an open 专精特新 batch, an expert pool, applications in several states, and
demo-expert with blind assignments to score.

Each application is taken through the real service (create → evidence → submit → reviews → experts → 公示), so
its timeline is what the service writes. The demo enterprise's own account gets no application: it is the one a
visitor walks through (issue 14 "done when"). Idempotent: once the demo batch exists, nothing more is added.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

DEMO_BATCH = "2026年广东省专精特新中小企业申报（演示批次）"
# A minimal valid PDF: evidence the demo reviewers can open.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
# (name, region) of the pool; demo-expert is added with its account. 440305 is the demo district: that expert is
# a conflict for its enterprises and is never drawn for them.
POOL = (
    ("陈志远", "440106"),
    ("林晓梅", "440304"),
    ("黄建国", "440606"),
    ("周文斌", "441302"),
    ("吴海燕", "440305"),
)
# What each demo application is taken to, in order.
TARGETS = (
    "draft",
    "district_review",
    "return_for_correction",
    "city_review",
    "expert_review",
    "expert_review_half",
    "provincial_decision",
    "publicity",
    "rejected",
)


def demo_hook(conn: Connection, result: Any, *, reset: bool) -> str:
    from srdi.application import service
    from srdi.application.enums import ReviewAction
    from srdi.application.models import ApplicationBatch
    from srdi.auth.enums import DEMO_REGION_DISTRICT
    from srdi.auth.models import User
    from srdi.enterprise.models import Enterprise
    from srdi.kit.workdays import CalendarYearMissing

    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        if session.scalar(select(ApplicationBatch.id).where(ApplicationBatch.name == DEMO_BATCH)) is not None:
            session.commit()
            return "申报演示数据已存在 / demo applications already present"
        users = {u.username: u for u in session.scalars(select(User).where(User.is_demo.is_(True))).all()}
        needed = ("demo-admin", "demo-province", "demo-city", "demo-district", "demo-expert")
        if any(n not in users for n in needed):
            session.commit()
            return "未生成申报演示数据：缺少演示账号 / demo applications skipped: no demo accounts"
        own = {u.enterprise_id for u in users.values() if u.enterprise_id is not None}
        ents = [
            e
            for e in session.scalars(
                select(Enterprise)
                .where(Enterprise.is_synthetic.is_(True), Enterprise.region_code == DEMO_REGION_DISTRICT)
                .order_by(Enterprise.id)
            ).all()
            if e.id not in own
        ][: len(TARGETS)]
        day = service.today()
        batch = service.create_batch(
            session,
            service.BatchData(
                name=DEMO_BATCH,
                tier="srdi_sme",
                purpose="new_application",
                region_code="44",
                open_date=day - timedelta(days=20),
                close_date=day + timedelta(days=40),
            ),
            users["demo-province"],
        )
        demo_expert = service.create_expert(
            session,
            service.ExpertData(
                name="评审专家（演示）",
                region_code="440106",
                fields=["35", "39"],
                user_id=users["demo-expert"].id,
            ),
        )
        pool = [
            service.create_expert(
                session, service.ExpertData(name=n, region_code=r, fields=["34", "35", "39"])
            )
            for n, r in POOL
        ]
        made = skipped = 0
        for ent, target in zip(ents, TARGETS, strict=False):
            try:
                with session.begin_nested():
                    _walk(session, service, ReviewAction, User, ent, batch, target, users, demo_expert, pool)
                made += 1
            except CalendarYearMissing:
                skipped += 1
        session.commit()
        note = f"，{skipped} 件因缺少下一年度节假日安排未生成" if skipped else ""
        return (
            f"申报演示数据：批次 1 个，专家 {len(pool) + 1} 名，申报 {made} 件{note} / "
            f"demo applications: 1 batch, {len(pool) + 1} experts, {made} applications"
        )
    finally:
        session.close()


def _walk(  # type: ignore[no-untyped-def]
    session,
    service,
    ReviewAction,
    User,
    ent,
    batch,
    target,
    users,
    demo_expert,
    pool,
) -> None:
    # Demo enterprises other than the demo account's have no login: an unsaved account stands for their 填报人.
    applicant = User(
        username=f"demo-applicant-{ent.id}",
        display_name="企业填报人（演示）",
        role="enterprise",
        enterprise_id=ent.id,
    )
    app = service.create_application(session, ent, batch, applicant)
    service.update_draft(
        session, applicant, app.id, statement="主营产品深耕细分市场，申请认定专精特新中小企业。", pledge=True
    )
    if target == "draft":
        return
    for item in ("N2", "N3", "N6"):
        service.store_evidence(session, applicant, app.id, item, f"{item}证明材料.pdf", DEMO_PDF)
    service.submit(session, applicant, app.id)
    district, city, province = users["demo-district"], users["demo-city"], users["demo-province"]

    def step(who: Any, level: str, action: Any = None, **kw: Any) -> None:
        service.review(session, who, app.id, service.ReviewData(action or ReviewAction.approve, level, **kw))

    if target == "district_review":
        return
    if target == "return_for_correction":
        step(district, "district_review", ReviewAction.return_, reason="研发费用材料不完整",
             items=["补充近两年研发费用专项审计报告"])  # fmt: skip
        return
    if target == "rejected":
        step(
            district, "district_review", ReviewAction.reject, reason="上年度资产负债率高于80%，不符合认定条件"
        )
        return
    step(district, "district_review")
    if target == "city_review":
        return
    step(city, "city_review")
    others = [e for e in pool if e.region_code != ent.region_code]
    rows = service.assign_experts(session, province, app.id, expert_ids=[demo_expert.id, others[0].id])
    if target == "expert_review":
        return
    sheet = {s.id: 8 for s in service.scoring_sheet(app)}
    other_row = next(r for r in rows if r.expert_id != demo_expert.id)
    # The pool's other expert has no login: its score is entered for it, as a 专家组 secretary would.
    service.enter_scores(session, other_row, sheet, "符合条件。")
    if target == "expert_review_half":
        return
    demo_row = next(r for r in rows if r.expert_id == demo_expert.id)
    service.submit_scores(session, users["demo-expert"], demo_row.id, sheet, "材料齐全，研发投入持续。")
    if target == "provincial_decision":
        return
    step(province, "provincial_decision", reason="经审核和专家评审，拟认定")
