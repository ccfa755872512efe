"""HTTP endpoints of casework: assignments (officials), the commissioner's worklist, visits (走访)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from srdi.appeal.enums import STATUS_LABELS, AppealStatus
from srdi.auth import service as auth_service
from srdi.auth.dependencies import require_roles
from srdi.auth.enums import MANAGERS, REGISTRY_READERS, Role
from srdi.auth.service import Principal, audit
from srdi.casework import service
from srdi.casework.exceptions import CommissionerNotFound
from srdi.casework.schemas import (
    AssignmentIn,
    AssignmentOut,
    VisitIn,
    VisitOut,
    WorkEnterpriseOut,
    WorklistAppealOut,
    WorklistOut,
)
from srdi.db.session import DbSession
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.dependencies import VisibleEnterprise
from srdi.enterprise.exceptions import EnterpriseNotFound
from srdi.kit.params import EnterpriseId

router = APIRouter(tags=["服务专员 casework"])

Manager = Annotated[Principal, Depends(require_roles(*MANAGERS))]
Commissioner = Annotated[Principal, Depends(require_roles(Role.service_commissioner))]
Reader = Annotated[Principal, Depends(require_roles(*REGISTRY_READERS))]


@router.post("/casework/assignments", response_model=AssignmentOut, summary="为服务专员分配企业")
def assign(db: DbSession, principal: Manager, body: AssignmentIn) -> AssignmentOut:
    try:
        target = auth_service.get_user_or_404(db, body.commissioner_id)
    except Exception as exc:
        raise CommissionerNotFound(body.commissioner_id) from exc
    commissioner = service.check_commissioner(target, body.commissioner_id)
    scope = principal.scope
    n = service.assign(
        db,
        commissioner,
        body.basis,
        region_prefix=body.region_prefix,
        industry_prefix=body.industry_prefix,
        enterprise_ids=body.enterprise_ids,
        actor=principal.username,
        scope_allows=lambda e: scope.allows(e.region_code, e.id),
    )
    audit(
        db, principal, "casework.assign", ("user", commissioner.id), body.model_dump(mode="json") | {"n": n}
    )
    return AssignmentOut(assigned=n)


@router.get("/casework/worklist", response_model=WorklistOut, summary="服务专员工作台")
def worklist(db: DbSession, principal: Commissioner) -> WorklistOut:
    w = service.worklist(db, principal.user)
    from srdi.appeal.service import now_utc

    now = now_utc()
    return WorklistOut(
        enterprises=[WorkEnterpriseOut.model_validate(e, from_attributes=True) for e in w["enterprises"]],
        open_appeals=[
            WorklistAppealOut(
                id=a.id,
                enterprise_id=a.enterprise_id,
                title=a.title,
                status=a.status,
                status_label=STATUS_LABELS[AppealStatus(a.status)],
                due_at=a.due_at,
                overdue=a.due_at is not None and a.due_at < now,
                escalation_level=a.escalation_level,
            )
            for a in w["open_appeals"]
        ],
        open_total=w["open_total"],
        overdue=w["overdue"],
        follow_ups=[VisitOut.model_validate(v, from_attributes=True) for v in w["follow_ups"]],
    )


def _visible(db: Session, principal: Principal, enterprise_id: int):  # type: ignore[no-untyped-def]
    ent = enterprise_service.get_visible(db, principal.scope, enterprise_id)
    if principal.role is Role.service_commissioner and ent.id not in service.enterprise_ids_of(
        db, principal.user.id
    ):
        raise EnterpriseNotFound(enterprise_id)
    return ent


@router.get("/enterprises/{enterprise_id}/visits", response_model=list[VisitOut], summary="走访记录")
def list_visits(db: DbSession, principal: Reader, ent: VisibleEnterprise) -> list[VisitOut]:
    # Reading follows the registry's scope (a commissioner reads the visits of their whole area).
    return [VisitOut.model_validate(v, from_attributes=True) for v in service.visits_of(db, ent.id)]


@router.post(
    "/enterprises/{enterprise_id}/visits", response_model=VisitOut, status_code=201, summary="登记走访"
)
def create_visit(
    db: DbSession, principal: Commissioner, enterprise_id: EnterpriseId, body: VisitIn
) -> VisitOut:
    ent = _visible(db, principal, enterprise_id)
    v = service.record_visit(db, principal.user, ent, service.VisitData(**body.model_dump()))
    audit(db, principal, "casework.visit", ("enterprise", ent.id), {"visit_id": v.id})
    return VisitOut.model_validate(v, from_attributes=True)
