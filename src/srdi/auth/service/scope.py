"""Which enterprises a user may see (their scope), and that scope in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from srdi.auth import repository
from srdi.auth.enums import (
    ENTERPRISE_BOUND_ROLES,
    REGION_SCOPED_ROLES,
    Role,
)
from srdi.auth.models import User
from srdi.kit.reference import regions


class EnterpriseRestrictable(Protocol):
    region_scope: list[str] | None
    enterprise_ids: list[int] | None


@dataclass(frozen=True)
class Scope:
    """Which enterprises a user may see: ``None`` means no restriction on that axis; empty means nothing."""

    region_prefixes: tuple[str, ...] | None = None
    enterprise_ids: tuple[int, ...] | None = None

    @property
    def unrestricted(self) -> bool:
        return self.region_prefixes is None and self.enterprise_ids is None

    def allows(self, region_code: str | None, enterprise_id: int | None) -> bool:
        if self.enterprise_ids is not None and enterprise_id not in self.enterprise_ids:
            return False
        if self.region_prefixes is not None:
            return region_code is not None and any(region_code.startswith(p) for p in self.region_prefixes)
        return True

    def allows_region(self, region_code: str) -> bool:
        """May this user create or move an enterprise into ``region_code``? (enterprise-bound users: never)"""
        if self.enterprise_ids is not None:
            return False
        return self.region_prefixes is None or any(region_code.startswith(p) for p in self.region_prefixes)

    def restrict(self, flt: EnterpriseRestrictable) -> None:
        """Narrow an EnterpriseFilter (srdi.enterprise.repository) to this scope."""
        if self.region_prefixes is not None:
            flt.region_scope = list(self.region_prefixes)
        if self.enterprise_ids is not None:
            flt.enterprise_ids = list(self.enterprise_ids)


def scope_for(user: User) -> Scope:
    role = Role(user.role)
    if role is Role.admin:
        return Scope()
    if role in ENTERPRISE_BOUND_ROLES:
        return Scope(enterprise_ids=(user.enterprise_id,) if user.enterprise_id else ())
    if role in REGION_SCOPED_ROLES:
        return Scope(region_prefixes=(user.region_code,) if user.region_code else ())
    # Experts, banks and department handlers reach enterprises only through their own workflows
    # (assigned applications, the whitelist, routed appeals), never by browsing the registry.
    return Scope(region_prefixes=())


def scope_label(user: User) -> str | None:
    code = user.region_code
    if not code:
        return None
    if len(code) == 2:
        return next((r.province_name for r in regions().values() if r.province_code == code), code)
    if len(code) == 4:
        r = next((r for r in regions().values() if r.city_code == code), None)
        if r is None:
            return code
        return r.province_name + (r.city_name if r.city_name not in ("市辖区", "县") else "")
    r6 = regions().get(code)
    return r6.full_name if r6 else code


def scope_description(db: Session, user: User) -> str | None:
    """What the account may see, in words: its region, its department or its enterprise's name."""
    if user.enterprise_id is not None:
        return repository.enterprise_name(db, user.enterprise_id)
    return scope_label(user) or user.department
