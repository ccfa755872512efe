"""Issue 13 §1: administrators manage the 责任单位 with their duty descriptions (data file seeds; admins add and edit),
audited; malformed units are refused in Chinese and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from srdi.appeal.models import Department
from srdi.auth.enums import Role
from srdi.auth.models import AuditLog
from tests.appeal import factories

NEW_UNIT = {
    "name": "深圳市南山区企业服务中心",
    "aliases": ["南山企服中心", " 南山区企服中心 ", "南山企服中心", ""],
    "region_code": "440305",
    "level": "district",
    "duty": "负责南山区企业服务、诉求受理协调与惠企政策宣讲",
    "categories": ["policy_consulting"],
    "leader_name": " 王局长 ",
    "active": True,
}


def _departments(db) -> int:  # type: ignore[no-untyped-def]
    db.flush()
    return int(db.scalar(select(func.count()).select_from(Department)) or 0)


def test_admin_adds_a_unit_and_edits_a_seeded_units_duty(db, client):
    factories.catalogue(db)
    seeded = _departments(db)
    r = client.put("/api/v1/appeal-departments/sz_ns_qfzx", json=NEW_UNIT)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["name"], body["region_name"], body["level_label"], body["leader_name"]) == (
        "深圳市南山区企业服务中心",
        "广东省深圳市南山区",
        "区县级",
        "王局长",
    )
    assert body["aliases"] == ["南山企服中心", "南山区企服中心"]
    assert _departments(db) == seeded + 1

    listed = {d["key"]: d for d in client.get("/api/v1/appeal-departments").json()}
    jrj = listed["sz_jrj"]
    edited = client.put(
        "/api/v1/appeal-departments/sz_jrj",
        json={
            k: jrj[k]
            for k in ("name", "aliases", "region_code", "level", "categories", "leader_name", "active")
        }
        | {"duty": "负责地方金融监管、企业融资对接与贷款贴息"},
    )
    assert edited.status_code == 200, edited.text
    assert client.get("/api/v1/appeal-departments").json() == [
        d if d["key"] != "sz_jrj" else d | {"duty": "负责地方金融监管、企业融资对接与贷款贴息"}
        for d in client.get("/api/v1/appeal-departments").json()
    ]
    rows = db.scalars(select(AuditLog).where(AuditLog.action == "appeal.department.save")).all()
    assert [r.object_id for r in rows] == ["sz_ns_qfzx", "sz_jrj"]


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"region_code": "449999"}, 422, "行政区划代码 449999 不是有效的区县级区划代码"),
        ({"region_code": "999900", "level": "city"}, 422, "行政区划代码 999900 不是有效的市级区划代码"),
        ({"region_code": "440300"}, 422, "行政区划代码 440300 不是有效的区县级区划代码"),
        ({"duty": "  "}, 422, "请填写职责描述（该单位负责哪些诉求），转派和分办以此为据"),
        (
            {"name": "深圳市地方金融监督管理局"},
            422,
            "已有名为“深圳市地方金融监督管理局”的责任单位（sz_jrj），名称不能重复",
        ),
        ({"categories": ["no_such_category"]}, 422, "诉求类别 no_such_category 不存在"),
        ({"name": "  局 "}, 422, "请填写责任单位全称（至少 2 个字）"),
    ],
    ids=[
        "unknown-district",
        "unknown-city",
        "district-on-a-city-code",
        "no-duty",
        "duplicate-name",
        "unknown-category",
        "short-name",
    ],
)
def test_a_malformed_unit_is_refused_in_chinese_and_nothing_changes(db, client, change, status, message):
    factories.catalogue(db)
    before = _departments(db)
    r = client.put("/api/v1/appeal-departments/sz_ns_qfzx", json=NEW_UNIT | change)
    assert (r.status_code, r.json()["message"]) == (status, message)
    assert _departments(db) == before
    assert (
        db.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "appeal.department.save")
        )
        == 0
    )


def test_a_city_level_unit_fits_a_city_without_districts_and_a_municipality(db, client):
    factories.catalogue(db)
    for key, code in (("dg_test_unit", "441900"), ("cq_test_unit", "500000")):
        r = client.put(
            f"/api/v1/appeal-departments/{key}",
            json=NEW_UNIT | {"name": f"测试单位{code}", "region_code": code, "level": "city"},
        )
        assert r.status_code == 200, r.text


def test_only_administrators_change_units(db, client_as):
    factories.catalogue(db)
    r = client_as(Role.city_official, region_code="4403").put(
        "/api/v1/appeal-departments/sz_ns_qfzx", json=NEW_UNIT
    )
    assert r.status_code == 403
    assert db.scalar(select(Department).where(Department.key == "sz_ns_qfzx")) is None


def test_a_catalogue_resync_keeps_administrators_edits_and_restores_only_what_the_file_owns(db, client):
    """The demo and ``srdi appeals sync-catalogue`` re-run the sync: an edited unit stays as the admin left it,
    a deleted bundled unit comes back, an untouched unit follows the file."""
    from srdi.appeal import service

    factories.catalogue(db)
    listed = {d["key"]: d for d in client.get("/api/v1/appeal-departments").json()}
    jrj = listed["sz_jrj"]
    body = {
        k: jrj[k] for k in ("name", "aliases", "region_code", "level", "categories", "leader_name", "active")
    } | {
        "duty": "负责地方金融监管与企业融资对接",
        "aliases": ["金融局"],
        "leader_name": "李局长",
        "active": False,
    }
    assert client.put("/api/v1/appeal-departments/sz_jrj", json=body).status_code == 200
    untouched = db.scalars(select(Department).where(Department.key == "sz_gxj")).one()
    file_duty = untouched.duty
    untouched.duty = "被改乱的职责"  # not through the admin screen: the file still owns this row
    gone = db.scalars(select(Department).where(Department.key == "sz_zxqyj")).one()
    db.delete(gone)
    db.flush()

    inserted, _ = service.sync_catalogue(db)
    db.expire_all()
    assert inserted == 1
    edited = db.scalars(select(Department).where(Department.key == "sz_jrj")).one()
    assert (edited.duty, edited.aliases, edited.leader_name, edited.active, edited.admin_edited) == (
        "负责地方金融监管与企业融资对接",
        ["金融局"],
        "李局长",
        False,
        True,
    )
    assert db.scalars(select(Department).where(Department.key == "sz_gxj")).one().duty == file_duty
    back = db.scalars(select(Department).where(Department.key == "sz_zxqyj")).one()
    assert (back.name, back.admin_edited) == ("深圳市中小企业服务局", False)
    assert service.sync_catalogue(db)[0] == 0
