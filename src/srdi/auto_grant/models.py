"""Tables of 免申即享 runs. Uniqueness is the idempotency guarantee: one grant per (policy, period, enterprise),
one disbursement per grant, one batch membership per disbursement. Money in integer fen."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from srdi.db.base import Base, UtcDateTime, utcnow


class GrantRun(Base):
    """One 数据比对 of a policy for a period as of a date; a re-run records what changed."""

    __tablename__ = "grant_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_key: Mapped[str] = mapped_column(String(80), index=True)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_version.id"))
    period: Mapped[str] = mapped_column(String(10))
    as_of_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="running")
    budget_fen: Mapped[int | None] = mapped_column(BigInteger)
    allocation_order: Mapped[str] = mapped_column(String(20))
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The process executing the run and until when (srdi.kit.leases): an expired lease means interrupted.
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Grant(Base):
    __tablename__ = "policy_grant"  # "grant" is an SQL keyword

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_key: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(10))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"), index=True)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_version.id"))
    # The run that last decided it (indexed: a run's summary is counted from its grants and events).
    run_id: Mapped[int] = mapped_column(ForeignKey("grant_run.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    rank: Mapped[int] = mapped_column(Integer)  # position in the stated allocation order
    trace: Mapped[dict[str, Any]] = mapped_column(JSON)
    rule_hash: Mapped[str] = mapped_column(String(64))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    account_name: Mapped[str | None] = mapped_column(String(200))
    bank_account: Mapped[str | None] = mapped_column(String(40))
    consented_by: Mapped[str | None] = mapped_column(String(100))
    consented_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("policy_key", "period", "enterprise_id"),
        Index("ix_policy_grant_policy_period_status", "policy_key", "period", "status"),
    )


class GrantEvent(Base):
    """Every transition of a grant: who, when, from, to, why."""

    __tablename__ = "grant_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("policy_grant.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("grant_run.id"), index=True)


class DisbursementBatch(Base):
    """One export of pending disbursements to the finance system (拨付)."""

    __tablename__ = "disbursement_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_key: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | closed
    count: Mapped[int] = mapped_column(Integer, default=0)
    total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Disbursement(Base):
    __tablename__ = "disbursement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("policy_grant.id", ondelete="RESTRICT"), unique=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("disbursement_batch.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    exported_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Contest(Base):
    """An enterprise disputes a decision (a grant's amount, a withdrawal, or not being matched at all)."""

    __tablename__ = "grant_contest"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    policy_key: Mapped[str] = mapped_column(String(80))
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("policy_grant.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    trace: Mapped[dict[str, Any]] = mapped_column(JSON)  # the decision as it stood when contested
    status: Mapped[str] = mapped_column(String(20), default="open")
    response: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    handled_by: Mapped[str | None] = mapped_column(String(100))
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
