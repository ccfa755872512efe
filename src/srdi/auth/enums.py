"""Roles of PRODUCT.md §1, with the identifiers of GLOSSARY.md where it names them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    enterprise = "enterprise"
    district_official = "district_official"
    city_official = "city_official"
    provincial_official = "provincial_official"
    department_handler = "department_handler"
    service_commissioner = "service_commissioner"
    expert = "expert"
    bank = "bank"
    chain_leader = "chain_leader"
    admin = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.enterprise: "企业用户",
    Role.district_official: "区县主管部门",
    Role.city_official: "市级主管部门",
    Role.provincial_official: "省级主管部门",
    Role.department_handler: "责任单位经办人",
    Role.service_commissioner: "服务专员",
    Role.expert: "评审专家",
    Role.bank: "金融机构",
    Role.chain_leader: "链主企业",
    Role.admin: "系统管理员",
}

# Length of the region_code prefix that scopes each official role: 区县 6 digits, 市 4, 省 2.
OFFICIAL_SCOPE_LENGTH: dict[Role, int] = {
    Role.district_official: 6,
    Role.city_official: 4,
    Role.provincial_official: 2,
}

OFFICIAL_ROLES = frozenset(OFFICIAL_SCOPE_LENGTH)

# Role groups that routers admit (docs/decisions/0006-authorization.md), defined once.
OFFICIALS = (Role.district_official, Role.city_official, Role.provincial_official)
ENTERPRISE_SELF = (Role.enterprise, Role.chain_leader)
MANAGERS = (Role.admin, *OFFICIALS)
MONITORS = (Role.admin, *OFFICIALS, Role.service_commissioner)
REGISTRY_READERS = (*MONITORS, *ENTERPRISE_SELF)
# Roles whose account belongs to one enterprise (a chain leader is itself an enterprise).
ENTERPRISE_BOUND_ROLES = frozenset({Role.enterprise, Role.chain_leader})
# Roles that must carry a region scope: officials, and commissioners (they serve the enterprises of one area).
REGION_SCOPED_ROLES = OFFICIAL_ROLES | {Role.service_commissioner}


class AuditAction(StrEnum):
    """Stable action names of audit rows; other domains add their own ``<domain>.<verb>`` strings."""

    login = "auth.login"
    login_failed = "auth.login_failed"
    logout = "auth.logout"
    password_changed = "auth.password_changed"
    user_created = "user.create"
    user_updated = "user.update"
    user_deactivated = "user.deactivate"
    user_activated = "user.activate"
    password_reset = "user.reset_password"
    enterprise_created = "enterprise.create"
    yearly_figures_updated = "enterprise.yearly_figures.update"
    contact_revealed = "enterprise.contact.read_unmasked"
    audit_log_read = "audit.read"
    audit_log_exported = "audit.export"
