"""Extension point of ``srdi demo``: functions run after the demo enterprises are written.

Other domains that want demo content made by the same command (for example demo user accounts, one per role,
linked to demo enterprises) add the dotted path of a function to ``DEMO_HOOKS``::

    DEMO_HOOKS = ["srdi.auth.demo:demo_hook"]

Each hook is called as ``hook(conn, result, reset=...)`` inside the command's transaction, after the enterprises
are committed: ``conn`` is a SQLAlchemy ``Connection``, ``result`` the ``LoadResult`` (counts and a summary),
``reset`` whether ``--reset`` removed the previous demo data first. It may return a line of text (Chinese, with
English after a slash) that the command prints. A hook must be idempotent: the command may run many times.
Paths are listed here rather than registered at import time so the command does not depend on import order.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

DEMO_HOOKS: list[str] = [
    "srdi.auth.demo:demo_hook",
    "srdi.auto_grant.demo:demo_hook",
    "srdi.appeal.demo:demo_hook",
    "srdi.application.demo:demo_hook",
    "srdi.application.dynamic_demo:demo_hook",
    "srdi.finance.demo:demo_hook",
    "srdi.matchmaking.demo:demo_hook",
    "srdi.matchmaking.events_demo:demo_hook",
    "srdi.monitoring.demo:demo_hook",
]


def resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)  # type: ignore[no-any-return]


def run_hooks(conn: Any, result: Any, *, reset: bool, hooks: list[str] | None = None) -> list[str]:
    messages = []
    for path in DEMO_HOOKS if hooks is None else hooks:
        message = resolve(path)(conn, result, reset=reset)
        if message:
            messages.append(str(message))
    return messages
