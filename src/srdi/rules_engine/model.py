"""Typed, immutable form of a loaded rule set. Built by ``loader``; read by every executor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from srdi.rules_engine.expr.nodes import Node
from srdi.rules_engine.expr.types import Type

# Verification tags of CRITERIA §0; the last two must be shown as 待核实 wherever a result uses them.
VERIFICATION_TAGS = ("V-gov", "V-multi", "V-1", "S-code", "UNVERIFIED")
NEEDS_VERIFICATION = frozenset({"S-code", "UNVERIFIED"})
PURPOSES = ("new_application", "re_review")
# What a rule file's reference is, in the words people read (docs/sources.md "References in rule files").
REFERENCE_ROLE_LABELS = {
    "official": "发布机关原文",
    "copy_read": "实际阅读的转载",
    "platform": "本平台决策记录",
}


@dataclass(frozen=True)
class Citation:
    rule_file: str
    title: str
    instrument: str
    article: str
    url: str
    verification: str
    note: str = ""

    @property
    def needs_verification(self) -> bool:
        return self.verification in NEEDS_VERIFICATION

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_file": self.rule_file,
            "title": self.title,
            "instrument": self.instrument,
            "article": self.article,
            "url": self.url,
            "verification": self.verification,
            "needs_verification": self.needs_verification,
            "note": self.note,
        }


@dataclass(frozen=True)
class Reference:
    """One document a rule file encodes (its ``references:``, docs/sources.md): the instrument at its issuer's
    address (``official``), the copy the author read (``copy_read``) or the platform's decision record
    (``platform``). ``href`` is "" for a copy that carries no address; ``note`` says what is 待核实."""

    title: str
    role: str  # "official" | "copy_read" | "platform"
    href: str
    source: str  # key in docs/sources.md; "" for a platform decision record
    published: str  # "YYYY", "YYYY-MM" or "YYYY-MM-DD" as the source gives it; "" when not known
    retrieved: date | None
    note: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "role": self.role,
            "role_label": REFERENCE_ROLE_LABELS[self.role],
            "href": self.href or None,
            "source": self.source or None,
            "published": self.published or None,
            "retrieved": self.retrieved.isoformat() if self.retrieved else None,
            "note": self.note or None,
        }


@dataclass(frozen=True)
class Meta:
    title: str
    instrument: str
    article: str
    url: str
    issuer: str
    effective_from: date | None  # None: a draft policy with no date in force
    effective_to: date | None
    last_checked: date
    verification: str
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Input:
    id: str
    type: Type
    label: str
    unit: str
    source: Mapping[str, Any] | None
    scale: int  # decimal inputs: the batch column holds value × 10**scale as an integer
    citation: Citation


@dataclass(frozen=True)
class Formula:
    """A derived variable, a condition or a direct route: a named, typed expression."""

    id: str
    kind: str  # "derived" | "condition" | "direct_route"
    label: str
    text: str
    node: Node
    type: Type
    citation: Citation
    line: int | None = None


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    points: int
    when_text: str  # "" for the fall-through band
    when: Node | None
    edge: str = ""  # how an ambiguous edge value was assigned, if any (CRITERIA §13 Q1)


@dataclass(frozen=True)
class Indicator:
    id: str
    category: str
    label: str
    max_points: int
    bands: tuple[Band, ...]
    formula_text: str
    formula: Node | None
    citation: Citation
    line: int | None = None


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    max_points: int


@dataclass(frozen=True)
class EdgeChoice:
    at: str
    chosen: str
    reason: str


@dataclass
class RuleSet:
    id: str
    kind: str
    tier: str
    path: str
    meta: Meta
    inputs: dict[str, Input]
    formulas: dict[str, Formula]  # derived variables, conditions and direct routes, by id
    categories: tuple[Category, ...]
    indicators: tuple[Indicator, ...]
    pass_formula: Formula
    edge_choices: tuple[EdgeChoice, ...]
    types: dict[str, Type]
    order: tuple[str, ...]  # every computed name, dependencies first
    content_hash: str
    province_codes: tuple[str, ...] = ()
    base: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    # str inputs: value → Chinese label (the rule file's ``choices``), so people read 中型, not "medium".
    choice_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    overlay_purposes: tuple[
        str, ...
    ] = ()  # kind overlay: the purposes the notice governs (rules/regimes.yaml)

    @property
    def citation(self) -> Citation:
        m = self.meta
        return Citation(self.id, m.title, m.instrument, m.article, m.url, m.verification)

    @property
    def conditions(self) -> tuple[Formula, ...]:
        return tuple(f for f in self.formulas.values() if f.kind == "condition")

    @property
    def direct_routes(self) -> tuple[Formula, ...]:
        return tuple(f for f in self.formulas.values() if f.kind == "direct_route")

    @property
    def derived(self) -> tuple[Formula, ...]:
        return tuple(f for f in self.formulas.values() if f.kind == "derived")

    def in_force(self, on: date) -> bool:
        end = self.meta.effective_to
        start = self.meta.effective_from
        return start is not None and start <= on and (end is None or on <= end)
