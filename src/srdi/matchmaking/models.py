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


# --- events (对接会、路演、新品发布、校企人才对接) and talent needs (用人用工) --------------------------------------


class MatchEvent(TimestampMixin, Base):
    """An event an official or a chain leader organises: enterprises register, attend and meet leaders."""

    __tablename__ = "match_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    title_key: Mapped[str] = mapped_column(String(100))
    event_date: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    industry_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    need_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    capacity: Mapped[int | None] = mapped_column(Integer)
    # The chain leader that organises it (None: organised by officials).
    leader_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    held_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (Index("ix_match_event_title", "region_code", "event_date", "title_key"),)


class EventRegistration(Base):
    """An enterprise registered for an event; attendance recorded by the organiser."""

    __tablename__ = "match_event_registration"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("match_event.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))  # registered | cancelled
    attended: Mapped[bool | None] = mapped_column()
    registered_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("event_id", "enterprise_id"),)


class EventMeeting(Base):
    """A meeting held at an event between a chain leader and an enterprise (洽谈)."""

    __tablename__ = "match_event_meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("match_event.id", ondelete="CASCADE"), index=True)
    leader_enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("match_need.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("event_id", "leader_enterprise_id", "enterprise_id"),)


class EventOutcome(Base):
    """A contract that came of an event, with its provenance: recorded by the buyer, confirmed by the seller,
    or verified by an official."""

    __tablename__ = "match_event_outcome"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("match_event.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("match_event_meeting.id", ondelete="SET NULL"))
    buyer_enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    seller_enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    signed_on: Mapped[date] = mapped_column(Date)
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    confirmed_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    verified_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class TalentNeed(TimestampMixin, Base):
    """An enterprise's hiring or training need (用人用工), pushed to its district's human-resources services."""

    __tablename__ = "match_talent_need"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # hiring | training
    post: Mapped[str] = mapped_column(String(60))
    post_key: Mapped[str] = mapped_column(String(60))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    headcount: Mapped[int] = mapped_column(Integer)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    salary_min_fen: Mapped[int | None] = mapped_column(BigInteger)
    salary_max_fen: Mapped[int | None] = mapped_column(BigInteger)
    joint_training: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)  # open | filled | closed
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    pushed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The district's answer (各区及时响应并协助解决): who, when, what help.
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    responded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    response_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (Index("ix_match_talent_need_post", "enterprise_id", "post_key"),)


class TalentOutcome(Base):
    """Responses and hires of a talent need: résumés received, interviews, hires (at an event or not)."""

    __tablename__ = "match_talent_outcome"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("match_talent_need.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("match_event.id", ondelete="SET NULL"))
    on_date: Mapped[date] = mapped_column(Date)
    resumes: Mapped[int] = mapped_column(Integer, default=0)
    interviews: Mapped[int] = mapped_column(Integer, default=0)
    hires: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ActivityLog(Base):
    """One step of an event or a talent need: who did what, from which status to which, and why."""

    __tablename__ = "match_activity_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(20))  # event | talent
    subject_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_match_activity_log_subject", "subject", "subject_id"),)
