"""Result of one evaluation, with the trace that explains it (ARCHITECTURE §5: appeals argue against the trace)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from srdi.rules_engine.model import Citation

STATUS = {True: "pass", False: "fail", None: "unknown"}


class Outcome(StrEnum):
    """A rule set's result for one enterprise: the values of STATUS (TierAssessment.status)."""

    pass_ = "pass"
    fail = "fail"
    unknown = "unknown"  # a deciding input is missing

    @property
    def label(self) -> str:
        # 数据不足, as the API's descriptions, the trace lines, the gap and the batch pages say.
        return {"pass": "达到", "fail": "未达到", "unknown": "数据不足"}[self.value]


class ItemKind(StrEnum):
    """What one line of a trace is: a basic condition, a direct route (直通条件) or a scored indicator (指标)."""

    condition = "condition"
    direct_route = "direct_route"
    indicator = "indicator"
    derived = "derived"  # an intermediate value; not shown as a line of its own

    @property
    def label(self) -> str:
        return {
            "condition": "基本条件",
            "direct_route": "直通条件",
            "indicator": "评分指标",
            "derived": "推导值",
        }[self.value]


def jsonable(value: object) -> object:
    """Exact JSON form: ints stay ints (money in fen), ratios become decimal strings or 'p/q'."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return value.numerator
        # Terminating decimals are exact as strings; anything else keeps the fraction.
        d = value.denominator
        while d % 2 == 0:
            d //= 2
        while d % 5 == 0:
            d //= 5
        if d == 1:
            from decimal import Decimal

            return format(Decimal(value.numerator) / Decimal(value.denominator), "f")
        return f"{value.numerator}/{value.denominator}"
    if hasattr(value, "approx"):
        return {"cagr_approx": round(value.approx(), 6)}
    return value


@dataclass(slots=True)
class ItemTrace:
    id: str
    kind: str  # condition | direct_route | indicator | derived
    label: str
    value: object  # bool for conditions, points for indicators, None = unknown
    rule: str  # the expression (or matched band's `when`) that produced the value
    inputs: dict[str, object]
    shown: dict[str, str]  # the same inputs as Chinese display text
    unknown_inputs: tuple[str, ...]
    citation: Citation
    band: str | None = None
    band_label: str = ""
    max_points: int | None = None
    category: str | None = None
    edge: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # Chinese label of each input

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "value": jsonable(self.value),
            "rule": self.rule,
            "band": self.band,
            "band_label": self.band_label,
            "max_points": self.max_points,
            "category": self.category,
            "edge": self.edge,
            "inputs": {k: jsonable(v) for k, v in self.inputs.items()},
            "shown": self.shown,
            "labels": self.labels,
            "unknown_inputs": list(self.unknown_inputs),
            "citation": self.citation.as_dict(),
        }


@dataclass(slots=True)
class Result:
    rule_set: str
    tier: str
    title: str
    content_hash: str
    as_of: date | None
    purpose: str
    passed: bool | None
    total: int | None
    scores: dict[str, int | None]
    points: dict[str, int | None]
    bands: dict[str, str | None]
    conditions: dict[str, bool | None]
    direct_routes: dict[str, bool | None]
    items: list[ItemTrace]
    deciding_inputs: tuple[str, ...]
    needs_verification: tuple[str, ...]
    citation: Citation
    values: dict[str, object] = field(repr=False)

    @property
    def status(self) -> str:
        return STATUS[self.passed]

    def item(self, item_id: str) -> ItemTrace:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_set": self.rule_set,
            "tier": self.tier,
            "title": self.title,
            "content_hash": self.content_hash,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "purpose": self.purpose,
            "status": self.status,
            "total": self.total,
            "scores": self.scores,
            "points": self.points,
            "bands": self.bands,
            "conditions": self.conditions,
            "direct_routes": self.direct_routes,
            "deciding_inputs": list(self.deciding_inputs),
            "needs_verification": list(self.needs_verification),
            "citation": self.citation.as_dict(),
            "items": [i.as_dict() for i in self.items],
        }
