"""Batch evaluation over the registry: same answers as the trace interpreter, progress, seed pool, dynamic lists."""

from datetime import date

import pytest

from tests.criteria.factories import holds, incident, innovative_enterprise, weak_enterprise

USCCS = ["91440300192317458F", "91440606722473344C", "91440300100012316L", "91440400192548256N"]


@pytest.fixture
def batch_client(client):
    """Background tasks share the test session (tests/conftest.py), so a run has finished when POST returns."""
    return client


def _registry(db):
    a = innovative_enterprise(db, USCCS[0])
    b = weak_enterprise(db, USCCS[1])
    c = innovative_enterprise(db, USCCS[2], region_code="500112", rd_wan=14, name="重庆市示例科技有限公司")
    d = weak_enterprise(db, USCCS[3], region_code="440305")
    return a, b, c, d


def _run(client, **body):
    r = client.post("/api/v1/batch-runs", json={"as_of": "2025-06-30", **body})
    assert r.status_code == 202, r.text
    return client.get(f"/api/v1/batch-runs/{r.json()['id']}").json()


def test_batch_run_matches_self_assessment_for_every_enterprise_and_tier(batch_client, db):
    ents = _registry(db)
    run = _run(batch_client)
    assert (run["status"], run["processed"], run["total"], run["progress"]) == ("succeeded", 4, 4, 1.0)
    results = batch_client.get(f"/api/v1/batch-runs/{run['id']}/results", params={"page_size": 200}).json()
    batch = {(r["enterprise_id"], r["tier"]): (r["status"], r["total"]) for r in results["items"]}
    for ent in ents:
        body = batch_client.post(
            f"/api/v1/enterprises/{ent.id}/evaluations", json={"as_of": "2025-06-30"}
        ).json()
        for t in body["tiers"]:
            assert batch[(ent.id, t["tier"])] == (t["status"], t["total"]), (ent.name, t["tier"])


def test_summary_has_the_tier_funnel_and_district_bars(batch_client, db):
    _, b, _, _ = _registry(db)
    holds(db, b, "innovative_sme", date(2023, 1, 1), date(2026, 1, 1))
    run = _run(batch_client)
    funnel = {f["tier"]: f for f in run["summary"]["funnel"]}
    assert funnel["innovative_sme"]["pass"] == 2
    assert funnel["innovative_sme"]["fail"] == 2
    assert funnel["innovative_sme"]["holding"] == 1
    bars = {r["region_code"]: r for r in run["summary"]["by_region"]}
    assert bars["440305"]["innovative_sme"] == 1


def test_district_official_runs_only_their_district(batch_client, client_as, app, db):
    _registry(db)
    official = client_as("district_official", region_code="440305")
    r = official.post("/api/v1/batch-runs", json={"as_of": "2025-06-30"})
    assert r.status_code == 202
    run = official.get(f"/api/v1/batch-runs/{r.json()['id']}").json()
    assert (run["region_prefix"], run["total"]) == ("440305", 2)
    assert official.post("/api/v1/batch-runs", json={"region": "4403"}).status_code == 403
    other = client_as("district_official", region_code="440306")
    assert other.get(f"/api/v1/batch-runs/{run['id']}").status_code == 404


def test_seed_pool_ranks_the_nearest_failing_enterprises_with_gap_sentences(batch_client, db):
    _, b, _, d = _registry(db)
    run = _run(batch_client)
    pool = batch_client.get(
        f"/api/v1/batch-runs/{run['id']}/seed-pool", params={"tier": "innovative_sme"}
    ).json()
    assert {p["enterprise_id"] for p in pool} == {b.id, d.id}
    assert [p["rank"] for p in pool] == [1, 2]
    assert all(p["gap"] for p in pool)


def test_dynamic_management_lists(batch_client, db):
    a, b, c, d = _registry(db)
    holds(db, b, "innovative_sme", date(2023, 1, 1), date(2025, 8, 1))  # holds, now fails, expires soon
    holds(db, d, "innovative_sme", date(2023, 1, 1), date(2026, 12, 31))
    incident(db, d, "safety_incident", "major", date(2024, 5, 1))
    run = _run(batch_client)
    dm = batch_client.get(
        f"/api/v1/batch-runs/{run['id']}/dynamic-management", params={"within_days": 60}
    ).json()
    assert {(e["enterprise_id"], e["tier"]) for e in dm["newly_eligible"]} == {
        (a.id, "innovative_sme"),
        (c.id, "innovative_sme"),
    }
    assert {e["enterprise_id"] for e in dm["at_risk"]} == {b.id, d.id}
    assert [e["enterprise_id"] for e in dm["expiring"]] == [b.id]
    revoked = dm["to_be_revoked"]
    assert [e["enterprise_id"] for e in revoked] == [d.id]
    assert "3年内不得再次申报" in revoked[0]["reason"]
    assert dm["update_overdue"] == []


def test_update_overdue_after_the_annual_deadline(batch_client, db):
    a = innovative_enterprise(db, USCCS[0])
    holds(db, a, "innovative_sme", date(2024, 1, 1), date(2027, 1, 1))
    run = _run(
        batch_client, as_of="2026-05-15"
    )  # 2025 figures missing after 2026-04-30... 2026 regime: 05-31
    dm = batch_client.get(f"/api/v1/batch-runs/{run['id']}/dynamic-management").json()
    assert dm["update_overdue"] == []
    run = _run(batch_client, as_of="2026-06-15")
    dm = batch_client.get(f"/api/v1/batch-runs/{run['id']}/dynamic-management").json()
    assert [e["enterprise_id"] for e in dm["update_overdue"]] == [a.id]
