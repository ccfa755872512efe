"""Issue 15.3: long lists are paged on the server (PageNo/PageSize, srdi.kit.params) and answer items + total:
page 2 holds the next rows, the total counts them all, and a page size above 200 is refused in Chinese."""

from __future__ import annotations

from datetime import date

import pytest

from srdi.kit.pagination import MAX_PAGE_SIZE, page_of
from srdi.openapi_export import openapi_document
from tests.criteria.factories import holds, innovative_enterprise, weak_enterprise
from tests.policy.factories import enterprise

KEY = "dg_srdi_award_auto_grant"  # 东莞 免申即享 pilot
PAGED = [
    "/api/v1/batch-runs",
    "/api/v1/batch-runs/1/dynamic-management",
    "/api/v1/applications",
    "/api/v1/match-needs",
    "/api/v1/match-bids",
    "/api/v1/finance/requests",
    "/api/v1/grant-runs",
    "/api/v1/grant-runs/1/grants",
    "/api/v1/contests",
    "/api/v1/disbursement-batches",
    "/api/v1/re-review-candidates",
]


def test_page_of_gives_the_next_rows_and_the_total() -> None:
    rows = list(range(1, 8))
    p1, p2, p4 = (page_of(rows, n, 3, lambda x: x * 10) for n in (1, 2, 4))
    assert (list(p1.items), list(p2.items), list(p4.items)) == ([10, 20, 30], [40, 50, 60], [])
    assert (p2.total, p2.page, p2.page_size) == (7, 2, 3)


def test_every_long_list_declares_page_and_page_size_and_answers_items_and_total() -> None:
    spec = openapi_document()
    for path in PAGED:
        templ = path.replace("/1/", "/{run_id}/")
        op = spec["paths"][templ]["get"]
        params = {p["name"]: p for p in op["parameters"]}
        assert params["page_size"]["schema"]["maximum"] == MAX_PAGE_SIZE, path
        assert "page" in params, path
        body = op["responses"]["200"]["content"]["application/json"]["schema"]
        ref = body["$ref"].rsplit("/", 1)[1]
        fields = set(spec["components"]["schemas"][ref]["properties"])
        assert {"total", "items"} <= fields or {"totals", "page", "page_size"} <= fields, path


@pytest.mark.parametrize("path", PAGED)
def test_a_huge_page_size_is_refused_in_chinese(client_as, path: str) -> None:
    r = client_as("enterprise" if path == "/api/v1/match-bids" else "admin").get(
        path, params={"page_size": 100_000}
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["message"] == "提交的数据有误，请按提示修改"
    detail = next(d for d in body["details"] if d["field"].endswith("page_size"))
    assert detail["message"] == "数值过大（不能大于 200）"


def _batch(client) -> dict:
    r = client.post("/api/v1/batch-runs", json={"as_of": "2025-06-30"})
    assert r.status_code == 202, r.text
    return r.json()


def test_batch_runs_page_two_holds_the_next_run(client, db) -> None:
    innovative_enterprise(db, "91440300192317458F")
    ids = [_batch(client)["id"] for _ in range(3)]
    p1 = client.get("/api/v1/batch-runs", params={"page_size": 2}).json()
    p2 = client.get("/api/v1/batch-runs", params={"page_size": 2, "page": 2}).json()
    assert (p1["total"], p2["total"], len(p1["items"]), len(p2["items"])) == (3, 3, 2, 1)
    assert sorted(r["id"] for r in p1["items"] + p2["items"]) == sorted(ids)


def test_dynamic_management_pages_one_list_and_counts_every_list(client, db) -> None:
    a = innovative_enterprise(db, "91440300192317458F")
    c = innovative_enterprise(
        db, "91440300100012316L", region_code="500112", rd_wan=14, name="重庆市示例科技有限公司"
    )
    b = weak_enterprise(db, "91440606722473344C")
    holds(db, b, "innovative_sme", date(2023, 1, 1), date(2025, 8, 1))
    run = _batch(client)
    url = f"/api/v1/batch-runs/{run['id']}/dynamic-management"
    q = {"within_days": 60, "category": "newly_eligible", "page_size": 1}
    p1 = client.get(url, params=q).json()
    p2 = client.get(url, params={**q, "page": 2}).json()
    assert p1["totals"] == {
        "newly_eligible": 2,
        "at_risk": 1,
        "expiring": 1,
        "to_be_revoked": 0,
        "update_overdue": 0,
    }
    assert p2["totals"] == p1["totals"]
    assert {p1["newly_eligible"][0]["enterprise_id"], p2["newly_eligible"][0]["enterprise_id"]} == {
        a.id,
        c.id,
    }
    assert (p1["at_risk"], p2["expiring"]) == ([], [])  # only the list asked for
    everything = client.get(url, params={"within_days": 60}).json()
    assert [len(everything[k]) for k in ("newly_eligible", "at_risk", "expiring")] == [2, 1, 1]


def test_contests_page_two_and_the_enterprise_that_objected(db, client_as) -> None:
    ents = [enterprise(db, name=f"异议测试企业{i}") for i in range(3)]
    for e in ents:
        me = client_as("enterprise", enterprise_id=e.id)
        r = me.post(
            f"/api/v1/enterprises/{e.id}/contests", json={"policy_key": KEY, "reason": "我司已获认定"}
        )
        assert r.status_code == 201, r.text
    official = client_as("city_official", region_code="4419")
    p1 = official.get("/api/v1/contests", params={"page_size": 2}).json()
    p2 = official.get("/api/v1/contests", params={"page_size": 2, "page": 2}).json()
    assert (p1["total"], len(p1["items"]), len(p2["items"])) == (3, 2, 1)
    names = {c["enterprise_name"] for c in p1["items"] + p2["items"]}
    assert names == {"异议测试企业0", "异议测试企业1", "异议测试企业2"}


def test_grant_runs_and_their_grants_are_paged(db, client_as) -> None:
    for i in range(3):
        enterprise(db, provincial_srdi=True, name=f"免申测试企业{i}")
    official = client_as("city_official", region_code="4419")
    r = official.post("/api/v1/grant-runs", json={"policy_key": KEY, "as_of": "2025-06-30"})
    assert r.status_code == 202, r.text
    runs = official.get("/api/v1/grant-runs").json()
    assert (runs["total"], [x["id"] for x in runs["items"]]) == (1, [r.json()["id"]])
    url = f"/api/v1/grant-runs/{r.json()['id']}/grants"
    p1 = official.get(url, params={"page_size": 2}).json()
    p2 = official.get(url, params={"page_size": 2, "page": 2}).json()
    assert (p1["total"], len(p1["items"]), len(p2["items"])) == (3, 2, 1)
    assert len({g["enterprise_id"] for g in p1["items"] + p2["items"]}) == 3
    assert official.get("/api/v1/disbursement-batches").json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "page_size": 20,
    }
