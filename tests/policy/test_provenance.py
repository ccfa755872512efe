"""QUALITY S5 — money only on facts the server can vouch for (PRODUCT C1, C3; decision 0012-provenance).

The fraud of issue 10 replayed as a new user would: an enterprise answers the deciding questions itself
(东莞创新型企业 = true, 1000亿元 deductible R&D expense, "source": "official_list"), an official runs 免申即享 and
disburses. It pays nothing, shows 待核验, and the 25 legitimate grants stay exactly as they were.
"""

from __future__ import annotations

from sqlalchemy import func, select

from srdi.auto_grant.models import Disbursement, Grant
from srdi.enterprise.models import ChangeLog
from srdi.policy.models import PolicyAnswer, VerificationRequest
from srdi.policy.service import library_files
from srdi.rules_engine.policy import AUTHORITATIVE
from tests.auto_grant.variable_policy import KEY, publish_variable_policy
from tests.policy.factories import enterprise

# The library's R&D subsidy is an application (seed 004 does not make it 免申即享); the money path is exercised
# with its test-only 免申即享 copy (tests/auto_grant/variable_policy.py), which keeps the file's inputs.
LIB_KEY = "dg_innovative_enterprise_rd_subsidy"
AS_OF = "2025-06-30"
ACCOUNT = {
    "bank_name": "中国工商银行东莞分行",
    "account_name": "测试企业",
    "bank_account": "6222021234567890",
}


def _publish_budget(db, budget_yuan: str | None = None) -> None:  # type: ignore[no-untyped-def]
    publish_variable_policy(db, budget=f"{budget_yuan}元" if budget_yuan else None)


def _run(official) -> dict:  # type: ignore[no-untyped-def]
    r = official.post("/api/v1/grant-runs", json={"policy_key": KEY, "as_of": AS_OF})
    assert r.status_code == 202, r.text
    run = official.get(f"/api/v1/grant-runs/{r.json()['id']}").json()
    assert run["status"] == "done", run
    return run


def _grants(db) -> dict[int, tuple[str, int]]:  # type: ignore[no-untyped-def]
    return {g.enterprise_id: (g.status, g.amount_fen) for g in db.scalars(select(Grant)).all()}


def _claim(me, ent_id: int, rd_yuan: str, **extra: object):  # type: ignore[no-untyped-def]
    return me.put(
        f"/api/v1/enterprises/{ent_id}/policy-answers",
        json={
            "answers": [
                {"key": "dg_innovative_enterprise", "fiscal_year": 0, "value": True},
                {"key": "rd_deductible_expense", "fiscal_year": 2024, "value": rd_yuan},
            ],
            **extra,
        },
    )


def test_fraud_replayed_self_declared_answers_pay_nothing_and_change_no_other_grant(db, client_as):
    # 25 legitimate enterprises: 科技局 list and 税务核定 R&D base, 1,000,000 元 each → 50,000 元 at 5%.
    legit = [enterprise(db, dg_innovative=True, rd_deductible_yuan="1000000.00") for _ in range(25)]
    claimant = enterprise(db, name="自报企业有限公司")
    official = client_as("city_official", region_code="4419")
    _publish_budget(db, "1250000")  # exactly the 25 legitimate grants

    me = client_as("enterprise", enterprise_id=claimant.id)
    r = _claim(me, claimant.id, "100000000000.00", source="official_list")  # 1000亿元, claimed as 官方名单
    assert r.status_code == 200, r.text
    assert [(a["source"], a["source_label"]) for a in r.json()] == [("self_reported", "企业自报")] * 2
    assert (
        r.json()[0]["provenance_notice"]
        == "企业账号填报的数据一律记为“企业自报”，已忽略请求中的数据来源“官方名单”"
    )

    run = _run(official)
    assert run["summary"]["counts"]["pending_verification"] == 1
    grants = _grants(db)
    assert grants[claimant.id] == ("pending_verification", 500_000_000_000)  # 5% of 1000亿: held, not offered
    assert {grants[e.id] for e in legit} == {("matched", 5_000_000)}  # all 25 paid in full, none waitlisted

    # The claimant cannot confirm; the official's disbursement holds nothing of it.
    gid = me.get(f"/api/v1/enterprises/{claimant.id}/grants").json()[0]["id"]
    r = me.post(f"/api/v1/grants/{gid}/consent", json=ACCOUNT)
    assert (r.status_code, r.json()["message"]) == (409, "当前状态（待核验）不能执行此操作")
    batch = official.post("/api/v1/disbursement-batches", json={"policy_key": KEY, "period": "2025"}).json()
    assert (batch["count"], batch["total_yuan"]) == (0, "0.00")
    assert db.scalar(select(func.count()).select_from(Disbursement)) == 0

    # 待核验 on the enterprise's 我的政策 and in the officials' queue, with the claimed money in yuan.
    page = me.get(f"/api/v1/enterprises/{claimant.id}/policies", params={"as_of": AS_OF}).json()
    mine = {p["policy_key"]: p for p in page["eligible"]}[KEY]
    assert (mine["verification_status"], mine["verification_label"]) == ("pending", "待核验")
    assert {(p["input_id"], tuple(p["provenance_labels"])) for p in mine["provenance"]} == {
        ("dg_innovative_enterprise", ("企业自报",)),
        ("rd_deductible_y1", ("企业自报",)),
    }
    # Both the run (the 免申即享 copy) and 我的政策 (the library's application, decision
    # 0032-interest-subsidy-verified-interest) queue the claim; one check of a value decides both requests.
    queue = official.get("/api/v1/verification-requests").json()
    assert sorted(
        (q["policy_key"], q["enterprise_name"], q["input_id"], q["claimed_yuan"], q["claimed_shown"])
        for q in queue
    ) == sorted(
        [(key, "自报企业有限公司", "dg_innovative_enterprise", None, "是") for key in (LIB_KEY, KEY)]
        + [
            (key, "自报企业有限公司", "rd_deductible_y1", "100000000000.00", "10000000万元")
            for key in (LIB_KEY, KEY)
        ]
    )
    assert {q["policy_title"] for q in queue} == {"东莞市创新型企业研发投入补助"}

    # A re-run changes nothing: the claim still takes no budget and no place in the order.
    _run(official)
    assert _grants(db) == grants


def test_a_verified_input_then_pays_exactly_the_policy_amount(db, client_as):
    _publish_budget(db)
    ent = enterprise(db, name="待核验企业有限公司")
    me = client_as("enterprise", enterprise_id=ent.id)
    assert _claim(me, ent.id, "2000000.00").status_code == 200
    official = client_as("city_official", region_code="4419", username="dg-city")
    _run(official)
    assert _grants(db)[ent.id] == ("pending_verification", 10_000_000)

    queue = {q["input_id"]: q for q in official.get("/api/v1/verification-requests").json()}
    for q in queue.values():
        r = official.post(
            f"/api/v1/verification-requests/{q['id']}/verify",
            json={
                "note": "与东莞市科技局2024年瞪羚企业名单及税务核定数据比对一致",
                "evidence": "东科〔2024〕12号",
            },
        )
        assert (r.status_code, r.json()["status_label"], r.json()["decided_by"]) == (200, "已核验", "dg-city")
    assert official.get("/api/v1/verification-requests").json() == []

    # The answers are now 已核验, with who, the note and the evidence in their history.
    sources = {
        a.key: a.source for a in db.scalars(select(PolicyAnswer).where(PolicyAnswer.enterprise_id == ent.id))
    }
    assert sources == {"dg_innovative_enterprise": "verified", "rd_deductible_expense": "verified"}
    hist = official.get(f"/api/v1/enterprises/{ent.id}/history").json()["items"]
    checked = [h for h in hist if h["source"] == "verified"]
    assert {(h["field"], h["actor"], h["source_label"], h["evidence"]) for h in checked} == {
        ("dg_innovative_enterprise", "dg-city", "已核验", "东科〔2024〕12号"),
        ("rd_deductible_expense", "dg-city", "已核验", "东科〔2024〕12号"),
    }

    _run(official)
    assert _grants(db)[ent.id] == ("matched", 10_000_000)  # 5% of 2,000,000 元 = 100,000 元, exactly
    grant = me.get(f"/api/v1/enterprises/{ent.id}/grants").json()[0]
    trace = me.get(f"/api/v1/grants/{grant['id']}").json()["trace"]
    assert {(p["input_id"], tuple(p["provenance"]), p["satisfied"]) for p in trace["provenance"]} == {
        ("dg_innovative_enterprise", ("verified",), True),
        ("rd_deductible_y1", ("verified",), True),
    }
    assert me.post(f"/api/v1/grants/{grant['id']}/consent", json=ACCOUNT).status_code == 200
    batch = official.post("/api/v1/disbursement-batches", json={"policy_key": KEY, "period": "2025"}).json()
    assert (batch["count"], batch["total_yuan"]) == (1, "100000.00")


def test_a_changed_claim_after_verification_goes_back_to_the_queue(db, client_as):
    _publish_budget(db)
    ent = enterprise(db)
    me = client_as("enterprise", enterprise_id=ent.id)
    _claim(me, ent.id, "2000000.00")
    official = client_as("city_official", region_code="4419")
    _run(official)
    for q in official.get("/api/v1/verification-requests").json():
        official.post(f"/api/v1/verification-requests/{q['id']}/verify", json={"note": "已核对"})
    _run(official)
    assert _grants(db)[ent.id] == ("matched", 10_000_000)

    # The enterprise raises its figure: the new value is its own word again and waits for a new check.
    me.put(
        f"/api/v1/enterprises/{ent.id}/policy-answers",
        json={"answers": [{"key": "rd_deductible_expense", "fiscal_year": 2024, "value": "9000000.00"}]},
    )
    _run(official)
    assert _grants(db)[ent.id] == ("pending_verification", 45_000_000)
    assert [
        (q["input_id"], q["claimed_yuan"]) for q in official.get("/api/v1/verification-requests").json()
    ] == [("rd_deductible_y1", "9000000.00")]


def test_a_rejected_claim_is_withdrawn_and_the_enterprise_is_told_why(db, client_as):
    _publish_budget(db)
    ent = enterprise(db)
    me = client_as("enterprise", enterprise_id=ent.id)
    _claim(me, ent.id, "800000000.00")  # 8亿元
    official = client_as("city_official", region_code="4419")
    _run(official)
    q = next(
        q for q in official.get("/api/v1/verification-requests").json() if q["input_id"] == "rd_deductible_y1"
    )
    r = official.post(
        f"/api/v1/verification-requests/{q['id']}/reject", json={"reason": "税务核定数为120万元"}
    )
    assert (r.status_code, r.json()["status"], r.json()["note"]) == (200, "rejected", "税务核定数为120万元")
    again = official.post(f"/api/v1/verification-requests/{q['id']}/verify", json={"note": "改判"})
    assert (again.status_code, again.json()["message"]) == (
        409,
        "该核验事项已处理（核验未通过），不能重复处理",
    )

    run = _run(official)
    assert _grants(db)[ent.id] == ("withdrawn", 4_000_000_000)
    assert run["summary"]["counts"]["verification_rejected"] == 1
    notes = me.get(f"/api/v1/enterprises/{ent.id}/notifications").json()
    assert "核验未通过：上年度经税务部门核定的可加计扣除研发费用" in [n["title"] for n in notes]
    page = me.get(f"/api/v1/enterprises/{ent.id}/policies", params={"as_of": AS_OF}).json()
    assert {p["policy_key"]: p for p in page["eligible"]}[KEY]["verification_label"] == "核验未通过"


def test_a_client_sent_source_is_ignored_for_an_enterprise_and_stated_by_an_official(db, client_as):
    ent = enterprise(db)
    me = client_as("enterprise", enterprise_id=ent.id)
    r = me.put(
        f"/api/v1/enterprises/{ent.id}/yearly-figures/2024",
        json={"operating_revenue": "86000000.00", "rd_expense": "5000000.00", "source": "tax"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["sources"] == {"operating_revenue": "self_reported", "rd_expense": "self_reported"}
    assert body["source_labels"] == {"operating_revenue": "企业自报", "rd_expense": "企业自报"}
    assert (
        body["provenance_notice"] == "企业账号填报的数据一律记为“企业自报”，已忽略请求中的数据来源“税务数据”"
    )

    official = client_as("city_official", region_code="4419")
    r = official.put(
        f"/api/v1/enterprises/{ent.id}/yearly-figures/2024",
        json={"rd_expense": "5000000.00", "source": "tax"},
    )
    assert (r.json()["sources"], r.json()["provenance_notice"]) == (
        {"operating_revenue": "self_reported", "rd_expense": "tax"},
        None,
    )
    # 已核验 only through the queue (with a note); 演示数据 only from `srdi demo`.
    for source in ("verified", "synthetic"):
        r = official.put(
            f"/api/v1/enterprises/{ent.id}/yearly-figures/2024", json={"rd_expense": "1.00", "source": source}
        )
        assert r.status_code == 403, r.text
    logged = db.scalars(
        select(ChangeLog.source).where(ChangeLog.enterprise_id == ent.id, ChangeLog.field == "rd_expense")
    ).all()
    assert logged == ["self_reported", "tax"]


def test_an_enterprise_cannot_reach_the_verification_queue(db, client_as):
    _publish_budget(db)
    ent = enterprise(db)
    me = client_as("enterprise", enterprise_id=ent.id)
    _claim(me, ent.id, "2000000.00")
    _run(client_as("admin"))
    req = db.scalars(select(VerificationRequest)).first()
    assert req is not None
    assert me.get("/api/v1/verification-requests").status_code == 403
    r = me.post(f"/api/v1/verification-requests/{req.id}/verify", json={"note": "我司确认属实"})
    assert r.status_code == 403
    db.refresh(req)
    assert req.status == "pending"


def test_an_official_out_of_scope_gets_404_and_an_empty_queue(db, client_as):
    _publish_budget(db)
    ent = enterprise(db)
    _claim(client_as("enterprise", enterprise_id=ent.id), ent.id, "2000000.00")
    _run(client_as("admin"))
    req = db.scalars(select(VerificationRequest)).first()
    assert req is not None
    shenzhen = client_as("city_official", region_code="4403")
    assert shenzhen.get("/api/v1/verification-requests").json() == []
    r = shenzhen.post(f"/api/v1/verification-requests/{req.id}/verify", json={"note": "越权核验"})
    assert (r.status_code, r.json()["message"]) == (404, "未找到该核验事项")
    r = shenzhen.post(f"/api/v1/verification-requests/{req.id}/reject", json={"reason": "越权"})
    assert r.status_code == 404
    db.refresh(req)
    assert req.status == "pending"


def test_auto_grant_inputs_require_authoritative_provenance_by_default():
    lib = library_files()
    award = lib["dg_srdi_award_auto_grant"]
    assert award.mode == "auto_grant"
    assert set(award.provenance_required.values()) == {AUTHORITATIVE}
    assert set(award.provenance_required) == {i for i in award.rule_set.inputs if i != "purpose"} - {
        i for i in award.rule_set.inputs if "purpose" in (award.rule_set.inputs[i].source or {})
    }
    # Application-mode policies are reviewed by a person: no default requirement — except where the text names
    # the authority the figure must come from (the R&D subsidy's 税务核定 base and 科技局 lists), or the amount is a
    # share of a figure only the enterprise reports (the loan interest subsidy's interest paid: verified first).
    assert {k for k, p in lib.items() if p.mode != "auto_grant" and p.provenance_required} == {
        LIB_KEY,
        "gd_srdi_loan_interest_subsidy",
    }
    assert dict(lib[LIB_KEY].provenance_required) == {
        "dg_innovative_enterprise": frozenset({"official_list", "verified"}),
        "rd_deductible_y1": frozenset({"tax", "verified"}),
    }


def test_a_policy_file_states_the_provenance_each_input_needs_and_the_trace_names_it():
    import copy
    from datetime import date

    from srdi.policy.service import rules_dir
    from srdi.rules_engine.policy import assess, build_policy, input_provenance, provenance_trace

    data = copy.deepcopy(library_files()[LIB_KEY].data)
    for inp in data["inputs"]:
        inp["provenance"] = "any" if inp["id"] == "dg_innovative_enterprise" else ["tax"]
    pol = build_policy(data, rules_dir())
    assert dict(pol.provenance_required) == {"rd_deductible_y1": frozenset({"tax"})}

    facts = {
        "region_code": "441900",
        "yearly": {"2024": {"rd_deductible_expense": "2000000.00"}},
        "policy_answers": {"dg_innovative_enterprise": True},
        "provenance": {
            "yearly": {"2024": {"rd_deductible_expense": "audited_report"}},
            "policy_answers": {"dg_innovative_enterprise": "self_reported"},
        },
    }
    a = assess(pol, facts, date(2025, 6, 30))
    assert (a.status, a.amount_fen) == ("eligible", 10_000_000)
    trace = provenance_trace(pol, input_provenance(pol, facts, a.as_of), a)
    assert [(e["input_id"], e["provenance"], e["required"], e["satisfied"]) for e in trace] == [
        ("dg_innovative_enterprise", ["self_reported"], None, True),  # `any`: no requirement
        (
            "rd_deductible_y1",
            ["audited_report"],
            ["tax"],
            False,
        ),  # 审计报告 is not the 税务核定 the file asks for
    ]
    # A value whose provenance the facts do not state is never vouched for.
    del facts["provenance"]
    assert input_provenance(pol, facts, a.as_of)["rd_deductible_y1"]["kinds"] == ["self_reported"]
