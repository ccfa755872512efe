"""Admission control: no more API requests inside the application than there are database connections.

Pure ASGI. FastAPI runs a request's sync dependencies and its endpoint on anyio's worker threads as separate hops:
a request takes a connection in its first hop (the session, the bearer token's lookup) and keeps it while it waits
for a thread for the next. Under 200 concurrent connections every one of the 40 threads was taken by a new request
waiting for a connection, while the 50 connections were held by requests waiting for a thread: nothing moved until
the pool timeout, and then every request answered 503 (measured: benchmarks/p4_load.py, py-spy showed 33 threads
in ``QueuePool._do_get``). Letting in at most ``limit`` requests — the pool's size — means a request inside always
finds a connection; the others wait here, in the event loop, costing no thread, at most ``wait_seconds``, and then
get the same 503 with a Chinese message and Retry-After as an exhausted pool.
"""

from __future__ import annotations

import asyncio
import json
import weakref

from srdi.kit.limits import ASGIApp, Receive, Scope, Send

BUSY_BODY = json.dumps(
    {
        "code": "service_busy",
        "message": "系统繁忙，请稍后重试",
        "message_en": "too many requests in progress",
    },
    ensure_ascii=False,
).encode()


class AdmissionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        wait_seconds: float,
        retry_after: int = 5,
        exempt: tuple[str, ...] = ("/api/v1/health",),
    ) -> None:
        self.app = app
        self.limit = max(1, limit)
        self.wait_seconds = wait_seconds
        self.retry_after = retry_after
        self.exempt = frozenset(exempt)
        # One semaphore per event loop (a test client may run the same app on several loops).
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.limit)
        return gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or path in self.exempt:
            await self.app(scope, receive, send)
            return
        gate = self._gate()
        if not gate.locked():
            await gate.acquire()  # a free place: taken at once, without a timer task
        else:
            try:
                await asyncio.wait_for(gate.acquire(), self.wait_seconds)
            except TimeoutError:
                await self._busy(send)
                return
        try:
            await self.app(scope, receive, send)
        finally:
            gate.release()

    async def _busy(self, send: Send) -> None:
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(BUSY_BODY)).encode()),
            (b"retry-after", str(self.retry_after).encode()),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": BUSY_BODY})
