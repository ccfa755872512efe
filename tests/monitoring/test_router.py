"""The monitoring views on both databases: exact counts and totals, each official limited to their area."""

from __future__ import annotations

from srdi.auth.enums import Role
from tests.e2e.seed import FUTIAN_COUNT, NANSHAN_COUNT, TODAY, seed

URL = "/api/v1/monitoring/district-summary"


def _get(client_as, role, url, **user_kw):
    return client_as(role, **user_kw).get(url)


def _tiers(body):
    return {t["key"]: t["count"] for t in body["by_tier"]}


def test_city_official_summary_counts_valid_tiers_per_district_and_ignores_expired(client_as, db):
    seed(db)
    r = _get(client_as, Role.city_official, f"{URL}?as_of={TODAY.isoformat()}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["region_code"] == "4403"
    assert body["region_name"] == "广东省深圳市"
    assert body["total"] == NANSHAN_COUNT + FUTIAN_COUNT
    assert _tiers(body) == {
        "innovative_sme": 4,
        "srdi_sme": 1,  # the expired 专精特新 recognition does not count
        "little_giant": 1,
        "tech_sme": 0,
        "tech_innovative_sme": 0,
        "single_champion": 0,
    }
    assert body["by_district"] == [
        {
            "code": "440305",
            "name": "南山区",
            "total": NANSHAN_COUNT,
            "tiers": {"innovative_sme": 3, "srdi_sme": 1},
        },
        {
            "code": "440304",
            "name": "福田区",
            "total": FUTIAN_COUNT,
            "tiers": {"innovative_sme": 1, "little_giant": 1},
        },
    ]


def test_summary_yearly_totals_are_exact_yuan_sums(client_as, db):
    seed(db)
    body = _get(client_as, Role.district_official, URL).json()
    by_year = {y["fiscal_year"]: y for y in body["yearly"]}
    assert sorted(by_year) == [2023, 2024, 2025]
    # 2025: the first enterprise's 86,000,000.00 plus (2,000,000 + n × 1,000,000) for n = 2..23 in 南山.
    expected = 86_000_000 + sum(2_000_000 + n * 1_000_000 for n in range(2, NANSHAN_COUNT + 1))
    assert by_year[2025]["operating_revenue"] == f"{expected}.00"
    assert by_year[2025]["enterprises_reporting"] == NANSHAN_COUNT
    assert by_year[2024]["net_profit"] == "-1234567.89"
    assert by_year[2025]["rd_expense"] == "7542000.00"


def test_district_official_asking_for_another_district_sees_nothing_outside_their_scope(client_as, db):
    seed(db)
    body = _get(client_as, Role.district_official, f"{URL}?region=440304").json()
    assert body["total"] == 0
    assert body["by_district"] == []
    assert _tiers(body)["little_giant"] == 0


def test_admin_sees_every_region_and_the_size_classes_add_up(client_as, db):
    seed(db)
    body = _get(client_as, Role.admin, URL).json()
    assert body["region_name"] == "全部地区"
    assert body["total"] == NANSHAN_COUNT + FUTIAN_COUNT + 1
    assert sum(s["count"] for s in body["by_size_class"]) == body["total"]
    assert [d["code"] for d in body["by_district"]] == ["440305", "440304", "500103"]


def test_region_and_industry_options_list_only_the_officials_area(client_as, db):
    seed(db)
    regions = _get(client_as, Role.city_official, "/api/v1/monitoring/regions").json()
    assert regions == [
        {"code": "440304", "name": "广东省深圳市福田区", "short_name": "福田区", "enterprises": FUTIAN_COUNT},
        {
            "code": "440305",
            "name": "广东省深圳市南山区",
            "short_name": "南山区",
            "enterprises": NANSHAN_COUNT,
        },
    ]
    industries = _get(client_as, Role.district_official, "/api/v1/monitoring/industries").json()
    assert [(i["code"], i["name"], i["enterprises"]) for i in industries] == [
        ("35", "专用设备制造业", 12),
        ("39", "计算机、通信和其他电子设备制造业", 11),
    ]


def test_enterprise_users_and_anonymous_callers_are_refused(client_as, anon_client, db):
    ids = seed(db)
    r = _get(client_as, Role.enterprise, URL, enterprise_id=ids["first"])
    assert r.status_code == 403
    assert anon_client.get(URL).status_code == 401
    assert anon_client.get("/api/v1/monitoring/regions").status_code == 401
