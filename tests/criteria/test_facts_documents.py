"""Facts documents from outside the registry (``srdi evaluate --facts``, ``POST /api/v1/self-assessment``):
a malformed field is refused by name (exit 2 / 422), 划型 is decided when absent, open readings are stated."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from srdi.cli import app
from srdi.criteria.enums import Purpose
from srdi.criteria.service import assess_facts, derive_size_class, load_rule_book

RULES = Path(__file__).resolve().parents[2] / "rules"
runner = CliRunner()

BASE: dict[str, Any] = {
    "name": "自测企业",
    "region_code": "440305",
    "industry_code": "3989",
    "independent_legal_person": True,
    "restricted_product": False,
    "compliance_records": [],
    "recognitions": [],
    "honours": [{"kind": "high_tech_enterprise", "valid_from": "2024-01-01", "valid_until": "2026-12-31"}],
}


def _tier(out: Any, tier: str) -> Any:
    return next(t for t in out.tiers if t.tier == tier)


def _e2(tier: Any) -> dict[str, Any]:
    return next(i for i in tier.result["items"] if i["id"] == "E2")


MALFORMED = [
    ({"founded_date": "None"}, "founded_date"),
    ({"ip_items": [{"ip_class": 1, "granted_date": "None"}]}, "ip_items[0].granted_date"),
    ({"awards": [{"kind": "maker_china", "award_date": "2024-02-30"}]}, "awards[0].award_date"),
    ({"awards": [{"kind": "maker_china", "contest_group": "企业组"}]}, "awards[0].contest_group"),
    ({"recognitions": [{"tier": "srdi_sme", "revoked_date": "yesterday"}]}, "recognitions[0].revoked_date"),
    ({"yearly": {"2024": {"employees": "三百"}}}, "yearly.2024.employees"),
    ({"yearly": {"2024": {"operating_revenue": "Infinity"}}}, "yearly.2024.operating_revenue"),
    ({"yearly": {"2024": []}}, "yearly.2024"),
    ({"niche_markets": {"start_date": "2020-01-01"}}, "niche_markets"),
    ({"size_class": "big"}, "size_class"),
]


@pytest.mark.parametrize(("patch", "field"), MALFORMED, ids=[f for _, f in MALFORMED])
def test_cli_refuses_a_malformed_field_by_name_with_exit_code_2(tmp_path, patch, field):
    src = tmp_path / "facts.json"
    src.write_text(json.dumps({**BASE, **patch}, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--facts", str(src), "--as-of", "2025-06-30"])
    assert result.exit_code == 2, result.output
    assert "企业事实数据有误" in result.output
    assert field in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("patch", "field"), MALFORMED, ids=[f for _, f in MALFORMED])
def test_api_refuses_a_malformed_field_by_name_with_422(anon_client, patch, field):
    r = anon_client.post("/api/v1/self-assessment", json={"as_of": "2025-06-30", "facts": {**BASE, **patch}})
    assert r.status_code == 422, r.text
    assert r.json()["message"].startswith("企业事实数据有误")
    assert field in r.json()["message"]


def test_size_class_is_decided_from_the_figures_and_shown_in_the_trace():
    facts = {**BASE, "yearly": {"2024": {"employees": 300, "operating_revenue": "20000000.00"}}}
    out = assess_facts(facts, as_of=date(2025, 6, 30), purpose=Purpose.new_application)
    inn = _tier(out, "innovative_sme")
    assert inn.status == "pass"
    e2 = _e2(inn)
    assert e2["value"] is True
    assert e2["inputs"]["size_class"] == "medium"
    shown = e2["shown"]["size_class"]
    assert shown.startswith("中型（事实数据未给出企业规模，按2024年度数据按「工业")
    assert "从业人员 300人、营业收入 2,000万元 → 中型" in shown
    assert "工信部联企业〔2011〕300号" in shown
    derived = inn.result["derived_facts"][0]
    assert (derived["value"], derived["fiscal_year"]) == ("medium", 2024)
    assert derived["citation"]["rule_file"] == "size_class_2011_300"


def test_one_person_under_the_medium_edge_is_small():
    facts = {**BASE, "yearly": {"2024": {"employees": 299, "operating_revenue": "20000000.00"}}}
    assert derive_size_class(facts, date(2025, 6, 30)).value == "small"  # type: ignore[union-attr]


def test_large_enterprise_fails_e2_on_the_computed_class():
    facts = {**BASE, "yearly": {"2024": {"employees": 1000, "operating_revenue": "400000000.00"}}}
    out = assess_facts(facts, as_of=date(2025, 6, 30), purpose=Purpose.new_application)
    e2 = _e2(_tier(out, "innovative_sme"))
    assert (e2["inputs"]["size_class"], e2["value"]) == ("large", False)


@pytest.mark.parametrize(
    ("assets", "expect"), [("50000000.00", "medium"), ("49999999.99", "small"), ("50000000.01", "medium")]
)
def test_construction_is_classified_by_assets(assets, expect):
    facts = {
        **BASE,
        "industry_code": "4710",
        "yearly": {"2024": {"operating_revenue": "60000000.00", "total_assets": assets}},
    }
    assert derive_size_class(facts, date(2025, 6, 30)).value == expect  # type: ignore[union-attr]


def test_the_current_year_is_not_used_and_the_latest_completed_year_is():
    facts = {
        **BASE,
        "yearly": {
            "2023": {"employees": 20, "operating_revenue": "3000000.00"},
            "2025": {"employees": 500, "operating_revenue": "300000000.00"},
        },
    }
    d = derive_size_class(facts, date(2025, 6, 30))
    assert d is not None and (d.value, d.fiscal_year) == ("small", 2023)


def test_without_industry_code_size_stays_unknown_and_says_why():
    facts = {k: v for k, v in BASE.items() if k != "industry_code"}
    out = assess_facts(facts, as_of=date(2025, 6, 30), purpose=Purpose.new_application)
    inn = _tier(out, "innovative_sme")
    assert inn.status == "unknown"
    assert "size_class" in inn.deciding_inputs
    assert "缺少行业代码" in _e2(inn)["shown"]["size_class"]


def test_a_supplied_size_class_is_used_as_given():
    facts = {
        **BASE,
        "size_class": "micro",
        "yearly": {"2024": {"employees": 300, "operating_revenue": "20000000.00"}},
    }
    out = assess_facts(facts, as_of=date(2025, 6, 30), purpose=Purpose.new_application)
    inn = _tier(out, "innovative_sme")
    assert _e2(inn)["inputs"]["size_class"] == "micro"
    assert "derived_facts" not in inn.result


def test_2026_srdi_re_review_default_reading_is_stated_and_marked_unverified():
    facts = {**BASE, "size_class": "small"}
    out = assess_facts(facts, as_of=date(2026, 6, 30), purpose=Purpose.re_review, book=load_rule_book(RULES))
    srdi = _tier(out, "srdi_sme")
    assert srdi.rule_set_id == "srdi_sme_2026"
    assert "srdi_sme_re_review_2026" in srdi.needs_verification
    assert srdi.result["readings"] == ["srdi_sme_re_review_2026"]
    assert "本系统采用：按2026办法附件1" in (srdi.note or "")
    assert srdi.labels["srdi_sme_re_review_2026"].startswith("2026年专精特新中小企业复核适用哪一认定标准")


def test_2026_srdi_re_review_other_reading_by_configuration():
    book = load_rule_book(RULES, (("srdi_sme_re_review_2026", "standard_63"),))
    facts = {**BASE, "size_class": "small", "region_code": "510107"}
    out = assess_facts(facts, as_of=date(2026, 6, 30), purpose=Purpose.re_review, book=book)
    srdi = _tier(out, "srdi_sme")
    assert srdi.rule_set_id == "srdi_sme_2022_sichuan"
    assert "比照117号" in (srdi.note or "")
    assert "srdi_sme_re_review_2026" in srdi.needs_verification
    # new applications are not touched by the reading
    new = assess_facts(facts, as_of=date(2026, 6, 30), purpose=Purpose.new_application, book=book)
    assert _tier(new, "srdi_sme").rule_set_id == "srdi_sme_2026"
    assert _tier(new, "srdi_sme").result["readings"] == []


def test_reading_chosen_through_the_environment(monkeypatch):
    from srdi.config import get_settings
    from srdi.criteria.service import rule_book

    monkeypatch.setenv("SRDI_RULE_READINGS", '{"srdi_sme_re_review_2026": "standard_63"}')
    get_settings.cache_clear()
    try:
        book = rule_book()
        sel = book.select(date(2026, 6, 30), "re_review", None)
        assert sel.tiers["srdi_sme"] == "srdi_sme_2022"
    finally:
        monkeypatch.delenv("SRDI_RULE_READINGS")
        get_settings.cache_clear()


def test_2025_little_giant_batch_uses_the_notice_overlay():
    facts = {**BASE, "size_class": "small"}
    out = assess_facts(facts, as_of=date(2025, 6, 30), purpose=Purpose.re_review, book=load_rule_book(RULES))
    lg = _tier(out, "little_giant")
    assert lg.rule_set_id == "little_giant_2022_notice_2025"
    assert lg.result["citation"]["url"] == "http://www.mengxueb.cn/showinfo-22-1910-0.html"
    b2025 = next(i for i in lg.result["items"] if i["id"] == "B2025")
    assert b2025["citation"]["instrument"].startswith("工业和信息化部2025年专精特新")
    assert "当年批次通知" in (lg.note or "")


def test_cli_states_the_computed_size_class_and_the_reading_taken(tmp_path):
    facts = {**BASE, "yearly": {"2025": {"employees": 300, "operating_revenue": "20000000.00"}}}
    src = tmp_path / "facts.json"
    src.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(
        app, ["evaluate", "--facts", str(src), "--as-of", "2026-06-30", "--purpose", "re_review"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "系统计算 size_class：中型" in text
    assert "本系统采用：按2026办法附件1" in text
