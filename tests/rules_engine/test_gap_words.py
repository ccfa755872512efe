"""Issue 15 deliverable 1: a gap sentence is written from the rule file's labels, never from its expression text —
checked for every condition of every shipped rule set, with nothing known and with an enterprise's values."""

from __future__ import annotations

import re

import pytest

from srdi.config import REPO_ROOT
from srdi.rules_engine.expr.nodes import And, Node, Not, Or
from srdi.rules_engine.expr.parser import parse
from srdi.rules_engine.gap import _atoms, _say
from srdi.rules_engine.loader import load_rule_sets
from srdi.rules_engine.words import phrase

RULE_SETS = load_rule_sets(REPO_ROOT / "rules")
# Identifiers and English: anything a person should not read in a sentence meant for them.
RAW = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")


def _conditions(node: Node) -> list[Node]:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        for atom in _atoms(n):
            out.append(atom)
            if isinstance(atom, And | Or):
                stack.extend(atom.items)
            elif isinstance(atom, Not):
                stack.append(atom.operand)
    return out


@pytest.mark.parametrize("rid", sorted(RULE_SETS))
def test_every_gap_sentence_of_the_rule_set_reads_as_chinese(rid: str) -> None:
    rs = RULE_SETS[rid]
    roots = [f.node for f in rs.formulas.values() if f.kind == "condition"] + [rs.pass_formula.node]
    roots += [band.when for ind in rs.indicators for band in ind.bands if band.when is not None]
    leaks = {s for root in roots for atom in _conditions(root) if RAW.search(s := _say(rs, atom, {}))}
    assert leaks == set()


@pytest.mark.parametrize("rid", sorted(RULE_SETS))
def test_no_label_in_a_rule_file_shows_an_identifier(rid: str) -> None:
    rs = RULE_SETS[rid]
    shown = list(rs.labels.values()) + [v for c in rs.choice_labels.values() for v in c.values()]
    assert [t for t in shown if re.search(r"[a-z]+_[a-z_]+", t)] == []


def test_compound_conditions_and_chosen_values_are_said_with_labels() -> None:
    rs = RULE_SETS["srdi_sme_2022"] if "srdi_sme_2022" in RULE_SETS else next(iter(RULE_SETS.values()))
    size = next(r for r in RULE_SETS.values() if "size_class" in r.choice_labels)
    assert _say(size, parse('size_class in ("medium", "small", "micro")'), {"size_class": "large"}) == (
        f"{size.labels['size_class']}需为 中型 / 小型 / 微型（当前 大型）"
    )
    ratio = phrase(rs, parse("rd_expense_y1 / operating_revenue_y1"))
    assert ratio == f"{rs.labels['rd_expense_y1']}占{rs.labels['operating_revenue_y1']}的比例"
