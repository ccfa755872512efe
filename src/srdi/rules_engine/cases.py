"""Runner for the YAML test cases in ``<rules>/tests/`` (one file per rule file, mirroring its path).

Used by the test suite and by ``srdi rules test``, so an operator checks a changed rule file the same way CI does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from srdi.rules_engine.errors import RuleError
from srdi.rules_engine.facts import build_variables, coerce_literal
from srdi.rules_engine.interpret import evaluate_variables
from srdi.rules_engine.loader import read_yaml
from srdi.rules_engine.model import RuleSet
from srdi.rules_engine.trace import Result

TESTS_SUBDIR = "tests"


@dataclass
class Case:
    file: Path
    rule_set: str
    name: str
    as_of: date
    purpose: str
    inputs: dict[str, Any] | None
    facts: dict[str, Any] | None
    expect: dict[str, Any]


def cases_file_for(rule_file: Path, rules_dir: Path) -> Path:
    return rules_dir / TESTS_SUBDIR / rule_file.relative_to(rules_dir)


def load_cases(path: Path, rules_dir: Path) -> list[Case]:
    data = read_yaml(path)
    defaults = dict(data.get("defaults", {}))
    if "defaults_from" in data:
        # Reuse another test file's baseline (e.g. a provincial variant starts from the national DV3 inputs).
        base = read_yaml(rules_dir / TESTS_SUBDIR / str(data["defaults_from"])).get("defaults", {})
        defaults = {**base, **defaults, "inputs": {**base.get("inputs", {}), **defaults.get("inputs", {})}}
        for name in data.get("drop_inputs", []):
            defaults["inputs"].pop(name, None)
    out = []
    for raw in data.get("cases", []):
        inputs = None
        if "facts" not in raw:
            inputs = {**defaults.get("inputs", {}), **raw.get("inputs", {})}
        out.append(
            Case(
                file=path,
                rule_set=str(raw.get("rule_set", data.get("rule_set"))),
                name=str(raw["name"]),
                as_of=date.fromisoformat(str(raw.get("as_of", defaults.get("as_of")))),
                purpose=str(raw.get("purpose", defaults.get("purpose", "new_application"))),
                inputs=inputs,
                facts=raw.get("facts"),
                expect=raw["expect"],
            )
        )
    return out


def all_cases(rules_dir: Path) -> Iterator[Case]:
    for path in sorted((rules_dir / TESTS_SUBDIR).rglob("*.yaml")):
        data = read_yaml(path)
        if isinstance(data, dict) and "rule_set" in data:
            yield from load_cases(path, rules_dir)


def files_without_cases(rules_dir: Path) -> list[str]:
    """Rule files (criteria and policies) that have no YAML case file, or an empty one (QUALITY R6).

    Data files beside the rules (neither ``id`` nor ``kind``, e.g. ``finance/settings/time_limits.yaml``) are
    not rules and need no cases."""
    missing = []
    from srdi.rules_engine.loader import RULE_DIRS

    for sub in RULE_DIRS:
        for path in sorted((rules_dir / sub).rglob("*.yaml")):
            data = read_yaml(path)
            if isinstance(data, dict) and "id" not in data and "kind" not in data:
                continue
            tests = cases_file_for(path, rules_dir)
            if not tests.exists() or not read_yaml(tests).get("cases"):
                missing.append(str(path.relative_to(rules_dir)))
    return missing


def variables_for(case: Case, rs: RuleSet) -> dict[str, object]:
    if case.facts is not None:
        return build_variables(case.facts, case.as_of, rs, case.purpose)
    unknown = set(case.inputs or {}) - set(rs.inputs)
    if unknown:
        raise RuleError(
            f"case {case.name!r}: inputs not declared by {rs.id}: {sorted(unknown)}", file=str(case.file)
        )
    return {k: coerce_literal(v, rs.types[k]) for k, v in (case.inputs or {}).items()}


def run_case(case: Case, rule_sets: Mapping[str, RuleSet]) -> Result:
    rs = rule_sets[case.rule_set]
    return evaluate_variables(variables_for(case, rs), rs, as_of=case.as_of, purpose=case.purpose)


def check(case: Case, result: Result, rs: RuleSet) -> list[str]:
    """Differences between ``result`` and the case's ``expect`` block, as readable lines."""
    exp = case.expect
    errors: list[str] = []

    def same(label: str, want: object, got: object) -> None:
        if want != got:
            errors.append(f"{label}: expected {want!r}, got {got!r}")

    if "status" in exp:
        same("status", exp["status"], result.status)
    if "total" in exp:
        same("total", exp["total"], result.total)
    for key in ("scores", "points", "bands", "conditions", "direct_routes"):
        for k, v in exp.get(key, {}).items():
            same(f"{key}.{k}", v, getattr(result, key).get(k, "<missing>"))
    for k, v in exp.get("values", {}).items():
        want = coerce_literal(v, rs.types[k]) if isinstance(v, str) and rs.types[k].value != "str" else v
        same(f"values.{k}", want, result.values.get(k))
    if "deciding_inputs" in exp:
        same("deciding_inputs", sorted(exp["deciding_inputs"]), sorted(result.deciding_inputs))
    for k in exp.get("needs_verification", []):
        if k not in result.needs_verification:
            errors.append(f"needs_verification: {k} missing from {result.needs_verification}")
    return errors
