"""The loan interest subsidy pays only on interest a person verified (QUALITY S5; decision
0032-interest-subsidy-verified-interest).

``gd_srdi_loan_interest_subsidy`` computes 50 % of ``loan_interest_paid``, which the enterprise answers itself. The
file requires ``verified`` (or tax / audited) provenance for it: the enterprise's answer is shown 企业自报 and
待核验, joins the officials' verification queue from 我的政策 (an application policy has no 免申即享 run), and
counts only once verified, for exactly that value. Run as 免申即享 (a test-only copy of the file), the grant is
held with no budget until then, and pays 50 % of the verified value.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from srdi.auto_grant.models import Disbursement, Grant
from srdi.db.base import utcnow
from srdi.policy import service as policy_service
from srdi.policy.enums import VersionStatus
from srdi.policy.models import PolicyAnswer
from srdi.rules_engine.policy import build_policy
from tests.policy.factories import enterprise

LOAN_KEY = "gd_srdi_loan_interest_subsidy"
AUTO_KEY = "test_loan_interest_auto_grant"
AS_OF = "2025-06-30"
ACCOUNT = {
    "bank_name": "中国工商银行东莞分行",
    "account_name": "测试企业",
    "bank_account": "6222021234567890",
}


def _publish(db: Session, *, auto: bool = False) -> str:
    data = copy.deepcopy(policy_service.library_files()[LOAN_KEY].data)
    if auto:  # the same file as 免申即享: the money path, with the file's own inputs and provenance
        data["id"] = AUTO_KEY
        data["policy"]["mode"] = "auto_grant"
        data["policy"].pop("review_checks")
    pol = build_policy(data, policy_service.rules_dir())
    row = policy_service.new_version(db, pol, data, pol.id, 1, "test")
    row.status = VersionStatus.published
    row.published_by, row.published_at = "test", utcnow()
    db.flush()
    return pol.id


def _answer(me: Any, ent_id: int, yuan: str) -> None:
    r = me.put(
        f"/api/v1/enterprises/{ent_id}/policy-answers",
        json={"answers": [{"key": "loan_interest_paid", "fiscal_year": 0, "value": yuan}], "source": "tax"},
    )
    assert r.status_code == 200, r.text
    assert [a["source"] for a in r.json()] == ["self_reported"]  # a client never sets provenance


def _mine(me: Any, ent_id: int, key: str) -> dict[str, Any]:
    page = me.get(f"/api/v1/enterprises/{ent_id}/policies", params={"as_of": AS_OF}).json()
    return {p["policy_key"]: p for p in page["eligible"]}[key]


def _queue(official: Any) -> list[tuple[str, str, str]]:
    return sorted(
        (q["input_id"], q["claimed_yuan"], q["status"])
        for q in official.get("/api/v1/verification-requests", params={"status": "pending"}).json()
    )


def test_the_file_requires_a_verified_interest_figure() -> None:
    pol = policy_service.library_files()[LOAN_KEY]
    assert pol.mode == "application"
    assert pol.provenance_required["loan_interest_paid"] == frozenset({"verified", "tax", "audited_report"})
    assert "self_reported" not in pol.provenance_required["loan_interest_paid"]


def test_self_reported_interest_is_shown_as_such_held_and_queued_until_an_official_verifies_it(
    db: Session, client_as: Any
) -> None:
    _publish(db)
    ent = enterprise(db, region="441900", provincial_srdi=True)
    me = client_as("enterprise", enterprise_id=ent.id)
    official = client_as("city_official", region_code="4419", username="dg-fin")
    _answer(me, ent.id, "200000.00")

    m = _mine(me, ent.id, LOAN_KEY)
    assert (m["verification_status"], m["verification_label"]) == ("pending", "待核验")
    prov = {p["input_id"]: p for p in m["provenance"]}
    assert (prov["loan_interest_paid"]["provenance_labels"], prov["loan_interest_paid"]["satisfied"]) == (
        ["企业自报"],
        False,
    )
    assert prov["valid_srdi_sme"]["satisfied"] is True  # the recognition is the official list's
    assert _queue(official) == [("loan_interest_paid", "200000.00", "pending")]

    q = official.get("/api/v1/verification-requests").json()[0]
    assert q["policy_title"] == "专精特新中小企业贷款贴息奖补"
    r = official.post(
        f"/api/v1/verification-requests/{q['id']}/verify",
        json={"note": "与贷款合同及2024年利息支付凭证核对一致", "evidence": "贷款合同（2024）001号"},
    )
    assert r.status_code == 200, r.text
    src = db.scalar(
        select(PolicyAnswer.source).where(
            PolicyAnswer.enterprise_id == ent.id, PolicyAnswer.key == "loan_interest_paid"
        )
    )
    assert src == "verified"
    m = _mine(me, ent.id, LOAN_KEY)
    assert m["verification_status"] == "verified"
    assert {p["input_id"]: p["provenance"] for p in m["provenance"]}["loan_interest_paid"] == ["verified"]
    assert m["amount_yuan"] == "100000.00"  # 50 % of the verified 20万元

    # A higher claim afterwards is the enterprise's word again: back to 待核验 and to the queue.
    _answer(me, ent.id, "900000.00")
    assert _mine(me, ent.id, LOAN_KEY)["verification_status"] == "pending"
    assert _queue(official) == [("loan_interest_paid", "900000.00", "pending")]


def _run(official: Any) -> dict[str, Any]:
    r = official.post("/api/v1/grant-runs", json={"policy_key": AUTO_KEY, "as_of": AS_OF})
    assert r.status_code == 202, r.text
    run = official.get(f"/api/v1/grant-runs/{r.json()['id']}").json()
    assert run["status"] == "done", run
    return run


def test_as_auto_grant_the_unverified_interest_pays_nothing_and_the_verified_value_pays(
    db: Session, client_as: Any
) -> None:
    _publish(db, auto=True)
    ent = enterprise(db, region="441900", provincial_srdi=True, name="贷款贴息企业有限公司")
    me = client_as("enterprise", enterprise_id=ent.id)
    official = client_as("provincial_official", region_code="44", username="gd-fin")
    _answer(me, ent.id, "200000.00")

    run = _run(official)
    assert run["summary"]["counts"]["pending_verification"] == 1
    grant = db.scalars(select(Grant).where(Grant.enterprise_id == ent.id)).one()
    assert (grant.status, grant.policy_key) == ("pending_verification", AUTO_KEY)
    r = me.post(f"/api/v1/grants/{grant.id}/consent", json=ACCOUNT)
    assert r.status_code == 409, r.text
    batch = official.post("/api/v1/disbursement-batches", json={"policy_key": AUTO_KEY, "period": "2025"})
    assert (batch.json()["count"], batch.json()["total_yuan"]) == (0, "0.00")
    assert db.scalar(select(func.count()).select_from(Disbursement)) == 0

    # The official checks the receipts and finds 12万元 paid, not 20万元: rejected, nothing pays.
    q = official.get("/api/v1/verification-requests").json()[0]
    assert (q["input_id"], q["claimed_yuan"]) == ("loan_interest_paid", "200000.00")
    official.post(f"/api/v1/verification-requests/{q['id']}/reject", json={"reason": "凭证所载利息为12万元"})
    _run(official)
    db.refresh(grant)
    assert grant.status == "withdrawn"

    # The enterprise corrects its answer; the official verifies it; the next run pays 50 % of that value.
    _answer(me, ent.id, "120000.00")
    _run(official)
    db.refresh(grant)
    assert grant.status == "pending_verification"
    q = next(q for q in official.get("/api/v1/verification-requests").json() if q["status"] == "pending")
    assert q["claimed_yuan"] == "120000.00"
    official.post(f"/api/v1/verification-requests/{q['id']}/verify", json={"note": "与利息支付凭证一致"})
    _run(official)
    db.refresh(grant)
    assert (grant.status, grant.amount_fen) == ("matched", 6_000_000)
    trace = me.get(f"/api/v1/grants/{grant.id}").json()["trace"]
    assert {p["input_id"]: p["provenance"] for p in trace["provenance"]}["loan_interest_paid"] == ["verified"]
    assert me.post(f"/api/v1/grants/{grant.id}/consent", json=ACCOUNT).status_code == 200
    batch = official.post("/api/v1/disbursement-batches", json={"policy_key": AUTO_KEY, "period": "2025"})
    assert (batch.json()["count"], batch.json()["total_yuan"]) == (1, "60000.00")
