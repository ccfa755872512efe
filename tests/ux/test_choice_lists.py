"""Issue 15, the empty allowed-values finding: a question with a fixed set of answers offers every allowed value,
each with a label for people — the rule file's ``choices:`` included (主导产品所属领域 had no 其他领域 to pick, so an
enterprise in neither listed field had nothing to choose), industry codes by name. And no select the API
describes (self-test questions, loan-product fields) comes with an empty list of values."""

from __future__ import annotations

from datetime import date

import pytest

from srdi.finance.service import product_fields
from srdi.self_test import service

REGIONS = [None, "440305", "441900", "440304", "500112", "370102", "330106"]


@pytest.mark.parametrize("region", REGIONS)
def test_every_str_question_offers_labelled_choices(region: str | None) -> None:
    for key, q in service.questions(date(2026, 12, 2), region).items():
        if q.type != "str":
            continue
        assert q.choices, f"{region} {key}: nothing to choose"
        for c in q.choices:
            assert c["label"] and c["label"] != c["value"] and not c["label"].isascii(), (key, c)


def test_main_product_field_offers_other_from_the_rule_file() -> None:
    q = service.questions(date(2026, 12, 2), "440305")["fact:main_product_field"]
    assert {c["value"]: c["label"] for c in q.choices}["other"] == "其他领域"


def test_industry_choices_read_as_names() -> None:
    qs = service.questions(date(2026, 12, 2), "441900")
    q = qs.get("fact:industry_code")
    if q is None:
        pytest.skip("no 东莞 policy asks for the industry")
    labels = {c["value"]: c["label"] for c in q.choices}
    assert labels["06"] == "煤炭开采和洗选业"


def test_no_loan_product_field_offers_an_empty_list() -> None:
    for name, f in product_fields().items():
        if f["type"] == "str":
            assert f["options"], name


def test_a_provinces_own_question_is_asked_with_its_choices() -> None:
    """山东's 重点产业领域 (local_answers) was never asked, so the self-test could only read 数据不足 for it."""
    q = service.questions(date(2025, 6, 30), "370102").get("fact:local_answers.shandong_key_industry_level")
    assert q is not None
    assert {c["value"]: c["label"] for c in q.choices}["none"] == "不属于"
    out, _ = service.assess_answers(
        {q.key: "a"}, region_code="370102", industry_code=None, as_of=date(2025, 6, 30)
    )
    srdi = next(t for t in out.tiers if t.tier == "srdi_sme")
    item = next(i for i in srdi.result["items"] if i["id"] == "shandong_key_industry")
    assert item["value"] == 4, item
