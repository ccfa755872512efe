"""Refusals of the notification domain, in Chinese and English."""

from __future__ import annotations

from srdi.kit.errors import NotFoundError


class NotificationNotFound(NotFoundError):
    def __init__(self, nid: int) -> None:
        super().__init__("未找到该消息", f"notification {nid} not found")
