"""Self-assessment of one enterprise through the API: every tier, the trace, the stored evaluation."""

from srdi.auth.models import AuditLog
from srdi.criteria.models import Evaluation
from tests.criteria.factories import innovative_enterprise, weak_enterprise

A = "91440300192317458F"
B = "91440606722473344C"


def _tier(body, tier):
    return next(t for t in body["tiers"] if t["tier"] == tier)


def test_dv1_enterprise_passes_innovative_sme_with_80_points_and_a_stored_trace(client, db):
    ent = innovative_enterprise(db, A)
    r = client.post(f"/api/v1/enterprises/{ent.id}/evaluations", json={"as_of": "2025-06-30"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["regime"] == "regime_2022"
    inn = _tier(body, "innovative_sme")
    assert (inn["status"], inn["total"]) == ("pass", 80)
    assert inn["scores"] == {"innovation": 30, "growth": 20, "specialization": 30}
    assert inn["gap"] == []
    stored = client.get(f"/api/v1/evaluations/{inn['evaluation_id']}").json()
    assert stored["rule_set_hash"] == inn["content_hash"]
    assert stored["inputs_snapshot"]["uscc"] == A
    rd = next(i for i in stored["result"]["items"] if i["id"] == "rd_intensity")
    assert (rd["band"], rd["value"]) == ("B", 15)
    assert rd["citation"]["instrument"] == "工信部企业〔2022〕63号"
    assert db.query(Evaluation).filter_by(enterprise_id=ent.id).count() == len(body["tiers"])
    assert db.query(AuditLog).filter_by(action="criteria.evaluate", object_id=str(ent.id)).count() == 1


def test_weak_enterprise_fails_with_a_chinese_gap_analysis(client, db):
    ent = weak_enterprise(db, B)
    body = client.post(f"/api/v1/enterprises/{ent.id}/evaluations", json={"as_of": "2025-06-30"}).json()
    inn = _tier(body, "innovative_sme")
    assert inn["status"] == "fail"
    assert inn["gap"], "a failed tier explains what would reach it"
    assert all(isinstance(s, str) and s for s in inn["gap"])


def test_unknown_inputs_are_listed_not_treated_as_zero(client, db):
    ent = innovative_enterprise(db, A)
    ent.independent_legal_person = None
    db.flush()
    inn = _tier(
        client.post(f"/api/v1/enterprises/{ent.id}/evaluations", json={"as_of": "2025-06-30"}).json(),
        "innovative_sme",
    )
    assert inn["status"] == "unknown"
    assert inn["deciding_inputs"] == ["independent_legal_person"]


def test_regime_2026_applies_from_april_2026(client, db):
    ent = innovative_enterprise(db, A)
    body = client.post(f"/api/v1/enterprises/{ent.id}/evaluations", json={"as_of": "2026-06-30"}).json()
    assert body["regime"] == "regime_2026"
    assert {t["rule_set_id"] for t in body["tiers"]} >= {"srdi_sme_2026", "little_giant_2026"}
    assert all(t["needs_verification"] for t in body["tiers"] if t["rule_set_id"].endswith("2026"))


def test_enterprise_user_cannot_evaluate_another_enterprise(client_as, db):
    mine = innovative_enterprise(db, A)
    other = weak_enterprise(db, B)
    c = client_as("enterprise", enterprise_id=mine.id)
    assert c.post(f"/api/v1/enterprises/{other.id}/evaluations", json={}).status_code == 404
    assert db.query(Evaluation).count() == 0
    assert (
        c.post(f"/api/v1/enterprises/{mine.id}/evaluations", json={"as_of": "2025-06-30"}).status_code == 201
    )


def test_prospective_enterprise_tests_a_posted_facts_document_without_login(anon_client, db):
    facts = {
        "region_code": "440305",
        "industry_code": "3562",
        "independent_legal_person": True,
        "restricted_product": False,
        "size_class": "small",
        "compliance_records": [],
        "recognitions": [],
        "honours": [
            {"kind": "high_tech_enterprise", "valid_from": "2024-01-01", "valid_until": "2026-12-31"}
        ],
    }
    r = anon_client.post("/api/v1/self-assessment", json={"as_of": "2025-06-30", "facts": facts})
    assert r.status_code == 200, r.text
    inn = _tier(r.json(), "innovative_sme")
    assert inn["status"] == "pass"  # direct route D2: a valid 高新技术企业
    assert inn["result"]["direct_routes"]["D2"] is True
    assert db.query(Evaluation).count() == 0


def test_bad_money_in_facts_gets_a_chinese_error(anon_client):
    facts = {"yearly": {"2024": {"operating_revenue": "12.345"}}}
    r = anon_client.post("/api/v1/self-assessment", json={"as_of": "2025-06-30", "facts": facts})
    assert r.status_code == 422
    assert r.json()["message"].startswith("企业事实数据有误")


def test_rule_sets_are_listed_with_their_verification_tag(anon_client):
    sets = {s["id"]: s for s in anon_client.get("/api/v1/rule-sets").json()}
    assert sets["innovative_sme_2022"]["instrument"] == "工信部企业〔2022〕63号"
    assert sets["srdi_sme_2026"]["needs_verification"] is True


def test_rule_sets_are_listed_with_the_copies_read_and_say_the_official_address_is_unverified(anon_client):
    sets = {s["id"]: s for s in anon_client.get("/api/v1/rule-sets").json()}
    refs = sets["srdi_sme_2022"]["references"]
    assert [r["role"] for r in refs] == ["copy_read", "copy_read"]
    assert refs[0]["role_label"] == "实际阅读的转载"
    assert refs[0]["href"] == "https://xkzc.xust.edu.cn/info/1099/1948.htm"
    assert refs[0]["source"] == "P2"
    assert "官方发布地址待核实" in refs[0]["note"]
    # A rule set that is the platform's own choice cites its decision record, not an instrument.
    scorecard = sets["credit_score_2026"]["references"]
    assert scorecard[0]["role"] == "platform"
    assert scorecard[0]["href"] == "docs/decisions/0021-finance-whitelists-scorecard-products.md"
    assert all(s["references"] for s in sets.values())
