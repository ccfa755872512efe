"""Precise push (精准推送): which published policies an enterprise qualifies for, may qualify for, or not, and why;
recomputed when its inputs change, a new match announced once in the inbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Enterprise
from srdi.kit.money import format_wan
from srdi.notification import service as notification_service
from srdi.policy import repository
from srdi.policy.enums import MatchStatus, VerificationStatus
from srdi.policy.models import (
    PolicyMatch,
    PolicyVersion,
    PushState,
)
from srdi.policy.service.drafts import enterprise_facts
from srdi.policy.service.library import published, stable_hash
from srdi.policy.service.verification import provenance_gate
from srdi.rules_engine.errors import FactsError
from srdi.rules_engine.policy import (
    Assessment,
    Policy,
    assess,
    input_provenance,
)


def _input_hash(facts: Mapping[str, Any], versions: Sequence[PolicyVersion], as_of: date) -> str:
    payload = {
        "facts": facts,
        "policies": sorted((v.policy_key, v.content_hash) for v in versions),
        "as_of": as_of.isoformat(),
    }
    return stable_hash(payload)


def compute_push(db: Session, ent: Enterprise, as_of: date, *, force: bool = False) -> list[PolicyMatch]:
    """Evaluate every published policy for one enterprise; store results; notify new matches.

    Recomputes only when the facts, the published policies or the date changed (input hash) or the state is
    marked dirty, so reading the page is cheap and a change anywhere is never missed.
    """
    from srdi.db.base import utcnow

    pubs = published(db)
    facts = enterprise_facts(db, ent, as_of, [p for _, p in pubs])
    digest = _input_hash(facts, [v for v, _ in pubs], as_of)
    state = repository.push_state(db, ent.id)
    if state is not None and not state.dirty and state.input_hash == digest and not force:
        return repository.matches_of(db, ent.id)
    existing = {m.policy_key: m for m in repository.matches_of(db, ent.id)}
    live = set()
    for version, pol in pubs:
        live.add(version.policy_key)
        try:
            a = assess(pol, facts, as_of)
        except FactsError as exc:
            a = None
            error = str(exc)
        row = existing.get(version.policy_key)
        if row is None:
            row = PolicyMatch(enterprise_id=ent.id, policy_key=version.policy_key)
            db.add(row)
        previous = row.status
        row.policy_version_id = version.id
        row.as_of_date = as_of
        row.computed_at = utcnow()
        if a is None:
            row.status, row.amount_fen = MatchStatus.unknown, None
            row.reasons, row.missing_inputs = [f"企业数据有误：{error}"], []
            row.assessment = {"data_error": error}
            continue
        row.status = a.status
        row.amount_fen = a.amount_fen
        row.reasons = a.reasons
        row.missing_inputs = a.missing_inputs + [m for m in a.amount_missing if m not in a.missing_inputs]
        row.assessment = a.as_dict()
        if pol.provenance_required:
            # A policy no 免申即享 run decides (申请 / 告知承诺) is read only here: its claims join the verification
            # queue from here (decision 0032-interest-subsidy-verified-interest); a 免申即享 claim from its run.
            gate = provenance_gate(
                db, pol, ent.id, input_provenance(pol, facts, as_of), a, sync=pol.mode != "auto_grant"
            )
            row.assessment = {**row.assessment, "provenance": gate["inputs"], "verification": gate["state"]}
        if a.status == MatchStatus.eligible and previous != MatchStatus.eligible:
            _notify_match(db, ent.id, version, pol, a)
    for key, row in existing.items():
        if key not in live:
            db.delete(row)
    if state is None:
        state = PushState(enterprise_id=ent.id)
        db.add(state)
    state.dirty, state.input_hash, state.computed_at = False, digest, utcnow()
    db.flush()
    return [m for m in repository.matches_of(db, ent.id)]


def _notify_match(
    db: Session, enterprise_id: int, version: PolicyVersion, pol: Policy, a: Assessment
) -> None:
    amount = ""
    if a.amount_fen is not None:
        amount = f"，预计{'最高' if pol.amount_is_maximum else ''} {format_wan(a.amount_fen)}"
    how = {"auto_grant": "免申即享，无需申请", "application": "可申请", "commitment": "告知承诺办理"}[
        pol.mode
    ]
    notification_service.notify(
        db,
        enterprise_id,
        kind="policy_match",
        title=f"您符合政策：{pol.title}",
        body=f"{pol.benefit_description}{amount}（{how}）。",
        link=f"/my/policies#{version.policy_key}",
        dedupe_key=f"policy_match:{version.policy_key}:v{version.version}",
    )


def refresh_dirty(db: Session, as_of: date, *, limit: int = 500) -> int:
    """Background sweep: recompute the enterprises whose push results are marked stale."""
    ids = repository.dirty_enterprise_ids(db, limit)
    for ent in enterprise_service.with_facts(db, ids):
        compute_push(db, ent, as_of, force=True)
    return len(ids)


def my_policies(db: Session, ent: Enterprise, as_of: date) -> dict[str, Any]:
    matches = compute_push(db, ent, as_of)
    versions = {v.id: (v, pol) for v, pol in published(db)}
    groups: dict[str, list[dict[str, Any]]] = {s.value: [] for s in MatchStatus}
    for m in matches:
        v, pol = versions.get(m.policy_version_id, (None, None))
        if v is None or pol is None:
            continue
        groups[m.status].append(match_out(m, v, pol))
    for items in groups.values():
        items.sort(key=lambda d: (-(d["amount_fen"] or 0), d["policy_key"]))
    total = sum(d["amount_fen"] or 0 for d in groups[MatchStatus.eligible])
    return {
        "as_of": as_of.isoformat(),
        "eligible": groups[MatchStatus.eligible],
        "unknown": groups[MatchStatus.unknown],
        "ineligible": groups[MatchStatus.ineligible],
        "eligible_amount_fen": total,
    }


def match_out(m: PolicyMatch, v: PolicyVersion, pol: Policy) -> dict[str, Any]:
    state = (m.assessment or {}).get("verification")
    return {
        "verification_status": state if m.status == MatchStatus.eligible else None,
        "verification_label": VerificationStatus(state).label
        if m.status == MatchStatus.eligible and state in {v.value for v in VerificationStatus}
        else None,
        "provenance": (m.assessment or {}).get("provenance", []),
        "policy_key": m.policy_key,
        "version_id": v.id,
        "title": pol.title,
        "mode": pol.mode,
        "status": m.status,
        "amount_fen": m.amount_fen,
        "amount_is_maximum": pol.amount_is_maximum,
        "unit": pol.unit,
        "benefit_description": pol.benefit_description,
        "reasons": m.reasons,
        "missing_inputs": m.missing_inputs,
        "departments": list(pol.departments),
        "source": pol.source,
        "review_checks": list(pol.review_checks),
        "amount_rule": pol.amount_rule_text(),
        "policy_status": pol.status,
        "unverified": unverified_labels(pol),
        "payment_deadline_days": pol.payment_deadline_days,
        "assessment": m.assessment,
    }


def unverified_labels(pol: Policy) -> list[str]:
    """Each 待核实 choice in words: what it is (parameter label, or the allocation/budget …) and why."""
    what = {p.id: p.label for p in pol.parameters}
    what.update({"allocation": "预算不足时的安排方式", "budget": "预算", "payment_deadline": "拨付时限"})
    what.update({"mode": "兑现方式", "period": "享受频次"})
    return [f"{what.get(k, k)}：{v}" for k, v in pol.unverified.items()]
