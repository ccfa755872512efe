"""FastAPI application: API under /api/v1, OpenAPI at /docs, the built web UI at /."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from srdi import __version__
from srdi.api import api_router
from srdi.config import Settings, get_settings
from srdi.kit.admission import AdmissionMiddleware
from srdi.kit.errors import AppError
from srdi.kit.limits import BodyLimit, LimitsConfig, RequestLimitsMiddleware
from srdi.kit.security_headers import SecurityHeadersMiddleware

log = logging.getLogger("srdi")

DESCRIPTION = """
**专精特新企业梯度培育平台 SRDI Platform** — 企业信息库（一企一档）、梯度培育评价、政策精准推送与免申即享。

所有金额以“元”为单位、精确到分（JSON 中为十进制字符串）；界面以“万元”显示。日期格式 YYYY-MM-DD。
错误以 JSON 返回：`{"code": "...", "message": "中文说明", "message_en": "...", "details": ...}`。
"""

# Seconds a client is asked to wait when every database connection is busy.
BUSY_RETRY_SECONDS = 5

HTTP_MESSAGES = {
    400: "请求有误",
    401: "请先登录",
    403: "没有权限执行此操作",
    404: "请求的资源不存在",
    405: "不支持该请求方法",
    413: "上传的文件过大",
    429: "请求过于频繁，请稍后再试",
}


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path"))


def _zh_validation_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    msg = str(err.get("msg", ""))
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    known = {
        "missing": "必填项缺失",
        "int_parsing": "应为整数",
        "decimal_parsing": "应为数字",
        "float_parsing": "应为数字",
        "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
        "date_parsing": "日期格式应为 YYYY-MM-DD",
        "greater_than_equal": "数值过小",
        "less_than_equal": "数值过大",
        "string_too_short": "内容过短",
        "string_too_long": "内容过长",
        "string_pattern_mismatch": "格式不正确",
        "enum": "取值不在允许范围内",
        "bool_parsing": "应为是/否",
        "json_invalid": "JSON 格式错误",
        "model_attributes_type": "应为对象",
        "list_type": "应为列表",
        "finite_number": "应为有限数值",
        "decimal_max_digits": "数值位数过多",
        "decimal_max_places": "小数位数过多",
        "string_type": "应为文本",
    }
    text = known.get(kind, "取值不正确")
    # Say the bound, so a person knows what to enter instead (每页条数 1000 → 数值过大（不能大于 200）).
    ctx = err.get("ctx") or {}
    if kind == "less_than_equal" and "le" in ctx:
        text += f"（不能大于 {ctx['le']}）"
    elif kind == "greater_than_equal" and "ge" in ctx:
        text += f"（不能小于 {ctx['ge']}）"
    return text


def create_app(settings: Settings | None = None) -> FastAPI:
    explicit_settings = settings is not None
    settings = settings or get_settings()
    settings.check_production_safety()
    # In production the API description is not published: it maps every endpoint for an attacker, and the
    # people who need it read it on a development instance or in web/openapi.json.
    docs = settings.env != "production"
    app = FastAPI(
        title="专精特新企业梯度培育平台 SRDI Platform API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json" if docs else None,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        lifespan=lambda app: _lifespan(app, settings),
    )

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        log.info("app error %s: %s", exc.code, exc.message_en)
        return JSONResponse(exc.to_dict(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {
                "field": _field_path(e.get("loc", ())),
                "message": _zh_validation_message(e),
                "message_en": e.get("msg"),
            }
            for e in exc.errors()
        ]
        body = {
            "code": "validation_failed",
            "message": "提交的数据有误，请按提示修改",
            "message_en": "request validation failed",
            "details": details,
        }
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 405:
            # Starlette names only the first route's methods; a path served by several routes offers them all.
            allowed = _methods_for(request.app, request.url.path)
            if allowed:
                exc.headers = {**(exc.headers or {}), "Allow": ", ".join(sorted(allowed))}
            elif request.url.path.startswith("/api/"):
                # Only the web UI's GET fallback matched (``POST /api/v1/appeals/x/transitions``): no API
                # operation lives at this path, so it is not found rather than "method not allowed".
                exc = StarletteHTTPException(404)
        message = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else None
        body = {
            "code": f"http_{exc.status_code}",
            "message": message or HTTP_MESSAGES.get(exc.status_code, "请求失败"),
            "message_en": str(exc.detail),
        }
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    def _busy() -> JSONResponse:
        body = {
            "code": "service_busy",
            "message": "系统繁忙，请稍后重试",
            "message_en": "all database connections are busy",
        }
        return JSONResponse(body, status_code=503, headers={"Retry-After": str(BUSY_RETRY_SECONDS)})

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(_: Request, exc: PoolTimeout) -> JSONResponse:
        # Every database connection is busy: say so at once and when to retry, never a hung request and a 500.
        log.warning("database pool exhausted: %s", exc)
        return _busy()

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> JSONResponse:
        # SQLite has one writer: a transaction that read, then finds another writer committed first, fails at
        # once with "database is locked" (no busy wait applies). That is a busy server too, not an internal error.
        # On PostgreSQL, lock_timeout (srdi.db.session) ends a wait for a row lock with SQLSTATE 55P03.
        if "database is locked" in str(exc.orig) or getattr(exc.orig, "sqlstate", None) == "55P03":
            log.warning("database busy on %s %s: %s", request.method, request.url.path, exc.orig)
            return _busy()
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        body = {
            "code": "internal_error",
            "message": "服务器内部错误，请稍后重试或联系管理员",
            "message_en": f"internal error: {type(exc).__name__}",
        }
        return JSONResponse(body, status_code=500)

    if explicit_settings:
        # Dependencies read settings through get_settings; the app's own settings must win over the cache.
        app.dependency_overrides[get_settings] = lambda: settings
    production = settings.env == "production"

    # The last added is the outermost: the limits' own refusals carry the security headers too. Admission is the
    # innermost: a request refused for its size never waits for a place (srdi.kit.admission).
    app.add_middleware(
        AdmissionMiddleware,
        limit=settings.db_pool_size,
        wait_seconds=settings.db_pool_timeout_seconds,
        retry_after=BUSY_RETRY_SECONDS,
    )
    app.add_middleware(RequestLimitsMiddleware, config=request_limits(settings))
    app.add_middleware(SecurityHeadersMiddleware, production=production)

    @app.get("/api/v1/health", tags=["系统 system"], summary="健康检查")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(api_router)
    _mount_web(app, settings.web_dist_dir)
    return app


def _recover_once(app: FastAPI) -> None:
    from srdi.db.session import get_task_session_factory
    from srdi.recovery import recover

    # The same sessions as the app's background tasks (tests substitute theirs).
    factory = app.dependency_overrides.get(get_task_session_factory, get_task_session_factory)()
    try:
        with factory() as db:
            recover(db)
            db.commit()
    except Exception:  # recovery must never keep the server from starting; the next round retries
        log.exception("recovery of interrupted jobs failed")


def _warm(app: FastAPI) -> None:
    """What the first requests would otherwise build while they wait: the rule book (every rule file loaded and
    checked, ~2.6 s of CPU) and the appeal router."""
    from srdi.criteria.service import rule_book

    try:
        rule_book()
    except Exception:  # the first self-assessment loads it again (and answers the error)
        log.exception("loading the rule book failed")
    _warm_router(app)


def _warm_router(app: FastAPI) -> None:
    from srdi.appeal.service import warm_router
    from srdi.db.session import get_task_session_factory

    factory = app.dependency_overrides.get(get_task_session_factory, get_task_session_factory)()
    try:
        with factory() as db:
            warm_router(db)
    except Exception:  # the first suggestion builds it again (and fails loudly if the data is broken)
        log.exception("warming the appeal router failed")


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """At start-up and every ``recovery_interval_seconds``: interrupted runs and imports marked, stale uploads
    removed. The appeals time-limit sweeper runs inside the server unless it runs as ``srdi worker`` (or in tests);
    the rule book and the appeal router are built in a thread so the first requests do not wait (or, under load,
    each build them again)."""
    interval = settings.recovery_interval_seconds
    await asyncio.to_thread(_recover_once, app)
    warming = None if settings.env == "test" else asyncio.create_task(asyncio.to_thread(_warm, app))
    sweeper = None
    if settings.appeal_sweeper_embedded and settings.env != "test":
        from srdi.appeal.tasks import Sweeper
        from srdi.application.tasks import SCHEDULED_JOBS

        sweeper = Sweeper(settings.appeal_sweep_interval_seconds, also=SCHEDULED_JOBS)
        sweeper.start()

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval)
            await asyncio.to_thread(_recover_once, app)

    task = asyncio.create_task(loop()) if interval > 0 else None
    try:
        yield
    finally:
        if sweeper is not None:
            sweeper.stop()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if warming is not None:
            await warming


def request_limits(settings: Settings) -> LimitsConfig:
    """Body limits per route: uploads get the larger one, and must carry a credential before they are read."""
    upload = BodyLimit(
        "/api/v1/imports", settings.max_upload_bytes, needs_credential=True, label="上传的文件"
    )
    attachment = BodyLimit(
        "/api/v1/appeal-attachments",
        settings.attachment_max_bytes + 1024 * 1024,
        needs_credential=True,
        label="上传的附件",
    )
    evidence = BodyLimit(
        "/api/v1/evidence-files",
        settings.max_evidence_bytes + 1024 * 1024,
        needs_credential=True,
        label="上传的证明材料",
    )
    return LimitsConfig(default_max_bytes=settings.max_body_bytes, routes=[upload, attachment, evidence])


def _methods_for(app: FastAPI, path: str) -> set[str]:
    """Every method the API offers on ``path``, across all routes and nested routers."""
    try:
        from fastapi.routing import iter_route_contexts

        routes: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI: app.routes is already flat
        routes = list(app.routes)
    out: set[str] = set()
    for r in routes:
        route_path, methods = getattr(r, "path", None), getattr(r, "methods", None)
        if not (route_path and methods and route_path.startswith("/api/")):
            continue
        m = compile_path(route_path)[0].match(path)
        if m and _params_fit(r, m.groupdict()):
            out |= set(methods)
    return out


def _params_fit(route: Any, values: dict[str, str]) -> bool:
    """Whether the path's values suit the route's typed path parameters: ``/appeals/route-suggestions`` is not
    ``/appeals/{appeal_id}`` with an integer id, so GET is not offered there."""
    dependant = getattr(route, "dependant", None)
    for param in getattr(dependant, "path_params", []) or []:
        value = values.get(param.name)
        annotation = getattr(getattr(param, "field_info", None), "annotation", None)
        if value is not None and annotation is int and not value.lstrip("-").isdigit():
            return False
    return True


def _mount_web(app: FastAPI, dist: Path) -> None:
    """Serve the built Vue app; unknown non-API paths fall back to index.html (client-side routing)."""
    index = dist / "index.html"
    if not index.exists():

        @app.get("/", include_in_schema=False)
        def _no_web() -> JSONResponse:
            return JSONResponse(
                {"message": "网页界面尚未构建（运行 make web）；API 文档见 /docs", "docs": "/docs"}
            )

        return
    from srdi.web_static import IMMUTABLE, REVALIDATE, asset_path, file_response

    @app.get("/assets/{path:path}", include_in_schema=False)
    def _asset(request: Request, path: str) -> FileResponse:
        # Hashed build output (Vite): cached for a year, precompressed copy when the browser accepts one.
        found = asset_path(dist / "assets", path)
        if found is None or found.suffix in (".gz", ".br"):
            raise StarletteHTTPException(404)
        return file_response(request, found, cache_control=IMMUTABLE)

    @app.get("/{path:path}", include_in_schema=False)
    def _spa(request: Request, path: str) -> FileResponse:
        if path.startswith("api/"):
            # An API path reached with a method it does not offer answers 405 with the methods it does.
            allowed = _methods_for(request.app, "/" + path)
            if allowed:
                raise StarletteHTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})
            raise StarletteHTTPException(404)
        found = asset_path(dist, path)
        if found is not None and found.suffix not in (".gz", ".br") and found.name != "index.html":
            # Files copied from web/public keep their names across builds: revalidate, do not pin.
            return file_response(request, found, cache_control=REVALIDATE)
        # index.html names the current asset hashes, so it is checked on every load.
        return file_response(request, index, cache_control=REVALIDATE)
