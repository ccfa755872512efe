"""Pure rules engine: rule files (YAML) → typed rule sets → results with traces, on several executors.

Public API (see docs/rules-authoring.md):

- ``load_rule_sets(rules_dir)`` → ``{id: RuleSet}``
- ``build_variables(facts, as_of, rule_set)`` → flat typed variables
- ``evaluate(facts, rule_set, as_of, purpose)`` / ``evaluate_variables(variables, rule_set, ...)`` → ``Result``
- ``gap_analysis(result, rule_set)`` → ``Gap`` with Chinese sentences
- ``compile_polars(rule_set)`` / ``compile_sql(rule_set, dialect)`` → batch executors
- ``load_regimes(rules_dir)`` / ``select_regime(regimes, as_of, purpose)`` → which rule set per tier
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from srdi.rules_engine.errors import FactsError, RuleError
from srdi.rules_engine.facts import build_variables
from srdi.rules_engine.gap import Gap, gap_analysis
from srdi.rules_engine.interpret import evaluate_variables
from srdi.rules_engine.loader import load_rule_sets
from srdi.rules_engine.model import RuleSet
from srdi.rules_engine.regime import Selection, load_regimes, select_regime
from srdi.rules_engine.trace import ItemTrace, Result


def evaluate(
    facts: Mapping[str, Any], rule_set: RuleSet, as_of: date, purpose: str = "new_application"
) -> Result:
    """Evaluate one enterprise's facts document against one rule set on ``as_of``."""
    variables = build_variables(facts, as_of, rule_set, purpose)
    return evaluate_variables(variables, rule_set, as_of=as_of, purpose=purpose)


def __getattr__(name: str) -> Any:
    # The batch executors pull in Polars and sqlglot; load them only when asked for.
    if name == "compile_polars":
        from srdi.rules_engine.compile_polars import compile_polars

        return compile_polars
    if name == "compile_sql":
        from srdi.rules_engine.compile_sql import compile_sql

        return compile_sql
    raise AttributeError(name)


__all__ = [
    "FactsError",
    "Gap",
    "ItemTrace",
    "Result",
    "RuleError",
    "RuleSet",
    "Selection",
    "build_variables",
    "compile_polars",
    "compile_sql",
    "evaluate",
    "evaluate_variables",
    "gap_analysis",
    "load_regimes",
    "load_rule_sets",
    "select_regime",
]
