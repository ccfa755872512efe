"""Tables of the policy library and push results. Money in integer fen."""

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

from srdi.db.base import Base, UtcDateTime, utcnow


class PolicyVersion(Base):
    """One version of a policy rule file. The library files arrive published; officials draft new versions."""

    __tablename__ = "policy_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    origin: Mapped[str] = mapped_column(
        String(20)
    )  # library (a file in rules/policies) | draft (an official)
    title: Mapped[str] = mapped_column(String(300))
    mode: Mapped[str] = mapped_column(String(20))
    region_codes: Mapped[list[str]] = mapped_column(JSON)
    budget_fen: Mapped[int | None] = mapped_column(BigInteger)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the rule file as data
    content_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    sandbox: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # last sandbox impact of a draft
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    published_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("policy_key", "version"),)


class PolicyAnswer(Base):
    """A fact a policy needs that the registry does not hold (年产值, 可加计扣除研发费用 …), given by the
    enterprise or an official. ``fiscal_year`` 0 = not a yearly figure."""

    __tablename__ = "policy_answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    fiscal_year: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[Any] = mapped_column(JSON)
    # Set by the server from who wrote it (enterprise accounts: always self_reported; decision 0012-provenance).
    source: Mapped[str] = mapped_column(String(40), default="self_reported", server_default="self_reported")
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("enterprise_id", "key", "fiscal_year"),)


class VerificationRequest(Base):
    """待核验: a money decision that rests on a value without the provenance the policy requires.

    One row per (enterprise, policy, input); ``claimed`` is the value as the engine read it. An official in
    scope verifies (note, optional evidence: the value's provenance becomes ``verified``) or rejects it with a
    reason. A changed claim reopens the row. Only a verified (or authoritative) input lets a grant be offered.
    """

    __tablename__ = "verification_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    policy_key: Mapped[str] = mapped_column(String(80))
    input_id: Mapped[str] = mapped_column(String(60))
    input_label: Mapped[str] = mapped_column(String(300))
    value_type: Mapped[str] = mapped_column(String(20))
    claimed: Mapped[str] = mapped_column(Text)  # JSON of the engine value (money in fen)
    claimed_shown: Mapped[str] = mapped_column(String(200))
    provenance: Mapped[list[str]] = mapped_column(JSON, default=list)
    target: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), index=True, default="pending")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("enterprise_id", "policy_key", "input_id"),)


class PolicyMatch(Base):
    """Precise push result: one enterprise × one policy, with why (not) and what is missing."""

    __tablename__ = "policy_match"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    policy_key: Mapped[str] = mapped_column(String(80))
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_version.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    missing_inputs: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    assessment: Mapped[dict[str, Any]] = mapped_column(JSON)  # the trace
    as_of_date: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("enterprise_id", "policy_key"),
        Index("ix_policy_match_policy_status", "policy_key", "status"),
    )


class PushState(Base):
    """Whether an enterprise's push results are stale (facts, evaluations or policies changed)."""

    __tablename__ = "policy_push_state"

    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True
    )
    dirty: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    input_hash: Mapped[str | None] = mapped_column(String(64))
    computed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
