"""Tables of the monitoring domain: officials' targets and reported figures, the 通报 archive, the pre-aggregates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from srdi.db.base import Base, UtcDateTime, utcnow


class MonitoringTarget(Base):
    """A target an official set (a district's share of the city's target, a city's own target …).

    The seeds' targets are in rules/monitoring/targets.yaml; a row here for the same region, year, measure and
    subject takes precedence (the official restated it)."""

    __tablename__ = "monitoring_target"
    __table_args__ = (
        UniqueConstraint("region_code", "year", "measure", "subject", name="uq_monitoring_target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # prefix: 2, 4 or 6 digits
    year: Mapped[int] = mapped_column(Integer)
    from_year: Mapped[int] = mapped_column(Integer)
    measure: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(100), default="")
    value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    source: Mapped[str] = mapped_column(Text)  # the document that sets it (文件名、文号)
    note: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class ReportedFigure(Base):
    """A figure officials report for a measure the registry does not hold (培训人次、活动场次、上市企业 …)."""

    __tablename__ = "monitoring_reported_figure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    measure: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(100), default="")
    on_date: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    note: Mapped[str | None] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(String(100))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DistrictReport(Base):
    """One periodic 通报: who asked for it, over which period and region, from which data, and the file."""

    __tablename__ = "monitoring_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(10))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    fmt: Mapped[str] = mapped_column(String(10))  # xlsx | pdf | html
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Which data: the registry's change-log position, the pre-aggregate used and the counts read.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    filename: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)


class RegionAggregate(Base):
    """Pre-aggregated registry figures per district (6-digit region) and key, for the dashboard at scale.

    Keys: ``total``, ``tier:<tier>`` (valid on the refresh's as_of date), ``size:<class>``, ``ind:<2-digit>``,
    ``fy:<year>:<n|rev|rd|profit>``. Written whole by one refresh (srdi.monitoring.aggregates)."""

    __tablename__ = "monitoring_aggregate"

    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class AggregateRefresh(Base):
    """When the pre-aggregates were last rebuilt, for which date, and up to which registry change."""

    __tablename__ = "monitoring_aggregate_refresh"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    as_of: Mapped[date] = mapped_column(Date)
    change_log_id: Mapped[int] = mapped_column(BigInteger)
    enterprises: Mapped[int] = mapped_column(BigInteger)
    growth_year: Mapped[int | None] = mapped_column(Integer)  # the fiscal year of the growth sums kept
    duration_ms: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(20))
