"""Open311 GeoReport v2: our conformance tests, and a client someone else wrote (PyPI ``georeport``)."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET

import pytest

from srdi.appeal import open311_service, service
from srdi.appeal.enums import AppealAction, RejectReason
from srdi.auth.enums import Role
from tests.appeal import factories

BASE = "/api/v1/open311/v2"


@pytest.fixture
def keyed(db, make_user):  # type: ignore[no-untyped-def]
    factories.catalogue(db)
    ent = factories.enterprise(db, name="开放接口测试企业有限公司")
    user = make_user(Role.enterprise, enterprise_id=ent.id)
    return ent, user, open311_service.create_key(db, user, "测试客户端")


def test_services_in_json_and_xml(db, anon_client):
    factories.catalogue(db)
    r = anon_client.get(f"{BASE}/services.json", params={"jurisdiction_id": "srdi.gov.cn"})
    assert r.status_code == 200
    fin = next(s for s in r.json() if s["service_code"] == "financing")
    assert fin == {
        "service_code": "financing",
        "service_name": "融资信贷与上市",
        "description": "融资信贷与上市（5 个工作日内答复）",
        "metadata": True,
        "type": "batch",
        "keywords": "融资信贷与上市",
        "group": "企业诉求",
    }
    x = anon_client.get(f"{BASE}/services.xml")
    assert x.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(x.content)
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")][:2] == [
        "digital_transformation",
        "environment_safety",
    ]
    assert anon_client.get(f"{BASE}/services.json", params={"jurisdiction_id": "x"}).json() == [
        {"code": 400, "description": "jurisdiction_id 应为 srdi.gov.cn"}
    ]
    d = anon_client.get(f"{BASE}/services/financing.json").json()
    assert [a["code"] for a in d["attributes"]] == ["title", "enterprise_uscc"]
    assert anon_client.get(f"{BASE}/services/nothing.json").status_code == 404


def test_post_with_api_key_then_token_list_and_one(db, anon_client, keyed, make_user):
    _ent, _user, key = keyed
    r = anon_client.post(
        f"{BASE}/requests.json",
        data={
            "api_key": key,
            "jurisdiction_id": "srdi.gov.cn",
            "service_code": "financing",
            "description": "我司需要一笔500万元的流动资金贷款，希望对接银行并了解贴息政策。",
            "attribute[title]": "流动资金贷款对接",
        },
    )
    assert r.status_code == 200, r.text
    [created] = r.json()
    rid, token = created["service_request_id"], created["token"]
    assert anon_client.get(f"{BASE}/tokens/{token}.json", params={"api_key": key}).json() == [
        {"service_request_id": rid, "token": token}
    ]
    one = anon_client.get(f"{BASE}/requests/{rid}.json", params={"api_key": key}).json()[0]
    assert (one["status"], one["status_notes"], one["service_name"], one["agency_responsible"]) == (
        "open",
        "已提交",
        "融资信贷与上市",
        None,
    )
    assert one["expected_datetime"].endswith("+08:00")
    a = service.get_visible(db, service.AppealScope(), int(rid))
    assert (a.channel, a.title) == ("api", "流动资金贷款对接")
    official = make_user(Role.district_official)
    service.transition(
        db,
        a.id,
        service.TransitionInput(AppealAction.reject, reject_reason=RejectReason.repeated),
        actor=official,
    )
    listed = anon_client.get(f"{BASE}/requests.json", params={"api_key": key, "status": "closed"}).json()
    assert [(x["service_request_id"], x["status"], x["status_notes"]) for x in listed] == [
        (rid, "closed", "不予受理：同一诉求正在办理中重复提交")
    ]
    assert anon_client.get(f"{BASE}/requests.json", params={"api_key": key, "status": "open"}).json() == []
    xml = anon_client.get(f"{BASE}/requests/{rid}.xml", params={"api_key": key})
    assert ET.fromstring(xml.content).find("request/status").text == "closed"  # type: ignore[union-attr]


def test_requests_refuse_a_missing_key_and_hide_other_enterprises(db, anon_client, keyed, make_user):
    _ent, _user, key = keyed
    other = factories.enterprise(db)
    theirs = factories.appeal(db, other, make_user(Role.enterprise, enterprise_id=other.id))
    r = anon_client.post(
        f"{BASE}/requests.json", data={"service_code": "financing", "description": "无密钥提交"}
    )
    assert (r.status_code, r.json()) == (403, [{"code": 403, "description": "api_key 无效或未提供"}])
    r = anon_client.get(f"{BASE}/requests/{theirs.id}.json", params={"api_key": key})
    assert r.status_code == 404
    assert anon_client.get(f"{BASE}/requests.json", params={"api_key": key}).json() == []
    r = anon_client.post(
        f"{BASE}/requests.xml", data={"api_key": key, "service_code": "financing", "description": "短"}
    )
    assert r.status_code == 400  # GeoReport v2 has no 422: a refused request is a 400 with its reason
    assert (
        ET.fromstring(r.content).findtext("error/description") == "诉求内容过短，请至少写 5 个字说明具体困难"
    )


def test_the_georeport_client_from_pypi_reads_services_and_definitions(app, db):
    georeport = pytest.importorskip("georeport")
    import uvicorn

    factories.catalogue(db)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(500):
        if server.started:
            started.set()
            break
        threading.Event().wait(0.02)
    assert started.is_set()
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        for fmt in ("json", "xml"):
            client = georeport.GeoReport(
                f"http://127.0.0.1:{port}{BASE}", jurisdiction="srdi.gov.cn", output_format=fmt
            )
            names = {s["service_code"]: s["service_name"] for s in client.get_service_list()}
            assert names["policy_consulting"] == "惠企政策咨询与资金兑现"
            definition = client.get_service_definition("financing")
            assert definition["service_code"] == "financing"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
