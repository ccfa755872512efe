"""Drive an ASGI application with a body that streams from a generator, counting what the application read.

Starlette's TestClient reads a request body whole before the application sees it, so it cannot show that a
middleware refused a 300 MB body after reading one mebibyte of it; this helper can.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio


@dataclass
class Driven:
    status: int
    headers: dict[str, str]
    body: bytes
    consumed: int = 0
    chunks_pulled: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def generated_body(total: int, chunk: int = 64 * 1024, head: bytes = b"") -> Iterator[bytes]:
    """``total`` bytes of a JSON-looking document, produced on demand (never held in memory)."""
    yield head
    sent = len(head)
    filler = b" " * chunk
    while sent < total:
        piece = filler[: min(chunk, total - sent)]
        sent += len(piece)
        yield piece


def drive(
    app: Any,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: Iterator[bytes] | bytes = b"",
    query: str = "",
) -> Driven:
    chunks: Iterator[bytes] = iter([body]) if isinstance(body, bytes) else body
    result = Driven(0, {}, b"")
    messages: list[dict[str, Any]] = []
    done = False

    async def receive() -> dict[str, Any]:
        nonlocal done
        if done:
            await anyio.sleep_forever()
        try:
            piece = next(chunks)
        except StopIteration:
            done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        result.consumed += len(piece)
        result.chunks_pulled += 1
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "root_path": "",
        "state": {},
    }

    async def main() -> None:
        with anyio.fail_after(60):
            await app(scope, receive, send)

    anyio.run(main)
    start = next(m for m in messages if m["type"] == "http.response.start")
    result.status = start["status"]
    result.headers = {k.decode().lower(): v.decode() for k, v in start.get("headers", [])}
    result.body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return result
