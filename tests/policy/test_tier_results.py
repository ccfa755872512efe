"""A policy may require a computed tier result (``{fact: tier_results.<tier>}``): the criteria service evaluates
it with the same rule sets and regime as self-assessment, and only when some policy reads it."""

from __future__ import annotations

from datetime import date

from srdi.criteria import service as criteria_service
from srdi.criteria.enums import Purpose
from srdi.policy import service
from srdi.rules_engine.policy import assess, build_policy
from tests.policy.factories import enterprise

AS_OF = date(2025, 6, 30)


def _policy():  # type: ignore[no-untyped-def]
    lib = service.library_files()["dg_little_giant_doubling_pilot"]
    data = {
        **lib.data,
        "id": "test_tier_result_policy",
        "inputs": [
            {
                "id": "tier_innovative_sme",
                "type": "str",
                "label": "创新型中小企业评价结果",
                "source": {"fact": "tier_results.innovative_sme"},
            },
        ],
        "conditions": [
            {"id": "C1", "label": "通过创新型中小企业评价", "expr": 'tier_innovative_sme == "pass"'}
        ],
        "pass": "C1",
    }
    return build_policy(data, service.rules_dir())


def test_tier_results_come_from_the_criteria_service_and_drive_the_policy(db):
    ent = enterprise(db)
    pol = _policy()
    assert service.needs_tier_results([pol]) is True
    assert service.needs_tier_results(service.library_files().values()) is False
    doc = service.enterprise_facts(db, ent, AS_OF, [pol])
    expected = criteria_service.assess_facts(
        service.facts_with_answers(ent, []), as_of=AS_OF, purpose=Purpose.new_application
    )
    # Undecided tiers are left out, so the policy sees an unknown input rather than the word "unknown".
    assert doc["tier_results"] == {t.tier: t.status for t in expected.tiers if t.status != "unknown"}
    a = assess(pol, doc, AS_OF)
    status = next(t.status for t in expected.tiers if t.tier == "innovative_sme")
    assert (status, a.status) in (("fail", "ineligible"), ("unknown", "unknown"))
    if a.status == "unknown":
        assert a.missing_inputs == [{"id": "tier_innovative_sme", "label": "创新型中小企业评价结果"}]
    assert "tier_results" not in service.enterprise_facts(db, ent, AS_OF, service.library_files().values())
