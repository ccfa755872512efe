"""Issue 15: the 变更历史 table speaks to people — yearly money in 万元 with two decimals (the log keeps 分), fields by
their Chinese labels, records by their name (not "recognition 8"), regions by name, sources by label."""

from __future__ import annotations

from datetime import date

from srdi.enterprise.enums import LABELS, ChangeEntity, ChangeField
from srdi.enterprise.models import ChangeLog, Recognition
from tests.enterprise.test_router import _create


def _rows(client, ent_id: int) -> list[dict]:
    r = client.get(f"/api/v1/enterprises/{ent_id}/history", params={"page_size": 200})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_yearly_money_reads_in_wan_yuan_and_counts_in_people(client) -> None:
    ent = _create(client)
    url = f"/api/v1/enterprises/{ent['id']}/yearly-figures/2024"
    assert (
        client.put(url, json={"rd_expense": "2041964.11", "employees": 120, "source": "tax"}).status_code
        == 200
    )
    assert client.put(url, json={"rd_expense": "12000000.00", "source": "tax"}).status_code == 200
    rows = [r for r in _rows(client, ent["id"]) if r["entity"] == "yearly_figure"]
    rd = [r for r in rows if r["field"] == "rd_expense"]
    assert [(r["old_value"], r["new_value"]) for r in rd] == [
        ("204196411", "1200000000"),
        (None, "204196411"),
    ]
    assert [(r["old_shown"], r["new_shown"]) for r in rd] == [
        ("204.20 万元", "1,200.00 万元"),
        (None, "204.20 万元"),
    ]
    assert {(r["entity_label"], r["field_label"]) for r in rd} == {("年度经营数据（2024 年度）", "研发费用")}
    emp = next(r for r in rows if r["field"] == "employees")
    assert (emp["field_label"], emp["new_shown"]) == ("从业人员", "120 人")


def test_records_are_named_and_codes_are_labelled(client, db) -> None:
    ent = _create(client)
    rec = Recognition(
        enterprise_id=ent["id"],
        tier="srdi_sme",
        level="provincial",
        announced_date=date(2024, 1, 1),
        valid_until=date(2027, 1, 1),
        source="official_list",
    )
    db.add(rec)
    db.flush()
    for entity, key, field, old, new in [
        ("recognition", str(rec.id), "status", "valid", "revoked"),
        ("recognition", "999999", "source", "self_reported", "verified"),
        ("enterprise", None, "region_code", "440305", "441900"),
        ("enterprise", None, "name", "旧名称有限公司", "新名称有限公司"),
    ]:
        db.add(
            ChangeLog(
                enterprise_id=ent["id"], entity=entity, entity_key=key, field=field, old_value=old,
                new_value=new, source="official_list", actor="测试",
            )
        )  # fmt: skip
    db.flush()
    rows = _rows(client, ent["id"])
    status = next(r for r in rows if r["entity"] == "recognition" and r["field"] == "status")
    assert status["entity_label"] == "认定记录：专精特新中小企业（省级）"
    assert (status["field_label"], status["old_shown"], status["new_shown"]) == ("状态", "有效", "已撤销")
    gone = next(r for r in rows if r["entity_key"] == "999999")
    assert gone["entity_label"] == "认定记录（已删除的记录）"
    assert (gone["field_label"], gone["new_shown"]) == ("数据来源", "已核验")
    moved = next(r for r in rows if r["field"] == "region_code" and r["old_value"] == "440305")
    assert (moved["field_label"], moved["old_shown"], moved["new_shown"]) == (
        "行政区划代码",
        "广东省深圳市南山区",
        "广东省东莞市",
    )
    renamed = next(r for r in rows if r["field"] == "name" and r["old_value"] == "旧名称有限公司")
    assert (renamed["entity_label"], renamed["field_label"]) == ("企业基本信息", "企业名称")
    for r in rows:  # nothing a person reads is a code
        for key in ("entity_label", "field_label"):
            assert r[key] and r[key].isascii() is False, r


def test_every_change_entity_and_field_has_a_chinese_label() -> None:
    for value in [*ChangeEntity, *ChangeField]:
        assert LABELS.get(value.value) and not LABELS[value.value].isascii(), value
