"""The self-assessment answer names its identifiers in Chinese, so the web UI shows no raw rule ids."""

from tests.criteria.factories import innovative_enterprise

A = "91440300192317458F"


def test_innovative_sme_result_carries_category_and_indicator_labels_and_category_maxima(client, db):
    ent = innovative_enterprise(db, A)
    body = client.post(f"/api/v1/enterprises/{ent.id}/evaluations", json={"as_of": "2025-06-30"}).json()
    inn = next(t for t in body["tiers"] if t["tier"] == "innovative_sme")
    assert inn["category_max_points"] == {"innovation": 40, "growth": 30, "specialization": 30}
    labels = inn["labels"]
    assert (labels["innovation"], labels["growth"], labels["specialization"]) == (
        "创新能力",
        "成长性",
        "专业化",
    )
    assert labels["ip_main_product"] == "与企业主导产品相关的有效知识产权数量"
    assert all(key in labels for key in inn["needs_verification"])
