"""Queries of events (对接会、路演、新品发布、校企人才对接) and talent needs (用人用工)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.orm import Session

from srdi.matchmaking.models import (
    ActivityLog,
    EventMeeting,
    EventOutcome,
    EventRegistration,
    MatchEvent,
    TalentNeed,
    TalentOutcome,
)


def _in_regions(column: Any, prefixes: Sequence[str] | None) -> ColumnElement[bool]:
    if prefixes is None:
        return true()
    if not prefixes:
        return false()
    return or_(*(column.startswith(p) for p in prefixes))


def get_event(db: Session, event_id: int) -> MatchEvent | None:
    return db.get(MatchEvent, event_id)


def events(
    db: Session,
    *,
    region_prefixes: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    leader_enterprise_id: int | None = None,
    kind: str | None = None,
    from_date: date | None = None,
    ids: Sequence[int] | None = None,
    limit: int = 200,
) -> list[MatchEvent]:
    q = select(MatchEvent).where(_in_regions(MatchEvent.region_code, region_prefixes))
    if ids is not None:
        q = q.where(MatchEvent.id.in_(list(ids) or [-1]))
    if statuses:
        q = q.where(MatchEvent.status.in_(list(statuses)))
    if leader_enterprise_id is not None:
        q = q.where(MatchEvent.leader_enterprise_id == leader_enterprise_id)
    if kind:
        q = q.where(MatchEvent.kind == kind)
    if from_date is not None:
        q = q.where(MatchEvent.event_date >= from_date)
    return list(db.scalars(q.order_by(MatchEvent.event_date.desc(), MatchEvent.id.desc()).limit(limit)))


def same_event(db: Session, region_code: str, event_date: date, title_key: str) -> MatchEvent | None:
    return db.scalar(
        select(MatchEvent).where(
            MatchEvent.region_code == region_code,
            MatchEvent.event_date == event_date,
            MatchEvent.title_key == title_key,
            MatchEvent.status != "cancelled",
        )
    )


def registrations(db: Session, event_id: int) -> list[EventRegistration]:
    return list(
        db.scalars(
            select(EventRegistration)
            .where(EventRegistration.event_id == event_id)
            .order_by(EventRegistration.id)
        )
    )


def registration_of(db: Session, event_id: int, enterprise_id: int) -> EventRegistration | None:
    return db.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event_id, EventRegistration.enterprise_id == enterprise_id
        )
    )


def registrations_of_enterprise(db: Session, enterprise_id: int) -> list[EventRegistration]:
    return list(db.scalars(select(EventRegistration).where(EventRegistration.enterprise_id == enterprise_id)))


def registered_count(db: Session, event_ids: Sequence[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    rows = db.execute(
        select(EventRegistration.event_id, func.count())
        .where(EventRegistration.event_id.in_(list(event_ids)), EventRegistration.status == "registered")
        .group_by(EventRegistration.event_id)
    )
    return {int(e): int(n) for e, n in rows}


def meetings(db: Session, event_id: int) -> list[EventMeeting]:
    return list(
        db.scalars(select(EventMeeting).where(EventMeeting.event_id == event_id).order_by(EventMeeting.id))
    )


def get_meeting(db: Session, meeting_id: int) -> EventMeeting | None:
    return db.get(EventMeeting, meeting_id)


def meeting_of(db: Session, event_id: int, leader_id: int, enterprise_id: int) -> EventMeeting | None:
    return db.scalar(
        select(EventMeeting).where(
            EventMeeting.event_id == event_id,
            EventMeeting.leader_enterprise_id == leader_id,
            EventMeeting.enterprise_id == enterprise_id,
        )
    )


def meetings_of_leader(db: Session, leader_id: int) -> list[EventMeeting]:
    return list(
        db.scalars(
            select(EventMeeting)
            .where(EventMeeting.leader_enterprise_id == leader_id)
            .order_by(EventMeeting.id.desc())
        )
    )


def outcomes(db: Session, event_id: int) -> list[EventOutcome]:
    return list(
        db.scalars(select(EventOutcome).where(EventOutcome.event_id == event_id).order_by(EventOutcome.id))
    )


def get_outcome(db: Session, outcome_id: int) -> EventOutcome | None:
    return db.get(EventOutcome, outcome_id)


def log(db: Session, subject: str, subject_id: int) -> list[ActivityLog]:
    return list(
        db.scalars(
            select(ActivityLog)
            .where(ActivityLog.subject == subject, ActivityLog.subject_id == subject_id)
            .order_by(ActivityLog.id)
        )
    )


def get_talent(db: Session, need_id: int) -> TalentNeed | None:
    return db.get(TalentNeed, need_id)


def talent_needs(
    db: Session,
    *,
    enterprise_id: int | None = None,
    enterprise_ids: Sequence[int] | None = None,
    region_prefixes: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    limit: int = 500,
) -> list[TalentNeed]:
    q = select(TalentNeed).where(_in_regions(TalentNeed.region_code, region_prefixes))
    if enterprise_id is not None:
        q = q.where(TalentNeed.enterprise_id == enterprise_id)
    if enterprise_ids is not None:
        q = q.where(TalentNeed.enterprise_id.in_(list(enterprise_ids) or [-1]))
    if statuses:
        q = q.where(TalentNeed.status.in_(list(statuses)))
    return list(db.scalars(q.order_by(TalentNeed.id.desc()).limit(limit)))


def live_talent_with_post(db: Session, enterprise_id: int, kind: str, post_key: str) -> TalentNeed | None:
    return db.scalar(
        select(TalentNeed).where(
            TalentNeed.enterprise_id == enterprise_id,
            TalentNeed.kind == kind,
            TalentNeed.post_key == post_key,
            TalentNeed.status == "open",
        )
    )


def talent_outcomes(db: Session, need_ids: Sequence[int]) -> list[TalentOutcome]:
    if not need_ids:
        return []
    return list(
        db.scalars(
            select(TalentOutcome).where(TalentOutcome.need_id.in_(list(need_ids))).order_by(TalentOutcome.id)
        )
    )


def events_in(db: Session, prefixes: Sequence[str] | None, start: date, end: date) -> list[MatchEvent]:
    return list(
        db.scalars(
            select(MatchEvent).where(
                _in_regions(MatchEvent.region_code, prefixes), MatchEvent.event_date.between(start, end)
            )
        )
    )


def registrations_of_events(db: Session, event_ids: Sequence[int]) -> list[EventRegistration]:
    if not event_ids:
        return []
    return list(db.scalars(select(EventRegistration).where(EventRegistration.event_id.in_(list(event_ids)))))


def meetings_of_events(db: Session, event_ids: Sequence[int]) -> list[EventMeeting]:
    if not event_ids:
        return []
    return list(db.scalars(select(EventMeeting).where(EventMeeting.event_id.in_(list(event_ids)))))


def outcomes_of_events(db: Session, event_ids: Sequence[int]) -> list[EventOutcome]:
    if not event_ids:
        return []
    return list(db.scalars(select(EventOutcome).where(EventOutcome.event_id.in_(list(event_ids)))))
