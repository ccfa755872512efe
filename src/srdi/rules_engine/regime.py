"""Choose the rule set for each tier by as-of date, purpose and province (config: rules/regimes.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from srdi.rules_engine.errors import RuleError
from srdi.rules_engine.loader import check_config_file, read_yaml
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
class Overlay:
    """An annual notice (kind: overlay) applied on top of ``base`` for as-of dates in its window."""

    rule_set: str
    tier: str
    base: str
    purposes: tuple[str, ...]
    start: date
    end: date
    source: str
    verification: str

    def applies(self, tier: str, current: str | None, on: date, purpose: str) -> bool:
        return (
            tier == self.tier
            and current == self.base
            and purpose in self.purposes
            and self.start <= on <= self.end
        )


@dataclass(frozen=True)
class Reading:
    """A question the sources leave open, the reading taken (configurable) and why — shown as 待核实."""

    id: str
    question: str
    tier: str
    purpose: str
    start: date
    end: date | None
    option: str  # the chosen option's id
    label: str  # the chosen option's statement
    why: str
    rule_set: str | None  # None: the regime's own rule set for the tier
    verification: str
    options: tuple[str, ...]

    def covers(self, tier: str, on: date, purpose: str) -> bool:
        return (
            tier == self.tier
            and purpose == self.purpose
            and self.start <= on
            and (self.end is None or on <= self.end)
        )

    @property
    def note(self) -> str:
        return f"{self.question} 本系统采用：{self.label}（理由：{self.why}；{self.verification}，待核实）"


@dataclass(frozen=True)
class Regimes:
    regimes: tuple[Regime, ...]
    overrides: tuple[Override, ...]
    overlays: tuple[Overlay, ...] = ()
    readings: tuple[Reading, ...] = ()


@dataclass(frozen=True)
class Selection:
    regime: str
    as_of: date
    purpose: str
    tiers: dict[str, str]  # tier → rule-set id
    notes: dict[str, str] = field(
        default_factory=dict
    )  # tier → why an override, an overlay, a reading or a provincial variant applies
    readings: dict[str, list[str]] = field(default_factory=dict)  # tier → ids of the open readings applied


def _d(value: object) -> date | None:
    return None if value in (None, "") else date.fromisoformat(str(value))


def load_regimes(rules_dir: str | Path, choices: Mapping[str, str] | None = None) -> Regimes:
    """``choices`` picks an option per open reading (``{reading id: option id}``); others take the file's default."""
    path = Path(rules_dir) / REGIMES_FILE
    data = read_yaml(path)
    check_config_file(path, data, Path(rules_dir))
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
    overlays = []
    for o in data.get("overlays", []):
        start, end = _d(o["from"]), _d(o["until"])
        purposes = tuple(str(p) for p in o["purposes"])
        if start is None or end is None or not purposes or any(p not in PURPOSES for p in purposes):
            raise RuleError(
                f"overlay {o['rule_set']} needs a window (from/until) and known purposes", file=str(path)
            )
        overlays.append(
            Overlay(
                str(o["rule_set"]),
                str(o["tier"]),
                str(o["base"]),
                purposes,
                start,
                end,
                str(o.get("source", "")),
                str(o.get("verification", "")),
            )
        )
    chosen = dict(choices or {})
    readings = []
    for r in data.get("readings", []):
        options = {str(opt["id"]): opt for opt in r["options"]}
        pick = chosen.pop(str(r["id"]), str(r["default"]))
        if pick not in options:
            raise RuleError(
                f"reading {r['id']}: unknown option {pick!r} (choose one of {sorted(options)})",
                file=str(path),
            )
        opt = options[pick]
        scope = r["scope"]
        start = _d(scope["from"])
        if start is None or scope["purpose"] not in PURPOSES:
            raise RuleError(f"reading {r['id']} needs a start date and a known purpose", file=str(path))
        readings.append(
            Reading(
                str(r["id"]),
                str(r["question"]),
                str(scope["tier"]),
                str(scope["purpose"]),
                start,
                _d(scope.get("until")),
                pick,
                str(opt["label"]),
                str(opt["why"]),
                str(opt["rule_set"]) if opt.get("rule_set") else None,
                str(r.get("verification", "UNVERIFIED")),
                tuple(options),
            )
        )
    if chosen:
        raise RuleError(f"unknown reading(s) {sorted(chosen)} in the configuration", file=str(path))
    return Regimes(tuple(regimes), tuple(overrides), tuple(overlays), tuple(readings))


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
    applied: dict[str, list[str]] = {}

    def note(tier: str, text: str) -> None:
        notes[tier] = f"{notes[tier]}；{text}" if tier in notes else text

    for o in regimes.overrides:
        if o.purpose == purpose and o.start <= as_of and (o.end is None or as_of <= o.end):
            tiers[o.tier] = o.rule_set
            note(o.tier, f"{o.source}（{o.verification}）")
    for r in regimes.readings:
        if r.tier in tiers and r.covers(r.tier, as_of, purpose):
            if r.rule_set is not None:
                tiers[r.tier] = r.rule_set
            note(r.tier, r.note)
            applied.setdefault(r.tier, []).append(r.id)
    for ov in regimes.overlays:
        if ov.applies(ov.tier, tiers.get(ov.tier), as_of, purpose):
            tiers[ov.tier] = ov.rule_set
            note(ov.tier, f"当年批次通知：{ov.source}（{ov.verification}）")
    if region_code and rule_sets is not None:
        province = region_code[:2]
        for tier, rid in list(tiers.items()):
            for rs in rule_sets.values():
                if rs.kind == "provincial_variant" and rs.base == rid and province in rs.province_codes:
                    tiers[tier] = rs.id
                    note(tier, f"省级特色化指标：{rs.meta.title}")
    return Selection(regime.id, as_of, purpose, tiers, notes, applied)


def check_regimes(regimes: Regimes, rule_sets: Mapping[str, RuleSet]) -> None:
    """Every rule set named exists; each overlay's window and purposes are those of its (dated) rule file."""
    named = [rid for r in regimes.regimes for rid in r.tiers.values()]
    named += [o.rule_set for o in regimes.overrides]
    named += [r.rule_set for r in regimes.readings if r.rule_set]
    for rid in named:
        if rid not in rule_sets:
            raise RuleError(f"regimes name an unknown rule set {rid!r}", file=REGIMES_FILE)
    for ov in regimes.overlays:
        rs = rule_sets.get(ov.rule_set)
        if rs is None or rs.kind != "overlay" or rs.base != ov.base:
            raise RuleError(f"overlay {ov.rule_set!r} is not an overlay of {ov.base!r}", file=REGIMES_FILE)
        if (rs.meta.effective_from, rs.meta.effective_to) != (ov.start, ov.end) or set(
            rs.overlay_purposes
        ) != set(ov.purposes):
            raise RuleError(
                f"overlay {ov.rule_set!r}: window or purposes differ from its rule file", file=REGIMES_FILE
            )
