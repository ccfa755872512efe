"""Tables of matchmaking: needs (揭榜挂帅 challenges, supply needs), their events, capabilities, bids, milestones."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

# Foreign keys refer to these tables, which must be in the metadata too.
from srdi.auth import models as _auth_models  # noqa: F401
from srdi.db.base import Base, TimestampMixin, UtcDateTime, utcnow
from srdi.enterprise import models as _enterprise_models  # noqa: F401


class MatchNeed(TimestampMixin, Base):
    """A chain leader's need: a 揭榜挂帅 technology challenge or a supply need, reviewed before publication."""

    __tablename__ = "match_need"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leader_enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    # Normalised title (NFKC, no spaces or punctuation, lower case): one live posting per leader and title.
    title_key: Mapped[str] = mapped_column(String(100))
    problem: Mapped[str] = mapped_column(Text)
    required_capability: Mapped[str] = mapped_column(Text, default="")
    reward_fen: Mapped[int | None] = mapped_column(BigInteger)
    budget_fen: Mapped[int | None] = mapped_column(BigInteger)
    deadline_date: Mapped[date | None] = mapped_column(Date)
    ip_terms: Mapped[str | None] = mapped_column(Text)
    industry_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    review_note: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    selected_bid_id: Mapped[int | None] = mapped_column(Integer)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivery_note: Mapped[str | None] = mapped_column(Text)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    # The purchase that followed the delivery (SEED-001 (二十七) 首购 reward): recorded by the buyer (the leader),
    # confirmed by the seller (the selected bidder) or verified by an official — the reward's provenance.
    contract_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    contract_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    contract_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    contract_verified_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    contract_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # How many enterprises were told of this need when it was published (in-app messages).
    notified_count: Mapped[int] = mapped_column(Integer, default=0)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (Index("ix_match_need_leader_title", "leader_enterprise_id", "title_key"),)


class MatchNeedEvent(Base):
    """One step of a need's life: who did what, from which status to which, and why."""

    __tablename__ = "match_need_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("match_need.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Capability(TimestampMixin, Base):
    """An enterprise's published capability or product (能力/产品), linked to its registry products and IP."""

    __tablename__ = "match_capability"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    title_key: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    main_product_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    ip_item_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    __table_args__ = (UniqueConstraint("enterprise_id", "title_key"),)


class Bid(TimestampMixin, Base):
    """揭榜: an enterprise takes up a need with a proposal; the leader shortlists and selects."""

    __tablename__ = "match_bid"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("match_need.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    proposal: Mapped[str] = mapped_column(Text)
    # Visible to the bidder, the need's leader and officials only (a proposal's confidential part).
    confidential_note: Mapped[str | None] = mapped_column(Text)
    quoted_fen: Mapped[int | None] = mapped_column(BigInteger)
    planned_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    match_score: Mapped[float | None] = mapped_column(Float)
    submitted_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    __table_args__ = (UniqueConstraint("need_id", "enterprise_id"),)


class Milestone(Base):
    """A milestone of a taken challenge: planned, then done (or not) with a note."""

    __tablename__ = "match_milestone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("match_need.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    due_date: Mapped[date | None] = mapped_column(Date)
    done_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
