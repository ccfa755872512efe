"""Every YAML case, run through the Polars executor, gives the trace interpreter's outputs."""

from __future__ import annotations

from collections import defaultdict

import pytest

from srdi.rules_engine import evaluate_variables, load_rule_sets
from srdi.rules_engine.batch import result_row, variables_table
from srdi.rules_engine.compile_polars import evaluate_frame
from tests.rules_engine.cases import RULES_DIR, Case, all_cases, variables_for

RULE_SETS = load_rule_sets(RULES_DIR)
BY_SET: dict[str, list[Case]] = defaultdict(list)
for _case in all_cases():
    BY_SET[_case.rule_set].append(_case)


@pytest.mark.parametrize("rule_set_id", sorted(BY_SET))
def test_polars_matches_interpreter_on_yaml_cases(rule_set_id: str) -> None:
    rs = RULE_SETS[rule_set_id]
    cases = BY_SET[rule_set_id]
    rows = []
    expected = []
    for case in cases:
        variables = variables_for(case, rs)
        variables["is_re_review"] = case.purpose == "re_review"
        rows.append(variables)
        expected.append(result_row(evaluate_variables(variables, rs, purpose=case.purpose), rs))
    table = variables_table(rows, [rs], keys={"case": [c.name for c in cases]})
    got = evaluate_frame(table, [rs], key="case").drop("case").to_dicts()
    for case, want, have in zip(cases, expected, got, strict=True):
        assert have == want, case.name
