"""Tables of the enterprise registry (一企一档, PRODUCT C1). Money columns hold integer fen (decision 0002)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from srdi.db.base import Base, TimestampMixin, UtcDateTime, utcnow

ENUM_LEN = 40

# Yearly money figures, in fen. Order = column order in imports, exports and the API.
MONEY_FIGURES = (
    "operating_revenue",
    "main_business_revenue",
    "rd_expense",
    "net_profit",
    "total_assets",
    "total_liabilities",
    "qualified_equity_raised",
    "total_cost_expense",
)
COUNT_FIGURES = ("employees", "rd_staff")
YEARLY_FIGURES = MONEY_FIGURES + COUNT_FIGURES


class Enterprise(TimestampMixin, Base):
    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    founded_date: Mapped[date | None] = mapped_column(Date)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    industry_code: Mapped[str] = mapped_column(String(4), index=True)
    size_class: Mapped[str | None] = mapped_column(String(ENUM_LEN), index=True)
    size_class_year: Mapped[int | None] = mapped_column(Integer)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    digital_level: Mapped[int | None] = mapped_column(Integer)
    own_brand: Mapped[bool | None] = mapped_column(Boolean)
    standards_drafted: Mapped[int | None] = mapped_column(Integer)
    core_business_on_it_system: Mapped[bool | None] = mapped_column(Boolean)
    main_product_field: Mapped[str | None] = mapped_column(String(ENUM_LEN))
    # Eligibility facts a reviewer confirms (CRITERIA §2 E1, E4; 2026 N8); null = not yet confirmed.
    independent_legal_person: Mapped[bool | None] = mapped_column(Boolean)
    restricted_product: Mapped[bool | None] = mapped_column(Boolean)
    niche_market_leading: Mapped[bool | None] = mapped_column(Boolean)
    # 特色化 (63号 附件2 indicator 9): a direct score for provinces without a table, and answers to a table.
    # Whole points, as the provincial tables award them (CRITERIA §11: 8/4/3, 4/3/2/1 …), at most 15.
    local_feature_score: Mapped[int | None] = mapped_column(Integer)
    local_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(300))
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)

    yearly_figures: Mapped[list[YearlyFigure]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="YearlyFigure.fiscal_year"
    )
    ip_items: Mapped[list[IpItem]] = relationship(cascade="all, delete-orphan")
    awards: Mapped[list[Award]] = relationship(cascade="all, delete-orphan")
    honours: Mapped[list[Honour]] = relationship(cascade="all, delete-orphan")
    rd_institutions: Mapped[list[RdInstitution]] = relationship(cascade="all, delete-orphan")
    certifications: Mapped[list[Certification]] = relationship(cascade="all, delete-orphan")
    niche_markets: Mapped[list[NicheMarket]] = relationship(cascade="all, delete-orphan")
    main_products: Mapped[list[MainProduct]] = relationship(cascade="all, delete-orphan")
    compliance_records: Mapped[list[ComplianceRecord]] = relationship(cascade="all, delete-orphan")
    recognitions: Mapped[list[Recognition]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("digital_level IS NULL OR digital_level BETWEEN 1 AND 4", name="digital_level_range"),
        CheckConstraint(
            "local_feature_score IS NULL OR local_feature_score BETWEEN 0 AND 15",
            name="local_feature_score_range",
        ),
    )


class YearlyFigure(Base):
    """One fiscal year of figures; ``sources`` maps each figure to its provenance."""

    __tablename__ = "yearly_figure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    operating_revenue: Mapped[int | None] = mapped_column(BigInteger)
    main_business_revenue: Mapped[int | None] = mapped_column(BigInteger)
    rd_expense: Mapped[int | None] = mapped_column(BigInteger)
    net_profit: Mapped[int | None] = mapped_column(BigInteger)
    total_assets: Mapped[int | None] = mapped_column(BigInteger)
    total_liabilities: Mapped[int | None] = mapped_column(BigInteger)
    qualified_equity_raised: Mapped[int | None] = mapped_column(BigInteger)
    total_cost_expense: Mapped[int | None] = mapped_column(BigInteger)
    employees: Mapped[int | None] = mapped_column(Integer)
    rd_staff: Mapped[int | None] = mapped_column(Integer)
    development_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    sources: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(100))

    enterprise: Mapped[Enterprise] = relationship(back_populates="yearly_figures")

    __table_args__ = (
        UniqueConstraint("enterprise_id", "fiscal_year"),
        CheckConstraint("fiscal_year BETWEEN 1949 AND 2100", name="fiscal_year_range"),
        CheckConstraint("employees IS NULL OR employees >= 0", name="employees_non_negative"),
        CheckConstraint("rd_staff IS NULL OR rd_staff >= 0", name="rd_staff_non_negative"),
    )


class _Fact:
    """Columns every fact row shares: owner, provenance and free-text evidence."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(ENUM_LEN), default="self_reported")
    evidence: Mapped[str | None] = mapped_column(Text)


class IpItem(_Fact, Base):
    __tablename__ = "ip_item"

    ip_type: Mapped[str] = mapped_column(String(ENUM_LEN))
    ip_class: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str | None] = mapped_column(String(100))
    granted_date: Mapped[date | None] = mapped_column(Date)
    self_developed: Mapped[bool] = mapped_column(Boolean, default=True)
    high_value: Mapped[bool] = mapped_column(Boolean, default=False)
    related_to_main_product: Mapped[bool] = mapped_column(Boolean, default=True)
    in_use: Mapped[bool] = mapped_column(Boolean, default=True)
    transferred_in_date: Mapped[date | None] = mapped_column(Date)
    # 2026 小巨人 G4: the enterprise must rank among the first three right-holders.
    rank_among_holders: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("ip_class IN (1, 2)", name="ip_class_1_or_2"),)


class Award(_Fact, Base):
    __tablename__ = "award"

    kind: Mapped[str] = mapped_column(String(ENUM_LEN))
    level: Mapped[str] = mapped_column(String(ENUM_LEN))
    name: Mapped[str] = mapped_column(String(300))
    award_date: Mapped[date] = mapped_column(Date)
    rank: Mapped[int | None] = mapped_column(Integer)
    # 创客中国: the national list group reached (500 = 500强, 50 = 50强).
    top_group: Mapped[int | None] = mapped_column(Integer)
    # 创客中国: 企业组 / 创客组 (enums.ContestGroup); only 企业组 lists are direct routes. Null = not recorded.
    contest_group: Mapped[str | None] = mapped_column(String(ENUM_LEN))


class Honour(_Fact, Base):
    __tablename__ = "honour"

    kind: Mapped[str] = mapped_column(String(ENUM_LEN))
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str | None] = mapped_column(String(ENUM_LEN))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)


class RdInstitution(_Fact, Base):
    __tablename__ = "rd_institution"

    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(ENUM_LEN))
    recognized_date: Mapped[date | None] = mapped_column(Date)


class Certification(_Fact, Base):
    __tablename__ = "certification"

    kind: Mapped[str] = mapped_column(String(ENUM_LEN))
    name: Mapped[str] = mapped_column(String(300))
    valid_until: Mapped[date | None] = mapped_column(Date)


class NicheMarket(_Fact, Base):
    __tablename__ = "niche_market"

    description: Mapped[str] = mapped_column(String(500))
    start_date: Mapped[date] = mapped_column(Date)
    # Share of the national niche market in basis points (1% = 100) — exact, no floats.
    market_share_bp: Mapped[int | None] = mapped_column(Integer)
    national_rank: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("market_share_bp IS NULL OR market_share_bp BETWEEN 0 AND 10000", name="share_range"),
    )


class MainProduct(_Fact, Base):
    __tablename__ = "main_product"

    name: Mapped[str] = mapped_column(String(300))
    strategic_emerging: Mapped[bool] = mapped_column(Boolean, default=False)
    strategic_category: Mapped[str | None] = mapped_column(String(200))
    revenue_share_bp: Mapped[int | None] = mapped_column(Integer)


class ComplianceRecord(_Fact, Base):
    """Incidents and credit-list entries (CRITERIA §2 E3, E5)."""

    __tablename__ = "compliance_record"

    kind: Mapped[str] = mapped_column(String(ENUM_LEN))
    severity: Mapped[str | None] = mapped_column(String(ENUM_LEN))
    occurred_date: Mapped[date] = mapped_column(Date)
    resolved_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)


class Recognition(_Fact, Base):
    __tablename__ = "recognition"

    tier: Mapped[str] = mapped_column(String(ENUM_LEN), index=True)
    level: Mapped[str] = mapped_column(String(ENUM_LEN))
    batch: Mapped[str | None] = mapped_column(String(100))
    # Indexed for the monitoring views' date ranges (entries, expiries, revocations per period; issue 18).
    announced_date: Mapped[date] = mapped_column(Date, index=True)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(ENUM_LEN), default="valid", index=True)
    document_no: Mapped[str | None] = mapped_column(String(100))
    # 撤销: when and why (enums.RevocationReason); fraud, a major accident or serious dishonesty bar a new
    # application for three years (common_eligibility E6).
    revoked_date: Mapped[date | None] = mapped_column(Date, index=True)
    revocation_reason: Mapped[str | None] = mapped_column(String(ENUM_LEN))


class ChangeLog(Base):
    """Every change to a registry field: who, when, old → new, and the provenance of the new value."""

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str | None] = mapped_column(String(40))
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(ENUM_LEN))
    actor: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # A verification or rejection (source ``verified`` / field unchanged): the official's note and evidence
    # (a document reference or text; no file store yet) — the provenance history the UI shows.
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    import_job_id: Mapped[int | None] = mapped_column(ForeignKey("import_job.id", ondelete="SET NULL"))

    __table_args__ = (Index("ix_change_log_enterprise_changed", "enterprise_id", "changed_at"),)


class ImportJob(TimestampMixin, Base):
    """One import of a file: its mode, progress and the per-row error report."""

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_format: Mapped[str] = mapped_column(String(20))
    encoding: Mapped[str | None] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(20))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    valid_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(100))
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The process working on the job and until when (srdi.kit.leases); the uploaded file while it exists.
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    upload_path: Mapped[str | None] = mapped_column(String(500))
