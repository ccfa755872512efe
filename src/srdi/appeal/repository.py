"""Queries of the appeals domain."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, case, delete, false, func, insert, literal, or_, select, text, update
from sqlalchemy.orm import Session

from srdi.appeal.models import (
    Appeal,
    AppealAssist,
    AppealAttachment,
    AppealCategory,
    AppealEvent,
    AppealKpiAggregate,
    AppealNotice,
    CalendarYear,
    Department,
    RoutingCorrection,
    WorkdayOverride,
)
from srdi.db.base import UtcDateTime


@dataclass
class AppealFilter:
    """Who may see which appeals, and what the caller asked for. ``None`` means no restriction on that axis."""

    region_prefixes: Sequence[str] | None = None
    enterprise_ids: Sequence[int] | None = None
    department_id: int | None = None
    department_only: bool = False
    statuses: Sequence[str] | None = None
    category_key: str | None = None
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None
    overdue_at: datetime | None = None


def _apply(stmt: Select[Any], flt: AppealFilter) -> Select[Any]:
    if flt.region_prefixes is not None:
        stmt = stmt.where(or_(false(), *[Appeal.region_code.startswith(p) for p in flt.region_prefixes]))
    if flt.enterprise_ids is not None:
        stmt = stmt.where(Appeal.enterprise_id.in_(list(flt.enterprise_ids)))
    if flt.department_only:
        assisted = select(AppealAssist.appeal_id).where(AppealAssist.department_id == flt.department_id)
        stmt = stmt.where(or_(Appeal.department_id == flt.department_id, Appeal.id.in_(assisted)))
    if flt.statuses:
        stmt = stmt.where(Appeal.status.in_(list(flt.statuses)))
    if flt.category_key:
        stmt = stmt.where(Appeal.category_key == flt.category_key)
    if flt.submitted_from is not None:
        stmt = stmt.where(Appeal.submitted_at >= flt.submitted_from)
    if flt.submitted_to is not None:
        stmt = stmt.where(Appeal.submitted_at <= flt.submitted_to)
    if flt.overdue_at is not None:
        stmt = stmt.where(Appeal.due_at.is_not(None), Appeal.due_at < flt.overdue_at)
    return stmt


def list_appeals(db: Session, flt: AppealFilter, *, page: int, page_size: int) -> tuple[list[Appeal], int]:
    base = _apply(select(Appeal), flt)
    total = db.scalar(_apply(select(func.count()).select_from(Appeal), flt)) or 0
    rows = db.scalars(
        base.order_by(Appeal.submitted_at.desc(), Appeal.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), total


def lock_appeal(db: Session, appeal_id: int) -> Appeal | None:
    """The appeal with its row locked until the transaction ends (PostgreSQL; SQLite serialises writers)."""
    return db.scalars(
        select(Appeal)
        .where(Appeal.id == appeal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def events_of(db: Session, appeal_id: int) -> list[AppealEvent]:
    return list(
        db.scalars(
            select(AppealEvent).where(AppealEvent.appeal_id == appeal_id).order_by(AppealEvent.id)
        ).all()
    )


def assists_of(db: Session, appeal_id: int) -> list[AppealAssist]:
    return list(db.scalars(select(AppealAssist).where(AppealAssist.appeal_id == appeal_id)).all())


def duplicate_candidates(
    db: Session, enterprise_id: int, statuses: Sequence[str], *, since: datetime, limit: int
) -> list[Appeal]:
    """The enterprise's appeals in ``statuses`` submitted at or after ``since``, newest first, at most ``limit``
    (index ix_appeal_enterprise_status narrows to the enterprise's open appeals)."""
    stmt = (
        select(Appeal)
        .where(
            Appeal.enterprise_id == enterprise_id,
            Appeal.status.in_(list(statuses)),
            Appeal.submitted_at >= since,
        )
        .order_by(Appeal.submitted_at.desc(), Appeal.id.desc())
        .limit(limit)
    )
    return list(db.scalars(stmt).all())


def departments(db: Session, *, active_only: bool = False) -> list[Department]:
    stmt = select(Department).order_by(Department.region_code, Department.key)
    if active_only:
        stmt = stmt.where(Department.active.is_(True))
    return list(db.scalars(stmt).all())


def department_by_key(db: Session, key: str) -> Department | None:
    return db.scalars(select(Department).where(Department.key == key)).first()


def department_by_name(db: Session, name: str) -> Department | None:
    return db.scalars(select(Department).where(or_(Department.name == name, Department.key == name))).first()


def categories(db: Session) -> list[AppealCategory]:
    return list(db.scalars(select(AppealCategory).order_by(AppealCategory.key)).all())


class SweepCandidate(NamedTuple):
    """The columns of an appeal the sweeper reads: no texts, no ORM object (20,000 of them per sweep at
    1,000,000 appeals took seconds to build)."""

    id: int
    due_at: datetime
    due_stage: str | None
    reminded: bool
    escalation_level: int
    department_id: int | None
    region_code: str
    title: str


def due_candidates(
    db: Session, now: datetime, horizon: datetime, limit: int, after: tuple[datetime, int] | None = None
) -> list[SweepCandidate]:
    """Appeals that owe a reminder (deadline within ``horizon``) or an escalation (deadline passed), in
    (deadline, id) order, from just after the ``after`` cursor: a sweep reads them one bounded batch at a time
    and never re-reads a candidate that turned out to owe nothing yet.

    The second escalation waits one more working day; a day before that is a safe lower bound here (the
    service checks the exact working day). Rows another worker holds are skipped (PostgreSQL SKIP LOCKED); the
    rows read are locked until the batch commits.
    """
    conds = [
        Appeal.due_at.is_not(None),
        or_(
            and_(Appeal.reminded.is_(False), Appeal.due_at <= horizon),
            and_(Appeal.escalation_level == 0, Appeal.due_at <= now),
            and_(Appeal.escalation_level == 1, Appeal.due_at <= now - timedelta(hours=24)),
        ),
    ]
    if after is not None:
        conds.append(or_(Appeal.due_at > after[0], and_(Appeal.due_at == after[0], Appeal.id > after[1])))
    stmt = (
        select(*(getattr(Appeal, f) for f in SweepCandidate._fields))
        .where(*conds)
        .order_by(Appeal.due_at, Appeal.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [SweepCandidate(*r) for r in db.execute(stmt).all()]


@dataclass(frozen=True)
class SweepClaim:
    """What the sweeper owes one appeal in a batch: its step state as read and as it will be once every step
    due now (reminder, escalation) is taken."""

    appeal_id: int
    reminded_read: bool
    level_read: int
    reminded: bool
    level: int


def claim_sweep_steps(db: Session, claims: Sequence[SweepClaim]) -> set[int]:
    """Compare-and-set of every step a batch owes: the ids of the appeals this worker won.

    One row version per appeal however many of its steps are due (a reminder and the first escalation of an
    appeal found overdue are one ``UPDATE`` of its row, not two): the claims are grouped by (state read, state
    wanted), and each group is one ``UPDATE … WHERE id IN (…) AND reminded = read AND escalation_level = read …
    RETURNING id`` — an index lookup per row by primary key, never a scan, two or three statements per batch.
    The rows were locked by ``due_candidates`` in this same transaction (FOR UPDATE on PostgreSQL; SQLite's
    writer lock); the statement still requires the state it read, so a step another worker took is never taken
    twice. The version is not bumped: a reminder or an escalation is no transition.
    """
    groups: dict[tuple[bool, int, bool, int], list[int]] = {}
    for c in claims:
        groups.setdefault((c.reminded_read, c.level_read, c.reminded, c.level), []).append(c.appeal_id)
    won: set[int] = set()
    for (reminded_read, level_read, reminded, level), ids in groups.items():
        stmt = (
            update(Appeal)
            .where(
                Appeal.id.in_(ids),
                Appeal.due_at.is_not(None),
                Appeal.reminded.is_(reminded_read),
                Appeal.escalation_level == level_read,
            )
            .values(reminded=reminded, escalation_level=level)
            .returning(Appeal.id)
            .execution_options(synchronize_session=False)
        )
        won.update(db.scalars(stmt).all())
    return won


_EVENTS_FROM_JSON = text(
    "INSERT INTO appeal_event (appeal_id, at, kind, actor_name, reason, detail) "
    "SELECT a, CAST(:at AS timestamptz), k, :actor, r, d FROM json_to_recordset(CAST(:rows AS json)) "
    "AS u(a integer, k text, r text, d json)"
)
_NOTICES_FROM_JSON = text(
    "INSERT INTO appeal_notice (appeal_id, department_id, region_code, title, body, created_at) "
    "SELECT a, dep, reg, ti, bo, CAST(:created AS timestamptz) FROM json_to_recordset(CAST(:rows AS json)) "
    "AS u(a integer, dep integer, reg text, ti text, bo text)"
)


def insert_sweep_records(db: Session, events: list[dict[str, Any]], notices: list[dict[str, Any]]) -> None:
    """The events and notices of one sweep batch. On PostgreSQL each kind is one ``INSERT … SELECT FROM
    json_to_recordset(:rows)`` — one statement and one JSON parameter however many rows (a statement per row,
    even pipelined, was most of a sweep's time; five array parameters cost seconds of client-side encoding at
    1,000,000 appeals, the standard library's JSON encoder a fraction of it); elsewhere an executemany."""
    if db.get_bind().dialect.name != "postgresql":
        if events:
            db.execute(insert(AppealEvent), events)
        if notices:
            db.execute(insert(AppealNotice), notices)
        return
    if events:
        shared = {(e["actor_name"], e["at"]) for e in events}
        assert len(shared) == 1 and all(e["actor_user_id"] is None and e["action"] is None for e in events)
        actor, at = shared.pop()
        rows = [{"a": e["appeal_id"], "k": e["kind"], "r": e["reason"], "d": e["detail"]} for e in events]
        db.execute(
            _EVENTS_FROM_JSON, {"actor": actor, "at": at, "rows": json.dumps(rows, ensure_ascii=False)}
        )
    if notices:
        rows = [
            {
                "a": n["appeal_id"],
                "dep": n["department_id"],
                "reg": n["region_code"],
                "ti": n["title"],
                "bo": n["body"],
            }
            for n in notices
        ]
        db.execute(
            _NOTICES_FROM_JSON,
            {"created": notices[0]["created_at"], "rows": json.dumps(rows, ensure_ascii=False)},
        )


def departments_by_ids(db: Session, ids: set[int]) -> dict[int, Department]:
    if not ids:
        return {}
    return {d.id: d for d in db.scalars(select(Department).where(Department.id.in_(ids))).all()}


def notices_for(
    db: Session, *, user_id: int, department_id: int | None, region_prefix: str | None, limit: int = 100
) -> list[AppealNotice]:
    conds = [AppealNotice.user_id == user_id]
    if department_id is not None:
        conds.append(AppealNotice.department_id == department_id)
    if region_prefix is not None:
        conds.append(
            and_(AppealNotice.region_code.is_not(None), AppealNotice.region_code.startswith(region_prefix))
        )
    stmt = select(AppealNotice).where(or_(*conds)).order_by(AppealNotice.id.desc()).limit(limit)
    return list(db.scalars(stmt).all())


def attachments_of(db: Session, appeal_id: int) -> list[AppealAttachment]:
    return list(
        db.scalars(
            select(AppealAttachment)
            .where(AppealAttachment.appeal_id == appeal_id)
            .order_by(AppealAttachment.id)
        ).all()
    )


def attachment_keys_in_use(db: Session, keys: set[str]) -> set[str]:
    """Which of these content keys an attachment row refers to."""
    if not keys:
        return set()
    stmt = select(AppealAttachment.sha256).where(AppealAttachment.sha256.in_(keys)).distinct()
    return set(db.scalars(stmt).all())


def attachment_count(db: Session, appeal_id: int) -> int:
    q = select(func.count()).select_from(AppealAttachment).where(AppealAttachment.appeal_id == appeal_id)
    return int(db.scalar(q) or 0)


def calendar_years(db: Session) -> list[CalendarYear]:
    return list(db.scalars(select(CalendarYear).order_by(CalendarYear.year)).all())


def calendar_overrides(db: Session) -> tuple[list[int], list[WorkdayOverride]]:
    years = list(db.scalars(select(CalendarYear.year)).all())
    rows = list(db.scalars(select(WorkdayOverride).order_by(WorkdayOverride.day)).all())
    return years, rows


KPI_DIMENSIONS = {
    "department": Appeal.department_id,
    "district": Appeal.region_code,
    "category": Appeal.category_key,
    "month": Appeal.submitted_month,
}


_KPI_MEASURES = (
    "filed",
    "rejected",
    "done",
    "on_time",
    "rated",
    "satisfied",
    "handling_days",
    "overdue_open",
)


def _kpi_measures() -> list[Any]:
    done = Appeal.status.in_(["closed", "rated"])
    return [
        func.count().label("filed"),
        func.sum(case((Appeal.status == "rejected", 1), else_=0)).label("rejected"),
        func.sum(case((done, 1), else_=0)).label("done"),
        func.sum(case((and_(done, Appeal.on_time.is_(True)), 1), else_=0)).label("on_time"),
        func.sum(case((Appeal.satisfied.is_not(None), 1), else_=0)).label("rated"),
        func.sum(case((Appeal.satisfied.is_(True), 1), else_=0)).label("satisfied"),
        func.sum(case((done, Appeal.handling_working_days), else_=0)).label("handling_days"),
        func.sum(case((and_(Appeal.due_at.is_not(None), Appeal.escalation_level > 0), 1), else_=0)).label(
            "overdue_open"
        ),
    ]


def kpi_rows(db: Session, dimension: str, flt: AppealFilter) -> list[Any]:
    """Per group: filed, rejected, done (办结), done on time, rated, satisfied, sum of handling working days."""
    key = KPI_DIMENSIONS[dimension]
    stmt: Any = select(key.label("key"), *_kpi_measures()).select_from(Appeal)
    stmt = _apply(stmt, flt).group_by(key).order_by(key)
    return list(db.execute(stmt).all())


_AGG_KEYS = {
    "department": AppealKpiAggregate.department_id,
    "district": AppealKpiAggregate.region_code,
    "category": AppealKpiAggregate.category_key,
    "month": AppealKpiAggregate.submitted_month,
}


def refresh_kpi_aggregate(db: Session, at: datetime) -> int:
    """Replace the aggregate by the counts of every appeal now, in one INSERT … SELECT; the appeals counted."""
    db.execute(delete(AppealKpiAggregate))
    measures = _kpi_measures()
    keys = [Appeal.region_code, Appeal.department_id, Appeal.category_key, Appeal.submitted_month]
    sel = select(*keys, *measures, literal(at, UtcDateTime()).label("refreshed_at")).group_by(*keys)
    cols = ["region_code", "department_id", "category_key", "submitted_month", *_KPI_MEASURES, "refreshed_at"]
    db.execute(insert(AppealKpiAggregate).from_select(cols, sel))
    return int(db.scalar(select(func.coalesce(func.sum(AppealKpiAggregate.filed), 0))) or 0)


def kpi_aggregate_state(db: Session) -> tuple[datetime | None, int]:
    """When the aggregate was refreshed (None: never) and how many appeals it counted."""
    row = db.execute(
        select(
            func.max(AppealKpiAggregate.refreshed_at), func.coalesce(func.sum(AppealKpiAggregate.filed), 0)
        )
    ).one()
    return row[0], int(row[1] or 0)


def kpi_rows_from_aggregate(db: Session, dimension: str, region_prefixes: Sequence[str] | None) -> list[Any]:
    key = _AGG_KEYS[dimension]
    stmt: Any = select(
        key.label("key"), *[func.sum(getattr(AppealKpiAggregate, m)).label(m) for m in _KPI_MEASURES]
    )
    if region_prefixes is not None:
        stmt = stmt.where(
            or_(false(), *[AppealKpiAggregate.region_code.startswith(p) for p in region_prefixes])
        )
    return list(db.execute(stmt.group_by(key).order_by(key)).all())


def corrections_after(db: Session, after_id: int) -> list[RoutingCorrection]:
    """Stored routing corrections with an id above ``after_id``, oldest first."""
    stmt = select(RoutingCorrection).where(RoutingCorrection.id > after_id).order_by(RoutingCorrection.id)
    return list(db.scalars(stmt).all())
