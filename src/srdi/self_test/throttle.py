"""A per-IP request budget for the public self-test endpoints: evaluating every rule set is not free, and the
endpoints need no account, so one address gets at most ``limit`` calls per ``window`` seconds (429 otherwise).

In memory, per process: enough to stop one client hammering one server; the general request limits of the
platform sit in front of it. The table is bounded, so many addresses cannot grow it without end.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime

from fastapi import Request

from srdi.auth.dependencies import client_ip
from srdi.kit.errors import AppError
from srdi.kit.workdays import utc_now

MAX_ADDRESSES = 10_000


class TooManySelfTests(AppError):
    status_code = 429
    code = "self_test_rate_limited"


class IpThrottle:
    def __init__(self, limit: int, window: float, clock: Callable[[], datetime] | None = None) -> None:
        self.limit, self.window = limit, window
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _now(self) -> float:
        return (self._clock or utc_now)().timestamp()

    def hit(self, key: str) -> None:
        now = self._now()
        with self._lock:
            q = self._hits.pop(key, None) or deque()
            while q and q[0] <= now - self.window:
                q.popleft()
            self._hits[key] = q  # most recent last: the oldest addresses are dropped first
            while len(self._hits) > MAX_ADDRESSES:
                self._hits.popitem(last=False)
            if len(q) >= self.limit:
                wait = int(q[0] + self.window - now) + 1
                raise TooManySelfTests(
                    f"自测请求过于频繁，请 {wait} 秒后再试",
                    f"self-test rate limit: retry in {wait} s",
                    details={"retry_after_seconds": wait},
                )
            q.append(now)


# 30 evaluations a minute is far more than a person filling in the form needs.
LIMIT, WINDOW = 30, 60.0


def throttled(request: Request) -> None:
    # One budget table per application (so each test's app starts afresh), created on first use.
    state = request.app.state
    throttle = getattr(state, "self_test_throttle", None)
    if throttle is None:
        throttle = state.self_test_throttle = IpThrottle(limit=LIMIT, window=WINDOW)
    throttle.hit(client_ip(request) or "unknown")
