"""``srdi rules`` and ``srdi evaluate`` from the command line."""

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from srdi.cli import app

RULES = Path(__file__).resolve().parents[2] / "rules"
runner = CliRunner()


def test_rules_test_passes_on_the_shipped_rules():
    result = runner.invoke(app, ["rules", "test", "--rules-dir", str(RULES)])
    assert result.exit_code == 0, result.output
    assert ", 0 failed" in result.output


def test_rules_test_fails_on_a_wrong_expectation(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    cases = copy / "tests" / "criteria" / "national" / "innovative_sme_2022.yaml"
    text = cases.read_text(encoding="utf-8")
    cases.write_text(text.replace("total: 80", "total: 81", 1), encoding="utf-8")
    result = runner.invoke(app, ["rules", "test", "--rules-dir", str(copy)])
    assert result.exit_code == 1
    assert "expected 81, got 80" in result.output


def test_rules_show_lists_a_rule_set_with_its_bands():
    result = runner.invoke(app, ["rules", "show", "innovative_sme_2022"])
    assert result.exit_code == 0, result.output
    assert "工信部企业〔2022〕63号" in result.output
    assert "rd_intensity" in result.output


def test_evaluate_a_facts_file_writes_json(tmp_path):
    facts = {
        "name": "自测企业",
        "region_code": "440305",
        "independent_legal_person": True,
        "restricted_product": False,
        "size_class": "small",
        "compliance_records": [],
        "recognitions": [],
        "honours": [
            {"kind": "high_tech_enterprise", "valid_from": "2024-01-01", "valid_until": "2026-12-31"}
        ],
    }
    src = tmp_path / "facts.json"
    src.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["evaluate", "--facts", str(src), "--as-of", "2025-06-30", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    tiers = {t["tier"]: t["status"] for t in doc["tiers"]}
    assert tiers["innovative_sme"] == "pass"


def test_evaluate_rejects_an_unknown_output_format(tmp_path):
    src = tmp_path / "facts.json"
    src.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--facts", str(src), "-o", str(tmp_path / "out.txt")])
    assert result.exit_code == 2
