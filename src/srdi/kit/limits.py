"""Bounds on every request before the application sees it, as pure ASGI middleware (QUALITY S6, R7).

- **Body size per route**: ``Content-Length`` is checked before anything is read, and the bytes are counted while
  they stream (chunked bodies have no length), so a 300 MB body costs at most the limit plus one chunk.
  A small default covers JSON; upload routes get a larger, documented limit and — because multipart parsing
  spools to disk before any dependency runs — an upload without any credential is refused (401) before its
  body is read.
- **JSON**: a JSON body is parsed once here and refused (422) when it nests too deeply, holds a number that is
  not finite or beyond 64-bit range, or a string with a control character (NUL, C0/C1, lone surrogates).
- **Query strings and paths**: the same control characters are refused in every parameter.

Pure ASGI, not ``@app.middleware("http")``: that decorator's BaseHTTPMiddleware costs ~19% of server CPU on a small
POST (STACK.md, "Traps found in the review").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from srdi.kit.text import control_error

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MIB = 1024 * 1024
# Deeper than any document the API defines (local answers, rule drafts) and far below the parser's recursion.
MAX_JSON_DEPTH = 32
# Integers and floats beyond a signed 64-bit integer fit no column (9.2e18 分 = 9.2e16 元).
MAX_JSON_NUMBER = 2**63 - 1


@dataclass(frozen=True)
class BodyLimit:
    """``max_bytes`` for requests whose path starts with ``prefix``; ``needs_credential``: refuse anonymous."""

    prefix: str
    max_bytes: int
    needs_credential: bool = False
    label: str = "请求内容"


@dataclass
class LimitsConfig:
    default_max_bytes: int = 1 * MIB
    routes: list[BodyLimit] = field(default_factory=list)
    # Cookie or header whose presence counts as "a credential was offered" (validated later by the route).
    session_cookie: str = "srdi_session"

    def limit_for(self, path: str) -> BodyLimit:
        for r in self.routes:
            if path == r.prefix or path.startswith(r.prefix.rstrip("/") + "/"):
                return r
        return BodyLimit("", self.default_max_bytes)


class _TooLarge(Exception):
    pass


def _human(n: int) -> str:
    return f"{n // MIB} MiB" if n >= MIB and n % MIB == 0 else f"{n} 字节"


async def _send_error(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]
) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                # The client may still be sending: tell it the connection will not read the rest.
                (b"connection", b"close"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _too_large(limit: BodyLimit) -> dict[str, Any]:
    return {
        "code": "body_too_large",
        "message": f"{limit.label}过大，上限为 {_human(limit.max_bytes)}",
        "message_en": f"request body exceeds {limit.max_bytes} bytes",
        "details": {"max_bytes": limit.max_bytes},
    }


def _invalid(field_name: str, message: str, message_en: str) -> dict[str, Any]:
    return {
        "code": "validation_failed",
        "message": "提交的数据有误，请按提示修改",
        "message_en": "request validation failed",
        "details": [{"field": field_name, "message": message, "message_en": message_en}],
    }


# --- JSON checks ----------------------------------------------------------------------------------------


class JsonRefused(ValueError):
    def __init__(self, where: str, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.where, self.message, self.message_en = where, message, message_en


def _refuse_constant(name: str) -> Any:
    raise JsonRefused("", f"数值 {name} 不是有限数", f"non-finite number {name}")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_JSON_NUMBER:
        raise JsonRefused("", f"数值 {text[:30]} 超出允许范围", f"number out of range: {text[:30]}")
    return value


def _parse_int(text: str) -> int:
    # Python refuses integers of more than 4,300 digits itself; the bound here is what a column can hold.
    if len(text.lstrip("-")) > 19 or abs(value := int(text)) > MAX_JSON_NUMBER:
        raise JsonRefused("", f"数值 {text[:30]} 超出允许范围", f"number out of range: {text[:30]}")
    return value


def check_json(raw: bytes, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise JsonRefused when ``raw`` nests too deeply, holds an unbounded number or a control character.

    Malformed JSON passes: the route's own parser answers it with its usual 422.
    """
    # Depth first, on the raw text and without recursion, so a 5,000-deep document never reaches a parser.
    depth = 0
    for ch in _STRING.sub(b"", raw).translate(None, delete=_NOT_BRACKET):
        depth += 1 if ch in (0x5B, 0x7B) else -1
        if depth > max_depth:
            raise JsonRefused(
                "", f"JSON 嵌套层数过多（上限 {max_depth} 层）", f"JSON nested deeper than {max_depth}"
            )
    try:
        doc = json.loads(raw, parse_constant=_refuse_constant, parse_float=_parse_float, parse_int=_parse_int)
    except JsonRefused:
        raise
    except (ValueError, RecursionError):
        return
    stack: list[tuple[str, Any]] = [("", doc)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            if err := control_error(node):
                raise JsonRefused(where, err, "control character in a string")
        elif isinstance(node, dict):
            for k, v in node.items():
                path = f"{where}.{k}" if where else str(k)
                if err := control_error(k):
                    raise JsonRefused(where, "字段名" + err, "control character in a key")
                stack.append((path, v))
        elif isinstance(node, list):
            stack.extend((f"{where}.{i}" if where else str(i), v) for i, v in enumerate(node))


# Strings (possessive: linear time) hold no structure; of the rest only brackets count towards depth.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def _query_error(scope: Scope) -> tuple[str, str] | None:
    path = scope.get("path", "")
    if err := control_error(path):
        return "path", err
    raw = scope.get("query_string", b"")
    if not raw:
        return None
    text = raw.decode("latin-1")
    for name, value in parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="surrogateescape"):
        for part in (name, value):
            if err := control_error(part):
                return unquote(name)[:50], err
    return None


def _header(scope: Scope, name: bytes) -> bytes | None:
    for k, v in scope.get("headers", ()):
        if k == name:
            return bytes(v)
    return None


def _has_credential(scope: Scope, cookie_name: str) -> bool:
    auth = _header(scope, b"authorization") or b""
    if auth[:7].lower() == b"bearer " and auth[7:].strip():
        return True
    cookie = (_header(scope, b"cookie") or b"").decode("latin-1")
    return any(part.strip().startswith(cookie_name + "=") for part in cookie.split(";"))


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp, config: LimitsConfig | None = None) -> None:
        self.app = app
        self.config = config or LimitsConfig()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if bad := _query_error(scope):
            await _send_error(send, 422, _invalid(bad[0], bad[1], "control character in a parameter"), [])
            return
        method = scope.get("method", "GET")
        limit = self.config.limit_for(scope.get("path", ""))
        length_header = _header(scope, b"content-length")
        declared: int | None = None
        if length_header is not None:
            try:
                declared = int(length_header)
            except ValueError:
                declared = -1
            if declared < 0:
                body = {"code": "http_400", "message": "请求有误", "message_en": "invalid Content-Length"}
                await _send_error(send, 400, body, [])
                return
        has_body = (declared or 0) > 0 or _header(scope, b"transfer-encoding") is not None
        if not has_body or method in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        if limit.needs_credential and not _has_credential(scope, self.config.session_cookie):
            # Refused before a byte is read: multipart parsing would spool the whole upload to disk first.
            body = {"code": "not_authenticated", "message": "请先登录", "message_en": "not authenticated"}
            await _send_error(send, 401, body, [(b"www-authenticate", b"Bearer")])
            return
        if declared is not None and declared > limit.max_bytes:
            await _send_error(send, 413, _too_large(limit), [])
            return

        content_type = (_header(scope, b"content-type") or b"").split(b";")[0].strip().lower()
        if content_type == b"application/json" or content_type.endswith(b"+json"):
            await self._json(scope, receive, send, limit)
            return

        received = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.max_bytes:
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # FastAPI answers an error while reading the body with a 400 of its own: once the body went over the
            # limit, the answer is our 413 whatever the application made of it.
            nonlocal started, refused
            if refused:
                return
            if message["type"] == "http.response.start":
                if received > limit.max_bytes:
                    refused = True
                    await _send_error(send, 413, _too_large(limit), [])
                    return
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if received > limit.max_bytes and not started:
                if not refused:
                    await _send_error(send, 413, _too_large(limit), [])
                return
            raise

    async def _json(self, scope: Scope, receive: Receive, send: Send, limit: BodyLimit) -> None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit.max_bytes:
                await _send_error(send, 413, _too_large(limit), [])
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        try:
            check_json(raw)
        except JsonRefused as exc:
            await _send_error(send, 422, _invalid(exc.where, exc.message, exc.message_en), [])
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
