"""The provenance gate and the verification queue (PRODUCT C3, QUALITY S5): money rests only on vouched facts; a
self-reported value waits for an official to verify or reject it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Enterprise
from srdi.notification import service as notification_service
from srdi.policy import repository
from srdi.policy.enums import MatchStatus, VerificationStatus
from srdi.policy.exceptions import (
    VerificationClosed,
    VerificationNotFound,
)
from srdi.policy.models import (
    VerificationRequest,
)
from srdi.policy.service.answers import answer_entity_key, mark_dirty
from srdi.policy.service.library import published
from srdi.rules_engine.policy import (
    Assessment,
    Policy,
    provenance_trace,
)


def _claim(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def provenance_gate(
    db: Session,
    pol: Policy,
    enterprise_id: int,
    prov: Mapping[str, dict[str, Any]],
    a: Assessment,
    *,
    sync: bool = False,
    requests: Sequence[VerificationRequest] | None = None,
) -> dict[str, Any]:
    """Which inputs of an eligible decision lack the provenance the policy requires, and their queue state.

    ``state``: ``verified`` (every input vouched for: authoritative, or checked by an official for exactly this
    value), ``pending`` (待核验) or ``rejected`` (核验未通过). Only a 免申即享 run passes ``sync`` — money is decided
    there, on the run's as-of date: then the queue is brought in line (a new or changed claim opens a pending row,
    rows no longer needed go). 我的政策 only reads the queue, so a page viewed on another date never rewrites it.
    """
    entries = provenance_trace(pol, prov, a)
    if requests is None:  # a run passes them in, loaded once for the whole policy
        requests = repository.verification_requests_of(db, enterprise_id, pol.id)
    existing = {r.input_id: r for r in requests}
    state = VerificationStatus.verified.value
    needed: set[str] = set()
    for e in entries:
        if e["satisfied"]:
            continue
        req = existing.get(e["input_id"])
        claim = _claim(e["value"])
        if req is not None and req.claimed == claim and req.status == VerificationStatus.verified:
            e.update(satisfied=True, verified_by=req.decided_by, verified_note=req.note, request_id=req.id)
            continue
        needed.add(e["input_id"])
        if a.status != MatchStatus.eligible or not sync:
            if req is not None and req.claimed == claim:
                e["request_id"] = req.id
                e["request_status"] = req.status
                if req.status == VerificationStatus.rejected:
                    e["rejected_reason"] = req.note
            continue
        if req is None:
            req = VerificationRequest(enterprise_id=enterprise_id, policy_key=pol.id, input_id=e["input_id"])
            db.add(req)
        if req.claimed != claim:
            req.status, req.decided_by, req.decided_at, req.note, req.evidence = (
                VerificationStatus.pending.value, None, None, None, None,
            )  # fmt: skip
        req.input_label, req.value_type, req.claimed = e["label"], e["type"], claim
        req.claimed_shown, req.provenance, req.target = e["shown"], list(e["provenance"]), dict(e["target"])
        db.flush()
        e["request_id"], e["request_status"] = req.id, req.status
        if req.status == VerificationStatus.rejected:
            e["rejected_reason"] = req.note
    for e in entries:
        if e["satisfied"]:
            continue
        if e.get("request_status") == VerificationStatus.rejected:
            state = VerificationStatus.rejected.value
        elif state != VerificationStatus.rejected:
            state = VerificationStatus.pending.value
    if sync and a.status == MatchStatus.eligible:
        for name, req in existing.items():
            if name not in needed and req.status == VerificationStatus.pending:
                db.delete(req)  # the input is now vouched for (or no longer used): nothing left to check
    return {"inputs": entries, "state": state}


def requests_by_enterprise(db: Session, policy_key: str) -> dict[int, list[VerificationRequest]]:
    """Every verification request of a policy, by enterprise (one query for a whole run)."""
    out: dict[int, list[VerificationRequest]] = {}
    for req in repository.requests_of_policy(db, policy_key):
        out.setdefault(req.enterprise_id, []).append(req)
    return out


def clear_stale_requests(db: Session, policy_key: str, held: Iterable[int]) -> int:
    """After a run: pending requests of enterprises the run no longer holds 待核验 (no longer eligible, or now
    vouched for) leave the queue. Decided requests stay: they are the record of who checked what."""
    keep = set(held)
    n = 0
    for req in repository.pending_requests_of_policy(db, policy_key):
        if req.enterprise_id not in keep:
            db.delete(req)
            n += 1
    return n


def verification_queue(
    db: Session, scope_prefixes: Sequence[str] | None, status: str | None
) -> list[dict[str, Any]]:
    titles = {v.policy_key: pol.title for v, pol in published(db)}
    out = []
    for req, ent in repository.verification_queue(db, scope_prefixes, status):
        out.append(verification_out(req, ent.name, ent.uscc, ent.region_code, titles.get(req.policy_key)))
    return out


def verification_out(
    req: VerificationRequest, name: str, uscc: str, region_code: str, title: str | None
) -> dict[str, Any]:
    from srdi.enterprise.enums import provenance_label

    claimed = json.loads(req.claimed)
    return {
        "id": req.id,
        "enterprise_id": req.enterprise_id,
        "enterprise_name": name,
        "uscc": uscc,
        "region_code": region_code,
        "policy_key": req.policy_key,
        "policy_title": title or req.policy_key,
        "input_id": req.input_id,
        "input_label": req.input_label,
        "value_type": req.value_type,
        # money is held in fen by the engine; the API speaks yuan
        "claimed_yuan": format_yuan(claimed)
        if req.value_type == "money" and isinstance(claimed, int)
        else None,
        "claimed_shown": req.claimed_shown,
        "provenance": list(req.provenance or []),
        "provenance_labels": [provenance_label(k) or k for k in (req.provenance or [])],
        "status": req.status,
        "status_label": VerificationStatus(req.status).label,
        "created_at": req.created_at,
        "decided_by": req.decided_by,
        "decided_at": req.decided_at,
        "note": req.note,
        "evidence": req.evidence,
    }


def format_yuan(fen: int) -> str:
    from srdi.kit.money import fen_to_yuan

    return str(fen_to_yuan(fen))


def get_request(
    db: Session, request_id: int, scope_prefixes: Sequence[str] | None
) -> tuple[VerificationRequest, Enterprise]:
    """The request if its enterprise lies in the caller's region; otherwise 404, as if it did not exist."""
    req = db.get(VerificationRequest, request_id)
    if req is None:
        raise VerificationNotFound(request_id)
    ent = enterprise_service.get_or_404(db, req.enterprise_id)
    if scope_prefixes is not None and not any(ent.region_code.startswith(p) for p in scope_prefixes):
        raise VerificationNotFound(request_id)
    return req, ent


def _same_claims(db: Session, req: VerificationRequest) -> list[VerificationRequest]:
    """Other pending requests about the same stored value and claim (one answer read by two policies, e.g. an
    application and its 免申即享 run): one check of the value decides them all."""
    return [
        r
        for r in repository.pending_requests_of_enterprise(db, req.enterprise_id)
        if r.id != req.id and r.target == req.target and r.claimed == req.claimed
    ]


def _open(req: VerificationRequest) -> None:
    if req.status != VerificationStatus.pending:
        raise VerificationClosed(VerificationStatus(req.status).label)


def verify(
    db: Session,
    request_id: int,
    *,
    actor: str,
    note: str,
    evidence: str | None,
    scope_prefixes: Sequence[str] | None,
) -> VerificationRequest:
    """An official checked the claimed value: it becomes ``verified`` (who, when, note, evidence in its history)."""
    from srdi.db.base import utcnow
    from srdi.enterprise.models import YEARLY_FIGURES

    req, ent = get_request(db, request_id, scope_prefixes)
    _open(req)
    target = req.target or {}
    kind = target.get("kind")
    if kind == "yearly" and target.get("figure") in YEARLY_FIGURES:
        for year in target.get("fiscal_years", []):
            enterprise_service.verify_yearly(
                db, ent, str(target["figure"]), int(year), actor=actor, note=note, evidence=evidence
            )
    elif kind in ("yearly", "answer"):
        key = str(target.get("figure") or target.get("key"))
        for year in target.get("fiscal_years", [0]):
            row = repository.answer(db, ent.id, key, int(year))
            if row is None:
                continue
            old_source, row.source = row.source, "verified"
            enterprise_service.log_change(
                db, ent.id, entity="policy_answer", entity_key=answer_entity_key(key, int(year)), field=key,
                old=row.value, new=row.value, source="verified", actor=actor,
                note=note or f"核验（原来源：{old_source}）", evidence=evidence,
            )  # fmt: skip
    elif kind == "records":
        enterprise_service.verify_records(
            db, ent, str(target.get("list")), [int(i) for i in target.get("ids", [])],
            actor=actor, note=note, evidence=evidence,
        )  # fmt: skip
    else:  # a profile field or a computed result: the check is recorded in the value's history
        enterprise_service.log_change(
            db, ent.id, entity="enterprise", entity_key=None, field=str(target.get("field", req.input_id)),
            old=req.claimed_shown, new=req.claimed_shown, source="verified", actor=actor, note=note,
            evidence=evidence,
        )  # fmt: skip
    now = utcnow()
    for r in (req, *_same_claims(db, req)):
        r.status, r.decided_by, r.decided_at = VerificationStatus.verified.value, actor, now
        r.note, r.evidence = note if r is req else f"{note}（同一数值，见核验事项 {req.id}）", evidence
    mark_dirty(db, [ent.id])
    db.flush()
    return req


def reject(
    db: Session, request_id: int, *, actor: str, reason: str, scope_prefixes: Sequence[str] | None
) -> VerificationRequest:
    """The claim does not hold: nothing is paid on it; the reason is kept and shown to the enterprise."""
    from srdi.db.base import utcnow

    req, ent = get_request(db, request_id, scope_prefixes)
    _open(req)
    target = req.target or {}
    enterprise_service.record_rejection(
        db, ent.id, entity=str(target.get("kind", "value")), entity_key=req.input_id,
        field=str(target.get("figure") or target.get("key") or target.get("field") or req.input_id),
        value=req.claimed_shown, source=",".join(req.provenance or []), actor=actor, reason=reason,
    )  # fmt: skip
    now = utcnow()
    for r in (req, *_same_claims(db, req)):
        r.status, r.decided_by, r.decided_at = VerificationStatus.rejected.value, actor, now
        r.note = reason
    mark_dirty(db, [ent.id])
    notification_service.notify(
        db,
        ent.id,
        kind="verification_rejected",
        title=f"核验未通过：{req.input_label}",
        body=f"您填报的“{req.input_label}”（{req.claimed_shown}）未通过核验：{reason}",
        link="/my/policies",
        dedupe_key=f"verification:{req.id}:rejected:{hashlib.sha256(req.claimed.encode()).hexdigest()[:16]}",
    )
    db.flush()
    return req
