"""Account management by administrators: each role carries exactly the scope it needs."""

import pytest
from sqlalchemy import select

from srdi.auth.models import User
from srdi.enterprise.models import Enterprise
from tests.auth.conftest import login
from tests.auth.route_policy import new_uscc


def _user(**over):  # type: ignore[no-untyped-def]
    return {"username": "u1", "display_name": "测试", "role": "expert", "password": "Valid-pass-1", **over}


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"role": "district_official", "region_code": "4403"}, "区县主管部门的行政区划代码应为 6 位"),
        ({"role": "city_official"}, "市级主管部门须指定管辖行政区划代码"),
        ({"role": "provincial_official", "region_code": "99"}, "行政区划代码 99 不存在"),
        ({"role": "enterprise"}, "企业用户须绑定一个企业"),
        ({"role": "enterprise", "enterprise_id": 999999}, "企业编号 999999 不存在"),
        ({"role": "bank", "region_code": "440305"}, "金融机构不按行政区划授权"),
        ({"role": "expert", "enterprise_id": 1}, "评审专家不绑定企业"),
        ({"role": "department_handler"}, "责任单位经办人须指定所属责任单位"),
        ({"password": "short1"}, "密码至少 8 位"),
    ],
)
def test_invalid_accounts_are_refused_with_the_reason(client, db, over, message):
    before = db.scalar(select(User.id).order_by(User.id.desc()).limit(1))
    r = client.post("/api/v1/admin/users", json=_user(**over))
    assert r.status_code == 422, r.text
    assert r.json()["message"] == message
    assert db.scalar(select(User.id).order_by(User.id.desc()).limit(1)) == before


def test_created_enterprise_user_logs_in_and_sees_its_enterprise(client, db, anon_client):
    ent = Enterprise(uscc=new_uscc(), name="绑定企业", region_code="440305", industry_code="3562", tags=[])
    db.add(ent)
    db.flush()
    r = client.post(
        "/api/v1/admin/users", json=_user(username="ent1", role="enterprise", enterprise_id=ent.id)
    )
    assert r.status_code == 201
    assert "password" not in r.text and "argon2" not in r.text
    assert login(anon_client, "ent1", "Valid-pass-1").status_code == 200
    items = anon_client.get("/api/v1/enterprises").json()["items"]
    assert [i["name"] for i in items] == ["绑定企业"]


def test_duplicate_username_is_a_conflict(client):
    client.post("/api/v1/admin/users", json=_user())
    r = client.post("/api/v1/admin/users", json=_user())
    assert (r.status_code, r.json()["message"]) == (409, "用户名 u1 已存在")


def test_admin_cannot_deactivate_their_own_account(client):
    r = client.post(f"/api/v1/admin/users/{client.user.id}/deactivate")
    assert (r.status_code, r.json()["message"]) == (403, "不能停用自己的账号")
    assert client.get("/api/v1/auth/me").json()["active"] is True


def test_reset_password_ends_old_sessions_and_the_new_password_works(client, client_as, anon_client):
    victim = client_as("expert", username="forgetful")
    r = client.post(
        f"/api/v1/admin/users/{victim.user.id}/reset-password", json={"new_password": "Fresh-pass-9"}
    )
    assert r.status_code == 200
    assert victim.get("/api/v1/auth/me").status_code == 401
    assert login(anon_client, "forgetful", "Fresh-pass-9").status_code == 200


def test_user_list_filters_by_role(client, make_user):
    make_user("bank", username="bank-a")
    make_user("bank", username="bank-b", active=False)
    r = client.get("/api/v1/admin/users", params={"role": "bank", "active": True})
    assert [u["username"] for u in r.json()["items"]] == ["bank-a"]
