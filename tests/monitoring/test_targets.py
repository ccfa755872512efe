"""Targets as data: every seed target loads with a resolvable source, measures are checked, progress cases hold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from srdi.monitoring import targets
from srdi.monitoring.exceptions import InvalidPeriod, UnknownMeasure

ROOT = Path(__file__).resolve().parents[2]
CASES = yaml.safe_load((ROOT / "rules/tests/monitoring/progress.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_progress_case_from_the_rule_file(case):
    actual = None if case["actual"] is None else Decimal(str(case["actual"]))
    elapsed = targets.elapsed_share(case["from_year"], case["year"], case["as_of"])
    pct, status = targets.progress(Decimal(str(case["value"])), actual, elapsed)
    assert (None if pct is None else str(pct)) == case["expect"]["percent"]
    assert status.value == case["expect"]["status"]


def test_every_quantified_seed_target_is_loaded_with_its_figure():
    r = targets.rules(ROOT / "rules")
    by_key = {(t.region, t.year, t.measure, t.subject): t.value for t in r.targets}
    assert by_key[("50", 2025, "innovative_sme_count", "")] == 25000
    assert by_key[("50", 2025, "srdi_sme_count", "")] == 2500
    assert by_key[("50", 2025, "little_giant_count", "")] == 300
    assert by_key[("50", 2025, "new_listings", "")] == 25
    assert by_key[("50", 2025, "digital_workshops", "")] == 400
    assert by_key[("50", 2025, "smart_factories", "")] == 50
    assert by_key[("50", 2025, "green_factories", "")] == 100
    assert by_key[("4403", 2026, "trainees", "")] == 100  # 每年 from 2022 on
    assert by_key[("4403", 2022, "product_launches", "")] == 2
    assert by_key[("4419", 2024, "leader_matchmaking", "")] == 5
    assert by_key[("4419", 2024, "talent_events", "")] == 3
    assert by_key[("4419", 2025, "park_srdi_introduced", "滨海湾新区产业园")] == 20
    assert by_key[("4419", 2025, "park_space_mu", "石排镇产业园")] == 300
    assert by_key[("4419", 2025, "park_listings", "水乡功能区产业园")] == 5
    assert by_key[("4419", 2025, "little_giant_space_own_rate", "")] == 60


def test_every_seed_target_cites_a_key_defined_in_docs_sources():
    sources = (ROOT / "docs/sources.md").read_text(encoding="utf-8")
    r = targets.rules(ROOT / "rules")
    assert {t.source for t in r.targets} == {"SEED-001", "SEED-002", "SEED-004"}
    for t in r.targets:
        assert f"`{t.source}`" in sources
        assert t.quote, t


def test_a_target_file_naming_an_unknown_measure_is_refused_naming_it():
    data = {
        "measures": {"trainees": {"label": "培训人数", "kind": "reported"}},
        "targets": [
            {"region": "4403", "year": 2026, "measure": "happiness", "value": 1, "source": "SEED-001"}
        ],
    }
    with pytest.raises(UnknownMeasure) as e:
        targets.parse(data)
    assert "指标“happiness”不存在" in e.value.message_zh


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30), "2026年第三季度"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026年"),
        ("2026H1", date(2026, 1, 1), date(2026, 6, 30), "2026年上半年"),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "2026年2月"),
    ],
)
def test_periods(text, start, end, label):
    p = targets.parse_period(text)
    assert (p.start, p.end, p.label) == (start, end, label)


def test_a_malformed_period_is_refused_in_chinese():
    with pytest.raises(InvalidPeriod) as e:
        targets.parse_period("2026Q5")
    assert "格式不对" in e.value.message_zh
