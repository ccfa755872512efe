"""Policy library (versions: draft → published), facts for policies, precise push, sandbox.

Policies are rule files evaluated by ``srdi.rules_engine.policy`` — the same engine, executors and traces as the
tier criteria. Services never commit; the request or task boundary does.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from srdi.config import get_settings
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Enterprise
from srdi.kit.errors import AppError
from srdi.kit.money import format_wan
from srdi.notification import service as notification_service
from srdi.policy import repository
from srdi.policy.enums import MatchStatus, VerificationStatus, VersionStatus
from srdi.policy.exceptions import (
    InvalidDraft,
    NotADraft,
    OutsidePolicyRegion,
    PolicyNotFound,
    VerificationClosed,
    VerificationNotFound,
)
from srdi.policy.models import (
    PolicyAnswer,
    PolicyMatch,
    PolicyVersion,
    PushState,
    VerificationRequest,
)
from srdi.rules_engine.batch import variables_table
from srdi.rules_engine.errors import FactsError, RuleError
from srdi.rules_engine.facts import build_variables
from srdi.rules_engine.policy import (
    Assessment,
    Policy,
    assess,
    build_policy,
    evaluate_policies_frame,
    input_provenance,
    load_policies,
    provenance_trace,
    with_parameters,
)

SYSTEM = "system"


# --- loading --------------------------------------------------------------------------------------------


log = logging.getLogger(__name__)


def rules_dir() -> Path:
    return get_settings().rules_dir


@lru_cache(maxsize=4)
def _library(root: str) -> dict[str, Policy]:
    return load_policies(root)


def library_files() -> dict[str, Policy]:
    return _library(str(rules_dir()))


_BUILT: dict[str, Policy] = {}


def policy_of(version: PolicyVersion) -> Policy:
    """The engine form of a stored version (cached by content hash)."""
    cached = _BUILT.get(version.content_hash)
    if cached is not None:
        return cached
    lib = library_files().get(version.policy_key)
    if lib is not None and lib.rule_set.content_hash == version.content_hash:
        pol = lib
    else:
        try:
            pol = build_policy(version.data, rules_dir())
        except RuleError:
            # A version stored before amount rules and bounds were required (decision 0013): read it with the
            # defaults below so history, grants and their traces still display; new drafts are always strict.
            pol = build_policy(legacy_upgrade(version.data), rules_dir())
    _BUILT[version.content_hash] = pol
    return pol


LEGACY_BOUND = {"money": "10000亿元", "int": "1000000", "number": "1000000"}


def legacy_upgrade(data: Mapping[str, Any]) -> dict[str, Any]:
    """Stored policy data of the earlier file format, brought to the current one without inventing a rule:
    the amount rule says it was not recorded, the invented 统一社会信用代码 order becomes pro rata, and inputs get
    only a generous overflow guard as bounds."""
    import copy

    out = copy.deepcopy(dict(data))
    p = out.get("policy", {})
    alloc = p.get("allocation") or {}
    if alloc.get("order") not in (None, "pro_rata", "amount_desc", "amount_asc"):
        p["allocation"] = {
            "order": "pro_rata",
            "stated": False,
            "note": "旧版本的排序未见原文依据，按比例分配",
        }
    benefit = p.get("benefit", {})
    if benefit.get("kind") == "money" and "amount_rule" not in benefit:
        kind = (
            "none"
            if not benefit.get("amount")
            else ("capped" if benefit.get("amount_is_maximum") else "rate")
        )
        benefit["amount_rule"] = {"kind": kind, "text": "（旧版本未记载金额规则）", "cite": "旧版本"}
    bounds = p.setdefault("bounds", {})
    for inp in out.get("inputs", []):
        if inp.get("type") in ("money", "int") and inp["id"] not in bounds:
            bounds[inp["id"]] = {"max": LEGACY_BOUND[inp["type"]]}
    return out


def _hash(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def sync_library(db: Session, actor: str = SYSTEM) -> list[PolicyVersion]:
    """Publish every policy file of rules/policies that is new or changed since it was last loaded."""
    created = []
    by_key: dict[str, list[PolicyVersion]] = {}
    for v in repository.versions(db):
        by_key.setdefault(v.policy_key, []).append(v)
    for key, pol in sorted(library_files().items()):
        existing = by_key.get(key, [])
        if any(v.origin == "library" and v.content_hash == pol.rule_set.content_hash for v in existing):
            continue
        for v in existing:
            if v.status == VersionStatus.published:
                v.status = VersionStatus.superseded
        row = _new_version(db, pol, pol.data, key, max((v.version for v in existing), default=0) + 1, actor)
        row.origin = "library"
        row.content_hash = pol.rule_set.content_hash
        row.status = VersionStatus.published
        row.published_by = actor
        from srdi.db.base import utcnow

        row.published_at = utcnow()
        created.append(row)
    if created:
        db.flush()
        repository.mark_all_dirty(db)
    return created


def _new_version(
    db: Session, pol: Policy, data: Mapping[str, Any], key: str, number: int, actor: str
) -> PolicyVersion:
    row = PolicyVersion(
        policy_key=key,
        version=number,
        status=VersionStatus.draft,
        origin="draft",
        title=pol.title,
        mode=pol.mode,
        region_codes=list(pol.region_codes),
        budget_fen=pol.budget_fen,
        data=dict(data),
        content_hash=_hash(data),
        created_by=actor,
    )
    db.add(row)
    return row


def ensure_library(db: Session) -> None:
    sync_library(db)


def published(db: Session) -> list[tuple[PolicyVersion, Policy]]:
    ensure_library(db)
    return [(v, policy_of(v)) for v in repository.versions(db, status=VersionStatus.published)]


def published_version(db: Session, key: str) -> PolicyVersion:
    ensure_library(db)
    rows = repository.versions(db, key, VersionStatus.published)
    if not rows:
        raise PolicyNotFound(key)
    return rows[-1]


def get_version(db: Session, version_id: int) -> PolicyVersion:
    row = db.get(PolicyVersion, version_id)
    if row is None:
        raise PolicyNotFound(version_id)
    return row


def versions_of(db: Session, key: str) -> list[PolicyVersion]:
    ensure_library(db)
    rows = repository.versions(db, key)
    if not rows:
        raise PolicyNotFound(key)
    return rows


def check_region(scope_prefixes: Sequence[str] | None, pol: Policy | PolicyVersion) -> None:
    """An official manages a policy only if every region it applies to lies inside their own region."""
    if scope_prefixes is None:
        return
    codes = pol.region_codes
    if not all(any(code.startswith(p) for p in scope_prefixes) for code in codes):
        raise OutsidePolicyRegion()


# --- drafts, sandbox, publish ---------------------------------------------------------------------------


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
    row = _new_version(db, draft, data, key, repository.latest_version_number(db, key) + 1, actor)
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


# --- answers (facts a policy needs that the registry lacks) ---------------------------------------------


def answers_of(db: Session, enterprise_id: int) -> list[PolicyAnswer]:
    return repository.answers_of(db, [enterprise_id])


def answers_of_many(db: Session, enterprise_ids: Sequence[int], chunk: int = 500) -> list[PolicyAnswer]:
    """Answers of many enterprises, read ``chunk`` ids at a time (bounded IN lists)."""
    out: list[PolicyAnswer] = []
    for i in range(0, len(enterprise_ids), chunk):
        out += repository.answers_of(db, enterprise_ids[i : i + chunk])
    return out


def push_chunks(
    db: Session, region_prefix: str | None, size: int = 200
) -> tuple[int, Iterator[list[Enterprise]]]:
    """How many enterprises a push over ``region_prefix`` covers, and those enterprises ``size`` at a time."""
    ids = repository.enterprise_ids_in(db, [region_prefix] if region_prefix else None)
    return len(ids), repository.iter_enterprise_chunks(db, ids, size=size)


def set_answers(
    db: Session, enterprise_id: int, answers: Sequence[Mapping[str, Any]], *, actor: str, source: str
) -> list[PolicyAnswer]:
    """``source`` is the server's decision (``enterprise_service.decide_source``); each change is logged."""
    from srdi.db.base import utcnow

    out = []
    for a in answers:
        key, year, value = str(a["key"]), int(a.get("fiscal_year") or 0), a.get("value")
        row = repository.answer(db, enterprise_id, key, year)
        old = None
        if row is None:
            row = PolicyAnswer(
                enterprise_id=enterprise_id,
                key=key,
                fiscal_year=year,
                value=value,
                source=source,
                updated_by=actor,
            )
            db.add(row)
        else:
            if row.value == value and row.source == source:
                out.append(row)
                continue
            old = row.value
            row.value, row.source, row.updated_by, row.updated_at = value, source, actor, utcnow()
        enterprise_service.log_change(
            db, enterprise_id, entity="policy_answer", entity_key=answer_entity_key(key, year), field=key,
            old=old, new=value, source=source, actor=actor,
        )  # fmt: skip
        out.append(row)
    mark_dirty(db, [enterprise_id])
    db.flush()
    return out


def answer_entity_key(key: str, year: int) -> str:
    return f"{key}:{year}" if year else key


def answer_keys() -> list[dict[str, Any]]:
    """Inputs of published library policies read from ``policy_answers`` or a yearly figure the registry lacks."""
    from srdi.enterprise.models import YEARLY_FIGURES

    out: dict[str, dict[str, Any]] = {}
    for pol in library_files().values():
        for inp in pol.rule_set.inputs.values():
            src = inp.source or {}
            if "fact" in src and str(src["fact"]).startswith("policy_answers."):
                key = str(src["fact"]).split(".", 1)[1]
                spec = out.setdefault(
                    key, {"key": key, "label": inp.label, "type": inp.type.value, "yearly": False, "year": 0}
                )
            elif "yearly" in src and src["yearly"] not in YEARLY_FIGURES:
                key = str(src["yearly"])
                # year 1 = 上年度: the answer is for fiscal year (as-of year − year)
                spec = out.setdefault(
                    key,
                    {
                        "key": key,
                        "label": inp.label,
                        "type": inp.type.value,
                        "yearly": True,
                        "year": int(src.get("year", 1)),
                    },
                )
            else:
                continue
            spec.setdefault("input_ids", [])
            if inp.id not in spec["input_ids"]:
                spec["input_ids"].append(inp.id)
            b = pol.bounds.get(inp.id)
            if b is not None:  # the tightest plausible range over every policy reading this answer
                if spec.get("_max") is None or b.max < spec["_max"]:
                    spec["_max"], spec["max"] = b.max, b.max_text
                if b.min is not None and (spec.get("_min") is None or b.min > spec["_min"]):
                    spec["_min"], spec["min"] = b.min, b.min_text
    return sorted(out.values(), key=lambda d: d["key"])


# --- precise push ----------------------------------------------------------------------------------------


def mark_dirty(db: Session, enterprise_ids: Iterable[int]) -> None:
    for eid in enterprise_ids:
        state = repository.push_state(db, eid)
        if state is None:
            db.add(PushState(enterprise_id=eid, dirty=True))
        else:
            state.dirty = True


def _input_hash(facts: Mapping[str, Any], versions: Sequence[PolicyVersion], as_of: date) -> str:
    payload = {
        "facts": facts,
        "policies": sorted((v.policy_key, v.content_hash) for v in versions),
        "as_of": as_of.isoformat(),
    }
    return _hash(payload)


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
            gate = provenance_gate(db, pol, ent.id, input_provenance(pol, facts, as_of), a)
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


# --- provenance gate and verification queue (PRODUCT C3, QUALITY S5) -----------------------------------------


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
    req.status, req.decided_by, req.decided_at = VerificationStatus.verified.value, actor, utcnow()
    req.note, req.evidence = note, evidence
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
    req.status, req.decided_by, req.decided_at = VerificationStatus.rejected.value, actor, utcnow()
    req.note = reason
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
