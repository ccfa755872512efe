"""监测看板 and targets over an exact small registry (issue 18): drill-down within scope, entries and exits with
reasons, same-sample growth of SRDI enterprises against all monitored SMEs, district shares set by officials."""

from __future__ import annotations

from datetime import date

from srdi.auth.enums import Role
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Recognition
from srdi.enterprise.schemas import EnterpriseIn
from tests.e2e.seed import make_uscc

OVERVIEW = "/api/v1/monitoring/overview"
TARGETS = "/api/v1/monitoring/targets"
WAN = 1_000_000  # fen in 1 万元


def _ent(db, n: int, region: str, years: dict[int, dict[str, int]]):
    ent = enterprise_service.create(
        db,
        EnterpriseIn(
            uscc=make_uscc(800 + n, region),
            name=f"监测测试第{n}号科技有限公司",
            region_code=region,
            industry_code="3562",
        ),
        actor="test",
    )
    db.flush()
    for year, values in years.items():
        enterprise_service.set_yearly_figures(db, ent, year, values, source="statistics", actor="test")
    return ent


def _rec(db, ent, tier, announced, until, status="valid", revoked=None):
    db.add(
        Recognition(
            enterprise_id=ent.id,
            tier=tier,
            level="provincial",
            announced_date=announced,
            valid_until=until,
            status=status,
            revoked_date=revoked,
            revocation_reason="fraud" if revoked else None,
            source="official_list",
        )
    )


def seed_monitoring(db) -> None:
    """A, B: 专精特新 (南山) growing 30 %; C, D: other SMEs (福田) growing 5 %; E new 创新型 in 2025Q3; F's 创新型
    expired 2025-07-31; G's 专精特新 revoked 2025-09-10."""
    srdi = {
        2024: {
            "operating_revenue": 100 * WAN,
            "net_profit": 10 * WAN,
            "rd_expense": 10 * WAN,
            "employees": 50,
        },
        2025: {
            "operating_revenue": 130 * WAN,
            "net_profit": 15 * WAN,
            "rd_expense": 13 * WAN,
            "employees": 55,
        },
    }
    other = {
        2024: {
            "operating_revenue": 100 * WAN,
            "net_profit": 10 * WAN,
            "rd_expense": 2 * WAN,
            "employees": 50,
        },
        2025: {
            "operating_revenue": 105 * WAN,
            "net_profit": 10 * WAN,
            "rd_expense": 2_100_000,
            "employees": 50,
        },
    }
    a = _ent(db, 1, "440305", srdi)
    b = _ent(db, 2, "440305", srdi)
    _ent(db, 3, "440304", other)
    _ent(db, 4, "440304", other)
    e = _ent(db, 5, "440305", {})
    f = _ent(db, 6, "440304", {})
    g = _ent(db, 7, "440305", {})
    for x in (a, b):
        _rec(db, x, "srdi_sme", date(2024, 3, 1), date(2027, 2, 28))
    _rec(db, e, "innovative_sme", date(2025, 8, 15), date(2028, 8, 14))
    _rec(db, f, "innovative_sme", date(2022, 8, 1), date(2025, 7, 31), status="expired")
    _rec(db, g, "srdi_sme", date(2024, 3, 1), date(2027, 2, 28), status="revoked", revoked=date(2025, 9, 10))
    db.flush()


def _share(client, region, value):
    body = {
        "region_code": region,
        "year": 2025,
        "measure": "srdi_sme_count",
        "value": value,
        "source": "深圳市专精特新企业培育目标分解（测试）",
    }
    return client.put(TARGETS, json=body)


def test_city_official_sees_drill_down_movements_growth_and_ranked_district_shares(client_as, db):
    seed_monitoring(db)
    city = client_as(Role.city_official)
    assert _share(city, "440305", 4).status_code == 200
    assert _share(city, "440304", 1).status_code == 200
    r = city.post(
        "/api/v1/monitoring/reported-figures",
        json={"region_code": "4403", "measure": "trainees", "on_date": "2025-06-20", "value": 120},
    )
    assert r.status_code == 201, r.text

    r = city.get(f"{OVERVIEW}?period=2025Q3")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["region_code"], body["region_name"], body["level"], body["parent_code"]) == (
        "4403",
        "广东省深圳市",
        "city",
        None,
    )
    assert (body["as_of"], body["total"]) == ("2025-09-30", 7)
    tiers = {t["key"]: t["count"] for t in body["by_tier"]}
    assert (tiers["srdi_sme"], tiers["innovative_sme"]) == (2, 1)  # G revoked, F expired
    assert [(c["code"], c["total"], c["tiers"]) for c in body["children"]] == [
        ("440305", 4, {"srdi_sme": 2, "innovative_sme": 1}),
        ("440304", 3, {}),
    ]
    moves = {m["tier"]: (m["new"], m["expired"], m["revoked"], m["net"]) for m in body["movements"]}
    assert moves == {"innovative_sme": (1, 1, 0, 0), "srdi_sme": (0, 0, 1, -1)}

    g = body["growth"]
    assert (g["fiscal_year"], g["srdi_sample"], g["all_sample"]) == (2025, 2, 4)
    rows = {x["measure"]: (x["srdi"], x["all_smes"], x["difference_pp"]) for x in g["rows"]}
    assert rows == {
        "revenue": ("30.0", "17.5", "12.5"),
        "profit": ("50.0", "25.0", "25.0"),
        "rd_intensity": ("10.0", "6.4", "3.6"),
        "employees": ("10.0", "5.0", "5.0"),
    }
    assert g["sentences"] == [
        "2025年，纳入监测的专精特新企业（同口径 2 家）营业收入同比增长 30.0%，高于全部监测中小企业 12.5 个百分点；"
        "利润同比增长 50.0%，高于全部监测中小企业 25.0 个百分点；研发强度 10.0%，高于全部监测中小企业 3.6 个百分点；"
        "从业人员同比增长 10.0%，高于全部监测中小企业 5.0 个百分点。"
    ]

    assert [(x["name"], x["target"], x["actual"], x["percent"], x["status"]) for x in body["ranking"]] == [
        ("广东省深圳市南山区", "4.00", "2", "50.0", "behind"),
        ("广东省深圳市福田区", "1.00", "0", "0.0", "behind"),
    ]
    mine = {
        t["measure"]: (t["value"], t["actual"], t["percent"], t["status"], t["source"])
        for t in body["targets"]
    }
    assert mine == {
        "trainees": ("100", "120.00", "120.0", "done", "SEED-001"),
        "product_launches": ("2", None, None, "no_data", "SEED-001"),
    }
    assert body["freshness"] == {"source": "live", "refreshed_at": None, "stale": False}

    # Drill into 南山: a district has no children; its parent is the city.
    d = city.get(f"{OVERVIEW}?period=2025Q3&region=440305").json()
    assert (d["level"], d["parent_code"], d["total"], d["children"]) == ("district", "4403", 4, [])
    assert [(t["measure"], t["percent"]) for t in d["targets"]] == [("srdi_sme_count", "50.0")]


def test_a_region_outside_the_officials_area_is_refused_in_chinese(client_as, db):
    seed_monitoring(db)
    district = client_as(Role.district_official)  # 440305
    for region in ("4403", "440304", "500103"):
        r = district.get(f"{OVERVIEW}?period=2025Q3&region={region}")
        assert r.status_code == 404, r.text
        assert r.json()["message"] == f"地区 {region} 不在您的管辖范围内"
    assert _share(district, "440304", 1).status_code == 404


def test_a_target_for_a_measure_that_does_not_exist_is_refused_naming_it(client_as, db):
    city = client_as(Role.city_official)
    body = {"region_code": "440305", "year": 2026, "measure": "happiness", "value": 1, "source": "某文件"}
    r = city.put(TARGETS, json=body)
    assert r.status_code == 422
    assert r.json()["message"].startswith("指标“happiness”不存在，可用指标：")
    assert city.get(f"{TARGETS}?year=2026&region=440305").json() == []


def test_a_computed_measure_cannot_be_reported_by_hand(client_as, db):
    r = client_as(Role.city_official).post(
        "/api/v1/monitoring/reported-figures",
        json={"region_code": "4403", "measure": "srdi_sme_count", "on_date": "2025-06-20", "value": 9},
    )
    assert r.status_code == 422
    assert "由系统根据企业库" in r.json()["message"]


def test_officials_restating_a_target_replace_it_and_the_change_is_audited(client_as, db):
    from sqlalchemy import select

    from srdi.auth.models import AuditLog

    seed_monitoring(db)
    city = client_as(Role.city_official)
    first = _share(city, "440305", 4).json()
    second = _share(city, "440305", 2).json()
    assert first["id"] == second["id"]
    assert (second["value"], second["actual"], second["status"], second["origin"]) == (
        "2.00",
        "2",
        "done",
        "official",
    )
    actions = db.scalars(select(AuditLog.action).where(AuditLog.action == "monitoring.target.set")).all()
    assert len(actions) == 2
    assert city.delete(f"{TARGETS}/{first['id']}").status_code == 204
    assert city.get(f"{TARGETS}?year=2025&region=440305").json() == []


def test_a_period_that_has_not_begun_is_refused_in_chinese(client_as, db):
    r = client_as(Role.city_official).get(f"{OVERVIEW}?period=2099Q1")
    assert r.status_code == 422
    assert (
        r.json()["message"] == "广东省深圳市在 2099Q1 没有可通报的数据（该期间自 2099-01-01 开始，尚未到来）"
    )
