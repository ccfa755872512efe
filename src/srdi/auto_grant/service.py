"""免申即享, the Guangzhou flow: 数据比对 (match) → 意愿确认 (consent) → 拨付 (disburse) → 公示归档 (publish).

Guarantees (QUALITY R3, R4):
- one grant per (policy, period, enterprise) — a unique constraint, so a re-run updates, never duplicates;
- one disbursement per grant — created only by the conditional UPDATE matched → consented, and a unique
  constraint on ``disbursement.grant_id`` besides;
- every long step works in chunks that each commit their progress; a killed process resumes where it stopped
  and re-applying a chunk changes nothing.
Every transition is checked against ``enums.TRANSITIONS`` and writes a ``GrantEvent``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from srdi.auto_grant import repository
from srdi.auto_grant.enums import (
    LOCKED,
    TRANSITIONS,
    ContestStatus,
    DisbursementStatus,
    GrantStatus,
    RunStatus,
)
from srdi.auto_grant.exceptions import (
    BadAccount,
    BatchNotFound,
    ContestClosed,
    ContestNotFound,
    ExecutorsDisagree,
    GrantNotFound,
    NotAutoGrant,
    RunNotFound,
    TransitionNotAllowed,
)
from srdi.auto_grant.models import Contest, Disbursement, DisbursementBatch, Grant, GrantEvent, GrantRun
from srdi.db.base import utcnow
from srdi.kit.money import fen_to_yuan, format_wan
from srdi.kit.spreadsheet import digits_as_text, neutralise
from srdi.policy import service as policy_service
from srdi.rules_engine.policy import ELIGIBLE, Policy, assess_variables

CHUNK = 200
Commit = Callable[[], None]


def _no_commit() -> None:
    return None


# --- reads for the router (it reaches the repository only through here) ----------------------------------

runs = repository.runs
run_grants = repository.run_grants
grants_of_enterprise = repository.grants_of_enterprise
events_of = repository.events_of
disbursement_of = repository.disbursement_of
contests = repository.contests
batches = repository.batches


# --- state machine -----------------------------------------------------------------------------------------


def transition(
    db: Session, grant: Grant, to: GrantStatus, *, actor: str, reason: str, run_id: int | None = None
) -> None:
    current = GrantStatus(grant.status) if grant.status else None
    if to not in TRANSITIONS[current]:
        raise TransitionNotAllowed(str(current), to.value, current.label if current else "新建")
    db.add(
        GrantEvent(
            grant_id=grant.id,
            from_status=current.value if current else None,
            to_status=to.value,
            actor=actor,
            reason=reason,
            run_id=run_id,
        )
    )
    grant.status = to.value


# --- 数据比对 -------------------------------------------------------------------------------------------------


def _auto_policy(db: Session, policy_key: str) -> tuple[Any, Policy]:
    version = policy_service.published_version(db, policy_key)
    pol = policy_service.policy_of(version)
    if pol.mode != "auto_grant" or not pol.monetary:
        raise NotAutoGrant(policy_key)
    return version, pol


def create_run(
    db: Session, policy_key: str, as_of: date, *, actor: str, scope_prefixes: Sequence[str] | None
) -> GrantRun:
    """Open a run (or return the unfinished one for the same policy and period: it will be resumed)."""
    version, pol = _auto_policy(db, policy_key)
    policy_service.check_region(scope_prefixes, pol)
    period = pol.period_key(as_of)
    existing = repository.open_run(db, policy_key, period)
    if existing is not None:
        return existing
    run = GrantRun(
        policy_key=policy_key,
        policy_version_id=version.id,
        period=period,
        as_of_date=as_of,
        status=RunStatus.running,
        budget_fen=pol.budget_fen,
        allocation_order=pol.allocation_order,
        actor=actor,
        summary={},
    )
    db.add(run)
    db.flush()
    return run


@dataclass
class Decision:
    enterprise_id: int
    status: GrantStatus  # matched | waitlisted | withdrawn
    amount_fen: int
    rank: int
    trace: dict[str, Any]
    reason: str


def decide(db: Session, run: GrantRun) -> tuple[list[Decision], dict[str, Any]]:
    """The whole allocation for a run, deterministic for the same data: batch match, trace check, budget order."""
    version = policy_service.get_version(db, run.policy_version_id)
    pol = policy_service.policy_of(version)
    frame = policy_service.registry_frame(db, [pol], run.as_of_date, list(pol.region_codes))
    batch = policy_service.evaluate_registry(frame, pol, run.as_of_date)
    existing = {g.enterprise_id: g for g in repository.grants_for(db, run.policy_key, run.period)}
    candidates: list[tuple[int, int, dict[str, Any]]] = []
    counts = {
        "eligible": 0,
        "unknown": 0,
        "ineligible": 0,
        "zero_amount": 0,
        "data_errors": len(frame.errors),
    }
    for eid, (status, amount) in sorted(batch.items()):
        counts[status] += 1
        if status != ELIGIBLE:
            continue
        # The embedded batch decided; the trace interpreter explains — and must agree (ARCHITECTURE §6).
        a = assess_variables(pol, frame.variables[eid], run.as_of_date, region_code=frame.regions[eid])
        if a.status != status or a.amount_fen != amount:
            raise ExecutorsDisagree(eid)
        if not amount:
            counts["zero_amount"] += 1
            continue
        candidates.append((eid, amount, a.as_dict()))
    usccs = frame.usccs
    order = run.allocation_order
    if order == "amount_desc":
        candidates.sort(key=lambda c: (-c[1], usccs[c[0]]))
    elif order == "amount_asc":
        candidates.sort(key=lambda c: (c[1], usccs[c[0]]))
    else:
        candidates.sort(key=lambda c: usccs[c[0]])
    # Money already promised (confirmed or paid) is counted first and never taken back.
    committed = sum(
        g.amount_fen for g in existing.values() if g.status in LOCKED and g.status != GrantStatus.declined
    )
    remaining = None if run.budget_fen is None else run.budget_fen - committed
    decisions: list[Decision] = []
    budget_closed = False
    for rank, (eid, amount, trace) in enumerate(candidates, start=1):
        g = existing.get(eid)
        if g is not None and g.status in LOCKED:
            continue
        if remaining is not None and (budget_closed or amount > remaining):
            # Stated order: once one enterprise cannot be paid in full, it and every later one wait.
            budget_closed = True
            decisions.append(
                Decision(eid, GrantStatus.waitlisted, amount, rank, trace, "预算不足，按排序列入候补")
            )
            continue
        if remaining is not None:
            remaining -= amount
        decisions.append(Decision(eid, GrantStatus.matched, amount, rank, trace, "数据比对符合条件"))
    eligible_ids = {c[0] for c in candidates}
    for eid, g in sorted(existing.items()):
        if eid not in eligible_ids and g.status in (GrantStatus.matched, GrantStatus.waitlisted):
            trace = {"batch_status": batch.get(eid, ("ineligible", None))[0]}
            decisions.append(
                Decision(eid, GrantStatus.withdrawn, g.amount_fen, g.rank, trace, "重新比对不再符合条件")
            )
    info = {"counts": counts, "committed_fen": committed, "candidates": len(candidates)}
    return decisions, info


def apply_decisions(db: Session, run: GrantRun, decisions: Sequence[Decision], pol: Policy) -> dict[str, int]:
    """Bring grants in line with decisions; changes only what differs (so re-applying is a no-op)."""
    existing = {g.enterprise_id: g for g in repository.grants_for(db, run.policy_key, run.period)}
    changes = {"new": 0, "amount_changed": 0, "status_changed": 0, "withdrawn": 0, "unchanged": 0}
    for d in decisions:
        g = existing.get(d.enterprise_id)
        if g is None:
            g = Grant(
                policy_key=run.policy_key,
                period=run.period,
                enterprise_id=d.enterprise_id,
                policy_version_id=run.policy_version_id,
                run_id=run.id,
                status=d.status.value,
                amount_fen=d.amount_fen,
                rank=d.rank,
                trace=d.trace,
                rule_hash=pol.rule_set.content_hash,
            )
            assert d.status in TRANSITIONS[None]
            db.add(g)
            db.flush()
            db.add(
                GrantEvent(
                    grant_id=g.id,
                    from_status=None,
                    to_status=d.status.value,
                    actor=run.actor,
                    reason=d.reason,
                    run_id=run.id,
                )
            )
            changes["new"] += 1
            _notify(db, g, pol)
            continue
        touched = False
        if g.amount_fen != d.amount_fen and d.status != GrantStatus.withdrawn:
            db.add(
                GrantEvent(
                    grant_id=g.id,
                    from_status=g.status,
                    to_status=g.status,
                    actor=run.actor,
                    reason=f"重新比对金额变化：{format_wan(g.amount_fen)} → {format_wan(d.amount_fen)}",
                    run_id=run.id,
                )
            )
            g.amount_fen = d.amount_fen
            changes["amount_changed"] += 1
            touched = True
        if g.status != d.status:
            transition(db, g, d.status, actor=run.actor, reason=d.reason, run_id=run.id)
            changes["withdrawn" if d.status == GrantStatus.withdrawn else "status_changed"] += 1
            touched = True
            if d.status == GrantStatus.matched:
                _notify(db, g, pol)
        if d.status != GrantStatus.withdrawn:
            g.rank, g.trace, g.rule_hash = d.rank, d.trace, pol.rule_set.content_hash
        g.run_id, g.policy_version_id = run.id, run.policy_version_id
        if not touched:
            changes["unchanged"] += 1
    db.flush()
    return changes


def _notify(db: Session, g: Grant, pol: Policy) -> None:
    if g.status != GrantStatus.matched:
        return
    policy_service.notify(
        db,
        g.enterprise_id,
        kind="grant_consent",
        title=f"免申即享待确认：{pol.title}",
        body=f"经数据比对，您可享受 {format_wan(g.amount_fen)}，无需申请；请确认意愿并填写收款账户。",
        link=f"/my/grants#{g.id}",
        dedupe_key=f"grant:{g.id}:matched",
    )


def execute_run(
    db: Session,
    run: GrantRun,
    *,
    commit: Commit = _no_commit,
    on_progress: Callable[[GrantRun], None] | None = None,
    chunk: int = CHUNK,
) -> GrantRun:
    """Run (or resume) 数据比对: decisions are recomputed, chunks already applied are skipped."""
    version = policy_service.get_version(db, run.policy_version_id)
    pol = policy_service.policy_of(version)
    decisions, info = decide(db, run)
    run.total = len(decisions)
    summary: dict[str, Any] = dict(run.summary or {})
    totals: dict[str, int] = dict(summary.get("changes", {}))
    summary.update(info)
    run.summary = summary
    commit()
    start = min(run.processed, len(decisions))
    for i in range(start, len(decisions), chunk):
        part = decisions[i : i + chunk]
        changes = apply_decisions(db, run, part, pol)
        for k, v in changes.items():
            totals[k] = totals.get(k, 0) + v
        run.processed = i + len(part)
        run.summary = {**summary, "changes": totals}
        commit()
        if on_progress:
            on_progress(run)
    grants = repository.grants_for(db, run.policy_key, run.period)
    by_status: dict[str, int] = {}
    amount_by_status: dict[str, int] = {}
    for g in grants:
        by_status[g.status] = by_status.get(g.status, 0) + 1
        amount_by_status[g.status] = amount_by_status.get(g.status, 0) + g.amount_fen
    run.summary = {**summary, "changes": totals, "by_status": by_status, "amount_by_status": amount_by_status}
    run.status = RunStatus.done
    run.finished_at = utcnow()
    commit()
    return run


def get_run(db: Session, run_id: int) -> GrantRun:
    run = db.get(GrantRun, run_id)
    if run is None:
        raise RunNotFound(run_id)
    return run


# --- 意愿确认 -------------------------------------------------------------------------------------------------

_ACCOUNT = re.compile(r"^[0-9]{8,30}$")


def get_grant(db: Session, grant_id: int, enterprise_ids: Sequence[int] | None = None) -> Grant:
    g = db.get(Grant, grant_id)
    if g is None or (enterprise_ids is not None and g.enterprise_id not in enterprise_ids):
        raise GrantNotFound(grant_id)
    return g


def consent(
    db: Session,
    grant_id: int,
    *,
    bank_name: str,
    account_name: str,
    bank_account: str,
    actor: str,
    enterprise_ids: Sequence[int] | None,
) -> tuple[Grant, bool]:
    """Confirm a matched grant. Returns (grant, created): concurrent or repeated confirmations create exactly one
    disbursement — the conditional UPDATE lets one transaction win; the others see it already confirmed."""
    account = re.sub(r"[\s-]", "", bank_account)
    if not _ACCOUNT.match(account):
        raise BadAccount()
    g = get_grant(db, grant_id, enterprise_ids)
    now = utcnow()
    res = db.execute(
        update(Grant)
        .where(Grant.id == grant_id, Grant.status == GrantStatus.matched.value)
        .values(
            status=GrantStatus.consented.value,
            bank_name=bank_name.strip(),
            account_name=account_name.strip(),
            bank_account=account,
            consented_by=actor,
            consented_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        db.refresh(g)
        if g.status in (GrantStatus.consented, GrantStatus.disbursed, GrantStatus.published):
            return g, False
        current = GrantStatus(g.status)
        raise TransitionNotAllowed(current.value, GrantStatus.consented.value, current.label)
    db.add(
        GrantEvent(
            grant_id=g.id,
            from_status=GrantStatus.matched.value,
            to_status=GrantStatus.consented.value,
            actor=actor,
            reason="企业确认意愿并提供收款账户",
        )
    )
    db.add(Disbursement(grant_id=g.id, amount_fen=g.amount_fen, status=DisbursementStatus.pending))
    db.flush()
    db.refresh(g)
    return g, True


def decline(
    db: Session, grant_id: int, *, reason: str, actor: str, enterprise_ids: Sequence[int] | None
) -> Grant:
    g = get_grant(db, grant_id, enterprise_ids)
    transition(db, g, GrantStatus.declined, actor=actor, reason=reason or "企业放弃")
    db.flush()
    return g


# --- 拨付 ---------------------------------------------------------------------------------------------------


def disburse(
    db: Session,
    policy_key: str,
    period: str,
    *,
    actor: str,
    commit: Commit = _no_commit,
    on_progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> DisbursementBatch:
    """Put every pending disbursement of (policy, period) into one export batch, chunk by chunk.

    A batch left open by a killed process is continued, so each disbursement lands in exactly one batch.
    """
    batch = repository.open_batch(db, policy_key, period)
    if batch is None and not repository.pending_disbursements(db, policy_key, period, 1):
        # Nothing new to pay: hand back the last batch (a restarted export re-writes the same file).
        last = repository.last_batch(db, policy_key, period)
        if last is not None:
            return last
    if batch is None:
        batch = DisbursementBatch(policy_key=policy_key, period=period, created_by=actor)
        db.add(batch)
        db.flush()
        commit()
    while True:
        rows = repository.pending_disbursements(db, policy_key, period, chunk)
        if not rows:
            break
        now = utcnow()
        for d, g in rows:
            d.batch_id, d.status, d.exported_at = batch.id, DisbursementStatus.exported, now
            transition(db, g, GrantStatus.disbursed, actor=actor, reason=f"列入拨付批次 {batch.id}")
            batch.count += 1
            batch.total_fen += d.amount_fen
        db.flush()
        commit()
        if on_progress:
            on_progress(batch.count)
    batch.status = "closed"
    batch.closed_at = utcnow()
    db.flush()
    commit()
    return batch


def get_batch(db: Session, batch_id: int) -> DisbursementBatch:
    b = db.get(DisbursementBatch, batch_id)
    if b is None:
        raise BatchNotFound(batch_id)
    return b


EXPORT_HEADER = [
    "序号",
    "统一社会信用代码",
    "企业名称",
    "开户银行",
    "账户名称",
    "银行账号",
    "金额（元）",
    "政策",
    "期间",
    "事项编号",
]


def export_csv(db: Session, batch_id: int) -> str:
    """The finance system's file: full account numbers (the export is audited by the caller).

    Enterprise-supplied text is neutralised and account numbers are written as text (srdi.kit.spreadsheet): the
    file is opened in a spreadsheet before it is loaded into the finance system.
    """
    batch = get_batch(db, batch_id)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(EXPORT_HEADER)
    for i, (d, g, e) in enumerate(repository.batch_rows(db, batch.id), start=1):
        w.writerow(
            [
                i,
                e.uscc,
                neutralise(e.name),
                neutralise(g.bank_name),
                neutralise(g.account_name),
                digits_as_text(g.bank_account),
                str(fen_to_yuan(d.amount_fen)),
                batch.policy_key,
                batch.period,
                g.id,
            ]
        )
    return out.getvalue()


# --- 公示归档 -------------------------------------------------------------------------------------------------


def publish(db: Session, policy_key: str, period: str, *, actor: str) -> list[Grant]:
    done = []
    for g in repository.grants_for(db, policy_key, period):
        if g.status == GrantStatus.disbursed:
            transition(db, g, GrantStatus.published, actor=actor, reason="公示归档")
            g.published_at = utcnow()
            done.append(g)
    db.flush()
    return done


# --- contests -------------------------------------------------------------------------------------------------


def contest(
    db: Session,
    *,
    enterprise_id: int,
    policy_key: str,
    grant_id: int | None,
    reason: str,
    trace: Mapping[str, Any],
    actor: str,
) -> Contest:
    row = Contest(
        enterprise_id=enterprise_id,
        policy_key=policy_key,
        grant_id=grant_id,
        reason=reason,
        trace=dict(trace),
        status=ContestStatus.open,
        created_by=actor,
    )
    db.add(row)
    db.flush()
    return row


def resolve_contest(db: Session, contest_id: int, *, upheld: bool, response: str, actor: str) -> Contest:
    row = db.get(Contest, contest_id)
    if row is None:
        raise ContestNotFound(contest_id)
    if row.status != ContestStatus.open:
        raise ContestClosed()
    row.status = ContestStatus.upheld if upheld else ContestStatus.rejected
    row.response, row.handled_by, row.handled_at = response, actor, utcnow()
    policy_service.notify(
        db,
        row.enterprise_id,
        kind="contest_resolved",
        title="您的异议已处理：" + ContestStatus(row.status).label,
        body=response,
        link="/my/policies",
        dedupe_key=f"contest:{row.id}:resolved",
    )
    db.flush()
    return row
