"""Tables of casework: which commissioner owns which enterprise (一对一), and visits (走访)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from srdi.auth import models as _auth_models  # noqa: F401
from srdi.db.base import Base, UtcDateTime, utcnow
from srdi.enterprise import models as _enterprise_models  # noqa: F401


class CommissionerAssignment(Base):
    """首接负责制: each enterprise has at most one 服务专员 (the primary key is the enterprise)."""

    __tablename__ = "commissioner_assignment"

    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True
    )
    commissioner_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    basis: Mapped[str] = mapped_column(String(20))
    assigned_by: Mapped[str | None] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Visit(Base):
    """走访: a commissioner's visit to an enterprise, with notes and an optional follow-up."""

    __tablename__ = "visit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), index=True)
    commissioner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    visit_date: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    follow_up_due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
