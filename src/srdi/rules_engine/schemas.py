"""API shapes of the engine's results: the trace, its citations and the gap, as the API returns them and the
database keeps them (criteria evaluations, applications, policy matches).

They mirror ``Result.as_dict()`` and ``ItemTrace.as_dict()`` (srdi.rules_engine.trace). TypedDicts: pydantic
validates them and documents them in the OpenAPI document (the web client's generated types), yet they stay the
plain dicts the services store and read; a key added later passes through (``extra="allow"``).
"""

from __future__ import annotations

from typing import Any, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from srdi.rules_engine.trace import ItemKind, Outcome


@with_config(ConfigDict(extra="allow"))
class Citation(TypedDict):
    """Where a rule comes from: the rule file and the instrument (文件), article and address it cites."""

    rule_file: str
    title: str
    instrument: str
    article: str | None
    url: str | None
    verification: str
    needs_verification: NotRequired[bool]
    note: NotRequired[str]


@with_config(ConfigDict(extra="allow"))
class DerivedFact(TypedDict):
    """A fact the document lacked and the platform decided from its other facts (e.g. 划型), with how."""

    name: str
    value: str | None
    label: str
    explanation: str
    citation: Citation
    fiscal_year: int | None


@with_config(ConfigDict(extra="allow"))
class TraceItem(TypedDict):
    """One line of a trace: a condition, a direct route or a scored indicator, with the inputs it read."""

    id: str
    kind: ItemKind
    label: str
    value: bool | int | str | None
    rule: str
    band: str | None
    band_label: str
    max_points: int | None
    category: str | None
    edge: str
    inputs: dict[str, Any]
    shown: dict[str, str]
    labels: NotRequired[dict[str, str]]
    unknown_inputs: list[str]
    citation: Citation
    derivations: NotRequired[dict[str, DerivedFact]]


@with_config(ConfigDict(extra="allow"))
class TraceResult(TypedDict):
    """A rule set's result for one enterprise and the trace that explains it (ARCHITECTURE §5)."""

    rule_set: str
    tier: str
    title: str
    content_hash: str
    as_of: str | None
    purpose: str
    status: Outcome
    total: int | None
    scores: dict[str, int | None]
    points: dict[str, int | None]
    bands: dict[str, str | None]
    conditions: dict[str, bool | None]
    direct_routes: dict[str, bool | None]
    deciding_inputs: list[str]
    needs_verification: list[str]
    citation: Citation
    items: list[TraceItem]
    derived_facts: NotRequired[list[DerivedFact]]
    selection_note: NotRequired[str | None]
    readings: NotRequired[list[str]]


@with_config(ConfigDict(extra="allow"))
class ProvenanceTarget(TypedDict):
    """What a verification of an input would check: a yearly figure, a policy answer, fact records or a profile
    field (``kind``), and which (``srdi.rules_engine.policy.input_provenance``)."""

    kind: str
    figure: NotRequired[str]
    fiscal_years: NotRequired[list[int]]
    key: NotRequired[str]
    field: NotRequired[str]
    list: NotRequired[str]
    ids: NotRequired[list[int]]


@with_config(ConfigDict(extra="allow"))
class InputProvenance(TypedDict):
    """One input a policy decision used, with where its value came from and whether that meets the policy's
    requirement (``srdi.rules_engine.policy.provenance_trace``), and the verification queue's word on it."""

    input_id: str
    label: str
    type: str
    value: bool | int | str
    shown: str
    provenance: list[str]
    provenance_labels: list[str]
    required: list[str] | None
    satisfied: bool
    target: ProvenanceTarget
    verified_by: NotRequired[str | None]
    verified_note: NotRequired[str | None]
    request_id: NotRequired[int]
    request_status: NotRequired[str]
    rejected_reason: NotRequired[str | None]


@with_config(ConfigDict(extra="allow"))
class Gap(TypedDict):
    """差距分析 kept with an evaluation: the smallest changes that reach the tier, as Chinese sentences."""

    sentences: list[str]
