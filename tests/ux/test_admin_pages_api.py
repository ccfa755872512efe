"""Issue 15: the administration pages' API — audit log CSV export and the working-day calendar."""

import csv
import io
from datetime import date

from sqlalchemy import select

from srdi.auth import service
from srdi.auth.models import AuditLog


def _csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 Chinese text correctly
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_audit_export_is_formula_safe_labelled_filtered_and_itself_audited(client_as, db):
    admin = client_as("admin", username="root-admin")
    service.audit(db, None, "enterprise.create", ("enterprise", "=HYPERLINK(1)"), {"note": "@x"})
    service.audit(db, None, "policy.publish", ("policy", "7"), {})
    db.commit()
    r = admin.get("/api/v1/admin/audit-log.csv", params={"action": "enterprise."})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="audit-log-')
    rows = _csv(r.content)
    assert rows[0] == [
        "时间（北京时间）",
        "操作人",
        "角色",
        "操作",
        "操作代码",
        "对象类型",
        "对象编号",
        "来源地址",
        "详情",
    ]
    assert [(x[3], x[4], x[5], x[6], x[8]) for x in rows[1:]] == [
        ("新建企业", "enterprise.create", "enterprise", "'=HYPERLINK(1)", '{"note": "@x"}')
    ]
    (row,) = db.scalars(select(AuditLog).where(AuditLog.action == "audit.export")).all()
    assert (row.username, row.detail["rows"], row.detail["total"]) == ("root-admin", 1, 1)
    assert row.detail["filter"]["action"] == "enterprise."


def test_audit_export_shows_role_labels_and_beijing_time(client_as, db):
    admin = client_as("admin", username="root-admin")
    admin.get("/api/v1/admin/audit-log")  # leaves an audit.read row by an administrator
    rows = _csv(admin.get("/api/v1/admin/audit-log.csv", params={"action": "audit.read"}).content)
    assert [(x[1], x[2], x[3]) for x in rows[1:]] == [("root-admin", "系统管理员", "查询审计日志")]
    listed = admin.get("/api/v1/admin/audit-log", params={"action": "audit.read"}).json()["items"]
    assert (listed[0]["action"], listed[0]["action_label"]) == ("audit.read", "查询审计日志")
    assert len(rows[1][0]) == 19 and rows[1][0][4] == "-"


def test_calendar_lists_known_years_with_holidays_and_make_up_days(client_as):
    r = client_as("admin").get("/api/v1/admin/calendar")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["editable"], body["next_missing_year"]) == (True, 2027)
    years = [y["year"] for y in body["years"]]
    assert years[0] == 2026 and years[-1] == 2007 and len(years) == 20
    y2026 = next(y for y in body["years"] if y["year"] == 2026)
    first = y2026["days"][0]
    assert (first["date"], first["is_off_day"], y2026["source"]) == ("2026-01-01", True, "bundled")
    assert any(not d["is_off_day"] for d in y2026["days"])  # 调休 working days on weekends
    assert [d["date"] for d in y2026["days"]] == sorted(d["date"] for d in y2026["days"])
    assert all(date.fromisoformat(d["date"]).year == 2026 for d in y2026["days"])


def test_calendar_and_export_are_for_administrators_only(client_as):
    c = client_as("city_official")
    assert c.get("/api/v1/admin/calendar").status_code == 403
    assert c.get("/api/v1/admin/audit-log.csv").status_code == 403


def test_roles_say_what_each_account_must_be_bound_to(client_as):
    roles = {r["value"]: r for r in client_as("admin").get("/api/v1/admin/roles").json()}
    assert len(roles) == 10
    assert (roles["district_official"]["label"], roles["district_official"]["binding"]) == (
        "区县主管部门",
        "region",
    )
    assert roles["district_official"]["region_digits"] == 6
    assert (roles["service_commissioner"]["binding"], roles["service_commissioner"]["region_digits"]) == (
        "region",
        None,
    )
    assert (roles["chain_leader"]["binding"], roles["department_handler"]["binding"]) == (
        "enterprise",
        "department",
    )
    assert (roles["admin"]["label"], roles["admin"]["binding"]) == ("系统管理员", "none")
