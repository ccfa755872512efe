"""The JSON Schema of rule files is itself valid and every rule file satisfies it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from srdi.rules_engine import RuleError, load_rule_sets
from srdi.rules_engine.loader import read_yaml, rule_files
from tests.rules_engine.cases import RULES_DIR

SCHEMA = json.loads((RULES_DIR / "schema" / "rule_set.schema.json").read_text(encoding="utf-8"))


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", rule_files(RULES_DIR), ids=lambda p: str(p.relative_to(RULES_DIR)))
def test_rule_file_matches_schema(path: Path) -> None:
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(read_yaml(path)))
    assert [e.message for e in errors] == []


def test_loader_rejects_a_file_outside_the_schema(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "rule_set.schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (tmp_path / "criteria").mkdir()
    (tmp_path / "criteria" / "x.yaml").write_text(
        "id: x\nkind: rule_set\ntier: innovative_sme\ntitle: t\ninstrument: i\narticle: a\nurl: https://x\n"
        "issuer: x\neffective_from: 2022-01-01\nlast_checked: 2022-01-01\nverification: PROBABLY\npass: 'true'\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="schema: 'PROBABLY' is not one of"):
        load_rule_sets(tmp_path)


def test_every_item_carries_a_verification_tag() -> None:
    for rs in load_rule_sets(RULES_DIR).values():
        tags = {f.citation.verification for f in rs.formulas.values()} | {
            i.citation.verification for i in rs.indicators
        }
        assert tags <= {"V-gov", "V-multi", "V-1", "S-code", "UNVERIFIED"}, rs.id
