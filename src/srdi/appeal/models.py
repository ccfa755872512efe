"""Tables of the appeals domain: departments, categories, appeals, their events, routing corrections, calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

# appeal.enterprise_id and the actor columns refer to these tables, which must be in the metadata too.
from srdi.auth import models as _auth_models  # noqa: F401
from srdi.db.base import Base, TimestampMixin, UtcDateTime, utcnow
from srdi.enterprise import models as _enterprise_models  # noqa: F401


class Department(TimestampMixin, Base):
    """责任单位: a government body that handles appeals, in one city or district."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    level: Mapped[str] = mapped_column(String(20))
    duty: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Who an overdue appeal is escalated to first (the unit's leader), by name as the unit reports it.
    leader_name: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Provenance: false while the row is what departments.yaml says (a re-sync may refresh it from a newer data
    # file); true once an administrator saved it — from then on the sync leaves it exactly as they left it.
    admin_edited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AppealCategory(Base):
    __tablename__ = "appeal_category"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # The answer limit: working days from dispatch, or hours where a category is faster (政策咨询 24 小时).
    time_limit_working_days: Mapped[int | None] = mapped_column(Integer)
    answer_hours: Mapped[int | None] = mapped_column(Integer)


class Appeal(TimestampMixin, Base):
    """诉求: one enterprise's request to government, followed through the state machine of service.TRANSITIONS."""

    __tablename__ = "appeal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    # Copied from the enterprise at intake: the KPIs by district and the scope checks need no join.
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    title: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    category_key: Mapped[str] = mapped_column(ForeignKey("appeal_category.key"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Optimistic lock: every transition bumps it, so two concurrent transitions cannot both apply (QUALITY R4).
    version: Mapped[int] = mapped_column(Integer, default=1)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    # Where e-mail notifications of each step go (optional; in-app messages always).
    contact_email: Mapped[str | None] = mapped_column(String(254))
    suggested_department_key: Mapped[str | None] = mapped_column(String(60))
    suggested_category_key: Mapped[str | None] = mapped_column(String(60))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # YYYY-MM of submission in Beijing time: the KPIs by month group on it on every engine.
    submitted_month: Mapped[str] = mapped_column(String(7), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    rated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Deadlines stamped on each stage (working days from srdi.kit.workdays).
    accept_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    dispatch_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answer_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The deadline of the current stage, or NULL when nothing is due: the sweeper's index.
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    due_stage: Mapped[str | None] = mapped_column(String(20))
    # What the sweeper already did for the current stage: it acts once per step (reset at each new stage).
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[str | None] = mapped_column(Text)
    reject_reason: Mapped[str | None] = mapped_column(String(40))
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(String(500))
    redo_count: Mapped[int] = mapped_column(Integer, default=0)
    # Stamped at 办结: working days from submission, and whether the answer came within its limit.
    handling_working_days: Mapped[int | None] = mapped_column(Integer)
    # Open311 GeoReport v2: the token returned to the client that filed it (GET /tokens/{token}).
    open311_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    on_time: Mapped[bool | None] = mapped_column(Boolean)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_appeal_due", "due_at"),
        Index("ix_appeal_enterprise_status", "enterprise_id", "status"),
    )


class AppealAssist(Base):
    """协办: another department that works on an appeal beside the lead one."""

    __tablename__ = "appeal_assist"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("appeal_id", "department_id"),)


class AppealEvent(Base):
    """One transition or sweeper action: who, when, from, to, why (ARCHITECTURE convention 9). Insert-only."""

    __tablename__ = "appeal_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    action: Mapped[str | None] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Copied so the event still says who it was after the account is renamed or removed.
    actor_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RoutingCorrection(Base):
    """Staff's choice against the router's suggestion: (text, suggested, chosen), for the router to learn from."""

    __tablename__ = "routing_correction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeal.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str | None] = mapped_column(String(6))
    suggested_department_key: Mapped[str | None] = mapped_column(String(60))
    suggested_category_key: Mapped[str | None] = mapped_column(String(60))
    chosen_department_key: Mapped[str] = mapped_column(String(60))
    chosen_category_key: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class WorkdayOverride(Base):
    """An administrator-entered day of a year the bundled holiday data lacks (feeds WorkdayCalendar.with_year)."""

    __tablename__ = "workday_override"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    is_off_day: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(50))
    entered_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CalendarYear(Base):
    """A year an administrator has entered (a year may have no override at all, yet be known)."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    entered_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AppealNotice(Base):
    """In-app message to staff about an appeal: to one user, a department's handlers, or a region's officials.

    Enterprises are told through the in-app notification inbox (srdi.notification.service.notify).
    """

    __tablename__ = "appeal_notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Open311Client(Base):
    """An Open311 GeoReport client's api_key, acting as one user account (only the key's SHA-256 is kept)."""

    __tablename__ = "open311_client"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AppealAttachment(Base):
    """A file attached to an appeal — by the filer (申请材料) or by the handling department (答复材料).

    The bytes live in the content-addressed store (srdi.kit.file_store) under ``sha256``; this row says whose it is,
    what it was called and what its bytes are (the type is sniffed, never taken from the client).
    """

    __tablename__ = "appeal_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AppealKpiAggregate(Base):
    """The KPI counts per (district, department, category, month), refreshed by the scheduler
    (service.refresh_kpi_aggregate): the KPI page reads these few thousand rows instead of every appeal once the
    table is large (service.KPI_AGGREGATE_FROM). ``department_id`` is not a foreign key: a refresh replaces
    every row, a unit removed since is simply absent from the next one."""

    __tablename__ = "appeal_kpi_aggregate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    department_id: Mapped[int | None] = mapped_column(Integer)
    category_key: Mapped[str] = mapped_column(String(60))
    submitted_month: Mapped[str] = mapped_column(String(7))
    filed: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    rated: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    handling_days: Mapped[int] = mapped_column(Integer)
    overdue_open: Mapped[int] = mapped_column(Integer)
    refreshed_at: Mapped[datetime] = mapped_column(UtcDateTime())
