"""The applications demo hook: an open batch, applications in several states, demo-expert with assignments."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from srdi.application import service
from srdi.application.demo import demo_hook
from srdi.application.models import Application, ApplicationBatch
from srdi.auth.models import User
from srdi.demo.generator import DemoSpec, generate
from srdi.demo.loader import load


def test_demo_applications_load_once_with_work_for_every_reviewer(db: Session, monkeypatch, tmp_path) -> None:
    from srdi import config

    settings = config.get_settings().model_copy(update={"demo_mode": True})
    monkeypatch.setattr(config, "get_settings", lambda: settings)
    monkeypatch.setattr(service, "evidence_root", lambda: tmp_path)
    monkeypatch.setattr(service, "today", lambda: date(2026, 11, 2))
    conn = db.connection()
    load(conn, generate(DemoSpec(300, date(2026, 11, 2), seed=7)), seed=7)
    from srdi.auth.demo import create_demo_accounts

    create_demo_accounts(db, settings)
    message = demo_hook(conn, None, reset=False)
    assert message.startswith("申报演示数据：批次 1 个，专家 6 名，申报 9 件"), message
    states = Counter((a.status, a.level) for a in db.scalars(select(Application)).all())
    assert states == {
        ("draft", None): 1,
        ("in_review", "district_review"): 1,
        ("return_for_correction", "district_review"): 1,
        ("in_review", "city_review"): 1,
        ("in_review", "expert_review"): 2,
        ("in_review", "provincial_decision"): 1,
        ("publicity", None): 1,
        ("rejected", None): 1,
    }
    expert = db.scalars(select(User).where(User.username == "demo-expert")).one()
    mine = Counter(r.status for r in service.my_assignments(db, expert))
    assert mine == {"assigned": 2, "scored": 2}
    assert demo_hook(conn, None, reset=False) == "申报演示数据已存在 / demo applications already present"
    assert db.scalar(select(func.count()).select_from(ApplicationBatch)) == 1


def test_demo_dynamic_management_has_tasks_and_reports_in_every_state_once(db: Session, monkeypatch) -> None:
    from srdi import config
    from srdi.application import dynamic_service
    from srdi.application.dynamic_demo import demo_hook as dynamic_hook
    from srdi.application.models import AnnualUpdateTask, MajorChangeReport
    from srdi.auth.demo import create_demo_accounts
    from srdi.enterprise.models import ChangeLog, Enterprise

    settings = config.get_settings().model_copy(update={"demo_mode": True})
    monkeypatch.setattr(config, "get_settings", lambda: settings)
    monkeypatch.setattr(dynamic_service, "today", lambda: date(2026, 11, 2))
    conn = db.connection()
    load(conn, generate(DemoSpec(300, date(2026, 11, 2), seed=7)), seed=7)
    create_demo_accounts(db, settings)
    message = dynamic_hook(conn, None, reset=False)
    assert message.startswith("动态管理演示数据：年度更新任务"), message
    tasks = Counter(t.status for t in db.scalars(select(AnnualUpdateTask)).all())
    # 2026's deadline has passed on 2 November: what is not submitted is overdue, as the sweep records it.
    assert tasks["acknowledged"] == 1 and tasks["submitted"] == 1 and tasks["overdue"] >= 1, tasks
    assert tasks["open"] == 0
    reports = db.scalars(select(MajorChangeReport).order_by(MajorChangeReport.id)).all()
    assert [(r.kind, r.status, r.late) for r in reports] == [
        ("rename", "reported", False),
        ("rename", "acknowledged", False),
        ("cross_province_move", "reported", True),
        ("restructuring", "acknowledged", False),
        ("restructuring", "reported", False),
    ]
    renamed = reports[1]
    assert db.get(Enterprise, renamed.enterprise_id).name == renamed.new_name  # type: ignore[union-attr]
    assert (
        db.scalar(
            select(ChangeLog.new_value).where(
                ChangeLog.enterprise_id == renamed.enterprise_id,
                ChangeLog.entity == "enterprise",
                ChangeLog.field == "name",
            )
        )
        == renamed.new_name
    )
    demo_ent = db.scalar(select(User.enterprise_id).where(User.username == "demo-enterprise"))
    assert reports[-1].enterprise_id == demo_ent
    assert (
        dynamic_hook(conn, None, reset=False)
        == "动态管理演示数据已存在 / demo dynamic management already present"
    )
    assert db.scalar(select(func.count()).select_from(MajorChangeReport)) == 5
    # demo-district has at least one 复核候选 (a title ending within the months of rules/applications/review.yaml).
    district = db.scalars(select(User).where(User.username == "demo-district")).one()
    rows, total, _ = dynamic_service.re_review_candidates(db, district, page=1, page_size=20)
    assert total >= 1 and rows, "no 复核候选 for demo-district"
