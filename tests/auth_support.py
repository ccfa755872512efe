"""Test helpers for accounts: users straight in the database and clients logged in as them.

Users share one Argon2id hash computed once per run (hashing costs tens of milliseconds by design).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import count

from sqlalchemy.orm import Session

from srdi.auth import service
from srdi.auth.enums import Role
from srdi.auth.models import User
from srdi.config import get_settings

TEST_PASSWORD = "Test-pass-2026"
_seq = count(1)

# The scope each role gets when a test does not say: 深圳市南山区 and its city and province.
DEFAULT_REGION = {
    Role.district_official: "440305",
    Role.city_official: "4403",
    Role.provincial_official: "44",
    Role.service_commissioner: "440305",
}


@lru_cache
def test_password_hash() -> str:
    return service.hash_password(TEST_PASSWORD, get_settings())


def make_user(
    db: Session,
    role: Role | str,
    *,
    username: str | None = None,
    region_code: str | None = None,
    enterprise_id: int | None = None,
    department: str | None = None,
    active: bool = True,
    is_demo: bool = False,
) -> User:
    role = Role(role)
    if region_code is None:
        region_code = DEFAULT_REGION.get(role)
    if role is Role.department_handler and department is None:
        department = "深圳市地方金融监督管理局"
    user = User(
        username=username or f"{role.value}-{next(_seq)}",
        display_name=f"测试{role.label}",
        password_hash=test_password_hash(),
        role=role.value,
        region_code=region_code,
        enterprise_id=enterprise_id,
        department=department,
        active=active,
        is_demo=is_demo,
        failed_login_count=0,
    )
    db.add(user)
    db.flush()
    return user


def bearer_for(db: Session, user: User) -> dict[str, str]:
    result = service.open_session(db, user, get_settings())
    return {"Authorization": f"Bearer {result.token}"}
