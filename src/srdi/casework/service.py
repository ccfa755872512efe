"""Casework (首接负责制): commissioners own enterprises one-to-one, work from a worklist, record visits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from srdi.appeal import service as appeal_service
from srdi.appeal.enums import OPEN_STATUSES
from srdi.auth.enums import Role
from srdi.auth.models import User
from srdi.casework import repository
from srdi.casework.enums import AssignmentBasis
from srdi.casework.exceptions import InvalidVisit, NotACommissioner, OutsideCommissionerRegion
from srdi.casework.models import CommissionerAssignment, Visit
from srdi.enterprise.models import Enterprise

NOTES_MAX = 5000


def enterprise_ids_of(db: Session, commissioner_id: int) -> list[int]:
    return repository.enterprise_ids_of(db, commissioner_id)


def check_commissioner(user: User | None, user_id: int) -> User:
    if user is None or user.role != Role.service_commissioner.value or not user.active:
        raise NotACommissioner(user_id)
    return user


def assign(
    db: Session,
    commissioner: User,
    basis: AssignmentBasis,
    *,
    region_prefix: str | None = None,
    industry_prefix: str | None = None,
    enterprise_ids: Sequence[int] | None = None,
    actor: str,
    scope_allows: Any = None,
) -> int:
    """Give ``commissioner`` the enterprises of a district, of an industry within their area, or named ones.

    An enterprise has one commissioner: assigning moves it from its previous one. Only enterprises inside the
    commissioner's own region (and, when given, inside the caller's scope) are assigned.
    """
    area = commissioner.region_code or ""
    if not area:
        raise OutsideCommissionerRegion()
    prefix = region_prefix or area
    if not (prefix.startswith(area) or area.startswith(prefix)):
        raise OutsideCommissionerRegion()
    prefix = prefix if prefix.startswith(area) else area
    if basis is AssignmentBasis.manual and not enterprise_ids:
        raise InvalidVisit("手工指定须列出企业", "manual assignment needs enterprise_ids")
    if basis is AssignmentBasis.industry and not industry_prefix:
        raise InvalidVisit("按行业分配须指定行业代码", "industry assignment needs industry_prefix")
    found = repository.enterprises_matching(
        db, prefix, industry_prefix, enterprise_ids if basis is AssignmentBasis.manual else None
    )
    if basis is AssignmentBasis.manual and len(found) != len(set(enterprise_ids or ())):
        raise OutsideCommissionerRegion()
    n = 0
    for ent in found:
        if scope_allows is not None and not scope_allows(ent):
            continue
        row = repository.assignment_of(db, ent.id)
        if row is None:
            db.add(
                CommissionerAssignment(
                    enterprise_id=ent.id,
                    commissioner_id=commissioner.id,
                    basis=basis.value,
                    assigned_by=actor,
                )
            )
        else:
            row.commissioner_id, row.basis, row.assigned_by = commissioner.id, basis.value, actor
        n += 1
    db.flush()
    return n


@dataclass
class VisitData:
    visit_date: date
    notes: str
    follow_up: str | None = None
    follow_up_due_date: date | None = None


def record_visit(db: Session, commissioner: User, enterprise: Enterprise, data: VisitData) -> Visit:
    notes = data.notes.strip()
    if len(notes) < 5:
        raise InvalidVisit("走访记录过短，请至少写 5 个字", "visit notes too short")
    if len(notes) > NOTES_MAX:
        raise InvalidVisit(f"走访记录不能超过 {NOTES_MAX} 个字", "visit notes too long")
    if data.follow_up_due_date is not None and data.follow_up_due_date < data.visit_date:
        raise InvalidVisit("跟进期限不能早于走访日期", "follow-up due before the visit")
    v = Visit(
        enterprise_id=enterprise.id,
        commissioner_id=commissioner.id,
        visit_date=data.visit_date,
        notes=notes,
        follow_up=(data.follow_up or "").strip() or None,
        follow_up_due_date=data.follow_up_due_date,
    )
    db.add(v)
    db.flush()
    return v


def visits_of(db: Session, enterprise_id: int) -> list[Visit]:
    return repository.visits_of(db, enterprise_id)


def worklist(db: Session, commissioner: User) -> dict[str, Any]:
    """The commissioner's enterprises, their open appeals (overdue first) and visit follow-ups."""
    ids = repository.enterprise_ids_of(db, commissioner.id)
    ents = repository.enterprises(db, ids)
    scope = appeal_service.scope_of(db, commissioner, ids)
    appeals, total = appeal_service.list_visible(
        db, scope, page=1, page_size=200, statuses=[s.value for s in OPEN_STATUSES]
    )
    now = appeal_service.now_utc()
    appeals.sort(key=lambda a: (a.due_at is None, a.due_at or now))
    overdue = sum(1 for a in appeals if a.due_at is not None and a.due_at < now)
    return {
        "enterprises": ents,
        "open_appeals": appeals,
        "open_total": total,
        "overdue": overdue,
        "follow_ups": repository.open_follow_ups(db, commissioner.id),
    }
