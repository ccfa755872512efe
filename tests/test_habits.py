"""Habits the repository keeps (issue 9.6): decision records with the same six headings, a changelog that names
the rule files and effective periods a change affects, and a pre-commit configuration that runs what ``make lint``
runs."""

from __future__ import annotations

import importlib.util
import re
import shlex
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DECISIONS = ROOT / "docs" / "decisions"
HEADINGS = ("Status", "Date", "Context", "Decision", "Consequences", "Alternatives")


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_changelog", ROOT / "scripts" / "check_changelog.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_changelog"] = module
    spec.loader.exec_module(module)
    return module


CHECK = _checker()


def _missing_headings(text: str) -> list[str]:
    """Headings of HEADINGS the record lacks at level 2 (``## Decision — PDF`` counts as Decision)."""
    found = [m.group(1) for m in re.finditer(r"^## (.+)$", text, flags=re.M)]
    return [h for h in HEADINGS if not any(f == h or f.startswith((h + " ", h + ":")) for f in found)]


RECORDS = sorted(DECISIONS.glob("*.md"))


def test_the_decision_records_are_found() -> None:
    assert len(RECORDS) >= 24


@pytest.mark.parametrize("record", RECORDS, ids=lambda p: p.name)
def test_every_decision_record_has_status_date_context_decision_consequences_and_alternatives(
    record: Path,
) -> None:
    text = record.read_text(encoding="utf-8")
    assert _missing_headings(text) == []
    status = re.search(r"^## Status\n\n(.+)$", text, flags=re.M)
    date = re.search(r"^## Date\n\n(\d{4}-\d{2}-\d{2})$", text, flags=re.M)
    assert status, "## Status must be followed by the status"
    assert status.group(1).split()[0].rstrip(".").lower() in {
        "accepted",
        "proposed",
        "superseded",
        "rejected",
    }
    assert date, "## Date must hold an ISO date"


@pytest.mark.parametrize("record", RECORDS, ids=lambda p: p.name)
def test_every_section_of_a_decision_record_has_text(record: Path) -> None:
    parts = re.split(r"^## .+$", record.read_text(encoding="utf-8"), flags=re.M)[1:]
    assert all(p.strip() for p in parts)


def test_the_heading_check_refuses_a_record_without_alternatives() -> None:
    text = (
        "# 0099 — x\n\n## Status\n\nAccepted.\n\n## Date\n\n2026-12-02\n\n## Context\nc\n## Decision — A\nd\n"
    )
    assert _missing_headings(text) == ["Consequences", "Alternatives"]


def test_the_changelog_states_an_effective_period_for_every_rule_file_it_names() -> None:
    assert CHECK.problems((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), []) == []


LOG = """# Changelog

## 2026-12-03

### Criteria
- `criteria/national/srdi_sme_2026.yaml` (from 2026-04-01): N3 reads 营业收入.
- `policies/shenzhen/*` (no effective period: drafts): wording.

## 2026-12-01

- `regimes.yaml` (2026-04-01 – 2026-12-31): a reading.
"""


@pytest.mark.parametrize(
    ("changed", "unnamed"),
    [
        (["rules/criteria/national/srdi_sme_2026.yaml"], []),
        (["rules/policies/shenzhen/sz_guarantee_fee_cap.yaml"], []),  # by the glob
        (["rules/tests/criteria/national/srdi_sme_2026.yaml", "src/srdi/api.py"], []),  # not rule files
        # Named only in an older section: this change is not described.
        (["rules/regimes.yaml"], ["rules/regimes.yaml"]),
        (
            ["rules/criteria/national/little_giant_2026.yaml"],
            ["rules/criteria/national/little_giant_2026.yaml"],
        ),
    ],
)
def test_a_changed_rule_file_must_be_named_in_the_newest_section(
    changed: list[str], unnamed: list[str]
) -> None:
    problems = CHECK.problems(LOG, changed)
    assert [p.split(" changed")[0] for p in problems] == unnamed


def test_an_entry_naming_a_rule_file_without_an_effective_period_is_refused() -> None:
    log = LOG.replace("(from 2026-04-01)", "(new wording)")
    problems = CHECK.problems(log, [])
    assert len(problems) == 1 and "criteria/national/srdi_sme_2026.yaml" in problems[0]


def _commands(lines: list[str]) -> set[str]:
    """Commands normalised so that make's and pre-commit's spelling of the same check compare equal: the venv
    path, the file arguments (``.``, ``$$(git diff …)``), and ruff's pre-commit-only ``--force-exclude``."""
    out = set()
    for line in lines:
        line = line.replace("$(VENV)", ".venv").replace("$(PY)", ".venv/bin/python")
        line = re.sub(r"\s*\$\$\(.*\)$", "", line)
        words = [w for w in shlex.split(line) if w not in {".", "--force-exclude"}]
        out.add(" ".join(words))
    return out


def test_pre_commit_runs_the_same_checks_as_make_lint() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, flags=re.M)
    assert recipe
    make = _commands([ln.strip() for ln in recipe.group(1).splitlines()])
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [h for repo in config["repos"] for h in repo["hooks"]]
    assert all(repo["repo"] == "local" for repo in config["repos"])  # the project's own tool versions
    assert _commands([h["entry"] for h in hooks]) == make
