"""Issue 15.3: a role sees only the actions it may take. The policy library says, per policy, whether the caller
may manage it (``may_manage``: 起草新版本, 沙盘, 发布, 免申即享 比对/拨付/公示); the front end shows those buttons only
then. The flag must agree with what the manage routes answer."""

from __future__ import annotations

KEY = "dg_srdi_award_auto_grant"  # 东莞 (4419) 免申即享 pilot


def _flags(c) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {p["policy_key"]: p["may_manage"] for p in c.get("/api/v1/policies").json()}


def test_a_district_official_may_manage_no_city_or_province_policy_and_the_draft_route_agrees(client_as):
    district = client_as("district_official", region_code="441902")
    flags = _flags(district)
    assert flags and set(flags.values()) == {False}
    r = district.post(f"/api/v1/policies/{KEY}/drafts", json={"parameters": {}, "note": "试"})
    assert r.status_code == 403, r.text
    assert district.post("/api/v1/grant-runs", json={"policy_key": KEY}).status_code == 403


def test_a_city_official_may_manage_the_citys_policies_only_and_each_flag_matches_the_route(client_as):
    city = client_as("city_official", region_code="4419")
    flags = _flags(city)
    assert flags[KEY] is True
    assert any(v is False for v in flags.values())  # provincial and other cities' policies
    other = next(k for k, v in flags.items() if v is False)
    for key, expected in ((KEY, 201), (other, 403)):
        r = city.post(f"/api/v1/policies/{key}/drafts", json={"parameters": {}, "note": "试"})
        assert r.status_code == expected, (key, r.text)
    # The draft it made says so too, and so does the version read alone.
    versions = city.get(f"/api/v1/policies/{KEY}/versions").json()
    assert {v["status"]: v["may_manage"] for v in versions}["draft"] is True


def test_an_administrator_may_manage_every_policy_and_an_enterprise_none(client_as):
    assert set(_flags(client_as("admin")).values()) == {True}
    assert set(_flags(client_as("enterprise")).values()) == {False}
