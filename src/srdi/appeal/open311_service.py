"""Open311 GeoReport v2 over the appeals (https://wiki.open311.org/GeoReport_v2): api keys, tokens, mapping.

A service is an appeal category; a service request is an appeal. The jurisdiction is this platform
(``JURISDICTION_ID``). Statuses map to ``open`` / ``closed`` with the Chinese stage in ``status_notes``, and
``expected_datetime`` is the working-day deadline of the current stage.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from srdi.appeal import service
from srdi.appeal.enums import OPEN_STATUSES, REJECT_REASON_LABELS, STATUS_LABELS, AppealStatus, RejectReason
from srdi.appeal.models import Appeal, AppealCategory, Department, Open311Client
from srdi.auth.models import User
from srdi.kit.workdays import BEIJING

JURISDICTION_ID = "srdi.gov.cn"
KEY_BYTES = 24


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(db: Session, user: User, name: str) -> str:
    """A new api_key for ``user``; shown once, only its hash is stored."""
    key = secrets.token_urlsafe(KEY_BYTES)
    db.add(Open311Client(name=name[:100], key_hash=_hash(key), user_id=user.id, active=True))
    db.flush()
    return key


def user_for_key(db: Session, key: str | None) -> User | None:
    if not key or len(key) > 200:
        return None
    row = db.scalars(select(Open311Client).where(Open311Client.key_hash == _hash(key))).first()
    if row is None or not row.active:
        return None
    user = db.get(User, row.user_id)
    return user if user is not None and user.active else None


def new_token() -> str:
    return secrets.token_hex(16)


def by_token(db: Session, token: str) -> Appeal | None:
    return db.scalars(select(Appeal).where(Appeal.open311_token == token)).first()


def _iso(t: datetime | None) -> str | None:
    return t.astimezone(BEIJING).isoformat(timespec="seconds") if t else None


def service_out(c: AppealCategory) -> dict[str, Any]:
    limit = (
        f"{c.answer_hours} 小时内答复" if c.answer_hours else f"{c.time_limit_working_days} 个工作日内答复"
    )
    return {
        "service_code": c.key,
        "service_name": c.name,
        "description": f"{c.name}（{limit}）",
        "metadata": True,
        "type": "batch",
        "keywords": c.name,
        "group": "企业诉求",
    }


SERVICE_ATTRIBUTES: list[dict[str, Any]] = [
    {
        "variable": True,
        "code": "title",
        "datatype": "string",
        "required": False,
        "datatype_description": "诉求标题，不超过 100 字；不填则取描述的前 30 字",
        "order": 1,
        "description": "诉求标题",
    },
    {
        "variable": True,
        "code": "enterprise_uscc",
        "datatype": "string",
        "required": False,
        "datatype_description": "18 位统一社会信用代码；工作人员代企业提交时必填",
        "order": 2,
        "description": "企业统一社会信用代码",
    },
]


def definition_out(c: AppealCategory) -> dict[str, Any]:
    return {"service_code": c.key, "attributes": SERVICE_ATTRIBUTES}


def status_of(a: Appeal) -> str:
    return "open" if AppealStatus(a.status) in OPEN_STATUSES else "closed"


def request_out(a: Appeal, cats: dict[str, str], deps: dict[int, Department]) -> dict[str, Any]:
    status = AppealStatus(a.status)
    notes = STATUS_LABELS[status]
    if a.reject_reason:
        notes += "：" + REJECT_REASON_LABELS[RejectReason(a.reject_reason)]
    elif a.answer and status in (AppealStatus.answered, AppealStatus.closed, AppealStatus.rated):
        notes += "：" + a.answer[:200]
    dep = deps.get(a.department_id) if a.department_id else None
    expected = a.due_at or a.answer_due_at
    return {
        "service_request_id": str(a.id),
        "status": status_of(a),
        "status_notes": notes,
        "service_name": cats.get(a.category_key, a.category_key),
        "service_code": a.category_key,
        "description": a.content,
        "agency_responsible": dep.name if dep else None,
        "service_notice": None,
        "requested_datetime": _iso(a.submitted_at),
        "updated_datetime": _iso(a.updated_at),
        "expected_datetime": _iso(expected),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def names(db: Session) -> tuple[dict[str, str], dict[int, Department]]:
    return (
        {c.key: c.name for c in service.categories(db)},
        {d.id: d for d in service.departments(db)},
    )
