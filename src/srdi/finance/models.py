"""Tables of the financing domain: banks and their staff, whitelist runs and entries, loan products, financing
requests and their events. Money in integer fen, rates in basis points (1 bp = 0.01%)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

# Foreign keys point at these tables, which must be in the metadata too.
from srdi.auth import models as _auth_models  # noqa: F401
from srdi.db.base import Base, TimestampMixin, UtcDateTime, utcnow
from srdi.enterprise import models as _enterprise_models  # noqa: F401


class Bank(TimestampMixin, Base):
    """金融机构: a bank that cooperates in one region (a region_code prefix: 2 省, 4 市, 6 区县)."""

    __tablename__ = "finance_bank"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class BankMember(Base):
    """The bank a bank-role account works for (one bank per account)."""

    __tablename__ = "finance_bank_member"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("finance_bank.id", ondelete="CASCADE"), index=True)


class WhitelistRun(TimestampMixin, Base):
    """One period's generation of one whitelist (a rule file): draft until an official approves it."""

    __tablename__ = "finance_whitelist_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_key: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(10))
    rule_set: Mapped[str] = mapped_column(String(80))
    content_hash: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    members: Mapped[int] = mapped_column(Integer, default=0)
    entered: Mapped[int] = mapped_column(Integer, default=0)
    exited: Mapped[int] = mapped_column(Integer, default=0)
    undecided: Mapped[int] = mapped_column(Integer, default=0)
    previous_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("finance_whitelist_run.id", ondelete="SET NULL")
    )
    generated_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("list_key", "period", name="uq_finance_whitelist_run_period"),)


class WhitelistEntry(Base):
    """An enterprise on the list (new or kept), or one that left it since the previous period (out), with why."""

    __tablename__ = "finance_whitelist_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("finance_whitelist_run.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    member: Mapped[bool] = mapped_column(Boolean)
    change: Mapped[str] = mapped_column(String(10))
    # {"conditions": [{id, label, value, shown, verification}], "why_change": [...], "needs_verification": [...]}
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        UniqueConstraint("run_id", "enterprise_id", name="uq_finance_whitelist_entry"),
        Index("ix_finance_whitelist_entry_enterprise", "enterprise_id"),
    )


class LoanProduct(TimestampMixin, Base):
    """贷款产品 of one bank; its eligibility is a rule set (kind loan_product) built from form conditions."""

    __tablename__ = "finance_loan_product"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("finance_bank.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    amount_min_fen: Mapped[int] = mapped_column(BigInteger)
    amount_max_fen: Mapped[int] = mapped_column(BigInteger)
    rate_min_bp: Mapped[int] = mapped_column(Integer)
    rate_max_bp: Mapped[int] = mapped_column(Integer)
    term_months_max: Mapped[int] = mapped_column(Integer)
    collateral: Mapped[str] = mapped_column(String(30))
    guarantee: Mapped[str] = mapped_column(String(30))
    # [{"field": ..., "op": ..., "value": ...}] as the bank entered them
    eligibility: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    eligibility_hash: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending_review")
    review_note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class FinancingRequest(TimestampMixin, Base):
    """融资需求: one enterprise's request to one bank (a request to several banks is several rows, one group)."""

    __tablename__ = "finance_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_key: Mapped[str] = mapped_column(String(40), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("finance_bank.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("finance_loan_product.id", ondelete="SET NULL"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(Text)
    term_months: Mapped[int] = mapped_column(Integer)
    first_loan: Mapped[bool] = mapped_column(Boolean, default=False)  # 首贷户, as the enterprise declares
    shared: Mapped[list[str]] = mapped_column(JSON, default=list)  # ShareField values consented to
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    approved_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    approved_rate_bp: Mapped[int | None] = mapped_column(Integer)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the enterprise's, at submission
    # The time limit of the stage the request is in (受理 or 审批, rules/finance/settings/time_limits.yaml);
    # None while it is the enterprise's turn, once closed, or when the calendar lacks the year.
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class FinancingEvent(Base):
    __tablename__ = "finance_request_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("finance_request.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(30))
    status_after: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    # The deadline of the stage this event opened (stamped when it happened; the bank's next step is due by then).
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
