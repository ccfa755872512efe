"""Admission control (srdi.kit.admission): at most ``limit`` API requests inside the app; the rest wait in the
event loop and, past the wait, get 503 with the Chinese busy message. Driven as plain ASGI calls: the held
request is released by an event, not by time."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from srdi.kit.admission import AdmissionMiddleware


async def _call(app: Any, path: str) -> tuple[int, dict[str, str], bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "http", "path": path, "method": "GET", "headers": []}, receive, send)
    start = sent[0]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


def _run(scenario: Any) -> None:
    """Run the scenario on an event loop of its own thread: the browser tests' session-wide Playwright keeps a loop
    running in the main thread, where asyncio.run refuses to start another."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, scenario()).result()


def _app(release: asyncio.Event, inside: list[str]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        inside.append(scope["path"])
        if scope["path"] == "/api/v1/slow":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def test_a_request_past_the_limit_waits_then_gets_503_while_health_and_pages_pass() -> None:
    async def scenario() -> None:
        release = asyncio.Event()
        inside: list[str] = []
        gate = AdmissionMiddleware(_app(release, inside), limit=1, wait_seconds=0.05, retry_after=5)
        slow = asyncio.create_task(_call(gate, "/api/v1/slow"))
        while not inside:
            await asyncio.sleep(0)
        status, headers, body = await _call(gate, "/api/v1/enterprises")
        assert status == 503
        assert headers["retry-after"] == "5"
        assert json.loads(body)["message"] == "系统繁忙，请稍后重试"
        # Health and the web pages never wait for a place.
        assert (await _call(gate, "/api/v1/health"))[0] == 200
        assert (await _call(gate, "/dashboard"))[0] == 200
        release.set()
        assert (await slow)[0] == 200
        # The place is free again.
        assert (await _call(gate, "/api/v1/enterprises"))[0] == 200
        assert inside == ["/api/v1/slow", "/api/v1/health", "/dashboard", "/api/v1/enterprises"]

    _run(scenario)


def test_a_waiting_request_gets_in_when_a_place_frees() -> None:
    async def scenario() -> None:
        release = asyncio.Event()
        inside: list[str] = []
        gate = AdmissionMiddleware(_app(release, inside), limit=1, wait_seconds=300)
        slow = asyncio.create_task(_call(gate, "/api/v1/slow"))
        while not inside:
            await asyncio.sleep(0)
        waiting = asyncio.create_task(_call(gate, "/api/v1/enterprises"))
        for _ in range(10):
            await asyncio.sleep(0)
        assert inside == ["/api/v1/slow"]  # still outside: the one place is taken
        release.set()
        assert (await slow)[0] == 200
        assert (await waiting)[0] == 200

    _run(scenario)
