"""Reminders on the working-day deadlines of review (issue 14 deliverable 4): the expert's scoring deadline and the
enterprise's 补正 deadline.

``remind_before_working_days`` (rules/applications/review.yaml) working days before a deadline the one it concerns
gets an inbox notice, and one more on the first day after it passed; an expert's notice goes to the expert's own
account and never names the enterprise (blind review). Exactly once per item and deadline: the notice's dedupe key
carries the item and the due date, and ``notification_service.notify_once`` inserts it under the unique constraint,
so two workers (or a rerun after a crash before the commit) never send it twice. A correction returned again has a
new due date, hence new notices. Dates are Beijing's (``service.today``, replaced in tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from srdi.application import service
from srdi.application.enums import ApplicationStatus, AssignmentStatus
from srdi.application.models import Application, Expert, ExpertAssignment
from srdi.notification import service as notification_service

# A deadline that passed longer ago than this gets no "passed" notice any more: the sweep runs every few seconds,
# so only a scheduler stopped for a month misses one, and the scan stays bounded by the recent deadlines.
LOOKBACK_DAYS = 30
KIND = "review_deadline"


@dataclass
class ReminderResult:
    correction_due: int = 0
    correction_passed: int = 0
    expert_due: int = 0
    expert_passed: int = 0

    @property
    def total(self) -> int:
        return self.correction_due + self.correction_passed + self.expert_due + self.expert_passed


def send_reminders(db: Session, day: date | None = None) -> ReminderResult:
    """Every reminder due on ``day`` not yet sent. The caller commits."""
    day = day or service.today()
    cal = service.calendar(db)
    flow = service.workflow()
    out = ReminderResult()
    oldest = day - timedelta(days=LOOKBACK_DAYS)

    until = cal.add_working_days(day, flow.correction_remind_days)
    returned = db.scalars(
        select(Application)
        .where(
            Application.status == ApplicationStatus.returned.value,
            Application.correction_due_date.is_not(None),
            Application.correction_due_date >= oldest,
            Application.correction_due_date <= until,
        )
        .order_by(Application.correction_due_date, Application.id)
    ).all()
    for app in returned:
        due = app.correction_due_date
        assert due is not None
        items = "；".join(app.correction_items) or "见退回意见"
        if due < day:
            sent = notification_service.notify_once(
                db, enterprise_id=app.enterprise_id, kind=KIND, title=f"补正期限已于{due}届满",
                body=f"申报 #{app.id} 的补正期限已过，申报不能再提交；如有异议请联系主管部门。待补正：{items}",
                link=f"/applications/{app.id}", dedupe_key=f"deadline:correction:{app.id}:{due}:passed",
            )  # fmt: skip
            out.correction_passed += sent
        else:
            left = cal.working_days_between(day, due)
            sent = notification_service.notify_once(
                db, enterprise_id=app.enterprise_id, kind=KIND, title=f"请于{due}前完成补正",
                body=f"申报 #{app.id} 的补正期限还剩{left}个工作日（{due}截止）。待补正：{items}",
                link=f"/applications/{app.id}", dedupe_key=f"deadline:correction:{app.id}:{due}:due",
            )  # fmt: skip
            out.correction_due += sent

    until = cal.add_working_days(day, flow.expert_remind_days)
    pending = db.execute(
        select(ExpertAssignment, Expert.user_id)
        .join(Expert, Expert.id == ExpertAssignment.expert_id)
        .join(Application, Application.id == ExpertAssignment.application_id)
        .where(
            ExpertAssignment.status == AssignmentStatus.assigned.value,
            Expert.user_id.is_not(None),
            Application.status == ApplicationStatus.in_review.value,
            ExpertAssignment.due_date >= oldest,
            ExpertAssignment.due_date <= until,
        )
        .order_by(ExpertAssignment.due_date, ExpertAssignment.id)
    ).all()
    for a, user_id in pending:
        # Blind: the assignment and the application's number only, never the enterprise.
        if a.due_date < day:
            sent = notification_service.notify_once(
                db, user_id=user_id, kind=KIND, title=f"评分期限已于{a.due_date}届满",
                body=f"评审任务 #{a.id}（申报 #{a.application_id}）尚未提交评分，已超过评分期限，请尽快提交或联系主管部门。",
                link="/expert", dedupe_key=f"deadline:expert:{a.id}:{a.due_date}:passed",
            )  # fmt: skip
            out.expert_passed += sent
        else:
            left = cal.working_days_between(day, a.due_date)
            sent = notification_service.notify_once(
                db, user_id=user_id, kind=KIND, title=f"请于{a.due_date}前提交评分",
                body=f"评审任务 #{a.id}（申报 #{a.application_id}）的评分期限还剩{left}个工作日（{a.due_date}截止）。",
                link="/expert", dedupe_key=f"deadline:expert:{a.id}:{a.due_date}:due",
            )  # fmt: skip
            out.expert_due += sent
    db.flush()
    return out
