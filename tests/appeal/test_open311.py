"""Open311 GeoReport v2: our conformance tests, and clients someone else wrote (PyPI ``georeport``
reads, PyPI ``civicbot`` files and reads)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from srdi.appeal import open311_service, service
from srdi.appeal.enums import AppealAction, RejectReason
from srdi.auth.enums import Role
from tests.appeal import factories
from tests.live_server import serving

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

    factories.catalogue(db)
    with serving(app) as root:
        for fmt in ("json", "xml"):
            client = georeport.GeoReport(f"{root}{BASE}", jurisdiction="srdi.gov.cn", output_format=fmt)
            names = {s["service_code"]: s["service_name"] for s in client.get_service_list()}
            assert names["policy_consulting"] == "惠企政策咨询与资金兑现"
            definition = client.get_service_definition("financing")
            assert definition["service_code"] == "financing"


class _KeyedReads:
    """civicbot's transport, adding the caller's ``api_key`` to reads: the standard leaves read access to the
    jurisdiction, and ours needs a key because appeals are an enterprise's own affairs. Filing goes through
    civicbot untouched (its form carries the key)."""

    def __init__(self, key: str) -> None:
        from civicbot.http import HttpTransport, RateLimiter

        self._http = HttpTransport(rate_limiter=RateLimiter(min_interval=0.0))
        self._key = key

    def get_json(self, url: str, params: dict | None = None, headers: dict | None = None) -> object:
        return self._http.get_json(url, {**(params or {}), "api_key": self._key}, headers)

    def post_form(self, url: str, data: dict, headers: dict | None = None) -> object:
        return self._http.post_form(url, data, headers)


def test_the_civicbot_client_from_pypi_files_an_appeal_and_reads_it_back(app, db, keyed):
    """An Open311 client someone else wrote (PyPI ``civicbot``, MIT) files through ``POST requests.json``,
    validating its form against our service list and definition first, then reads the request, its token and
    the list back; the appeal exists in our registry with the API channel."""
    pytest.importorskip("civicbot")
    from civicbot.open311 import Open311Client, Open311Error
    from civicbot.registry import Endpoint

    ent, _user, key = keyed
    with serving(app) as root:
        endpoint = Endpoint(id="srdi", name="专精特新服务平台", base_url=f"{root}{BASE}", write=True)
        client = Open311Client(endpoint, transport=_KeyedReads(key), jurisdiction_id="srdi.gov.cn")
        codes = {s["service_code"] for s in client.list_services()}
        assert {"financing", "policy_consulting"} <= codes
        with pytest.raises(Open311Error):  # the client's own check: a code we do not offer is never sent
            client.create_request("no_such_service", validate_remote=True, address_string="深圳市南山区")
        sent = client.create_request(
            "financing",
            dry_run=False,
            confirm="SEND",
            api_key=key,
            validate_remote=True,
            address_string="深圳市南山区科技园",
            description="我司计划扩产，需要300万元流动资金贷款，请协助对接合作银行并说明贴息政策。",
            attributes={"title": "扩产流动资金贷款"},
        )
        [created] = sent.response
        rid = created["service_request_id"]
        one = client.get_request(rid)
        assert one is not None
        assert (one["service_request_id"], one["status"], one["status_notes"], one["service_code"]) == (
            rid,
            "open",
            "已提交",
            "financing",
        )
        assert one["expected_datetime"].endswith("+08:00")
        assert client.get_token(created["token"]) == [{"service_request_id": rid, "token": created["token"]}]
        assert [r["service_request_id"] for r in client.list_requests(status="open")] == [rid]
    appeal = service.get_visible(db, service.AppealScope(), int(rid))
    assert (appeal.enterprise_id, appeal.channel, appeal.title) == (ent.id, "api", "扩产流动资金贷款")
