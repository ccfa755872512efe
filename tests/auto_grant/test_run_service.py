"""免申即享 flow on the service layer: match → consent → disburse → publish, budget order, re-runs, contests."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from srdi.auto_grant import service
from srdi.auto_grant.enums import GrantStatus
from srdi.auto_grant.exceptions import BadAccount, NotAutoGrant, TransitionNotAllowed
from srdi.auto_grant.models import Disbursement, Grant, GrantEvent
from srdi.policy import service as policy_service
from srdi.policy.models import PolicyAnswer
from tests.auto_grant.variable_policy import KEY, publish_variable_policy
from tests.policy.factories import enterprise

AS_OF = date(2025, 6, 30)


def _publish_with_budget(db, budget: str | None, rate: str = "5%", order: str = "amount_desc"):  # type: ignore[no-untyped-def]
    return publish_variable_policy(db, budget=budget, rate_cap=rate, order=order)


def _run(db):  # type: ignore[no-untyped-def]
    run = service.create_run(db, KEY, AS_OF, actor="official", scope_prefixes=None)
    return service.execute_run(db, run)


def _grants(db):  # type: ignore[no-untyped-def]
    rows = db.scalars(
        select(Grant).where(Grant.policy_key == KEY).order_by(Grant.rank, Grant.amount_fen.desc())
    ).all()
    return [(g.enterprise_id, g.status, g.amount_fen) for g in rows]


@pytest.fixture
def three(db):  # type: ignore[no-untyped-def]
    # 5% of 4,000,000 / 2,000,000 / 1,000,000 元 → 200,000 / 100,000 / 50,000 元; one ineligible, one in 深圳.
    a = enterprise(db, dg_innovative=True, rd_deductible_yuan="4000000.00")
    b = enterprise(db, dg_innovative=True, rd_deductible_yuan="2000000.00")
    c = enterprise(db, dg_innovative=True, rd_deductible_yuan="1000000.00")
    enterprise(db, dg_innovative=False, rd_deductible_yuan="9000000.00")
    enterprise(db, region="440305", dg_innovative=True, rd_deductible_yuan="9000000.00")
    return a, b, c


def test_budget_covers_the_largest_amounts_in_the_stated_order_and_the_rest_wait(db, three):
    a, b, c = three
    _publish_with_budget(db, "25万元")
    run = _run(db)
    assert _grants(db) == [
        (a.id, "matched", 20_000_000),
        (b.id, "waitlisted", 10_000_000),
        (c.id, "waitlisted", 5_000_000),
    ]
    assert run.summary["counts"] == {
        "eligible": 3,
        "unknown": 0,
        "ineligible": 1,
        "zero_amount": 0,
        "data_errors": 0,
        "pending_verification": 0,
        "verification_rejected": 0,
    }
    assert run.summary["changes"]["new"] == 3
    assert run.summary["allocation"]["order"] == "amount_desc"
    assert run.summary["allocation"]["stated"] is True
    assert run.summary["allocation"]["demand_fen"] == 35_000_000


def test_pro_rata_shares_an_oversubscribed_budget_and_never_exceeds_it(db, three):
    a, b, c = three
    _publish_with_budget(db, "25万元", order="pro_rata")
    run = _run(db)
    # 35万 demanded, 25万 available: each amount × 25/35, rounded down to the fen.
    got = {e: (st, amt) for e, st, amt in _grants(db)}
    assert got == {
        a.id: ("matched", 14_285_714),
        b.id: ("matched", 7_142_857),
        c.id: ("matched", 3_571_428),
    }
    assert sum(amt for _, amt in got.values()) <= 25_000_000
    g = db.scalars(select(Grant).where(Grant.enterprise_id == a.id)).one()
    assert g.trace["allocation"]["computed_fen"] == 20_000_000
    assert g.trace["allocation"]["allocated_fen"] == 14_285_714
    assert "按比例" in g.trace["allocation"]["label"]
    assert run.summary["allocation"]["order"] == "pro_rata"


def test_equal_amounts_at_the_budget_edge_wait_together_no_invented_tie_break(db):
    a = enterprise(db, dg_innovative=True, rd_deductible_yuan="4000000.00")
    b = enterprise(db, dg_innovative=True, rd_deductible_yuan="2000000.00")
    c = enterprise(db, dg_innovative=True, rd_deductible_yuan="2000000.00")
    _publish_with_budget(db, "30万元")  # 20万 fits; b and c (10万 each) do not both fit → both wait
    _run(db)
    got = {e: (st, amt) for e, st, amt in _grants(db)}
    assert got == {
        a.id: ("matched", 20_000_000),
        b.id: ("waitlisted", 10_000_000),
        c.id: ("waitlisted", 10_000_000),
    }
    ranks = {g.enterprise_id: g.rank for g in db.scalars(select(Grant).where(Grant.policy_key == KEY))}
    assert ranks[b.id] == ranks[c.id] == 2


def test_an_implausible_figure_sets_that_enterprise_aside_and_the_rest_proceed(db, three):
    a, b, c = three
    odd = enterprise(db, dg_innovative=True, rd_deductible_yuan="10000000000000000000000000.00")  # 1e25 元
    _publish_with_budget(db, None)
    run = _run(db)
    got = {e: (st, amt) for e, st, amt in _grants(db)}
    assert got == {a.id: ("matched", 20_000_000), b.id: ("matched", 10_000_000), c.id: ("matched", 5_000_000)}
    assert run.status == "done"
    assert run.summary["counts"]["data_errors"] == 1
    [x] = run.summary["excluded"]
    assert x["enterprise_id"] == odd.id
    assert (
        x["reason"]
        == "上年度经税务部门核定的可加计扣除研发费用超出合理范围（不超过1000亿元），请核实后再填报"
    )


def test_an_enterprise_the_batch_cannot_compute_is_reported_and_the_rest_proceed(db, three, monkeypatch):
    a, b, c = three
    _publish_with_budget(db, None)
    real = policy_service.evaluate_registry

    def fails_on_b(frame, pol, as_of):  # type: ignore[no-untyped-def]
        if b.id in frame.table["enterprise_id"].to_list():
            raise OverflowError("simulated engine overflow on one record")
        return real(frame, pol, as_of)

    monkeypatch.setattr(policy_service, "evaluate_registry", fails_on_b)
    run = _run(db)
    got = {e: st for e, st, _ in _grants(db)}
    assert got == {a.id: "matched", c.id: "matched"}
    assert [(x["enterprise_id"], x["reason"]) for x in run.summary["excluded"]] == [
        (b.id, "该企业数据超出可计算范围，无法比对，请核实其填报或登记数据")
    ]


def test_rerun_changes_nothing_and_never_duplicates(db, three):
    _publish_with_budget(db, None)
    _run(db)
    before = _grants(db)
    run2 = _run(db)
    assert _grants(db) == before
    assert run2.summary["changes"] == {
        "new": 0,
        "amount_changed": 0,
        "status_changed": 0,
        "withdrawn": 0,
        "unchanged": 3,
    }


def test_rerun_after_a_fact_change_shows_the_amount_change_and_withdrawal(db, three):
    _a, b, c = three
    _publish_with_budget(db, None)
    _run(db)
    ans = db.scalars(
        select(PolicyAnswer).where(
            PolicyAnswer.enterprise_id == b.id, PolicyAnswer.key == "rd_deductible_expense"
        )
    ).one()
    ans.value = "3000000.00"
    gone = db.scalars(
        select(PolicyAnswer).where(
            PolicyAnswer.enterprise_id == c.id, PolicyAnswer.key == "dg_innovative_enterprise"
        )
    ).one()
    gone.value = False
    db.flush()
    run2 = _run(db)
    assert run2.summary["changes"]["amount_changed"] == 1
    assert run2.summary["changes"]["withdrawn"] == 1
    assert dict((e, (s, amt)) for e, s, amt in _grants(db))[b.id] == ("matched", 15_000_000)
    assert dict((e, (s, amt)) for e, s, amt in _grants(db))[c.id][0] == "withdrawn"


def test_consent_twice_creates_one_disbursement_and_masks_nothing_in_storage(db, three):
    a, _, _ = three
    _publish_with_budget(db, None)
    _run(db)
    g = db.scalars(select(Grant).where(Grant.enterprise_id == a.id)).one()
    kw = dict(
        bank_name="中国银行东莞分行",
        account_name="企业",
        bank_account="6222 0000 1234 5678",
        actor="ent",
        enterprise_ids=[a.id],
    )
    _g1, created1 = service.consent(db, g.id, **kw)
    g2, created2 = service.consent(db, g.id, **kw)
    assert (created1, created2, g2.status, g2.bank_account) == (True, False, "consented", "6222000012345678")
    assert db.scalar(select(func.count()).select_from(Disbursement).where(Disbursement.grant_id == g.id)) == 1


def test_confirmed_amount_is_kept_when_a_rerun_computes_another(db, three):
    a, _, _ = three
    _publish_with_budget(db, None)
    _run(db)
    g = db.scalars(select(Grant).where(Grant.enterprise_id == a.id)).one()
    service.consent(
        db,
        g.id,
        bank_name="行",
        account_name="企业",
        bank_account="12345678",
        actor="ent",
        enterprise_ids=None,
    )
    _publish_with_budget(db, None, rate="3%")
    _run(db)
    db.refresh(g)
    assert (g.status, g.amount_fen) == ("consented", 20_000_000)


def test_full_flow_disburse_export_publish_with_events(db, three):
    a, b, c = three
    _publish_with_budget(db, None)
    run = _run(db)
    for e in (a, b):
        g = db.scalars(select(Grant).where(Grant.enterprise_id == e.id)).one()
        service.consent(
            db,
            g.id,
            bank_name="行",
            account_name=e.name,
            bank_account="62220000000001",
            actor="ent",
            enterprise_ids=None,
        )
    batch = service.disburse(db, KEY, run.period, actor="official")
    assert (batch.count, batch.total_fen, batch.status) == (2, 30_000_000, "closed")
    # Nothing new to pay: the same batch comes back unchanged (a restarted export re-writes the same file).
    again = service.disburse(db, KEY, run.period, actor="official")
    assert (again.id, again.count, again.total_fen) == (batch.id, 2, 30_000_000)
    csv_text = service.export_csv(db, batch.id)
    assert csv_text.splitlines()[1].endswith(f"62220000000001,200000.00,{KEY},2025,{_gid(db, a.id)}")
    published = service.publish(db, KEY, run.period, actor="official")
    assert len(published) == 2
    ga = db.scalars(select(Grant).where(Grant.enterprise_id == a.id)).one()
    events = db.scalars(select(GrantEvent).where(GrantEvent.grant_id == ga.id).order_by(GrantEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "matched"),
        ("matched", "consented"),
        ("consented", "disbursed"),
        ("disbursed", "published"),
    ]
    gc = db.scalars(select(Grant).where(Grant.enterprise_id == c.id)).one()
    with pytest.raises(TransitionNotAllowed):
        service.transition(db, gc, GrantStatus.published, actor="x", reason="skip")


def _gid(db, eid):  # type: ignore[no-untyped-def]
    return db.scalars(select(Grant.id).where(Grant.enterprise_id == eid)).one()


def test_bad_account_is_refused_and_changes_nothing(db, three):
    a, _, _ = three
    _publish_with_budget(db, None)
    _run(db)
    g = db.scalars(select(Grant).where(Grant.enterprise_id == a.id)).one()
    with pytest.raises(BadAccount):
        service.consent(
            db, g.id, bank_name="行", account_name="企业", bank_account="12ab", actor="e", enterprise_ids=None
        )
    db.refresh(g)
    assert g.status == "matched"


def test_application_mode_policy_cannot_be_run_automatically(db):
    with pytest.raises(NotAutoGrant):
        service.create_run(db, "sz_maker_china_division_award", AS_OF, actor="o", scope_prefixes=None)


def test_the_real_rd_subsidy_is_not_auto_grant(db):
    # Seed 004: the R&D base is 经税务部门核定 and 瞪羚/百强 come from 科技局 lists; the seed does not make it 免申即享.
    with pytest.raises(NotAutoGrant):
        service.create_run(db, "dg_innovative_enterprise_rd_subsidy", AS_OF, actor="o", scope_prefixes=None)
