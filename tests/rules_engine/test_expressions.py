from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from srdi.rules_engine import RuleError, evaluate, load_rule_sets
from srdi.rules_engine.expr.nodes import Lit
from srdi.rules_engine.expr.parser import parse, parse_literal
from srdi.rules_engine.expr.types import Type, check
from srdi.rules_engine.facts import full_years
from srdi.rules_engine.pyfunc import compile_node
from tests.rules_engine.cases import RULES_DIR


def test_literals_are_exact() -> None:
    assert parse_literal("3%") == Lit(Fraction(3, 100), "number", "3%")
    assert parse_literal("100万元").value == 100_000_000  # fen
    assert parse_literal("1.5亿元").value == 15_000_000_000
    assert parse_literal("999.99元").value == 99_999
    assert parse_literal("-10万元").value == -10_000_000


def test_three_valued_logic_and_division_by_zero() -> None:
    env = {"a": None, "b": False, "c": True, "x": 5, "z": 0}
    run = lambda text: compile_node(parse(text))(env)  # noqa: E731
    assert run("a and b") is False
    assert run("a or c") is True
    assert run("a and c") is None
    assert run("not a") is None
    assert run("x / z >= 1") is None
    assert run("x / z") is None
    assert run("x / 2 == 2.5") is True


def test_parse_error_names_file_line_and_expression() -> None:
    with pytest.raises(RuleError) as err:
        parse("rd_ratio >= 3% and", file="demo.yaml", line=12)
    assert str(err.value) == "demo.yaml:12: expression ends too early\n    in expression: rd_ratio >= 3% and"


def test_type_error_money_against_percent() -> None:
    with pytest.raises(RuleError) as err:
        check(parse("rd >= 3%"), {"rd": Type.MONEY}, text="rd >= 3%", file="x.yaml", line=7)
    assert "x.yaml:7: cannot combine money with number" in str(err.value)


def test_unknown_name_and_eval_free_parser() -> None:
    with pytest.raises(RuleError, match="unknown name 'os'"):
        check(parse("os >= 1"), {})
    with pytest.raises(RuleError, match="unexpected character"):
        parse("__import__('os')[0]")


def test_bad_rule_file_points_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "rule_set.schema.json").write_text(
        (RULES_DIR / "schema" / "rule_set.schema.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "criteria").mkdir()
    (tmp_path / "criteria" / "bad.yaml").write_text(
        "id: bad\nkind: rule_set\ntier: innovative_sme\ntitle: t\ninstrument: i\narticle: a\nurl: https://x\n"
        "issuer: x\neffective_from: 2022-01-01\nlast_checked: 2022-01-01\nverification: V-1\n"
        "inputs:\n  - {id: rd, type: money, label: 研发}\n"
        "conditions:\n  - id: c1\n    label: 研发\n    expr: rd >= 3%\npass: c1\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as err:
        load_rule_sets(tmp_path)
    assert err.value.file == "bad" and err.value.line == 17 and err.value.expression == "rd >= 3%"


def test_full_years_to_prior_year_end() -> None:
    assert full_years(date(2020, 1, 1), date(2024, 12, 31)) == 5
    assert full_years(date(2020, 1, 2), date(2024, 12, 31)) == 4
    assert full_years(date(2025, 3, 1), date(2024, 12, 31)) == 0


def test_example_facts_document_evaluates_with_a_trace() -> None:
    import json

    facts = json.loads(
        (RULES_DIR.parent / "docs" / "examples" / "enterprise_facts.json").read_text(encoding="utf-8")
    )
    rs = load_rule_sets(RULES_DIR)["srdi_sme_2022_sichuan"]
    result = evaluate(facts, rs, date(2025, 6, 30))
    assert result.status == "pass"
    assert result.scores == {"specialization": 19, "refinement": 17, "local_feature": 8, "innovation": 29}
    item = result.item("rd_input")
    assert item.band == "A" and item.value == 10
    assert item.shown == {"rd_expense_y1": "600万元", "rd_ratio": "5%", "operating_revenue_y1": "12000万元"}
    assert item.labels["rd_ratio"] == "上年度研发费用总额占营业收入总额比重"
    assert item.citation.instrument == "工信部企业〔2022〕63号"
    assert result.as_dict()["points"]["rd_input"] == 10


def test_facts_table_feeds_polars_with_the_same_answer() -> None:
    import json

    from srdi.rules_engine.batch import facts_table, result_row
    from srdi.rules_engine.compile_polars import evaluate_frame

    facts = json.loads(
        (RULES_DIR.parent / "docs" / "examples" / "enterprise_facts.json").read_text(encoding="utf-8")
    )
    rule_sets = load_rule_sets(RULES_DIR)
    sets = [rule_sets[i] for i in ("innovative_sme_2022", "srdi_sme_2026", "little_giant_2026")]
    as_of = date(2025, 6, 30)  # the example's latest fiscal year is 2024
    table = facts_table([facts], as_of, sets)
    assert table["uscc"].to_list() == ["91510100MA6CXXXX0X"]
    assert table["development_score_y1"].to_list() == [6250]  # 62.50 at scale 2
    row = evaluate_frame(table, sets).row(0, named=True)
    for rs in sets:
        want = result_row(evaluate(facts, rs, as_of), rs, rs.id + "__")
        assert {k: row[k] for k in want} == want
