"""免申即享, the Guangzhou flow: 数据比对 (match) → 意愿确认 (consent) → 拨付 (disburse) → 公示归档 (publish).

Guarantees (QUALITY R3, R4):
- one grant per (policy, period, enterprise) — a unique constraint, so a re-run updates, never duplicates;
- one disbursement per grant — created only by the conditional UPDATE matched → consented, and a unique
  constraint on ``disbursement.grant_id`` besides;
- every long step works in chunks that each commit their progress; a killed process resumes where it stopped
  and re-applying a chunk changes nothing;
- a run is owned by one process at a time (a lease, ``srdi.kit.leases``): the owner renews it with every chunk
  and loses the run if another process took it over, so two workers never apply one run;
- the summary is counted from the rows (grants and their events), never in memory, so a resumed run reports
  what the run as a whole changed.
Every transition is checked against ``enums.TRANSITIONS`` and writes a ``GrantEvent``.

Fault points (``srdi.kit.faults``; the full list with the import's is ``srdi.recovery.FAULT_POINTS``):
``grant.before_start`` (in the command and the background task), ``grant.before_commit`` (a chunk applied, not committed), ``grant.after_chunk`` (a chunk committed),
``grant.before_finish`` (every chunk committed, the summary and ``done`` not), ``grant.after_finish``,
``grant.export.before_commit``, ``grant.export.after_chunk``, ``grant.export.after_close``,
``grant.export.mid_file``.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from srdi.appeal import service as appeal_service
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
    RunLeaseLost,
    RunNotFound,
    TransitionNotAllowed,
)
from srdi.auto_grant.models import Contest, Disbursement, DisbursementBatch, Grant, GrantEvent, GrantRun
from srdi.db.base import utcnow
from srdi.kit import leases
from srdi.kit.faults import fault_point
from srdi.kit.money import fen_to_yuan, format_wan
from srdi.kit.spreadsheet import digits_as_text, neutralise
from srdi.kit.workdays import BEIJING, CalendarYearMissing, WorkdayCalendar, beijing_today
from srdi.notification import service as notification_service
from srdi.policy import service as policy_service
from srdi.policy.enums import VersionStatus
from srdi.rules_engine.policy import ALLOCATION_LABELS, ELIGIBLE, Policy, assess_variables

log = logging.getLogger(__name__)

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
run_grants_page = repository.run_grants_page
contests_page = repository.contests_page


def _overlaps(codes: Sequence[str], prefixes: Sequence[str]) -> bool:
    return any(code.startswith(p) or p.startswith(code) for code in codes for p in prefixes)


def runs_page(
    db: Session, region_prefixes: Sequence[str] | None, page: int, page_size: int
) -> tuple[list[GrantRun], int]:
    """The runs an official may see — over a policy whose regions overlap theirs — as one page in SQL. The
    policy library is small, so the versions in scope are listed first and become the WHERE clause."""
    if region_prefixes is None:
        return repository.runs_page(db, None, page, page_size)
    ids = [v.id for v in policy_service.all_versions(db) if _overlaps(v.region_codes, region_prefixes)]
    return repository.runs_page(db, ids, page, page_size)


def batches_page(
    db: Session, region_prefixes: Sequence[str] | None, page: int, page_size: int
) -> tuple[list[DisbursementBatch], int]:
    """The 拨付 batches of policies the caller manages (their published version lies within the caller's
    region), as one page in SQL."""
    latest: dict[str, Any] = {}
    for v in policy_service.all_versions(db):
        if v.status == VersionStatus.published:
            latest[v.policy_key] = v  # versions come ordered by key and number: the last one wins
    keys = sorted(k for k, v in latest.items() if policy_service.within_region(region_prefixes, v))
    return repository.batches_page(db, keys, page, page_size)


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
    """Open a run (or return the unfinished one — running or interrupted — for the same policy and period: it
    will be resumed by whoever holds its lease; see ``claim_run``)."""
    version, pol = _auto_policy(db, policy_key)
    policy_service.check_region(scope_prefixes, pol)
    period = pol.period_key(as_of)
    existing = repository.open_run(db, policy_key, period)
    if existing is not None:
        return existing
    now = utcnow()
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
        # Held by the creating process until it executes the run (or the lease runs out: then interrupted).
        lease_owner=leases.owner_id(),
        lease_expires_at=now + leases.lease_period(),
    )
    db.add(run)
    db.flush()
    return run


def claim_run(db: Session, run: GrantRun, now: datetime | None = None) -> bool:
    """Take the run's lease for this process if it is free, ours, or expired (its owner died). Flushes only:
    the caller commits, and of two processes that claim the same run one wins and the other gets False."""
    now = now or utcnow()
    me = leases.owner_id()
    db.refresh(run)
    if run.status not in (RunStatus.running, RunStatus.interrupted):
        return False
    seen = run.lease_owner
    if seen not in (None, me) and not leases.expired(seen, run.lease_expires_at, now):
        return False
    won = repository.take_lease(
        db, run.id, seen_owner=seen, owner=me, expires=now + leases.lease_period(), status=RunStatus.running
    )
    db.refresh(run)
    return won


def mark_interrupted_runs(db: Session, now: datetime | None = None) -> list[int]:
    """Every open run whose owner is gone (lease expired, or its process on this host ended) → interrupted."""
    now = now or utcnow()
    done = []
    for run in repository.open_runs(db):
        if run.status == RunStatus.interrupted or not leases.expired(
            run.lease_owner, run.lease_expires_at, now
        ):
            continue
        if repository.take_lease(
            db, run.id, seen_owner=run.lease_owner, owner=None, expires=None, status=RunStatus.interrupted
        ):
            done.append(run.id)
            db.expire(run)
    db.flush()
    return done


@dataclass
class Decision:
    enterprise_id: int
    status: GrantStatus  # matched | waitlisted | withdrawn
    amount_fen: int
    rank: int
    trace: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class Allocation:
    status: GrantStatus  # matched | waitlisted
    amount_fen: int
    rank: int
    reason: str


def allocate(
    candidates: Sequence[tuple[int, int]], remaining: int | None, order: str
) -> dict[int, Allocation]:
    """The budget shared among (enterprise_id, amount) candidates, in the policy's order — nothing invented.

    - No budget, or the budget covers everyone: all matched in full.
    - ``pro_rata``: every amount scaled by remaining / demand, rounded down to the fen (never over budget).
    - ``amount_desc`` / ``amount_asc`` (a stated order): paid in full in that order; from the first group of equal
      amounts that does not fit entirely, that group and everyone after wait — equal amounts are never ranked by a
      tie-break the policy does not state (a registration number is not a merit).
    """
    demand = sum(a for _, a in candidates)
    out: dict[int, Allocation] = {}
    if remaining is None or demand <= remaining:
        for eid, amount in candidates:
            out[eid] = Allocation(GrantStatus.matched, amount, 1, "数据比对符合条件")
        return out
    budget = max(remaining, 0)
    if order not in ("amount_desc", "amount_asc"):  # pro_rata, or an order no text states (an older run's)
        for eid, amount in candidates:
            share = amount * budget // demand
            out[eid] = Allocation(
                GrantStatus.matched,
                share,
                1,
                f"预算不足，按比例分配：应补 {format_wan(amount)} × 可用预算 {format_wan(budget)} ÷ "
                f"应补总额 {format_wan(demand)} = {format_wan(share)}",
            )
        return out
    groups: dict[int, list[int]] = {}
    for eid, amount in candidates:
        groups.setdefault(amount, []).append(eid)
    keys = sorted(groups, reverse=(order == "amount_desc"))
    closed = False
    rank = 1
    for amount in keys:
        ids = groups[amount]
        need = amount * len(ids)
        if not closed and need <= budget:
            budget -= need
            for eid in ids:
                out[eid] = Allocation(
                    GrantStatus.matched, amount, rank, "数据比对符合条件，预算内按规定顺序足额安排"
                )
        else:
            closed = True
            for eid in ids:
                out[eid] = Allocation(
                    GrantStatus.waitlisted,
                    amount,
                    rank,
                    "预算不足，按政策规定的顺序列入候补"
                    + ("（同额企业无法全部安排，一并候补）" if len(ids) > 1 else ""),
                )
        rank += len(ids)
    return out


def _excluded(frame: Any, eid: int, reason: str) -> dict[str, Any]:
    return {
        "enterprise_id": eid,
        "name": frame.names.get(eid, ""),
        "uscc": frame.usccs.get(eid, ""),
        "reason": reason,
    }


MAX_LISTED = 200  # excluded enterprises listed in a run's summary (all are counted)


def _batch_isolated(
    frame: Any, pol: Policy, as_of: date
) -> tuple[dict[int, tuple[str, int | None]], dict[int, str]]:
    """The batch decision; if the whole table fails (one record the engine cannot compute), each enterprise is
    evaluated on its own so the odd one is reported and the rest proceed."""
    try:
        return policy_service.evaluate_registry(frame, pol, as_of), {}
    except Exception as exc:
        log.warning("batch evaluation of %s failed (%s); evaluating enterprise by enterprise", pol.id, exc)
    out: dict[int, tuple[str, int | None]] = {}
    failed: dict[int, str] = {}
    table = frame.table
    for i in range(table.height):
        row = table.slice(i, 1)
        eid = int(row["enterprise_id"][0])
        one = policy_service.RegistryFrame(row, frame.names, {}, frame.variables, frame.regions, frame.usccs)
        try:
            out.update(policy_service.evaluate_registry(one, pol, as_of))
        except Exception as exc:
            log.warning("enterprise %s: batch evaluation failed: %s", eid, exc)
            failed[eid] = "该企业数据超出可计算范围，无法比对，请核实其填报或登记数据"
    return out, failed


def decide(db: Session, run: GrantRun) -> tuple[list[Decision], dict[str, Any]]:
    """The whole allocation for a run, deterministic for the same data: batch match, trace check, budget order.

    One enterprise's odd data never stops the run: a record that cannot be read, an input outside the policy's
    plausible bounds, or a computation that fails is set aside with a Chinese reason in ``summary.excluded``.
    """
    version = policy_service.get_version(db, run.policy_version_id)
    pol = policy_service.policy_of(version)
    frame = policy_service.registry_frame(db, [pol], run.as_of_date, list(pol.region_codes))
    # Records the registry frame set aside (unreadable, outside the policy's bounds, not storable) — reported.
    excluded: list[dict[str, Any]] = [_excluded(frame, eid, msg) for eid, msg in sorted(frame.errors.items())]
    batch, failed = _batch_isolated(frame, pol, run.as_of_date)
    excluded += [_excluded(frame, eid, reason) for eid, reason in sorted(failed.items())]
    existing = {g.enterprise_id: g for g in repository.grants_for(db, run.policy_key, run.period)}
    candidates: list[tuple[int, int, dict[str, Any]]] = []
    counts = {
        "eligible": 0,
        "unknown": 0,
        "ineligible": 0,
        "zero_amount": 0,
        "data_errors": len(excluded),
        "pending_verification": 0,
        "verification_rejected": 0,
    }
    held: list[Decision] = []  # 待核验: no budget, no place in the order, never offered for consent
    rejected: dict[int, str] = {}
    requests = policy_service.requests_by_enterprise(db, pol.id) if pol.provenance_required else {}
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
        trace = a.as_dict()
        prov = frame.provenance.get(eid, {}).get(pol.id)
        if pol.provenance_required and prov is not None:
            # Money only on facts the server can vouch for (PRODUCT C3, QUALITY S5): the trace names the
            # provenance of every input used; an input without the required provenance holds the grant.
            gate = policy_service.provenance_gate(
                db, pol, eid, prov, a, sync=True, requests=requests.get(eid, [])
            )
            trace["provenance"] = gate["inputs"]
            if gate["state"] == "rejected":
                counts["verification_rejected"] += 1
                rejected[eid] = "；".join(
                    f"{e['label']}：{e.get('rejected_reason') or '核验未通过'}"
                    for e in gate["inputs"]
                    if e.get("request_status") == "rejected"
                )
                continue
            if gate["state"] == "pending":
                counts["pending_verification"] += 1
                labels = "、".join(e["label"] for e in gate["inputs"] if not e["satisfied"])
                held.append(
                    Decision(eid, GrantStatus.pending_verification, amount, 0, trace, f"待核验：{labels}")
                )
                continue
        candidates.append((eid, amount, trace))
    usccs = frame.usccs
    candidates.sort(key=lambda c: usccs[c[0]])  # a stable listing only; allocation never looks at it
    # Money already promised (confirmed or paid) is counted first and never taken back.
    committed = sum(
        g.amount_fen for g in existing.values() if g.status in LOCKED and g.status != GrantStatus.declined
    )
    remaining = None if run.budget_fen is None else run.budget_fen - committed
    open_candidates = [c for c in candidates if not (c[0] in existing and existing[c[0]].status in LOCKED)]
    shares = allocate([(eid, amount) for eid, amount, _ in open_candidates], remaining, run.allocation_order)
    allocation_info = {
        "order": run.allocation_order,
        "label": ALLOCATION_LABELS.get(run.allocation_order, run.allocation_order),
        "stated": pol.allocation_stated,
        "budget_fen": run.budget_fen,
        "committed_fen": committed,
        "demand_fen": sum(a for _, a, _ in open_candidates),
    }
    decisions: list[Decision] = []
    for eid, amount, trace in open_candidates:
        share = shares[eid]
        trace = {
            **trace,
            "allocation": {**allocation_info, "computed_fen": amount, "allocated_fen": share.amount_fen},
        }
        decisions.append(Decision(eid, share.status, share.amount_fen, share.rank, trace, share.reason))
    if pol.provenance_required:
        policy_service.clear_stale_requests(db, pol.id, (d.enterprise_id for d in held))
    for d in held:
        g = existing.get(d.enterprise_id)
        if g is None or g.status not in LOCKED:
            decisions.append(d)
    eligible_ids = {c[0] for c in candidates} | {d.enterprise_id for d in held}
    open_states = (GrantStatus.matched, GrantStatus.waitlisted, GrantStatus.pending_verification)
    for eid, g in sorted(existing.items()):
        if eid not in eligible_ids and g.status in open_states:
            trace = {"batch_status": batch.get(eid, ("ineligible", None))[0]}
            reason = f"核验未通过：{rejected[eid]}" if eid in rejected else "重新比对不再符合条件"
            hit = next((x for x in excluded if x["enterprise_id"] == eid), None)
            if hit is not None:
                trace["excluded"] = hit["reason"]
                reason = "数据异常，暂停：" + hit["reason"]
            decisions.append(Decision(eid, GrantStatus.withdrawn, g.amount_fen, g.rank, trace, reason))
    info = {
        "counts": counts,
        "committed_fen": committed,
        "candidates": len(candidates),
        "allocation": allocation_info,
        "excluded": excluded[:MAX_LISTED],
    }
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
    notification_service.notify(
        db,
        g.enterprise_id,
        kind="grant_consent",
        title=f"免申即享待确认：{pol.title}",
        body=f"经数据比对，您可享受 {format_wan(g.amount_fen)}，无需申请；请确认意愿并填写收款账户。",
        link=f"/my/grants#{g.id}",
        dedupe_key=f"grant:{g.id}:matched",
    )


def _in_line(g: Grant | None, d: Decision, run: GrantRun) -> bool:
    """Whether this run already brought the grant in line with the decision (so resuming may skip it)."""
    if g is None or g.run_id != run.id or g.status != d.status.value:
        return False
    if d.status == GrantStatus.withdrawn:
        return True
    return g.amount_fen == d.amount_fen and g.rank == d.rank and g.trace == d.trace


def execute_run(
    db: Session,
    run: GrantRun,
    *,
    commit: Commit = _no_commit,
    on_progress: Callable[[GrantRun], None] | None = None,
    chunk: int = CHUNK,
) -> GrantRun:
    """Run (or resume) 数据比对. The caller holds the run's lease (``claim_run``).

    Decisions are recomputed on every start; what a resumed run skips is decided by the rows, not by a
    position in the list: a decision is skipped only when this run already wrote the grant exactly so. (A
    positional cursor over a recomputed list skipped undone decisions whenever the list changed between the
    crash and the restart — a grant confirmed, a figure corrected, the order shifted: grants were lost.)
    """
    version = policy_service.get_version(db, run.policy_version_id)
    pol = policy_service.policy_of(version)
    me = leases.owner_id()
    decisions, info = decide(db, run)
    existing = {g.enterprise_id: g for g in repository.grants_for(db, run.policy_key, run.period)}
    todo = [d for d in decisions if not _in_line(existing.get(d.enterprise_id), d, run)]
    run.total = len(decisions)
    run.processed = len(decisions) - len(todo)
    run.summary = {**info, "changes": _changes(db, run)}
    _renew(db, run, me)
    commit()
    for i in range(0, len(todo), chunk):
        part = todo[i : i + chunk]
        apply_decisions(db, run, part, pol)
        run.processed += len(part)
        _renew(db, run, me)
        fault_point("grant.before_commit")
        commit()
        fault_point("grant.after_chunk")
        if on_progress:
            on_progress(run)
    by_status: dict[str, int] = {}
    amount_by_status: dict[str, int] = {}
    for g in repository.grants_for(db, run.policy_key, run.period):
        by_status[g.status] = by_status.get(g.status, 0) + 1
        amount_by_status[g.status] = amount_by_status.get(g.status, 0) + g.amount_fen
    run.summary = {
        **info,
        "changes": _changes(db, run),
        "by_status": by_status,
        "amount_by_status": amount_by_status,
    }
    _renew(db, run, me)
    fault_point("grant.before_finish")
    run.status = RunStatus.done
    run.finished_at = utcnow()
    run.lease_owner, run.lease_expires_at = None, None
    commit()
    fault_point("grant.after_finish")
    return run


def _renew(db: Session, run: GrantRun, owner: str) -> None:
    """Extend our lease in the chunk's own transaction; if another process took the run over, stop here (the
    caller rolls back, so this chunk is not applied twice)."""
    db.flush()
    if not repository.renew_lease(db, run.id, owner, utcnow() + leases.lease_period()):
        raise RunLeaseLost(run.id)


def _changes(db: Session, run: GrantRun) -> dict[str, int]:
    """The run's changes counted from the rows: its events, and the grants it decided without an event."""
    db.flush()
    out = repository.run_event_counts(db, run.id)
    out["unchanged"] = max(0, repository.decided_by(db, run.id) - repository.run_touched(db, run.id))
    return out


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
        fault_point("grant.export.before_commit")
        commit()
        fault_point("grant.export.after_chunk")
        if on_progress:
            on_progress(batch.count)
    batch.status = "closed"
    batch.closed_at = utcnow()
    db.flush()
    commit()
    fault_point("grant.export.after_close")
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


def write_export(db: Session, batch_id: int, target: Path) -> None:
    """Write the finance file next to ``target`` and rename it into place: a crash while writing leaves the
    previous file (or none) and a ``.part`` file, never a truncated file under the final name."""
    lines = export_csv(db, batch_id).splitlines(keepends=True)
    part = target.with_name(target.name + ".part")
    half = (len(lines) + 1) // 2
    with part.open("w", encoding="utf-8", newline="") as fh:
        fh.write("\ufeff")
        fh.writelines(lines[:half])
        fh.flush()
        fault_point("grant.export.mid_file")
        fh.writelines(lines[half:])
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(part, target)


# --- payment deadline (拨付时限) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentDeadline:
    """The policy's time limit from consent to disbursement, on the Chinese working-day calendar (with 调休)."""

    working_days: int | None  # the policy's limit; None when it states none
    due_at: datetime | None  # end (24:00 Beijing) of the last working day allowed, in UTC
    disbursed_at: datetime | None
    overdue: bool  # paid late, or still unpaid after the due time
    working_days_late: int
    note: str  # Chinese: why no deadline could be computed, or ""

    @property
    def label(self) -> str:
        if not self.overdue:
            return ""
        what = "逾期拨付" if self.disbursed_at else "逾期未拨付"
        late = f"，已超{self.working_days_late}个工作日" if self.working_days_late else ""
        return f"{what}（时限为确认后{self.working_days}个工作日{late}）"


def payment_deadline(
    db: Session, g: Grant, *, now: datetime | None = None, cal: WorkdayCalendar | None = None
) -> PaymentDeadline:
    """``cal``: the working-day calendar with the years administrators entered (``appeal_service.calendar``);
    read once by callers that check many grants."""
    now = now or utcnow()
    pol = policy_service.policy_of(policy_service.get_version(db, g.policy_version_id))
    days = pol.payment_deadline_days
    d = repository.disbursement_of(db, g.id)
    disbursed_at = d.exported_at if d is not None else None
    if days is None or g.consented_at is None:
        return PaymentDeadline(days, None, disbursed_at, False, 0, "")
    cal = cal or appeal_service.calendar(db)
    try:
        due = cal.deadline_at(g.consented_at, days)
        end = disbursed_at or now
        late = cal.working_days_between(
            (due - timedelta(seconds=1)).astimezone(BEIJING).date(), beijing_today(end)
        )
    except CalendarYearMissing:
        return PaymentDeadline(
            days, None, disbursed_at, False, 0, "节假日安排缺少相应年份，拨付时限暂无法计算"
        )
    overdue = (disbursed_at or now) >= due
    return PaymentDeadline(days, due, disbursed_at, overdue, late if overdue else 0, "")


def overdue_grants(
    db: Session, *, scope_prefixes: Sequence[str] | None, now: datetime | None = None, limit: int = 500
) -> list[tuple[Grant, PaymentDeadline]]:
    """Confirmed grants whose payment is late (unpaid past the deadline, or paid after it), oldest first."""
    out = []
    cal = appeal_service.calendar(db)
    for g in repository.consented_grants(db, scope_prefixes):
        pd = payment_deadline(db, g, now=now, cal=cal)
        if pd.overdue:
            out.append((g, pd))
            if len(out) >= limit:
                break
    return out


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
    notification_service.notify(
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
