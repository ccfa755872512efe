"""QUALITY S3: every change and every read of unmasked personal data leaves an audit row: who, when, what."""

from datetime import timedelta

from sqlalchemy import select

from srdi.auth import service
from srdi.auth.models import AuditLog
from srdi.db.base import utcnow
from tests.auth.route_policy import new_uscc


def _rows(db, action):  # type: ignore[no-untyped-def]
    return db.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()


def _create(client, **over):  # type: ignore[no-untyped-def]
    body = {
        "uscc": new_uscc(),
        "name": "审计测试企业",
        "region_code": "440305",
        "industry_code": "3562",
        "contact_phone": "13912345678",
        **over,
    }
    r = client.post("/api/v1/enterprises", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_creating_an_enterprise_is_audited_with_who_when_and_what(client_as, db):
    c = client_as("district_official", username="nanshan-official")
    started = utcnow()
    ent = _create(c)
    (row,) = _rows(db, "enterprise.create")
    assert (row.username, row.role, row.object_type, row.object_id, row.ip) == (
        "nanshan-official",
        "district_official",
        "enterprise",
        str(ent["id"]),
        None,  # the test client's peer is "testclient", not an IP address (an address is kept: test_login)
    )
    assert row.detail == {"uscc": ent["uscc"]}
    assert service.as_utc(row.at) - started < timedelta(seconds=30)


def test_change_log_names_the_logged_in_user_not_a_placeholder(client_as):
    c = client_as("district_official", username="nanshan-official")
    ent = _create(c)
    history = c.get(f"/api/v1/enterprises/{ent['id']}/history").json()["items"]
    assert {h["actor"] for h in history} == {"nanshan-official"}


def test_updating_yearly_figures_is_audited_with_the_fields_sent(client, db):
    ent = _create(client)
    r = client.put(
        f"/api/v1/enterprises/{ent['id']}/yearly-figures/2025",
        json={"operating_revenue": "1000000.00", "employees": 12, "source": "tax"},
    )
    assert r.status_code == 200
    (row,) = _rows(db, "enterprise.yearly_figures.update")
    assert (
        row.detail
        == {
            "fiscal_year": 2025,
            "fields": ["employees", "operating_revenue", "source"],
            "requested_source": "tax",
            "source": "tax",  # an administrator may state the tax figure; an enterprise's word would be self_reported
        }
    )


def test_profile_masks_the_phone_and_the_unmasked_read_is_audited(client_as, db):
    official = client_as("district_official", username="reader")
    ent = _create(official)
    assert official.get(f"/api/v1/enterprises/{ent['id']}").json()["contact_phone"] == "139****5678"
    assert _rows(db, "enterprise.contact.read_unmasked") == []
    r = official.get(f"/api/v1/enterprises/{ent['id']}/contact")
    assert r.json() == {"contact_name": None, "contact_phone": "13912345678"}
    (row,) = _rows(db, "enterprise.contact.read_unmasked")
    assert (row.username, row.object_id) == ("reader", str(ent["id"]))


def test_account_management_is_audited(client, db):
    r = client.post(
        "/api/v1/admin/users",
        json={"username": "new-bank", "display_name": "银行", "role": "bank", "password": "Bank-pass-2026"},
    )
    uid = r.json()["id"]
    client.post(f"/api/v1/admin/users/{uid}/reset-password", json={"new_password": "Bank-pass-2027"})
    client.post(f"/api/v1/admin/users/{uid}/deactivate")
    rows = db.scalars(
        select(AuditLog).where(AuditLog.object_type == "user", AuditLog.object_id == str(uid))
    ).all()
    assert [(r.action, r.username) for r in rows] == [
        ("user.create", "test-admin"),
        ("user.reset_password", "test-admin"),
        ("user.deactivate", "test-admin"),
    ]
    # The password itself is never in the log.
    assert all("Bank-pass" not in str(r.detail) for r in rows)


def test_admin_reads_the_audit_log_filtered_and_the_read_is_itself_audited(client, client_as, db):
    official = client_as("district_official", username="writer")
    _create(official)
    _create(official, name="审计测试企业二")
    r = client.get("/api/v1/admin/audit-log", params={"action": "enterprise.", "username": "writer"})
    assert r.status_code == 200
    body = r.json()
    assert (body["total"], [i["action"] for i in body["items"]]) == (
        2,
        ["enterprise.create", "enterprise.create"],
    )
    (read,) = _rows(db, "audit.read")
    assert (read.username, read.detail["filter"]["action"]) == ("test-admin", "enterprise.")


def test_audit_function_for_other_domains_writes_in_the_callers_transaction(db, make_user):
    user = make_user("bank", username="exporter")
    row = service.audit(db, user, "finance.whitelist.export", ("whitelist", "2026Q1"), {"rows": 120})
    db.flush()
    assert (row.id is not None, row.username, row.role, row.object_id, row.detail) == (
        True,
        "exporter",
        "bank",
        "2026Q1",
        {"rows": 120},
    )
    db.rollback()
    assert db.scalar(select(AuditLog).where(AuditLog.action == "finance.whitelist.export")) is None
