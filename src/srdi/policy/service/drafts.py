"""Drafts, the sandbox and publishing: an official edits a new version, compares it with the published one on
the registry (facts with answers and tier results), then publishes it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Enterprise
from srdi.kit.errors import AppError
from srdi.kit.money import format_wan
from srdi.policy import repository
from srdi.policy.enums import MatchStatus, VersionStatus
from srdi.policy.exceptions import (
    InvalidDraft,
    NotADraft,
)
from srdi.policy.models import (
    PolicyAnswer,
    PolicyVersion,
)
from srdi.policy.service.library import (
    check_region,
    get_version,
    new_version,
    policy_of,
    published_version,
    rules_dir,
)
from srdi.rules_engine.batch import variables_table
from srdi.rules_engine.errors import FactsError, RuleError
from srdi.rules_engine.facts import build_variables
from srdi.rules_engine.policy import (
    Policy,
    build_policy,
    evaluate_policies_frame,
    input_provenance,
    with_parameters,
)

log = logging.getLogger("srdi.policy.service")


def create_draft(
    db: Session,
    key: str,
    *,
    parameters: Mapping[str, str],
    budget: str | bool | None,
    note: str | None,
    actor: str,
    scope_prefixes: Sequence[str] | None,
) -> PolicyVersion:
    base = published_version(db, key)
    pol = policy_of(base)
    check_region(scope_prefixes, pol)
    try:
        data = with_parameters(pol, parameters, budget=budget)
        draft = build_policy(data, rules_dir())
    except RuleError as exc:
        raise InvalidDraft(str(exc)) from exc
    row = new_version(db, draft, data, key, repository.latest_version_number(db, key) + 1, actor)
    row.note = note
    db.flush()
    return row


def publish(
    db: Session, version_id: int, *, actor: str, scope_prefixes: Sequence[str] | None
) -> PolicyVersion:
    from srdi.db.base import utcnow

    row = get_version(db, version_id)
    check_region(scope_prefixes, row)
    if row.status != VersionStatus.draft:
        raise NotADraft(row.id, row.status)
    for v in repository.versions(db, row.policy_key, VersionStatus.published):
        v.status = VersionStatus.superseded
    row.status = VersionStatus.published
    row.published_by = actor
    row.published_at = utcnow()
    db.flush()
    repository.mark_all_dirty(
        db
    )  # every enterprise's push results must be recomputed against the new version
    return row


@dataclass
class RegistryFrame:
    """The registry as one batch input table for a set of policies (plus names for display)."""

    table: pl.DataFrame
    names: dict[int, str]
    errors: dict[int, str]
    variables: dict[int, dict[str, object]]  # per enterprise, for the trace of each decision
    regions: dict[int, str]
    usccs: dict[int, str]
    # per enterprise, per policy: the provenance of every input (srdi.rules_engine.policy.input_provenance)
    provenance: dict[int, dict[str, dict[str, dict[str, Any]]]] = field(default_factory=dict)


def facts_with_answers(ent: Enterprise, answers: Iterable[PolicyAnswer]) -> dict[str, Any]:
    """The registry's facts document plus the policy-specific answers (年产值, 可加计扣除研发费用 …).

    Yearly answers join ``yearly`` (``{yearly: output_value, year: 1}`` in a policy file); others go under
    ``policy_answers``. A registry figure is never overwritten by an answer.
    """
    doc = enterprise_service.facts_document(ent)
    extra: dict[str, Any] = {}
    prov = doc.setdefault("provenance", {})
    yearly_prov = prov.setdefault("yearly", {})
    answer_prov = prov.setdefault("policy_answers", {})
    for a in answers:
        source = a.source or "self_reported"
        if a.fiscal_year:
            row = doc["yearly"].setdefault(str(a.fiscal_year), {})
            if a.key not in row and a.value is not None:
                row[a.key] = a.value
                yearly_prov.setdefault(str(a.fiscal_year), {})[a.key] = source
        else:
            extra[a.key] = a.value
            answer_prov[a.key] = source
    doc["policy_answers"] = extra
    return doc


TIER_RESULTS = "tier_results."


def needs_tier_results(policies: Iterable[Policy]) -> bool:
    """Whether any policy reads a computed tier result (``{fact: tier_results.<tier>}``)."""
    return any(
        str((inp.source or {}).get("fact", "")).startswith(TIER_RESULTS)
        for p in policies
        for inp in p.rule_set.inputs.values()
    )


def with_tier_results(doc: dict[str, Any], as_of: date) -> dict[str, Any]:
    """Add ``tier_results`` — pass / fail / unknown per tier on ``as_of`` — evaluated by the criteria service
    (the same rule sets and regime selection as self-assessment), so a policy can require a tier result."""
    from srdi.criteria import service as criteria_service
    from srdi.criteria.enums import Purpose

    try:
        out = criteria_service.assess_facts(doc, as_of=as_of, purpose=Purpose.new_application)
    except AppError:
        return doc  # unusable facts: the tier results stay unknown, and the policy says what is missing
    # An undecided tier is an unknown input (three-valued logic), not the string "unknown".
    doc["tier_results"] = {t.tier: t.status for t in out.tiers if t.status != "unknown"}
    return doc


def enterprise_facts(
    db: Session, ent: Enterprise, as_of: date | None = None, policies: Iterable[Policy] = ()
) -> dict[str, Any]:
    doc = facts_with_answers(ent, repository.answers_of(db, [ent.id]))
    if as_of is not None and needs_tier_results(policies):
        with_tier_results(doc, as_of)
    return doc


def registry_frame(
    db: Session, policies: Sequence[Policy], as_of: date, region_prefixes: Sequence[str] | None
) -> RegistryFrame:
    ids = repository.enterprise_ids_in(db, region_prefixes)
    rows: list[dict[str, object]] = []
    keys: dict[str, list[Any]] = {"enterprise_id": [], "region_code": [], "uscc": []}
    names: dict[int, str] = {}
    errors: dict[int, str] = {}
    prov_of: dict[int, dict[str, dict[str, dict[str, Any]]]] = {}
    sets = [p.rule_set for p in policies]
    tiers = needs_tier_results(policies)
    for chunk in repository.iter_enterprise_chunks(db, ids):
        answers: dict[int, list[PolicyAnswer]] = {}
        for a in repository.answers_of(db, [e.id for e in chunk]):
            answers.setdefault(a.enterprise_id, []).append(a)
        for ent in chunk:
            names[ent.id] = ent.name
            try:
                doc = facts_with_answers(ent, answers.get(ent.id, []))
                if tiers:
                    with_tier_results(doc, as_of)
                out_of_range: dict[str, str] = {}
                variables = build_variables(doc, as_of, sets, out_of_range=out_of_range)
                prov_of[ent.id] = {
                    p.id: input_provenance(p, doc, as_of) for p in policies if p.provenance_required
                }
            except FactsError as exc:
                errors[ent.id] = (
                    f"登记数据无法读取：{exc}"  # one unusable record must not stop the evaluation
                )
                continue
            # A figure outside a policy's plausible bounds (a 1e25 answer) is set aside with the reason before
            # it reaches a batch column, where it would overflow the whole table.
            odd = [v["reason"] for p in policies for v in p.bound_violations(variables, out_of_range)]
            unbounded = set(out_of_range) - {k for p in policies for k in p.bounds}
            if unbounded:
                odd += [f"登记数据无法读取：{out_of_range[k]}" for k in sorted(unbounded)]
            if odd:
                errors[ent.id] = "；".join(dict.fromkeys(odd))
                continue
            rows.append(variables)
            keys["enterprise_id"].append(ent.id)
            keys["region_code"].append(ent.region_code)
            keys["uscc"].append(ent.uscc)
    table = _table_isolated(rows, sets, keys, errors)
    ids_done = keys["enterprise_id"]
    return RegistryFrame(
        table,
        names,
        errors,
        dict(zip(ids_done, rows, strict=True)),
        dict(zip(ids_done, keys["region_code"], strict=True)),
        dict(zip(ids_done, keys["uscc"], strict=True)),
        prov_of,
    )


def _table_isolated(
    rows: list[dict[str, object]], sets: Sequence[Any], keys: dict[str, list[Any]], errors: dict[int, str]
) -> pl.DataFrame:
    """The batch table; when one row cannot be stored in a column, find it, report it, build without it."""
    if not rows:
        return pl.DataFrame()
    try:
        return variables_table(rows, sets, keys=keys)
    except (TypeError, OverflowError, pl.exceptions.PolarsError) as exc:
        log.warning("batch table failed (%s); checking records one by one", exc)
    keep = []
    for i, row in enumerate(rows):
        one = {k: [v[i]] for k, v in keys.items()}
        try:
            variables_table([row], sets, keys=one)
            keep.append(i)
        except (TypeError, OverflowError, pl.exceptions.PolarsError):
            errors[int(keys["enterprise_id"][i])] = (
                "该企业数据超出可计算范围，无法比对，请核实其填报或登记数据"
            )
    rows[:] = [rows[i] for i in keep]
    for k in keys:
        keys[k] = [keys[k][i] for i in keep]
    return variables_table(rows, sets, keys=keys) if rows else pl.DataFrame()


def evaluate_registry(frame: RegistryFrame, policy: Policy, as_of: date) -> dict[int, tuple[str, int | None]]:
    """enterprise_id → (status, amount in fen) on the embedded batch executor."""
    if frame.table.height == 0:
        return {}
    out = evaluate_policies_frame(frame.table, [policy], as_of, key="enterprise_id")
    p = policy.id + "__"
    return {
        int(r["enterprise_id"]): (str(r[p + "status"]), r[p + "amount_fen"])
        for r in out.iter_rows(named=True)
    }


def sandbox(
    db: Session, version_id: int, *, as_of: date, scope_prefixes: Sequence[str] | None, sample: int = 20
) -> dict[str, Any]:
    """政策沙盘: the draft against the published version over the real registry (the caller's part of it)."""
    draft_row = get_version(db, version_id)
    check_region(scope_prefixes, draft_row)
    if draft_row.status != VersionStatus.draft:
        raise NotADraft(draft_row.id, draft_row.status)
    base_row = published_version(db, draft_row.policy_key)
    base, draft = policy_of(base_row), policy_of(draft_row)
    prefixes = list(draft.region_codes)
    if scope_prefixes is not None:
        prefixes = [p for p in prefixes if any(p.startswith(s) for s in scope_prefixes)] + [
            s for s in scope_prefixes if any(s.startswith(p) for p in draft.region_codes)
        ]
    frame = registry_frame(db, [base, draft], as_of, prefixes)
    before = evaluate_registry(frame, base, as_of)
    after = evaluate_registry(frame, draft, as_of)

    def side(res: Mapping[int, tuple[str, int | None]], pol: Policy) -> dict[str, Any]:
        counts = {s.value: 0 for s in MatchStatus}
        total = 0
        amounts: list[int] = []
        for status, amount in res.values():
            counts[status] += 1
            if status == MatchStatus.eligible and amount is not None:
                total += amount
                amounts.append(amount)
        funded = _funded(amounts, pol.budget_fen, pol.allocation_order)
        return {
            "counts": counts,
            "amount_fen": total,
            "budget_fen": pol.budget_fen,
            "funded": funded[0],
            "funded_fen": funded[1],
            "oversubscribed": pol.budget_fen is not None and total > pol.budget_fen,
        }

    gained, lost, changed = [], [], []
    for eid, (status, amount) in after.items():
        old_status, old_amount = before.get(eid, (MatchStatus.ineligible.value, None))
        entry = {
            "enterprise_id": eid,
            "name": frame.names.get(eid, ""),
            "before": old_status,
            "after": status,
            "amount_before_fen": old_amount,
            "amount_after_fen": amount,
        }
        if status == MatchStatus.eligible and old_status != MatchStatus.eligible:
            gained.append(entry)
        elif old_status == MatchStatus.eligible and status != MatchStatus.eligible:
            lost.append(entry)
        elif status == MatchStatus.eligible and amount != old_amount:
            changed.append(entry)
    b, d = side(before, base), side(after, draft)
    result = {
        "policy_key": draft_row.policy_key,
        "draft_version_id": draft_row.id,
        "published_version_id": base_row.id,
        "as_of": as_of.isoformat(),
        "enterprises": len(after),
        "data_errors": len(frame.errors),
        "before": b,
        "after": d,
        "gained": len(gained),
        "lost": len(lost),
        "amount_changed": len(changed),
        "delta_amount_fen": d["amount_fen"] - b["amount_fen"],
        "summary": (
            f"新增符合 {len(gained)} 家，不再符合 {len(lost)} 家，金额变化 {len(changed)} 家；"
            f"测算总额由 {format_wan(b['amount_fen'])} 变为 {format_wan(d['amount_fen'])}"
        ),
        "examples": (gained + lost + changed)[:sample],
    }
    draft_row.sandbox = result
    return result


def _funded(amounts: list[int], budget: int | None, order: str = "pro_rata") -> tuple[int, int]:
    """How many (and how much) the budget covers, allocated as a run would (auto_grant.service.allocate)."""
    from srdi.auto_grant.service import allocate

    shares = allocate(list(enumerate(amounts)), budget, order)
    paid = [a for a in shares.values() if a.status == "matched"]
    return len(paid), sum(a.amount_fen for a in paid)
