"""The authenticated principal: the user behind one request, how they authenticated, and from where."""

from __future__ import annotations

from dataclasses import dataclass

from srdi.auth.enums import (
    Role,
)
from srdi.auth.models import User, UserSession
from srdi.auth.service.scope import Scope, scope_for


@dataclass
class Principal:
    """The user behind one request, how they authenticated, and from where."""

    user: User
    session: UserSession | None
    via: str  # "cookie" | "bearer"
    ip: str | None = None

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def scope(self) -> Scope:
        return scope_for(self.user)
