"""Precise push: qualifies (amount), may qualify (missing inputs), does not (why); recomputation; notifications."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from srdi.notification.models import Notification
from srdi.policy import service
from srdi.policy.models import PolicyVersion
from tests.policy.factories import enterprise

AS_OF = date(2025, 6, 30)


def _by_key(items):  # type: ignore[no-untyped-def]
    return {i["policy_key"]: i for i in items}


def test_library_is_published_once_and_a_second_sync_changes_nothing(db):
    first = service.sync_library(db)
    assert len(first) == 27
    assert service.sync_library(db) == []
    assert db.scalar(select(func.count()).select_from(PolicyVersion)) == 27


def test_dongguan_innovative_enterprise_qualifies_with_5_percent_of_deductible_rd(db):
    ent = enterprise(db, dg_innovative=True, rd_deductible_yuan="12345678.90", little_giant=True)
    out = service.my_policies(db, ent, AS_OF)
    eligible = _by_key(out["eligible"])
    # 12,345,678.90 元 × 5% = 617,283.945 元 → rounded down to the fen: 617,283.94 元.
    assert eligible["dg_innovative_enterprise_rd_subsidy"]["amount_fen"] == 61728394
    assert eligible["dg_little_giant_doubling_pilot"]["amount_fen"] is None
    # Guangdong measures apply in 东莞 (province 44); Shenzhen and Chongqing ones do not.
    assert "gd_little_giant_land_quota" in eligible
    inel = _by_key(out["ineligible"])
    assert inel["cq_little_giant_award"]["reasons"] == ["企业所在地 441900 不在政策适用地区（50）内"]
    assert any(r.startswith("企业所在地 441900") for r in inel["sz_guarantee_fee_cap"]["reasons"])


def test_missing_answer_makes_may_qualify_with_the_input_named(db):
    ent = enterprise(db, dg_innovative=None, rd_deductible_yuan="1000000.00")
    out = service.my_policies(db, ent, AS_OF)
    unknown = _by_key(out["unknown"])
    assert unknown["dg_innovative_enterprise_rd_subsidy"]["missing_inputs"] == [
        {
            "id": "dg_innovative_enterprise",
            "label": "经东莞市科学技术局认定的创新型企业（瞪羚企业或百强创新型企业）",
        }
    ]


def test_not_qualifying_lists_the_failed_condition(db):
    ent = enterprise(db, dg_innovative=False, rd_deductible_yuan="1000000.00")
    inel = _by_key(service.my_policies(db, ent, AS_OF)["ineligible"])
    assert inel["dg_innovative_enterprise_rd_subsidy"]["reasons"] == [
        "不满足：为东莞市创新型企业（瞪羚企业或百强创新型企业）"
    ]


def test_an_answer_recomputes_the_push_and_notifies_the_new_match_once(db):
    ent = enterprise(db, dg_innovative=None, rd_deductible_yuan="2000000.00")
    service.my_policies(db, ent, AS_OF)
    service.set_answers(
        db, ent.id, [{"key": "dg_innovative_enterprise", "value": True}], actor="ent", source="self_reported"
    )
    eligible = _by_key(service.my_policies(db, ent, AS_OF)["eligible"])
    assert eligible["dg_innovative_enterprise_rd_subsidy"]["amount_fen"] == 10000000
    # the enterprise's own answer decides money only after an official checks it
    assert eligible["dg_innovative_enterprise_rd_subsidy"]["verification_status"] == "pending"
    service.my_policies(db, ent, AS_OF)
    titles = db.scalars(
        select(Notification.title).where(
            Notification.enterprise_id == ent.id, Notification.kind == "policy_match"
        )
    ).all()
    assert titles.count("您符合政策：东莞市创新型企业研发投入补助") == 1
