"""The KPI pre-aggregate (issue 13 bar: the KPI page ≤ 300 ms at 1,000,000 appeals): refreshed from every appeal,
it gives the same figures as the live query for administrators and officials, and is read only from
KPI_AGGREGATE_FROM appeals on and only for scopes it can answer."""

from __future__ import annotations

from datetime import timedelta

from srdi.appeal import service
from srdi.appeal.enums import AppealAction, RejectReason
from srdi.auth.enums import Role
from tests.appeal import factories

T = service.TransitionInput


def _some_appeals(db, make_user):  # type: ignore[no-untyped-def]
    official = make_user(Role.district_official)
    ents = [factories.enterprise(db), factories.enterprise(db, region="440304")]
    made = []
    texts = [
        ("申请贴息贷款", "我司计划向银行贷款500万元购置设备，想了解专精特新企业贷款贴息政策。", "financing"),
        ("招聘研发人员", "需要引进高端研发人才，咨询人才落户和住房补贴的条件。", "talent_labour"),
        ("厂房租金上涨", "园区厂房租金今年上涨三成，希望了解产业用房租金补贴。", None),
        ("出口退税进度", "上季度出口退税迟迟未到账，影响资金周转，请帮忙催办。", None),
    ]
    for ent, (title, content, cat) in zip(ents * 2, texts, strict=True):
        filer = make_user(Role.enterprise, enterprise_id=ent.id)
        made.append(factories.appeal(db, ent, filer, title=title, content=content, category_key=cat))
    service.transition(
        db, made[0].id, T(AppealAction.accept), actor=official, now=factories.TUESDAY + timedelta(hours=1)
    )
    service.transition(
        db,
        made[1].id,
        T(AppealAction.reject, reason="已进入诉讼程序", reject_reason=RejectReason.litigation),
        actor=official,
        now=factories.TUESDAY + timedelta(hours=1),
    )
    db.flush()
    return made


def test_the_aggregate_gives_the_live_figures_for_every_dimension_and_region_scope(
    db, make_user, monkeypatch
):
    _some_appeals(db, make_user)
    monkeypatch.setattr(service, "KPI_AGGREGATE_FROM", 1)
    scopes = [
        service.AppealScope(),
        service.AppealScope(region_prefixes=("440305",)),
        service.AppealScope(region_prefixes=()),
    ]
    for dim in ("department", "district", "category", "month"):
        for scope in scopes:
            assert service.kpi_rows(db, scope, dim)[1] is None  # never refreshed: live
    live = {
        (d, i): service.kpis(db, s, d)
        for d in ("department", "district", "category", "month")
        for i, s in enumerate(scopes)
    }
    counted = service.refresh_kpi_aggregate(db, factories.TUESDAY + timedelta(hours=2))
    assert counted >= 4
    for (dim, i), expected in live.items():
        _rows, refreshed = service.kpi_rows(db, scopes[i], dim)
        assert refreshed == factories.TUESDAY + timedelta(hours=2)
        assert service.kpis(db, scopes[i], dim) == expected, (dim, i)


def test_small_tables_filtered_and_narrow_scopes_read_live(db, make_user, monkeypatch):
    made = _some_appeals(db, make_user)
    service.refresh_kpi_aggregate(db, factories.TUESDAY + timedelta(hours=2))
    # Below the threshold: live.
    assert service.kpi_rows(db, service.AppealScope(), "district")[1] is None
    monkeypatch.setattr(service, "KPI_AGGREGATE_FROM", 1)
    assert service.kpi_rows(db, service.AppealScope(), "district")[1] is not None
    # An enterprise's, a commissioner's, a handler's scope and a date range: live.
    ent_scope = service.AppealScope(enterprise_ids=(made[0].enterprise_id,))
    assert service.kpi_rows(db, ent_scope, "district")[1] is None
    assert service.kpi_rows(db, service.AppealScope(department_only=True), "district")[1] is None
    assert (
        service.kpi_rows(db, service.AppealScope(), "district", submitted_from=factories.TUESDAY)[1] is None
    )


def test_the_answer_says_when_it_was_counted(db, make_user, client_as, monkeypatch):
    """统计于: the aggregate's refresh time when the page reads it, else the time of the query itself."""
    from datetime import UTC, datetime

    _some_appeals(db, make_user)
    monkeypatch.setattr(service, "KPI_AGGREGATE_FROM", 1)
    c = client_as(Role.admin)
    before = datetime.now(UTC)
    live = c.get("/api/v1/appeal-kpis", params={"dimension": "category"}).json()
    after = datetime.now(UTC)
    assert live["from_aggregate"] is False  # never refreshed
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(live["counted_at"]) <= after
    assert sum(r["filed"] for r in live["rows"]) == 4

    refreshed = factories.TUESDAY + timedelta(hours=2)
    service.refresh_kpi_aggregate(db, refreshed)
    db.flush()
    agg = c.get("/api/v1/appeal-kpis", params={"dimension": "category"}).json()
    assert agg["from_aggregate"] is True
    assert datetime.fromisoformat(agg["counted_at"]) == refreshed
    assert agg["rows"] == live["rows"]
    # A date range is counted live, at the time of the query.
    ranged = c.get(
        "/api/v1/appeal-kpis",
        params={
            "dimension": "category",
            "submitted_from": (factories.TUESDAY - timedelta(days=1)).isoformat(),
        },
    ).json()
    assert ranged["from_aggregate"] is False
    assert datetime.fromisoformat(ranged["counted_at"]) > refreshed
