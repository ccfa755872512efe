"""Choose the rule set for each tier by as-of date, purpose and province (config: rules/regimes.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from srdi.rules_engine.errors import RuleError
from srdi.rules_engine.loader import read_yaml
from srdi.rules_engine.model import PURPOSES, RuleSet

REGIMES_FILE = "regimes.yaml"


@dataclass(frozen=True)
class Regime:
    id: str
    label: str
    start: date
    end: date | None
    tiers: Mapping[str, str]

    def covers(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


@dataclass(frozen=True)
class Override:
    tier: str
    purpose: str
    start: date
    end: date | None
    rule_set: str
    source: str
    verification: str


@dataclass(frozen=True)
class Regimes:
    regimes: tuple[Regime, ...]
    overrides: tuple[Override, ...]


@dataclass(frozen=True)
class Selection:
    regime: str
    as_of: date
    purpose: str
    tiers: dict[str, str]  # tier → rule-set id
    notes: dict[str, str] = field(
        default_factory=dict
    )  # tier → why an override or a provincial variant applies


def _d(value: object) -> date | None:
    return None if value in (None, "") else date.fromisoformat(str(value))


def load_regimes(rules_dir: str | Path) -> Regimes:
    path = Path(rules_dir) / REGIMES_FILE
    data = read_yaml(path)
    regimes = []
    for r in data["regimes"]:
        start = _d(r["from"])
        if start is None:
            raise RuleError(f"regime {r['id']} has no start date", file=str(path))
        regimes.append(Regime(str(r["id"]), str(r["label"]), start, _d(r.get("until")), dict(r["tiers"])))
    overrides = []
    for o in data.get("overrides", []):
        start = _d(o["from"])
        if start is None or o["purpose"] not in PURPOSES:
            raise RuleError(
                f"override for {o['tier']} needs a start date and a known purpose", file=str(path)
            )
        overrides.append(
            Override(
                str(o["tier"]),
                str(o["purpose"]),
                start,
                _d(o.get("until")),
                str(o["rule_set"]),
                str(o.get("source", "")),
                str(o.get("verification", "")),
            )
        )
    return Regimes(tuple(regimes), tuple(overrides))


def select_regime(
    regimes: Regimes,
    as_of: date,
    purpose: str = "new_application",
    region_code: str | None = None,
    rule_sets: Mapping[str, RuleSet] | None = None,
) -> Selection:
    """The rule set per tier on ``as_of``; with ``region_code`` and ``rule_sets``, the provincial variant if any."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    matching = [r for r in regimes.regimes if r.covers(as_of)]
    if not matching:
        raise LookupError(f"no regime covers {as_of.isoformat()}")
    regime = matching[-1]
    tiers = dict(regime.tiers)
    notes: dict[str, str] = {}
    for o in regimes.overrides:
        if o.purpose == purpose and o.start <= as_of and (o.end is None or as_of <= o.end):
            tiers[o.tier] = o.rule_set
            notes[o.tier] = f"{o.source}（{o.verification}）"
    if region_code and rule_sets is not None:
        province = region_code[:2]
        for tier, rid in list(tiers.items()):
            for rs in rule_sets.values():
                if rs.base == rid and province in rs.province_codes:
                    tiers[tier] = rs.id
                    notes[tier] = f"省级特色化指标：{rs.meta.title}"
    return Selection(regime.id, as_of, purpose, tiers, notes)
