"""Tables of applications and review (申报与审核, PRODUCT C4): batches, applications, evidence files, the
timeline, the expert pool and assignments, and objections during 公示."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from srdi.auth import models as _auth_models  # noqa: F401
from srdi.db.base import Base, TimestampMixin, UtcDateTime, utcnow
from srdi.enterprise import models as _enterprise_models  # noqa: F401


class ApplicationBatch(TimestampMixin, Base):
    """申报批次: the window an official opens for one tier in one region."""

    __tablename__ = "application_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    tier: Mapped[str] = mapped_column(String(40), index=True)
    purpose: Mapped[str] = mapped_column(String(40), default="new_application")
    # A region prefix (2 digits: a province, 4: a city, 6: a district) whose enterprises may apply.
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    open_date: Mapped[date] = mapped_column(Date)
    close_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100))
    # 公告: set once; a second announcement of the batch is refused.
    announced_date: Mapped[date | None] = mapped_column(Date)
    announced_by: Mapped[str | None] = mapped_column(String(100))
    document_no: Mapped[str | None] = mapped_column(String(100))


class Application(TimestampMixin, Base):
    """申报: one enterprise's application in one batch, through the review chain of rules/applications."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("application_batch.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    # Copied at creation: scope checks and queues need no join.
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    tier: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40), index=True)
    # The review chain fixed at creation (level keys) and the level the application is at (None outside review).
    chain: Mapped[list[str]] = mapped_column(JSON, default=list)
    level: Mapped[str | None] = mapped_column(String(40), index=True)
    # Optimistic lock: every state change bumps it, so two concurrent approvals cannot both apply (QUALITY R4).
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Pre-filled from the registry at creation and refreshed at each submission.
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The self-evaluation snapshot: inputs (facts document), rule set and its hash, the trace.
    as_of_date: Mapped[date] = mapped_column(Date)
    rule_set_id: Mapped[str] = mapped_column(String(80))
    rule_set_hash: Mapped[str] = mapped_column(String(80))
    self_status: Mapped[str] = mapped_column(String(20))
    inputs_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    trace: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    statement: Mapped[str | None] = mapped_column(Text)
    pledge_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    pledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # 退回补正: what to correct and by when (working days, srdi.kit.workdays).
    correction_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    correction_due_date: Mapped[date | None] = mapped_column(Date)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    # 专家评审: the aggregated score, how, and whether the experts diverged.
    expert_score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    expert_aggregation: Mapped[str | None] = mapped_column(String(20))
    expert_divergent: Mapped[bool | None] = mapped_column(Boolean)
    # 公示: the period (working days) and whether an open objection pauses it.
    publicity_start_date: Mapped[date | None] = mapped_column(Date)
    publicity_end_date: Mapped[date | None] = mapped_column(Date)
    publicity_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    recognition_id: Mapped[int | None] = mapped_column(ForeignKey("recognition.id", ondelete="SET NULL"))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_application_batch_status", "batch_id", "status"),
        Index("ix_application_enterprise_batch", "enterprise_id", "batch_id", unique=True),
    )


class EvidenceFile(Base):
    """证明材料: one uploaded file for one rule item of an application, stored by content hash."""

    __tablename__ = "evidence_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ApplicationEvent(Base):
    """One step on the timeline: who, when, what, why (ARCHITECTURE convention 9). Insert-only."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    level: Mapped[str | None] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str | None] = mapped_column(String(40))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Copied so the event still says who it was after the account is renamed or removed. Blind: an expert's
    # events name "评审专家" and the assignment, never the expert to the enterprise.
    actor_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Expert(TimestampMixin, Base):
    """评审专家库: one expert, their fields (industry code prefixes) and region, and declared ties."""

    __tablename__ = "expert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(50))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_code: Mapped[str] = mapped_column(String(6))
    # Enterprises the expert declared a tie with (employment, shareholding, consulting): never assigned to them.
    declared_enterprise_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ExpertAssignment(Base):
    """An expert's blind review of one application: the sheet's scores once submitted."""

    __tablename__ = "expert_assignment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"), index=True)
    # The draw: seed and candidate list, so the assignment can be reproduced and audited.
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="assigned")
    due_date: Mapped[date] = mapped_column(Date)
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    total: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    scored_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("application_id", "expert_id"),)


class Objection(Base):
    """异议 during 公示: it pauses the application's publicity until answered."""

    __tablename__ = "application_objection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(Text)
    received_date: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="open")
    answer: Mapped[str | None] = mapped_column(Text)
    answered_date: Mapped[date | None] = mapped_column(Date)
    answered_by: Mapped[str | None] = mapped_column(String(100))


# --- 动态管理 (CRITERIA §7, issue 14 deliverable 6): annual updates, major-change reports, revocations ----------


class AnnualUpdateTask(TimestampMixin, Base):
    """年度更新: one recognised enterprise's update of the previous year's figures, due by the regime's date.

    The deadline is the job (decision 0015): the overdue sweep selects open tasks whose deadline passed and marks
    each with a compare-and-set, so the consequence (取消复核资格) is recorded exactly once."""

    __tablename__ = "annual_update_task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    # The calendar year of the deadline; the update covers the fiscal year before it.
    year: Mapped[int] = mapped_column(Integer)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    regime: Mapped[str] = mapped_column(String(40))
    # Beijing date (Asia/Shanghai): the task is late from the day after.
    deadline_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True, default="open")
    tiers: Mapped[list[str]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    overdue_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)


class MajorChangeReport(TimestampMixin, Base):
    """重大变化报告: 更名、合并、重组、跨省迁移, reported within the regime's months of the change."""

    __tablename__ = "major_change_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    change_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    # 更名: the registry's name when reported and the name it takes when an official confirms the report.
    old_name: Mapped[str | None] = mapped_column(String(200))
    new_name: Mapped[str | None] = mapped_column(String(200))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), index=True, default="reported")
    reported_by: Mapped[str] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)


class RecognitionRevocation(Base):
    """撤销认定: the kind from rules/dynamic_management.yaml, the reason given and the ban it starts."""

    __tablename__ = "recognition_revocation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recognition_id: Mapped[int] = mapped_column(ForeignKey("recognition.id", ondelete="CASCADE"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    revoked_date: Mapped[date] = mapped_column(Date)
    ban_until: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ScheduledRun(Base):
    """A calendar job done once per key (1 January's annual update tasks, key = the year): the unique row is the
    claim, inserted in the transaction of the work, so two workers never both do it."""

    __tablename__ = "scheduled_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    run_key: Mapped[str] = mapped_column(String(60))
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    result: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("job", "run_key"),)
