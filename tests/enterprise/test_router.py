"""The registry API end to end on both databases."""

from datetime import date

from srdi.enterprise.models import ChangeLog, Enterprise, Recognition

NEW = {
    "uscc": "91440300192317458F",
    "name": "深圳市测试精密科技有限公司",
    "founded_date": "2015-03-01",
    "region_code": "440305",
    "industry_code": "3562",
    "tags": ["重点培育"],
    "contact_phone": "13800138000",
}


def _create(client, **over):
    body = {**NEW, **over}
    r = client.post("/api/v1/enterprises", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_create_then_read_profile_with_region_and_industry_names(client):
    ent = _create(client)
    r = client.get(f"/api/v1/enterprises/{ent['id']}")
    assert r.status_code == 200
    body = r.json()
    assert body["region_name"] == "广东省深圳市南山区"
    assert body["industry_name"] == "半导体器件专用设备制造"
    assert body["contact_phone"] == "138****8000"
    assert body["size_class"] is None


def test_create_rejects_bad_check_character_with_chinese_message(client, db):
    before = db.query(Enterprise).count()
    r = client.post("/api/v1/enterprises", json={**NEW, "uscc": "91440300192317458A"})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_failed"
    assert body["details"][0]["field"] == "uscc"
    assert body["details"][0]["message"] == "统一社会信用代码校验位错误（GB 32100-2015）"
    assert db.query(Enterprise).count() == before


def test_duplicate_uscc_is_a_conflict(client):
    _create(client)
    r = client.post("/api/v1/enterprises", json=NEW)
    assert r.status_code == 409
    assert r.json()["message"] == "统一社会信用代码 91440300192317458F 已存在"


def test_yearly_figures_set_size_class_and_log_history(client, db):
    ent = _create(client)
    r = client.put(
        f"/api/v1/enterprises/{ent['id']}/yearly-figures/2025",
        json={"operating_revenue": "20000000.00", "employees": 300, "source": "tax"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["operating_revenue"] == "20000000.00"
    assert r.json()["sources"] == {"operating_revenue": "tax", "employees": "tax"}
    detail = client.get(f"/api/v1/enterprises/{ent['id']}").json()
    assert (detail["size_class"], detail["size_class_year"]) == ("medium", 2025)

    client.put(
        f"/api/v1/enterprises/{ent['id']}/yearly-figures/2025",
        json={"employees": 299, "source": "statistics"},
    )
    assert client.get(f"/api/v1/enterprises/{ent['id']}").json()["size_class"] == "small"

    hist = client.get(f"/api/v1/enterprises/{ent['id']}/history").json()
    emp = [h for h in hist["items"] if h["field"] == "employees"]
    assert [(h["old_value"], h["new_value"], h["source"]) for h in emp] == [
        ("300", "299", "statistics"),
        (None, "300", "tax"),
    ]
    assert db.query(ChangeLog).filter_by(enterprise_id=ent["id"], entity="yearly_figure").count() == 3


def test_negative_revenue_is_rejected_and_nothing_changes(client, db):
    ent = _create(client)
    r = client.put(f"/api/v1/enterprises/{ent['id']}/yearly-figures/2025", json={"operating_revenue": "-1"})
    assert r.status_code == 422
    assert r.json()["details"][0]["field"] == "operating_revenue"
    assert client.get(f"/api/v1/enterprises/{ent['id']}/yearly-figures").json() == []


def test_list_filters_by_region_prefix_industry_text_and_tier(client, db):
    a = _create(client)
    b = _create(
        client,
        uscc="91440606722473344C",
        name="东莞市样例电子有限公司",
        region_code="441900",
        industry_code="3981",
    )
    db.add(
        Recognition(
            enterprise_id=b["id"],
            tier="srdi_sme",
            level="provincial",
            announced_date=date(2025, 1, 1),
            valid_until=date(2099, 1, 1),
            status="valid",
        )
    )
    db.flush()
    ids = lambda r: [e["id"] for e in r.json()["items"]]  # noqa: E731
    assert ids(client.get("/api/v1/enterprises", params={"region": "4403"})) == [a["id"]]
    assert ids(client.get("/api/v1/enterprises", params={"region": "44"})) == [a["id"], b["id"]]
    assert ids(client.get("/api/v1/enterprises", params={"industry": "39"})) == [b["id"]]
    assert ids(client.get("/api/v1/enterprises", params={"q": "样例"})) == [b["id"]]
    assert ids(client.get("/api/v1/enterprises", params={"tier": "srdi_sme"})) == [b["id"]]
    assert ids(client.get("/api/v1/enterprises", params={"tag": "重点培育"})) == [a["id"], b["id"]]
    r = client.get("/api/v1/enterprises", params={"page_size": 1, "page": 2, "sort": "name"})
    assert r.json()["total"] == 2 and len(r.json()["items"]) == 1


def test_unknown_enterprise_is_404_with_chinese_message(client):
    r = client.get("/api/v1/enterprises/999999")
    assert r.status_code == 404
    assert r.json()["message"] == "未找到该企业"


def test_bad_query_parameter_gets_structured_chinese_error(client):
    r = client.get("/api/v1/enterprises", params={"page_size": 1000})
    assert r.status_code == 422
    assert r.json()["details"][0] == {
        "field": "page_size",
        "message": "数值过大（不能大于 200）",
        "message_en": "Input should be less than or equal to 200",
    }


def test_openapi_document_has_chinese_descriptions_and_schemas(client):
    doc = client.get("/api/v1/openapi.json").json()
    op = doc["paths"]["/api/v1/enterprises"]["get"]
    assert op["summary"] == "企业列表（筛选、分页）"
    schema = doc["components"]["schemas"]["EnterpriseSummary"]
    assert schema["properties"]["uscc"]["description"].startswith("统一社会信用代码")


def test_security_headers_on_every_response(client):
    r = client.get("/api/v1/health")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
