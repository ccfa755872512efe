"""Money answers have plausible bounds declared in the policy files: a 1e25 answer is refused in Chinese, never
stored and never an engine error (STACK.md: Polars overflowed Int128 on 1e25)."""

from __future__ import annotations

from sqlalchemy import func, select

from srdi.policy.models import PolicyAnswer
from tests.policy.factories import enterprise


def _put(client, eid, value):  # type: ignore[no-untyped-def]
    return client.put(
        f"/api/v1/enterprises/{eid}/policy-answers",
        json={"answers": [{"key": "rd_deductible_expense", "fiscal_year": 2024, "value": value}]},
    )


def test_a_1e25_rd_expense_answer_is_refused_with_the_bound_in_chinese(db, client_as):
    ent = enterprise(db)
    me = client_as("enterprise", enterprise_id=ent.id)
    r = _put(me, ent.id, "10000000000000000000000000.00")
    assert r.status_code == 422
    assert r.json()["message"] == (
        "上年度经税务部门核定的可加计扣除研发费用：超出合理范围（不超过1000亿元），请核实后再填报"
    )
    assert db.scalar(select(func.count()).select_from(PolicyAnswer)) == 0


def test_the_bound_itself_is_accepted_and_one_fen_more_is_refused(db, client_as):
    ent = enterprise(db)
    me = client_as("enterprise", enterprise_id=ent.id)
    assert _put(me, ent.id, "100000000000.00").status_code == 200
    assert _put(me, ent.id, "100000000000.01").status_code == 422


def test_answer_keys_show_the_declared_bounds(client_as):
    keys = {k["key"]: k for k in client_as("admin").get("/api/v1/policy-answer-keys").json()}
    assert (keys["rd_deductible_expense"]["min"], keys["rd_deductible_expense"]["max"]) == ("0元", "1000亿元")
    assert keys["training_person_times"]["max"] == "1000"
