"""Serve the test's app on a free loopback port in a thread, for clients that speak real HTTP (third-party
Open311 clients). The wait for start-up has a generous bound and asserts nothing about time: a loaded machine
starts late, it does not fail."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

STARTUP_BOUND_S = 300.0


@contextmanager
def serving(app: Any, lifespan: str = "off") -> Iterator[str]:
    """Yield ``http://127.0.0.1:PORT`` while ``app`` is served; stop the server afterwards."""
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan=lifespan)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    tick = threading.Event()
    waited = 0.0
    while not server.started and thread.is_alive() and waited < STARTUP_BOUND_S:
        tick.wait(0.05)
        waited += 0.05
    assert server.started, "the test server did not start (see its log above)"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_BOUND_S)
