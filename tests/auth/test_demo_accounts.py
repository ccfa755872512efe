"""Demo accounts: one per role, created by `srdi demo` / `srdi users create-demo`, listed only in demo mode."""

import pytest
from sqlalchemy import select

from srdi.auth import service
from srdi.auth.demo import create_demo_accounts, demo_hook
from srdi.auth.enums import Role
from srdi.auth.models import User
from srdi.config import get_settings
from srdi.enterprise.models import Enterprise
from srdi.kit.errors import AppError
from tests.auth.conftest import login
from tests.auth.route_policy import new_uscc


@pytest.fixture
def demo_enterprises(db):  # type: ignore[no-untyped-def]
    ents = [
        Enterprise(uscc=new_uscc(), name=f"演示企业{i}", region_code=region, industry_code="3562", tags=[])
        for i, region in enumerate(["440106", "440305", "440304", "440305"])
    ]
    db.add_all(ents)
    db.flush()
    return ents


def test_one_demo_account_per_role_with_the_documented_scopes(db, demo_enterprises):
    settings = get_settings().model_copy(update={"demo_mode": True})
    made = create_demo_accounts(db, settings)
    by_role = {Role(u.role): u for u, created in made}
    assert set(by_role) == set(Role)
    assert all(created for _, created in made)
    assert all(u.is_demo for u in by_role.values())
    assert (by_role[Role.district_official].region_code, by_role[Role.city_official].region_code) == (
        "440305",
        "4403",
    )
    assert by_role[Role.provincial_official].region_code == "44"
    # Enterprise accounts act for enterprises of the demo district (南山区), in id order.
    nanshan = [e.id for e in demo_enterprises if e.region_code == "440305"]
    assert [by_role[Role.enterprise].enterprise_id, by_role[Role.chain_leader].enterprise_id] == nanshan
    assert service.verify_password(by_role[Role.bank].password_hash, settings.demo_password, settings)


def test_creating_demo_accounts_twice_creates_nothing_new(db, demo_enterprises):
    settings = get_settings().model_copy(update={"demo_mode": True})
    create_demo_accounts(db, settings)
    again = create_demo_accounts(db, settings)
    assert [created for _, created in again] == [False] * len(Role)
    assert db.scalar(select(User).where(User.username == "demo-admin")) is not None


def test_demo_accounts_are_refused_outside_demo_mode(db, demo_enterprises):
    settings = get_settings().model_copy(update={"demo_mode": False})
    with pytest.raises(AppError) as exc:
        create_demo_accounts(db, settings)
    assert exc.value.code == "not_demo_mode"
    assert db.scalar(select(User).where(User.is_demo.is_(True))) is None


def test_demo_hook_of_srdi_demo_creates_the_accounts_in_the_commands_transaction(db, demo_enterprises):
    message = demo_hook(db.connection(), None, reset=False)
    assert message.startswith(f"演示账号 {len(Role)} 个（新建 {len(Role)} 个）")
    assert len(db.scalars(select(User).where(User.is_demo.is_(True))).all()) == len(Role)


def test_login_page_lists_demo_accounts_and_password_in_demo_mode_only(
    anon_client, db, demo_enterprises, use_settings
):
    settings = use_settings(demo_mode=True)
    create_demo_accounts(db, settings)
    r = anon_client.get("/api/v1/auth/demo-accounts")
    assert r.status_code == 200
    body = r.json()
    assert body["password"] == settings.demo_password
    assert [a["role"] for a in body["accounts"]] == [r.value for r in Role]
    district = next(a for a in body["accounts"] if a["role"] == "district_official")
    assert (district["username"], district["scope"]) == ("demo-district", "广东省深圳市南山区")
    enterprise = next(a for a in body["accounts"] if a["role"] == "enterprise")
    assert enterprise["scope"] == "演示企业1"
    assert login(anon_client, "demo-district", settings.demo_password).status_code == 200

    use_settings(demo_mode=False)
    r = anon_client.get("/api/v1/auth/demo-accounts")
    assert r.status_code == 404
    assert settings.demo_password not in r.text
