"""Stored evaluations and batch runs. A stored result keeps its inputs snapshot, rule-set hash and trace
(ARCHITECTURE convention 5): appeals argue against the trace, not against a number."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from srdi.db.base import Base, UtcDateTime, utcnow


class Evaluation(Base):
    """One enterprise, one tier, one as-of date: the full result with its trace and gap analysis."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(40))
    rule_set_id: Mapped[str] = mapped_column(String(80))
    rule_set_hash: Mapped[str] = mapped_column(String(64))
    regime: Mapped[str] = mapped_column(String(40))
    as_of_date: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    total: Mapped[int | None] = mapped_column(Integer)
    needs_verification: Mapped[bool] = mapped_column(Boolean, default=False)
    inputs_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    gap: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class BatchRun(Base):
    """An evaluation of the whole registry (or a region of it) as of a date, run in the background."""

    __tablename__ = "batch_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of_date: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(20))
    region_prefix: Mapped[str | None] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    regime: Mapped[str | None] = mapped_column(String(40))
    rule_sets: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class BatchResult(Base):
    """Compact per-enterprise, per-tier outcome of a batch run (the trace is re-derived on demand)."""

    __tablename__ = "batch_result"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_run_id: Mapped[int] = mapped_column(ForeignKey("batch_run.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    tier: Mapped[str] = mapped_column(String(40))
    rule_set_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10))
    total: Mapped[int | None] = mapped_column(Integer)
    # How far from passing: points short of the pass mark plus conditions not met (seed pool ranking).
    points_short: Mapped[int | None] = mapped_column(Integer)
    conditions_failed: Mapped[int] = mapped_column(Integer, default=0)
    conditions_unknown: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_batch_result_run_tier_status", "batch_run_id", "tier", "status"),
        Index("ix_batch_result_enterprise", "enterprise_id"),
    )
