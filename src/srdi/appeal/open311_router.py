"""Open311 GeoReport v2 endpoints under /api/v1/open311/v2 (JSON and XML), for civic clients.

The service list and definitions are public, as the standard has them. Service requests carry enterprises'
affairs, so reading them needs an ``api_key`` too (the standard leaves that to the jurisdiction); a key acts as
its user account and sees what that account sees.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from srdi.appeal import open311_service as o311
from srdi.appeal import service
from srdi.appeal.enums import CLOSED_FOR_OPEN311, OPEN_STATUSES, Channel
from srdi.auth.enums import ENTERPRISE_BOUND_ROLES, Role
from srdi.auth.models import User
from srdi.auth.service import audit
from srdi.casework import service as casework_service
from srdi.db.session import DbSession
from srdi.kit.errors import AppError


class Open311Error(BaseModel):
    """One entry of a GeoReport v2 error answer (the standard answers errors as a list)."""

    code: int = Field(description="HTTP 状态码", examples=[403])
    description: str = Field(description="错误说明", examples=["api_key 无效或未提供"])


# GeoReport v2 answers its own errors as a list of {code, description}: 400 bad request, 403 key, 404 not found.
# Request validation (422), size limits (413) and a busy server (503) keep the platform's ErrorOut.
# Every operation answers JSON or XML, as the path's .json / .xml says.
XML = {"text/xml": {"schema": {"type": "string", "description": "GeoReport v2 XML"}}}
OPEN311_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": list[Open311Error], "description": text, "content": XML}
    for code, text in ((400, "请求有误（Open311 错误列表）"), (403, "api_key 无效或未提供"), (404, "不存在"))
}
OPEN311_STATUSES = frozenset(c for c in OPEN311_ERRORS if isinstance(c, int))

router = APIRouter(
    prefix="/open311/v2",
    tags=["Open311 GeoReport v2"],
    responses={**OPEN311_ERRORS, 200: {"description": "成功（JSON 或 XML）", "content": XML}},
)

Fmt = Annotated[str, Path(pattern=r"^(json|xml)$", description="json 或 xml")]
Jurisdiction = Annotated[str | None, Query(max_length=100, description="jurisdiction_id（可省略）")]
FORM_MAX_FIELDS = 40
FORM_MAX_BYTES = 64 * 1024

LIST_TAGS = {"services": "service", "service_requests": "request", "errors": "error"}


def _xml(root_tag: str, items: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    root = ET.Element(root_tag)

    def fill(parent: ET.Element, data: dict[str, Any]) -> None:
        for k, v in data.items():
            if isinstance(v, list):
                wrapper = ET.SubElement(parent, k)
                for item in v:
                    child = ET.SubElement(wrapper, k[:-1] if k.endswith("s") else k)
                    if isinstance(item, dict):
                        fill(child, item)
                    else:
                        child.text = str(item)
            else:
                el = ET.SubElement(parent, k)
                if v is not None:
                    el.text = str(v).lower() if isinstance(v, bool) else str(v)

    if isinstance(items, dict):
        fill(root, items)
    else:
        for item in items:
            fill(ET.SubElement(root, LIST_TAGS.get(root_tag, "item")), item)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="unicode").encode()


def _answer(fmt: str, root_tag: str, data: Any, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(_xml(root_tag, data), status_code=status, media_type="text/xml; charset=utf-8")
    return JSONResponse(data, status_code=status)


def _error(fmt: str, status: int, description: str) -> Response:
    return _answer(fmt, "errors", [{"code": status, "description": description}], status)


def _check_jurisdiction(jurisdiction_id: str | None) -> None:
    if jurisdiction_id not in (None, "", o311.JURISDICTION_ID):
        raise AppError(
            f"jurisdiction_id 应为 {o311.JURISDICTION_ID}",
            "unknown jurisdiction",
            code="unknown_jurisdiction",
        )


def _scope(db: Session, user: User) -> service.AppealScope:
    ids = casework_service.enterprise_ids_of(db, user.id) if user.role == Role.service_commissioner else None
    return service.scope_of(db, user, ids)


@router.get("/services.{fmt}", summary="服务（诉求类别）列表")
def services(db: DbSession, fmt: Fmt, jurisdiction_id: Jurisdiction = None) -> Response:
    try:
        _check_jurisdiction(jurisdiction_id)
    except AppError as e:
        return _error(fmt, 400, e.message_zh)
    service.ensure_catalogue(db)
    return _answer(fmt, "services", [o311.service_out(c) for c in service.categories(db)])


@router.get("/services/{service_code}.{fmt}", summary="服务定义")
def service_definition(
    db: DbSession,
    fmt: Fmt,
    service_code: Annotated[str, Path(max_length=60, pattern=r"^[a-z_]+$")],
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    service.ensure_catalogue(db)
    cat = {c.key: c for c in service.categories(db)}.get(service_code)
    if cat is None:
        return _error(fmt, 404, f"服务 {service_code} 不存在")
    return _answer(fmt, "service_definition", o311.definition_out(cat))


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > FORM_MAX_BYTES:
        raise AppError("请求过大", "form too large", code="too_large")
    form = await request.form(max_fields=FORM_MAX_FIELDS)
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/requests.{fmt}", summary="提交服务请求（诉求），须 api_key")
async def post_request(request: Request, db: DbSession, fmt: Fmt) -> Response:
    try:
        form = await _form(request)
    except AppError as e:
        return _error(fmt, 400, e.message_zh)
    user = o311.user_for_key(db, form.get("api_key"))
    if user is None:
        return _error(fmt, 403, "api_key 无效或未提供")
    try:
        _check_jurisdiction(form.get("jurisdiction_id"))
        description = (form.get("description") or "").strip()
        title = (form.get("attribute[title]") or description[:30]).strip()
        uscc = (form.get("attribute[enterprise_uscc]") or "").strip().upper() or None
        ent = _enterprise_for(db, user, uscc)
        service.ensure_catalogue(db)
        code = form.get("service_code") or None
        a = service.file_appeal(
            db,
            ent,
            service.AppealData(
                title=title,
                content=description,
                category_key=code,
                channel=Channel.api,
                contact_name=" ".join(x for x in (form.get("last_name"), form.get("first_name")) if x)
                or None,
                contact_phone=(form.get("phone") or None),
            ),
            actor=user,
        )
    except AppError as e:
        # A refusal the standard has no code for (duplicate, validation, missing calendar year) is a 400.
        return _error(fmt, e.status_code if e.status_code in OPEN311_STATUSES else 400, e.message_zh)
    a.open311_token = o311.new_token()
    audit(db, user, "appeal.create", ("appeal", a.id), {"channel": "open311", "enterprise_id": ent.id})
    db.flush()
    return _answer(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": str(a.id),
                "token": a.open311_token,
                "service_notice": "已提交，2 个工作日内受理",
            }
        ],
    )


def _enterprise_for(db: Session, user: User, uscc: str | None) -> Any:
    from srdi.auth.service import scope_for
    from srdi.enterprise import service as enterprise_service
    from srdi.enterprise.exceptions import EnterpriseNotFound

    if Role(user.role) in ENTERPRISE_BOUND_ROLES:
        if user.enterprise_id is None:
            raise EnterpriseNotFound(0)
        return enterprise_service.get_or_404(db, user.enterprise_id)
    if not uscc:
        raise AppError(
            "代企业提交须填写 attribute[enterprise_uscc]", "enterprise_uscc required", code="missing"
        )
    from sqlalchemy import select

    from srdi.enterprise.models import Enterprise

    ent = db.scalars(select(Enterprise).where(Enterprise.uscc == uscc)).first()
    if ent is None or not scope_for(user).allows(ent.region_code, ent.id):
        raise EnterpriseNotFound(uscc)
    return ent


@router.get("/tokens/{token}.{fmt}", summary="以 token 查询服务请求编号")
def get_token(
    db: DbSession,
    fmt: Fmt,
    token: Annotated[str, Path(max_length=64, pattern=r"^[0-9a-f]+$")],
    api_key: str = "",
) -> Response:
    user = o311.user_for_key(db, api_key)
    if user is None:
        return _error(fmt, 403, "api_key 无效或未提供")
    a = o311.by_token(db, token)
    if a is None or not _scope(db, user).allows(db, a):
        return _error(fmt, 404, "token 不存在")
    return _answer(fmt, "service_requests", [{"service_request_id": str(a.id), "token": token}])


def _parse_dt(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise AppError(
            f"日期时间格式应为 ISO 8601：{value[:40]}", "bad datetime", code="bad_datetime"
        ) from exc


@router.get("/requests.{fmt}", summary="服务请求列表（须 api_key）")
def list_requests(
    db: DbSession,
    fmt: Fmt,
    api_key: Annotated[str, Query(max_length=200)] = "",
    jurisdiction_id: Jurisdiction = None,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=60)] = None,
    start_date: Annotated[str | None, Query(max_length=40)] = None,
    end_date: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(pattern=r"^(open|closed)$")] = None,
) -> Response:
    user = o311.user_for_key(db, api_key)
    if user is None:
        return _error(fmt, 403, "api_key 无效或未提供")
    try:
        _check_jurisdiction(jurisdiction_id)
        start, end = _parse_dt(start_date), _parse_dt(end_date)
    except AppError as e:
        return _error(fmt, 400, e.message_zh)
    scope = _scope(db, user)
    cats, deps = o311.names(db)
    if service_request_id:
        ids = [int(x) for x in service_request_id.split(",") if x.strip().isdigit()][:100]
        rows = []
        for i in ids:
            try:
                rows.append(service.get_visible(db, scope, i))
            except AppError:
                continue
    else:
        statuses = None
        if status == "open":
            statuses = [s.value for s in OPEN_STATUSES]
        elif status == "closed":
            statuses = [s.value for s in CLOSED_FOR_OPEN311]
        # At most 1000 requests per answer, newest first.
        rows, _ = service.list_visible(
            db,
            scope,
            page=1,
            page_size=1000,
            statuses=statuses,
            category_key=service_code,
            submitted_from=start,
            submitted_to=end,
        )
    return _answer(fmt, "service_requests", [o311.request_out(a, cats, deps) for a in rows])


@router.get("/requests/{service_request_id}.{fmt}", summary="单个服务请求（须 api_key）")
def get_request(
    db: DbSession,
    fmt: Fmt,
    service_request_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    api_key: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    user = o311.user_for_key(db, api_key)
    if user is None:
        return _error(fmt, 403, "api_key 无效或未提供")
    try:
        a = service.get_visible(db, _scope(db, user), service_request_id)
    except AppError:
        return _error(fmt, 404, f"服务请求 {service_request_id} 不存在")
    cats, deps = o311.names(db)
    return _answer(fmt, "service_requests", [o311.request_out(a, cats, deps)])
