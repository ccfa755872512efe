"""Pre-aggregates for the dashboard at scale (issue 18, QUALITY P7): the same figures as the live queries, stale
after a registry change (shown on the page), refreshed in the background by the next read."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from srdi.auth.enums import Role
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Enterprise
from srdi.enterprise.schemas import EnterpriseIn
from srdi.kit.workdays import beijing_today
from tests.e2e.seed import make_uscc
from tests.monitoring.test_overview import OVERVIEW, TARGETS, _rec, seed_monitoring

SAME = ("total", "by_tier", "children", "trend", "growth", "targets", "ranking", "movements")


def test_the_aggregate_gives_the_live_figures_goes_stale_on_change_and_refreshes_itself(client_as, db):
    seed_monitoring(db)
    today = beijing_today()
    # Entries and exits in the current quarter: a new 创新型 today, one expiring today, one revoked today.
    ents = db.scalars(select(Enterprise).order_by(Enterprise.id)).all()
    _rec(db, ents[2], "innovative_sme", today, date(today.year + 3, 1, 1))
    _rec(db, ents[3], "innovative_sme", date(today.year - 3, 1, 1), today, status="expired")
    _rec(
        db, ents[0], "little_giant", date(today.year - 1, 1, 1), date(today.year + 2, 1, 1), "revoked", today
    )
    db.flush()
    city = client_as(Role.city_official)
    share = {"region_code": "440305", "year": beijing_today().year, "measure": "srdi_sme_count", "value": 4}
    assert city.put(TARGETS, json={**share, "source": "分解目标"}).status_code == 200
    live = city.get(OVERVIEW).json()
    assert live["freshness"]["source"] == "live"
    assert [(r["code"], r["actual"]) for r in live["ranking"]] == [("440305", "2")]
    moves = {m["tier"]: (m["new"], m["expired"], m["revoked"]) for m in live["movements"]}
    assert (moves["innovative_sme"], moves["little_giant"]) == ((1, 1, 0), (0, 0, 1))

    r = client_as(Role.admin).post("/api/v1/monitoring/aggregates/refresh")
    assert (r.status_code, r.json()["stale"]) == (200, False)
    agg = city.get(OVERVIEW).json()
    assert (agg["freshness"]["source"], agg["freshness"]["stale"]) == ("aggregate", False)
    assert {k: agg[k] for k in SAME} == {k: live[k] for k in SAME}

    # Scope still applies to the aggregate: the district official sees only 南山.
    district = client_as(Role.district_official).get(OVERVIEW).json()
    assert (district["freshness"]["source"], district["total"]) == ("aggregate", 4)

    enterprise_service.create(
        db,
        EnterpriseIn(
            uscc=make_uscc(899, "440305"),
            name="监测测试新登记有限公司",
            region_code="440305",
            industry_code="3562",
        ),
        actor="test",
    )
    db.flush()
    stale = city.get(OVERVIEW).json()
    assert (stale["freshness"]["stale"], stale["total"]) == (True, live["total"])  # served, flagged
    fresh = city.get(OVERVIEW).json()  # the stale read scheduled a refresh
    assert (fresh["freshness"]["stale"], fresh["total"]) == (False, live["total"] + 1)


def test_a_past_period_is_computed_live_even_with_a_fresh_aggregate(client_as, db):
    seed_monitoring(db)
    client_as(Role.admin).post("/api/v1/monitoring/aggregates/refresh")
    body = client_as(Role.city_official).get(f"{OVERVIEW}?period=2025Q3").json()
    assert (body["freshness"]["source"], body["as_of"]) == ("live", "2025-09-30")


SUMMARY = "/api/v1/monitoring/district-summary"
BOARD = (
    "total",
    "by_tier",
    "by_size_class",
    "by_district",
    "by_industry",
    "yearly",
    "region_code",
    "region_name",
)


def test_the_district_board_reads_the_aggregate_with_the_live_figures_in_every_scope(client_as, db):
    """The 区县看板 (the dashboard's first request) from the pre-aggregate at a million enterprises (P7): every
    breakdown equal to the live queries, for each role's scope and a chosen district, and flagged as such."""
    seed_monitoring(db)
    today = beijing_today()
    ents = db.scalars(select(Enterprise).order_by(Enterprise.id)).all()
    _rec(db, ents[3], "innovative_sme", date(today.year - 3, 1, 1), today, status="expired")
    db.flush()
    views = [
        (Role.admin, SUMMARY),
        (Role.city_official, SUMMARY),
        (Role.city_official, f"{SUMMARY}?region=440305"),
        (Role.district_official, SUMMARY),
    ]
    live = {}
    for role, url in views:
        body = client_as(role).get(url).json()
        assert body["freshness"]["source"] == "live", url
        live[(role, url)] = body
    assert live[(Role.admin, SUMMARY)]["yearly"], (
        "the seed must have yearly figures for the comparison to mean much"
    )
    assert live[(Role.admin, SUMMARY)]["by_industry"]

    client_as(Role.admin).post("/api/v1/monitoring/aggregates/refresh")
    for role, url in views:
        body = client_as(role).get(url).json()
        assert (body["freshness"]["source"], body["freshness"]["stale"]) == ("aggregate", False), url
        assert {k: body[k] for k in BOARD} == {k: live[(role, url)][k] for k in BOARD}, (role, url)
    # The region filter list too, and a past date is computed live.
    regions = client_as(Role.city_official).get("/api/v1/monitoring/regions").json()
    assert sum(r["enterprises"] for r in regions) == live[(Role.city_official, SUMMARY)]["total"]
    past = client_as(Role.city_official).get(f"{SUMMARY}?as_of={today.year - 1}-06-30").json()
    assert past["freshness"]["source"] == "live"
