"""The 划型 table is owned by srdi.enterprise; its YAML cases still live beside the other rule-file cases (R6)."""

from __future__ import annotations

from typing import Any

import pytest

from srdi.enterprise.size_class import classify, load_table
from srdi.rules_engine.loader import read_yaml
from tests.rules_engine.cases import RULES_DIR, TESTS_DIR

TABLE = load_table(RULES_DIR / "criteria/national/size_class_2011_300.yaml")
CASES: list[dict[str, Any]] = read_yaml(TESTS_DIR / "criteria/national/size_class_2011_300.yaml")["cases"]
FEN_PER_WAN = 1_000_000


def _fen(wan: int | None) -> int | None:
    return None if wan is None else wan * FEN_PER_WAN


@pytest.mark.parametrize("case", CASES, ids=lambda c: str(c["name"]))
def test_size_class_case(case: dict[str, Any]) -> None:
    got = classify(
        str(case["industry_code"]),
        employees=case.get("employees"),
        operating_revenue_fen=_fen(case.get("operating_revenue")),
        total_assets_fen=_fen(case.get("total_assets")),
        table=TABLE,
    )
    assert (got.value if got else None) == case["expect"]
