"""Awards through the API on both databases: officials write them with a change log, enterprises only read, and the
创客中国 group decides whether the direct routes count them (CRITERIA §4.1 ZD4, §5 X4D2)."""

from sqlalchemy import select

from srdi.auth.models import AuditLog
from srdi.enterprise.models import Award, ChangeLog
from tests.enterprise.test_router import _create

MAKER = {
    "kind": "maker_china",
    "level": "national",
    "name": "第九届“创客中国”中小企业创新创业大赛",
    "award_date": "2025-11-20",
    "top_group": 500,
    "contest_group": "enterprise_group",
}


def _url(ent, award_id=None):
    base = f"/api/v1/enterprises/{ent['id']}/awards"
    return base if award_id is None else f"{base}/{award_id}"


def test_official_adds_a_maker_china_award_and_the_change_log_names_who_and_what(client_as, db):
    official = client_as("district_official", username="nanshan-official", region_code="440305")
    ent = _create(official)
    r = official.post(_url(ent), json={**MAKER, "evidence": "工信部公告 2025-11-20"})
    assert r.status_code == 201, r.text
    award = r.json()
    assert award["contest_group"] == "enterprise_group"
    assert award["top_group"] == 500
    assert official.get(_url(ent)).json() == [award]
    rows = db.scalars(select(ChangeLog).where(ChangeLog.entity == "award")).all()
    assert {(c.field, c.old_value, c.new_value) for c in rows} == {
        ("kind", None, "maker_china"),
        ("level", None, "national"),
        ("name", None, "第九届“创客中国”中小企业创新创业大赛"),
        ("award_date", None, "2025-11-20"),
        ("top_group", None, "500"),
        ("contest_group", None, "enterprise_group"),
        ("evidence", None, "工信部公告 2025-11-20"),
        ("source", None, "self_reported"),
    }
    assert {c.actor for c in rows} == {"nanshan-official"}
    assert {c.entity_key for c in rows} == {str(award["id"])}
    actions = db.scalars(select(AuditLog.action).where(AuditLog.object_type == "award")).all()
    assert actions == ["enterprise.award.create"]


def test_correcting_the_group_logs_old_to_new_and_deleting_logs_the_removed_values(client, db):
    ent = _create(client)
    award = client.post(_url(ent), json=MAKER).json()
    r = client.put(_url(ent, award["id"]), json={**MAKER, "contest_group": "maker_group", "source": "tax"})
    assert r.status_code == 200, r.text
    assert r.json()["contest_group"] == "maker_group"
    changed = db.scalars(
        select(ChangeLog)
        .where(ChangeLog.entity == "award", ChangeLog.old_value.isnot(None))
        .order_by(ChangeLog.id)
    ).all()
    assert [(c.field, c.old_value, c.new_value, c.source) for c in changed] == [
        ("contest_group", "enterprise_group", "maker_group", "tax"),
        ("source", "self_reported", "tax", "tax"),
    ]
    assert client.delete(_url(ent, award["id"])).status_code == 204
    assert client.get(_url(ent)).json() == []
    assert db.scalar(select(Award).where(Award.id == award["id"])) is None
    removed = db.scalars(
        select(ChangeLog).where(ChangeLog.entity == "award", ChangeLog.new_value.is_(None))
    ).all()
    assert sorted(c.field for c in removed) == sorted(
        ["kind", "level", "name", "award_date", "top_group", "contest_group", "source"]
    )
    actions = db.scalars(
        select(AuditLog.action).where(AuditLog.object_type == "award").order_by(AuditLog.id)
    ).all()
    assert actions == ["enterprise.award.create", "enterprise.award.update", "enterprise.award.delete"]


def test_maker_china_without_a_group_is_refused_in_chinese_and_nothing_is_written(client, db):
    ent = _create(client)
    body = {k: v for k, v in MAKER.items() if k != "contest_group"}
    r = client.post(_url(ent), json=body)
    assert r.status_code == 422
    assert r.json()["details"][0]["message"] == "“创客中国”大赛获奖须填写组别（企业组或创客组）"
    assert db.scalars(select(Award)).all() == []


def test_a_group_on_another_contest_and_an_unknown_list_are_refused(client):
    ent = _create(client)
    science = {
        "kind": "science_technology",
        "level": "provincial",
        "name": "广东省科学技术奖",
        "award_date": "2024-05-01",
    }
    r = client.post(_url(ent), json={**science, "contest_group": "enterprise_group"})
    assert r.status_code == 422
    assert r.json()["details"][0]["message"] == "只有“创客中国”大赛获奖才填写组别（企业组/创客组）"
    r = client.post(_url(ent), json={**MAKER, "top_group": 100})
    assert r.status_code == 422
    assert r.json()["details"][0]["message"] == "“创客中国”名单只能是全国500强或全国50强"
    r = client.post(_url(ent), json={**science, "rank": 2})
    assert r.status_code == 201, r.text
    assert r.json()["rank"] == 2


def test_enterprise_account_reads_its_awards_but_may_not_write_them(client, client_as, db):
    ent = _create(client)
    award = client.post(_url(ent), json=MAKER).json()
    own = client_as("enterprise", username="own-enterprise", enterprise_id=ent["id"])
    assert own.get(_url(ent)).json() == [award]
    r = own.post(_url(ent), json=MAKER)
    assert r.status_code == 403
    assert r.json()["message"]
    assert own.put(_url(ent, award["id"]), json={**MAKER, "contest_group": "maker_group"}).status_code == 403
    assert own.delete(_url(ent, award["id"])).status_code == 403
    assert len(db.scalars(select(Award)).all()) == 1


def test_official_of_another_district_gets_404_and_an_award_of_another_enterprise_is_404(client, client_as):
    ent = _create(client)
    other = _create(client, uscc="91440300MA5DC6QX9C", name="深圳市另一家测试有限公司")
    award = client.post(_url(ent), json=MAKER).json()
    futian = client_as("district_official", username="futian-official", region_code="440304")
    assert futian.post(_url(ent), json=MAKER).status_code == 404
    assert futian.delete(_url(ent, award["id"])).status_code == 404
    r = client.put(_url(other, award["id"]), json=MAKER)
    assert r.status_code == 404
    assert r.json()["message"] == "未找到该奖项记录"
    assert client.get(_url(ent)).json() == [award]


def _direct_routes(client, ent):
    r = client.post(f"/api/v1/enterprises/{ent['id']}/evaluations", json={"as_of": "2026-03-01"})
    assert r.status_code == 201, r.text
    return {t["tier"]: t["result"]["direct_routes"] for t in r.json()["tiers"]}


def test_maker_group_entry_does_not_meet_the_direct_routes_and_enterprise_group_does(client):
    ent = _create(client)
    award = client.post(_url(ent), json={**MAKER, "top_group": 50, "contest_group": "maker_group"}).json()
    routes = _direct_routes(client, ent)
    assert routes["srdi_sme"]["ZD4"] is False
    assert routes["little_giant"]["X4D2"] is False
    client.put(_url(ent, award["id"]), json={**MAKER, "top_group": 50, "contest_group": "enterprise_group"})
    routes = _direct_routes(client, ent)
    assert routes["srdi_sme"]["ZD4"] is True
    assert routes["little_giant"]["X4D2"] is True
