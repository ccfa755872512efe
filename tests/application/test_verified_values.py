"""A reviewer's verified value becomes the registry's, with provenance ``verified`` (issue 14 deliverable 3,
decision 0012): through the verification queue's writes, with the reviewer's note in the value's history; a bad
entry refuses the whole review and changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from srdi.application.models import Application, ApplicationEvent
from srdi.auth.enums import Role
from srdi.enterprise.models import ChangeLog, YearlyFigure
from tests.application import support
from tests.application.support import PDF


def _submitted(db, client_as):  # type: ignore[no-untyped-def]
    ent = support.enterprise(db)
    db.add(YearlyFigure(enterprise_id=ent.id, fiscal_year=2025, operating_revenue=3_000_000_000,
                        rd_expense=150_000_000, employees=80, sources={"operating_revenue": "self_reported",
                        "rd_expense": "self_reported", "employees": "self_reported"}))  # fmt: skip
    db.flush()
    b = support.batch(db)
    me = client_as(Role.enterprise, enterprise_id=ent.id)
    app_id = me.post("/api/v1/applications", json={"batch_id": b.id}).json()["id"]
    me.patch(f"/api/v1/applications/{app_id}", json={"pledge_accepted": True})
    for item in ("N2", "N3", "N6"):
        r = me.post(
            "/api/v1/evidence-files",
            data={"application_id": str(app_id), "item_id": item},
            files={"file": ("a.pdf", PDF, "application/pdf")},
        )
        assert r.status_code == 201, r.text
    assert me.post(f"/api/v1/applications/{app_id}/submission").status_code == 200
    return ent, app_id


def test_verified_and_corrected_values_become_the_registrys_with_provenance_verified(
    db, client_as, clock, evidence_dir
):
    ent, app_id = _submitted(db, client_as)
    district = client_as(Role.district_official)
    r = district.post(
        f"/api/v1/applications/{app_id}/reviews",
        json={"action": "approve", "level": "district_review", "verified_values": [
            {"figure": "operating_revenue", "fiscal_year": 2025, "note": "与审计报告一致"},
            {"figure": "rd_expense", "fiscal_year": 2025, "value": "1350000.00", "note": "专项审计报告为135万元"},
        ]},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    db.expire_all()
    fig = db.scalars(select(YearlyFigure).where(YearlyFigure.enterprise_id == ent.id)).one()
    assert (fig.operating_revenue, fig.rd_expense, fig.employees) == (3_000_000_000, 135_000_000, 80)
    assert fig.sources == {
        "operating_revenue": "verified",
        "rd_expense": "verified",
        "employees": "self_reported",
    }
    rows = db.scalars(
        select(ChangeLog).where(ChangeLog.enterprise_id == ent.id, ChangeLog.source == "verified")
        .order_by(ChangeLog.id)
    ).all()  # fmt: skip
    assert [(c.field, c.old_value, c.new_value, c.note) for c in rows] == [
        ("operating_revenue", "3000000000", "3000000000", f"区县初审核验（申报 {app_id}）：与审计报告一致"),
        ("rd_expense", "150000000", "135000000", f"区县初审核验（申报 {app_id}）：专项审计报告为135万元"),
    ]
    ev = db.scalars(
        select(ApplicationEvent).where(
            ApplicationEvent.application_id == app_id, ApplicationEvent.action == "approve"
        )
    ).one()
    assert ev.detail["verified_values"] == [
        {"figure": "operating_revenue", "fiscal_year": 2025, "value": None},
        {"figure": "rd_expense", "fiscal_year": 2025, "value": "1350000.00"},
    ]


def test_a_bad_verified_value_refuses_the_review_and_changes_nothing(db, client_as, clock, evidence_dir):
    ent, app_id = _submitted(db, client_as)
    district = client_as(Role.district_official)
    for entry, message in (
        (
            {"figure": "password", "fiscal_year": 2025, "value": "1", "note": "x"},
            "“password”不是可核验的年度经营数据项",
        ),
        (
            {"figure": "net_profit", "fiscal_year": 2025, "note": "x"},
            "企业库中没有2025年度的该项数据，请填写核实后的数值",
        ),
        ({"figure": "employees", "fiscal_year": 2025, "value": "80.5", "note": "x"}, "人数须为非负整数"),
    ):
        r = district.post(
            f"/api/v1/applications/{app_id}/reviews",
            json={"action": "approve", "level": "district_review",
                  "verified_values": [{"figure": "rd_expense", "fiscal_year": 2025, "value": "1.00", "note": "先写"},
                                      entry]},
        )  # fmt: skip
        assert (r.status_code, r.json()["message"]) == (422, message)
    db.expire_all()
    fig = db.scalars(select(YearlyFigure).where(YearlyFigure.enterprise_id == ent.id)).one()
    assert (fig.rd_expense, fig.sources["rd_expense"]) == (150_000_000, "self_reported")
    assert db.get(Application, app_id).level == "district_review"  # type: ignore[union-attr]
