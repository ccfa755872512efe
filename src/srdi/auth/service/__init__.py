"""Accounts, logins, sessions, scopes and the audit log. Services never commit (convention 8).

One module per concern — ``passwords``, ``scope``, ``principal``, ``auditing``, ``throttling``, ``sessions``,
``accounts`` — re-exported here: other domains import ``srdi.auth.service`` (``audit``, ``Principal`` …), never
a module inside it.
"""

from __future__ import annotations

from srdi.auth.service.accounts import (
    UserData,
    change_own_password,
    create_user,
    get_user_by_username,
    get_user_or_404,
    list_users,
    reset_password,
    set_active,
    validate_assignment,
)
from srdi.auth.service.auditing import (
    AUDIT_CSV_COLUMNS,
    AuditFilter,
    audit,
    audit_csv,
    list_audit,
)
from srdi.auth.service.passwords import (
    MIN_PASSWORD_LENGTH,
    check_password_strength,
    hash_password,
    hasher,
    verify_password,
)
from srdi.auth.service.principal import (
    Principal,
)
from srdi.auth.service.scope import (
    EnterpriseRestrictable,
    Scope,
    scope_description,
    scope_for,
    scope_label,
)
from srdi.auth.service.sessions import (
    LAST_SEEN_RESOLUTION,
    SESSION_TOKEN_BYTES,
    LoginResult,
    authenticate,
    csrf_token_for,
    csrf_valid,
    login,
    logout,
    open_session,
    revoke_token,
    token_hash,
)
from srdi.auth.service.throttling import (
    PAIR_WINDOW,
    backoff,
)
from srdi.db.base import as_utc

__all__ = [
    "AUDIT_CSV_COLUMNS",
    "LAST_SEEN_RESOLUTION",
    "MIN_PASSWORD_LENGTH",
    "PAIR_WINDOW",
    "SESSION_TOKEN_BYTES",
    "AuditFilter",
    "EnterpriseRestrictable",
    "LoginResult",
    "Principal",
    "Scope",
    "UserData",
    "as_utc",
    "audit",
    "audit_csv",
    "authenticate",
    "backoff",
    "change_own_password",
    "check_password_strength",
    "create_user",
    "csrf_token_for",
    "csrf_valid",
    "get_user_by_username",
    "get_user_or_404",
    "hash_password",
    "hasher",
    "list_audit",
    "list_users",
    "login",
    "logout",
    "open_session",
    "reset_password",
    "revoke_token",
    "scope_description",
    "scope_for",
    "scope_label",
    "set_active",
    "token_hash",
    "validate_assignment",
    "verify_password",
]
