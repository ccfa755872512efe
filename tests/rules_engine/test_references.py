"""Every rule file says what it encodes, most official first (issue 9): a ``references:`` list that the JSON Schema
checks, whose source keys docs/sources.md defines and whose addresses docs/sources.md records on that key's row —
so no address enters a rule file that the sources page does not hold, and an official reference is never written
without its address."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from srdi.rules_engine import RuleError, load_rule_sets
from srdi.rules_engine.loader import check_config_file, read_yaml, references, rule_files
from tests.rules_engine.cases import RULES_DIR

ROOT = RULES_DIR.parent
SOURCES = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
SCHEMA = json.loads((RULES_DIR / "schema" / "rule_set.schema.json").read_text(encoding="utf-8"))


def _every_rule_file() -> list[Path]:
    """Every YAML file under rules/ except the YAML tests and the schemas."""
    return sorted(
        p for p in RULES_DIR.rglob("*.yaml") if p.relative_to(RULES_DIR).parts[0] not in {"tests", "schema"}
    )


def _source_row(key: str) -> str | None:
    """The table row of docs/sources.md that defines ``key`` (``I-2022-63``, ``SEED-004``, ``P27`` …)."""
    cell = f"`{key}`" if re.match(r"^(I|SEED)-", key) else f"`[{key}]`"
    for line in SOURCES.splitlines():
        if line.startswith(f"| {cell} |"):
            return line
    return None


FILES = _every_rule_file()
RULE_FILES = set(rule_files(RULES_DIR))
IDS = [str(p.relative_to(RULES_DIR)) for p in FILES]


def test_the_rule_files_are_found() -> None:
    assert len(FILES) >= 45
    assert {"regimes.yaml", "dynamic_management.yaml", "matchmaking.yaml"} <= set(IDS)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_rule_file_has_references_the_schema_accepts(path: Path) -> None:
    data = read_yaml(path)
    assert data.get("references"), "no references: list"
    if path in RULE_FILES:
        errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data))
        assert [e.message for e in errors] == []
    else:
        check_config_file(path, data, RULES_DIR)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_reference_resolves_to_a_source_row_or_a_decision_record(path: Path) -> None:
    problems = []
    for ref in references(read_yaml(path)):
        if ref.role == "platform":
            if not (ROOT / ref.href).is_file():
                problems.append(f"{ref.href} is not a file in the repository")
            continue
        row = _source_row(ref.source)
        if row is None:
            problems.append(f"source {ref.source} is not defined in docs/sources.md")
        elif ref.href and ref.href not in row:
            problems.append(f"{ref.href} is not recorded on the row of {ref.source} in docs/sources.md")
    assert problems == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_a_file_without_an_official_address_says_it_is_not_verified(path: Path) -> None:
    refs = references(read_yaml(path))
    if not any(r.role in {"official", "platform"} for r in refs):
        assert any("待核实" in r.note for r in refs)


def test_the_loader_exposes_the_references_of_a_rule_set() -> None:
    rs = load_rule_sets(RULES_DIR)["srdi_sme_2022"]
    refs = rs.meta.references
    assert [r.role for r in refs] == ["copy_read", "copy_read"]
    assert refs[0].href == "https://xkzc.xust.edu.cn/info/1099/1948.htm"
    assert refs[0].source == "P2"
    assert "待核实" in refs[0].note


def _rule(tmp_path: Path, refs: str) -> Path:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "rule_set.schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (tmp_path / "criteria").mkdir()
    (tmp_path / "criteria" / "x.yaml").write_text(
        "id: x\nkind: rule_set\ntier: innovative_sme\ntitle: t\ninstrument: i\narticle: a\nurl: https://x\n"
        "issuer: x\neffective_from: 2022-01-01\nlast_checked: 2022-01-01\nverification: V-1\npass: 'true'\n"
        + refs,
        encoding="utf-8",
    )
    return tmp_path


NOTED = (
    "  - {title: 转载, role: copy_read, href: 'https://b.example/y', source: P1, note: 官方发布地址待核实}\n"
)


@pytest.mark.parametrize(
    ("refs", "message"),
    [
        # An official reference without its address is refused: the file lists the copy and says 待核实 instead.
        (
            "references:\n  - {title: 办法, role: official, source: I-2022-63}\n",
            "'href' is a required property",
        ),
        # A copy read without a note saying the official address is unverified.
        (
            "references:\n  - {title: 转载, role: copy_read, href: 'https://a.example/x', source: P2}\n",
            "does not contain items matching",
        ),
        # A copy with no address must say so in a note (the second copy carries the file's 待核实).
        (
            "references:\n  - {title: 转载, role: copy_read, source: P2}\n" + NOTED,
            "is not valid under any of the given",
        ),
        # A role outside the three.
        (
            "references:\n  - {title: 转载, role: hearsay, href: 'https://a.example/x'}\n" + NOTED,
            "'hearsay' is not one of",
        ),
        # A source key of no known shape.
        (
            "references:\n  - {title: 办法, role: official, href: 'https://a.gov.cn/x', source: MIIT63}\n",
            "does not match",
        ),
    ],
)
def test_the_loader_refuses_a_malformed_reference(tmp_path: Path, refs: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        load_rule_sets(_rule(tmp_path, refs))


def test_the_loader_accepts_an_official_reference_next_to_the_copy_read(tmp_path: Path) -> None:
    refs = (
        "references:\n"
        "  - {title: 办法, role: official, href: 'https://a.gov.cn/x', source: I-2022-63, published: '2022-06'}\n"
        "  - {title: 转载, role: copy_read, href: 'https://a.example/x', source: P2, retrieved: '2026-11-21'}\n"
    )
    meta = load_rule_sets(_rule(tmp_path, refs))["x"].meta
    assert [r.as_dict()["role"] for r in meta.references] == ["official", "copy_read"]
    assert (
        meta.references[1].retrieved is not None and meta.references[1].retrieved.isoformat() == "2026-11-21"
    )


def test_a_configuration_file_without_references_is_refused(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    for name in ("rule_set.schema.json", "rule_config.schema.json"):
        (tmp_path / "schema" / name).write_text(
            (RULES_DIR / "schema" / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    data: dict[str, Any] = {"kind": "regime_config", "regimes": []}
    with pytest.raises(RuleError, match="'references' is a required property"):
        check_config_file(tmp_path / "regimes.yaml", data, tmp_path)
