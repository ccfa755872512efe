"""HTTP endpoints of the in-app inbox: an enterprise's messages, and marking one read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from srdi.auth.dependencies import require_roles
from srdi.auth.enums import ENTERPRISE_SELF, REGISTRY_READERS, Role
from srdi.auth.service import Principal
from srdi.db.session import DbSession
from srdi.enterprise.dependencies import VisibleEnterprise
from srdi.notification import service
from srdi.notification.models import Notification
from srdi.notification.schemas import NotificationOut

router = APIRouter(tags=["站内消息 notifications"])

Reader = Annotated[Principal, Depends(require_roles(*REGISTRY_READERS))]
AnyUser = Annotated[Principal, Depends(require_roles(*Role))]
SelfUser = Annotated[Principal, Depends(require_roles(*ENTERPRISE_SELF))]


@router.get(
    "/enterprises/{enterprise_id}/notifications",
    response_model=list[NotificationOut],
    summary="企业的站内消息",
)
def notifications(db: DbSession, principal: Reader, ent: VisibleEnterprise) -> list[NotificationOut]:
    return [
        NotificationOut.model_validate(n, from_attributes=True) for n in service.notifications_of(db, ent.id)
    ]


@router.get("/notifications/mine", response_model=list[NotificationOut], summary="发给本账号的站内消息")
def my_notifications(db: DbSession, principal: AnyUser) -> list[NotificationOut]:
    """Messages addressed to the account itself (an expert's scoring deadlines), not to an enterprise."""
    return [
        NotificationOut.model_validate(n, from_attributes=True)
        for n in service.notifications_of_user(db, principal.user.id)
    ]


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut, summary="标记消息已读")
def read_notification(
    db: DbSession, principal: SelfUser, notification_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> NotificationOut:
    n: Notification = service.mark_read(db, notification_id, principal.scope.enterprise_ids)
    return NotificationOut.model_validate(n, from_attributes=True)
