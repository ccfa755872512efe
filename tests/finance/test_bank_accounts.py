"""Bank accounts (issue 16): an administrator links a bank-role account to its bank, audited; until then the
account is told in Chinese why it sees nothing; only bank-role accounts can be linked."""

from __future__ import annotations

from sqlalchemy import select

from srdi.auth.enums import Role, audit_action_label
from srdi.auth.models import AuditLog
from tests.finance import factories


def test_an_admin_links_a_bank_account_and_the_account_then_works_for_that_bank(db, client_as, client):  # type: ignore[no-untyped-def]
    bank = factories.bank(db, "dg_acc", "东莞账号银行（测试）", "4419")
    other = factories.bank(db, "dg_acc2", "东莞另一银行（测试）", "4419")
    teller = client_as(Role.bank)
    # Not yet linked: a Chinese message, no bank, empty lists.
    me = teller.get("/api/v1/finance/me").json()
    assert me["bank"] is None and "尚未关联所属金融机构" in me["bank_note"] and "银行账号" in me["bank_note"]
    assert teller.get("/api/v1/finance/requests").json()["items"] == []
    refused = teller.post(
        "/api/v1/finance/products",
        json={
            "name": "未关联账号的产品",
            "amount_min": "100000",
            "amount_max": "1000000",
            "rate_min_percent": "3",
            "rate_max_percent": "4",
            "term_months_max": 12,
            "collateral": "none",
            "guarantee": "none",
            "eligibility": [{"field": "credit_score", "op": ">=", "value": "60"}],
        },
    )
    assert refused.status_code == 422 and "尚未关联所属金融机构" in refused.json()["message"]

    rows = {a["user_id"]: a for a in client.get("/api/v1/finance/bank-accounts").json()}
    assert rows[teller.user.id]["bank_id"] is None
    r = client.put(f"/api/v1/finance/bank-accounts/{teller.user.id}", json={"bank_id": bank.id})
    assert (r.status_code, r.json()["bank_name"]) == (200, "东莞账号银行（测试）"), r.text
    assert teller.get("/api/v1/finance/me").json()["bank"]["name"] == "东莞账号银行（测试）"
    assert teller.get("/api/v1/finance/me").json()["bank_note"] == ""
    # Moved to another bank, then unlinked: each change audited with the bank before and after.
    client.put(f"/api/v1/finance/bank-accounts/{teller.user.id}", json={"bank_id": other.id})
    r = client.put(f"/api/v1/finance/bank-accounts/{teller.user.id}", json={"bank_id": None})
    assert r.json()["bank_id"] is None
    logs = db.scalars(
        select(AuditLog).where(AuditLog.action == "finance.bank_member_set").order_by(AuditLog.id)
    ).all()
    assert [(x.detail["bank_before"], x.detail["bank_after"]) for x in logs] == [
        (None, bank.id),
        (bank.id, other.id),
        (other.id, None),
    ]
    assert audit_action_label("finance.bank_member_set") == "关联银行账号所属机构"


def test_only_bank_accounts_and_existing_banks_can_be_linked(db, client_as, client):  # type: ignore[no-untyped-def]
    bank = factories.bank(db, "dg_acc3", "东莞第三银行（测试）", "4419")
    official = client_as(Role.city_official, region_code="4419")
    r = client.put(f"/api/v1/finance/bank-accounts/{official.user.id}", json={"bank_id": bank.id})
    assert r.status_code == 422 and "不是银行角色" in r.json()["message"]
    teller = client_as(Role.bank)
    r = client.put(f"/api/v1/finance/bank-accounts/{teller.user.id}", json={"bank_id": 2**31 - 1})
    assert r.status_code == 404
    # Officials and banks cannot link accounts themselves.
    assert (
        teller.put(f"/api/v1/finance/bank-accounts/{teller.user.id}", json={"bank_id": bank.id}).status_code
        == 403
    )
    assert official.get("/api/v1/finance/bank-accounts").status_code == 403
