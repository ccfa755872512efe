"""Financing (产融对接, PRODUCT C7): whitelists generated from rule files per period, the transparent credit
scorecard, loan products whose eligibility is a rule set built from a form, and financing requests.

Every decision here is a rules-engine result with its trace: an entry on a list says which conditions it met, a
score lists each factor's band and points, a product match says which conditions are met or missing.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import polars as pl
from sqlalchemy.orm import Session

from srdi.appeal import service as appeal_service
from srdi.auth.enums import Role
from srdi.auth.service import Principal, audit
from srdi.config import get_settings
from srdi.criteria import facts_frame
from srdi.db.base import utcnow
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.enums import provenance_label
from srdi.enterprise.models import Enterprise
from srdi.finance import benchmark, deadlines, repository
from srdi.finance.enums import (
    ACTION_LABELS,
    BANK_ACTIONS,
    CHANGE_LABELS,
    COLLATERAL_LABELS,
    DECIDED,
    ENTERPRISE_ACTIONS,
    GUARANTEE_LABELS,
    OP_LABELS,
    PRODUCT_STATUS_LABELS,
    REQUEST_STATUS_LABELS,
    TRANSITIONS,
    EntryChange,
    ProductStatus,
    RequestAction,
    RequestStatus,
    RunStatus,
    ShareField,
)
from srdi.finance.exceptions import (
    BankNotFound,
    InvalidEligibility,
    InvalidPeriod,
    InvalidProduct,
    InvalidRequest,
    NotABankUser,
    ProductNotFound,
    ProductNotReviewable,
    RequestNotFound,
    RunAlreadyApproved,
    RunNotFound,
    TransitionNotAllowed,
    WhitelistNotFound,
)
from srdi.finance.models import (
    Bank,
    BankMember,
    FinancingEvent,
    FinancingRequest,
    LoanProduct,
    WhitelistRun,
)
from srdi.kit.money import fen_to_yuan, yuan_to_fen
from srdi.kit.spreadsheet import neutralise
from srdi.kit.workdays import CalendarYearMissing, WorkdayCalendar, beijing_today
from srdi.rules_engine import RuleError, RuleSet, evaluate, evaluate_variables, gap_analysis, load_rule_sets
from srdi.rules_engine import fmt as rule_fmt
from srdi.rules_engine.batch import from_cell
from srdi.rules_engine.compile_polars import check_bounds, compile_polars
from srdi.rules_engine.expr.nodes import variables
from srdi.rules_engine.expr.parser import parse
from srdi.rules_engine.expr.types import Type
from srdi.rules_engine.gap import upgrades_to
from srdi.rules_engine.loader import build_rule_set, read_yaml
from srdi.rules_engine.policy import input_provenance
from srdi.rules_engine.trace import Result

SCORECARD_ID = "credit_score_2026"
SHARE_SHORT = {
    ShareField.identity: "企业身份信息",
    ShareField.credit_score: "信用评分",
    ShareField.financials: "财务数据",
    ShareField.recognitions: "梯度培育称号",
}
PRODUCT_FIELDS_ID = "loan_product_fields"
CHUNK = 500  # enterprises per ORM load on the per-enterprise path
SET_CHUNK = 50_000  # enterprises per set-based read (as the registry batch, criteria.batch_service.CHUNK)

# --- rule files -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Whitelist:
    key: str
    rule_set: RuleSet
    block: Mapping[str, Any]

    @property
    def region_codes(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.block["region_codes"])

    @property
    def period_kind(self) -> str:
        return str(self.block["period"])


@dataclass(frozen=True)
class Scorecard:
    rule_set: RuleSet
    block: Mapping[str, Any]

    @property
    def grades(self) -> list[dict[str, Any]]:
        return sorted((dict(g) for g in self.block["grades"]), key=lambda g: -int(g["min"]))


@dataclass(frozen=True)
class FinanceRules:
    root: Path
    rule_sets: dict[str, RuleSet]
    whitelists: dict[str, Whitelist]
    scorecard: Scorecard


@lru_cache(maxsize=4)
def _load(root: Path) -> FinanceRules:
    sets = load_rule_sets(root)
    whitelists: dict[str, Whitelist] = {}
    scorecard: Scorecard | None = None
    for rs in sets.values():
        if rs.kind not in ("whitelist", "scorecard"):
            continue
        data = read_yaml(root / rs.path)
        if rs.kind == "whitelist":
            block = data["whitelist"]
            whitelists[str(block["list"])] = Whitelist(str(block["list"]), rs, block)
        elif rs.id == SCORECARD_ID:
            scorecard = Scorecard(rs, data["scorecard"])
    assert scorecard is not None, f"rules/finance: scorecard {SCORECARD_ID} missing"
    return FinanceRules(root, sets, whitelists, scorecard)


def rules() -> FinanceRules:
    return _load(get_settings().rules_dir)


def time_limits() -> deadlines.TimeLimits:
    """The bank's time limits in working days (rules/finance/settings/time_limits.yaml, values 待核实)."""
    return deadlines.load(get_settings().rules_dir)


def whitelist(key: str) -> Whitelist:
    try:
        return rules().whitelists[key]
    except KeyError as exc:
        raise WhitelistNotFound(key) from exc


def citation_view(rs: RuleSet) -> dict[str, Any]:
    m = rs.meta
    return {
        "rule_set": rs.id,
        "title": m.title,
        "instrument": m.instrument,
        "article": m.article,
        "issuer": m.issuer,
        "url": m.url or None,
        "verification": m.verification,
        "content_hash": rs.content_hash,
    }


# --- periods ---------------------------------------------------------------------------------------------

_QUARTER = re.compile(r"^(20\d\d)Q([1-4])$")
_YEAR = re.compile(r"^(20\d\d)$")


def period_start(period: str, kind: str) -> date:
    """The as-of date of a period: its first day (recognitions valid then, 上年度 = the year before)."""
    if kind == "quarter" and (m := _QUARTER.match(period)):
        return date(int(m.group(1)), 3 * (int(m.group(2)) - 1) + 1, 1)
    if kind == "year" and (m := _YEAR.match(period)):
        return date(int(m.group(1)), 1, 1)
    raise InvalidPeriod(period, kind)


def current_period(kind: str, today: date | None = None) -> str:
    d = today or beijing_today()
    return f"{d.year}Q{(d.month - 1) // 3 + 1}" if kind == "quarter" else str(d.year)


# --- who is asking ---------------------------------------------------------------------------------------


NO_BANK_NOTE = (
    "该银行账号尚未关联所属金融机构，暂时看不到白名单、产品和融资需求。请联系平台管理员在“银行账号”页面为本账号"
    "关联所属银行，关联后重新进入即可"
)


def bank_of(db: Session, principal: Principal) -> Bank:
    bank = repository.bank_of_user(db, principal.user.id)
    if bank is None:
        raise NotABankUser()
    return bank


def bank_or_none(db: Session, principal: Principal) -> Bank | None:
    """For lists: a bank account not (yet) linked to a bank sees nothing rather than an error."""
    return repository.bank_of_user(db, principal.user.id)


def bank_of_user(db: Session, user_id: int) -> Bank | None:
    return repository.bank_of_user(db, user_id)


def banks(db: Session) -> list[Bank]:
    return repository.banks(db)


def runs_of(db: Session, key: str) -> list[WhitelistRun]:
    return repository.runs_of(db, key)


def _covers(prefixes: Sequence[str] | None, codes: Iterable[str]) -> bool:
    """Does a region scope (None = everywhere) cover every one of ``codes``?"""
    if prefixes is None:
        return True
    return all(any(c.startswith(p) for p in prefixes) for c in codes)


def overlaps(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def official_may_manage(principal: Principal, wl: Whitelist) -> bool:
    return _covers(principal.scope.region_prefixes, wl.region_codes)


def bank_sees_list(bank: Bank, wl: Whitelist) -> bool:
    return any(overlaps(bank.region_code, c) for c in wl.region_codes)


# --- facts -----------------------------------------------------------------------------------------------


def facts_of(ent: Enterprise) -> dict[str, Any]:
    return enterprise_service.facts_document(ent)


def _condition_reasons(result: Result, rs: RuleSet) -> list[dict[str, Any]]:
    out = []
    for f in rs.conditions:
        item = result.item(f.id)
        out.append(
            {
                "id": f.id,
                "label": f.label,
                "met": item.value,
                "shown": {item.labels.get(k, k): v for k, v in item.shown.items()},
                "needs_verification": item.citation.needs_verification,
            }
        )
    return out


# --- whitelists ------------------------------------------------------------------------------------------


@dataclass
class _Tally:
    """What a generation counts and stores, whichever path evaluated the enterprise."""

    rule_set: RuleSet
    run_id: int
    prev: WhitelistRun | None
    prev_members: set[int]
    members: int = 0
    entered: int = 0
    exited: int = 0
    undecided: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, enterprise_id: int, result: Result) -> None:
        """One enterprise's result → counts, and its entry (with the reasons) if the list keeps one."""
        rs, prev = self.rule_set, self.prev
        reasons: dict[str, Any] = {
            "conditions": _condition_reasons(result, rs),
            "needs_verification": list(result.needs_verification),
        }
        was = enterprise_id in self.prev_members
        if result.passed is True:
            self.members += 1
            change = EntryChange.kept if was else EntryChange.new
            if not was:
                self.entered += 1
                reasons["why_change"] = (
                    ["首期名单：满足全部入选条件"]
                    if prev is None
                    else [f"上期（{prev.period}）未在名单，本期满足全部入选条件"]
                )
            self._entry(enterprise_id, True, change, reasons)
            return
        if result.passed is None:
            self.undecided += 1
            if not was:
                labels = [rs.labels.get(n, n) for n in result.deciding_inputs]
                reasons["why_change"] = ["数据不足，无法判定：" + "、".join(labels)]
                self._entry(enterprise_id, False, EntryChange.undecided, reasons)
                return
        if was:
            self.exited += 1
            gap = gap_analysis(result, rs)
            why = list(gap.conditions) or (
                ["数据不足，无法判定：" + "、".join(gap.missing)] if gap.missing else ["不再满足入选条件"]
            )
            reasons["why_change"] = why
            self._entry(enterprise_id, False, EntryChange.out, reasons)

    def _entry(self, enterprise_id: int, member: bool, change: EntryChange, reasons: dict[str, Any]) -> None:
        self.rows.append(
            {
                "run_id": self.run_id,
                "enterprise_id": enterprise_id,
                "member": member,
                "change": change.value,
                "reasons": reasons,
            }
        )


def _evaluate_orm(db: Session, tally: _Tally, ids: Sequence[int], as_of: date) -> None:
    """The per-enterprise path: ORM objects → facts document → trace interpreter. For data the set-based read
    refuses (as the criteria batch does), and the reference the tests compare the set-based path with."""
    for i in range(0, len(ids), CHUNK):
        for ent in enterprise_service.with_facts(db, ids[i : i + CHUNK]):
            tally.add(ent.id, evaluate(facts_of(ent), tally.rule_set, as_of))


def _evaluate_set_based(db: Session, tally: _Tally, prefixes: Sequence[str], as_of: date) -> set[int]:
    """Set-based: read a chunk's columns (``facts_frame``, as the registry batch), evaluate the compiled rule
    on Polars, then run the trace interpreter only for the enterprises that get an entry (their reasons), from
    the same input columns. Enterprises whose data the facts format refuses go the per-enterprise way.
    Returns the enterprises seen."""
    rs = tally.rule_set
    plan = compile_polars(rs)
    scales = {n: i.scale for n, i in rs.inputs.items() if i.type == Type.NUMBER}
    names = list(rs.inputs)
    seen: set[int] = set()
    # Only the tables the rule set reads; the others are checked in SQL for data the facts format refuses.
    lists, yearly = facts_frame.lists_read([rs])
    traced: dict[tuple[object, ...], Result] = {}  # equal inputs, equal trace (booleans and classes repeat)
    for prefix in dict.fromkeys(prefixes):
        for lo, hi in repository.id_ranges(db, prefix, SET_CHUNK):
            chunk = facts_frame.read_chunk(db, lo, hi, prefix, lists=lists, yearly=yearly)
            ents = chunk.enterprises.filter(~pl.col("enterprise_id").is_in(sorted(seen)))
            chunk_ids = ents["enterprise_id"].to_list()
            seen.update(chunk_ids)
            suspect = set(ents.filter(pl.col("suspect"))["enterprise_id"].to_list())
            suspect |= facts_frame.suspect_answers(chunk, [rs]) & set(chunk_ids)
            keep = ents.filter(~pl.col("enterprise_id").is_in(sorted(suspect)))["enterprise_id"]
            part = chunk.subset(keep)
            table = facts_frame.variables(part, as_of, [rs], "new_application")
            table = table.with_columns(pl.lit(False).alias("is_re_review"))
            check_bounds(table, [rs])
            out = plan.apply(table.lazy()).select("enterprise_id", "pass", *names).collect()
            prev = sorted(tally.prev_members)
            wanted = out.filter(
                pl.col("pass").is_null() | pl.col("pass") | pl.col("enterprise_id").is_in(prev)
            ).sort("enterprise_id")
            results: dict[int, Result] = {}
            for row in wanted.iter_rows(named=True):
                key = tuple(row[n] for n in names)
                result = traced.get(key)
                if result is None:
                    variables_ = {n: from_cell(row[n], scales.get(n)) for n in names}
                    result = evaluate_variables(variables_, rs, as_of=as_of)
                    traced[key] = result
                results[row["enterprise_id"]] = result
            if suspect:
                _evaluate_orm(db, tally, sorted(suspect), as_of)
            for eid in sorted(results):
                tally.add(eid, results[eid])
            _flush_rows(db, tally)
    return seen


def _flush_rows(db: Session, tally: _Tally) -> None:
    # Stored in enterprise order, as the per-enterprise path writes them (suspects were evaluated first).
    tally.rows.sort(key=lambda r: r["enterprise_id"])
    repository.insert_entries(db, tally.rows)
    tally.rows = []


def generate_whitelist(
    db: Session,
    key: str,
    period: str | None,
    actor: Principal | None,
    *,
    region_prefixes: Sequence[str] | None,
    set_based: bool = True,
) -> WhitelistRun:
    """Evaluate the list's rule over every enterprise of its region for ``period``; record entries with their
    reasons and what changed since the last approved period. A draft until an official approves it.

    ``set_based`` (the default) reads the registry by columns and evaluates the compiled rule (issue 16
    performance); ``False`` is the per-enterprise path it replaced, kept as the reference for the tests."""
    wl = whitelist(key)
    period = period or current_period(wl.period_kind)
    as_of = period_start(period, wl.period_kind)
    run = repository.run_for(db, key, period)
    if run is not None and run.status == RunStatus.approved:
        raise RunAlreadyApproved(key, period)
    prev = repository.previous_approved(db, key, period)
    prev_members = repository.member_ids(db, prev.id) if prev else set()
    rs = wl.rule_set
    if run is None:
        run = WhitelistRun(list_key=key, period=period)
        db.add(run)
    else:
        repository.clear_entries(db, run.id)
    run.rule_set, run.content_hash, run.as_of = rs.id, rs.content_hash, as_of
    run.status = RunStatus.draft
    run.previous_run_id = prev.id if prev else None
    run.generated_by = actor.user.id if actor else None
    run.approved_by, run.approved_at = None, None
    db.flush()
    tally = _Tally(rs, run.id, prev, prev_members)
    if set_based:
        seen = _evaluate_set_based(db, tally, wl.region_codes, as_of)
    else:
        ids = repository.enterprise_ids_in(db, wl.region_codes)
        _evaluate_orm(db, tally, ids, as_of)
        seen = set(ids)
        _flush_rows(db, tally)
    for eid in sorted(prev_members - seen):  # removed from the registry or moved out of the region
        tally.exited += 1
        tally.rows.append(
            {
                "run_id": run.id,
                "enterprise_id": eid,
                "member": False,
                "change": EntryChange.out.value,
                "reasons": {
                    "conditions": [],
                    "why_change": ["企业已不在本名单适用地区"],
                    "needs_verification": [],
                },
            }
        )
    repository.insert_entries(db, tally.rows)
    run.members, run.entered, run.exited, run.undecided = (
        tally.members,
        tally.entered,
        tally.exited,
        tally.undecided,
    )
    if actor is not None:
        audit(
            db,
            actor,
            "finance.whitelist_generate",
            ("whitelist_run", run.id),
            {"list": key, "period": period},
        )
    db.flush()
    return run


def get_run(db: Session, run_id: int) -> WhitelistRun:
    run = db.get(WhitelistRun, run_id)
    if run is None:
        raise RunNotFound(run_id)
    return run


def visible_run(
    db: Session, principal: Principal, run_id: int
) -> tuple[WhitelistRun, Whitelist, Bank | None]:
    """The run if the caller may see it: officials covering the list's region; a bank cooperating in the region,
    approved runs only. Otherwise 404, as if it did not exist."""
    run = get_run(db, run_id)
    wl = whitelist(run.list_key)
    if principal.role is Role.bank:
        bank = bank_of(db, principal)
        if run.status != RunStatus.approved or not bank_sees_list(bank, wl):
            raise RunNotFound(run_id)
        return run, wl, bank
    prefixes = principal.scope.region_prefixes
    if prefixes is not None and not any(overlaps(p, c) for p in prefixes for c in wl.region_codes):
        raise RunNotFound(run_id)
    return run, wl, None


def approve_run(db: Session, principal: Principal, run_id: int) -> WhitelistRun:
    run, wl, _ = visible_run(db, principal, run_id)
    if not official_may_manage(principal, wl):
        raise RunNotFound(run_id)
    if run.status == RunStatus.approved:
        raise RunAlreadyApproved(run.list_key, run.period)
    run.status = RunStatus.approved
    run.approved_by, run.approved_at = principal.user.id, utcnow()
    audit(db, principal, "finance.whitelist_approve", ("whitelist_run", run.id), {"members": run.members})
    db.flush()
    return run


@dataclass
class EntryView:
    enterprise_id: int
    name: str
    uscc: str
    region_code: str
    change: str
    change_label: str
    member: bool
    conditions: list[dict[str, Any]]
    why_change: list[str]
    needs_verification: list[str]


def run_entries(
    db: Session,
    run: WhitelistRun,
    principal: Principal | None,
    bank: Bank | None,
    *,
    include_out: bool = True,
) -> list[EntryView]:
    rows = repository.entries(db, run.id)
    if bank is not None:
        include_out = False  # a bank receives the list, not the registry's history of who left it
    ents = (
        {e.id: e for e in enterprise_service.with_facts(db, [r.enterprise_id for r in rows])} if rows else {}
    )
    prefixes = principal.scope.region_prefixes if bank is None and principal is not None else None
    out = []
    for r in rows:
        ent = ents.get(r.enterprise_id)
        if ent is None or (not r.member and not include_out):
            continue
        if bank is not None and not overlaps(ent.region_code, bank.region_code):
            continue
        if prefixes is not None and not any(ent.region_code.startswith(p) for p in prefixes):
            continue
        out.append(
            EntryView(
                enterprise_id=ent.id,
                name=ent.name,
                uscc=ent.uscc,
                region_code=ent.region_code,
                change=r.change,
                change_label=CHANGE_LABELS[EntryChange(r.change)],
                member=r.member,
                conditions=list(r.reasons.get("conditions", [])),
                why_change=list(r.reasons.get("why_change", [])),
                needs_verification=list(r.reasons.get("needs_verification", [])),
            )
        )
    return out


def _reason_text(conditions: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for c in conditions:
        if c.get("met") is True:
            mark = "（待核实）" if c.get("needs_verification") else ""
            shown = "，".join(f"{k}：{v}" for k, v in (c.get("shown") or {}).items())
            parts.append(f"{c['id']} {c['label']}{mark}" + (f"（{shown}）" if shown else ""))
    return "；".join(parts)


def whitelist_xlsx(run: WhitelistRun, wl: Whitelist, rows: Sequence[EntryView]) -> bytes:
    """The list as XLSX; every text cell passes through ``neutralise`` (formula-safe, srdi.kit.spreadsheet)."""
    from openpyxl import Workbook

    rs = wl.rule_set
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "白名单"
    state = "已审定" if run.status == RunStatus.approved else "待审定（草稿）"
    ws.append([neutralise(f"{rs.meta.title} · {run.period} · {state}")])
    ws.append(
        [
            neutralise(
                f"规则：{rs.id}（{rs.meta.instrument} {rs.meta.article}），规则哈希 {run.content_hash[:12]}"
            )
        ]
    )
    ws.append(
        [
            "序号",
            "企业名称",
            "统一社会信用代码",
            "行政区划代码",
            "与上期相比",
            "入选理由",
            "变化原因",
            "待核实项",
        ]
    )
    for n, e in enumerate(rows, 1):
        cells = (
            e.name,
            e.uscc,
            e.region_code,
            e.change_label,
            _reason_text(e.conditions),
            "；".join(e.why_change),
            "、".join(e.needs_verification),
        )
        ws.append([n, *(neutralise(v) for v in cells)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_run_xlsx(db: Session, principal: Principal, run_id: int) -> tuple[bytes, str]:
    """The approved (or, for officials, draft) list as XLSX for the caller's scope; the download is audited."""
    run, wl, bank = visible_run(db, principal, run_id)
    rows = run_entries(db, run, principal, bank, include_out=bank is None)
    data = whitelist_xlsx(run, wl, rows)
    audit(
        db,
        principal,
        "finance.whitelist_export",
        ("whitelist_run", run.id),
        {"list": run.list_key, "period": run.period, "rows": len(rows), "bank": bank.code if bank else None},
    )
    return data, f"whitelist-{run.list_key}-{run.period}.xlsx"


# --- credit scorecard ------------------------------------------------------------------------------------


def grade_of(card: Scorecard, total: int | None) -> dict[str, Any] | None:
    if total is None:
        return None
    return next((g for g in card.grades if total >= int(g["min"])), None)


def score_facts(doc: Mapping[str, Any], as_of: date, *, for_bank: bool = False) -> dict[str, Any]:
    """Score, grade, each factor's band and points, the inputs with their provenance and — for the enterprise —
    the smallest changes that reach the next grade. ``for_bank``: factors only, no raw figures."""
    card = rules().scorecard
    rs = card.rule_set
    result = evaluate(doc, rs, as_of)
    prov = input_provenance(cast(Any, SimpleNamespace(rule_set=rs)), doc, as_of)
    cats = {c.id: c.label for c in rs.categories}
    factors = []
    for ind in rs.indicators:
        item = result.item(ind.id)
        factor: dict[str, Any] = {
            "id": ind.id,
            "label": ind.label,
            "category": cats[ind.category],
            "points": item.value,
            "max_points": ind.max_points,
            "band": item.band,
            "band_label": item.band_label,
            "needs_verification": item.citation.needs_verification,
        }
        if not for_bank:
            factor["inputs"] = [
                {
                    "label": item.labels.get(k, k),
                    "value": v,
                    "provenance": "、".join(
                        provenance_label(p) or p for p in prov.get(k, {}).get("kinds", [])
                    ),
                }
                for k, v in item.shown.items()
            ]
        factors.append(factor)
    grade = grade_of(card, result.total)
    out: dict[str, Any] = {
        "total": result.total,
        "max_total": sum(c.max_points for c in rs.categories),
        "grade": grade["id"] if grade else None,
        "grade_label": grade["label"] if grade else "未评定（数据不足）",
        "factors": factors,
        "as_of": as_of.isoformat(),
        "needs_verification": rs.meta.verification in ("S-code", "UNVERIFIED"),
        "citation": citation_view(rs),
    }
    if not for_bank:
        higher = [g for g in card.grades if result.total is not None and int(g["min"]) > result.total]
        nxt = higher[-1] if higher else None
        out["next_grade"] = nxt["id"] if nxt else None
        # The next grade's threshold; at the top grade, any higher score (the smallest change that raises it).
        target = int(nxt["min"]) if nxt else (result.total + 1 if result.total is not None else None)
        out["improvements"] = (
            [u.sentence for u in upgrades_to(result, rs, target)] if target is not None else []
        )
        out["missing"] = [rs.labels.get(n, n) for n in result.deciding_inputs] if result.total is None else []
    return out


def scorecard_view() -> dict[str, Any]:
    card = rules().scorecard
    rs = card.rule_set
    cats = {c.id: c for c in rs.categories}
    return {
        "citation": citation_view(rs),
        "method": list(card.block["method"]),
        "weights_source": card.block["weights_source"],
        "calibration_needs": card.block.get("calibration_needs", ""),
        "needs_verification": rs.meta.verification in ("S-code", "UNVERIFIED"),
        "grades": card.grades,
        "factors": [
            {
                "id": ind.id,
                "label": ind.label,
                "category": cats[ind.category].label,
                "max_points": ind.max_points,
                "bands": [
                    {"label": b.label, "points": b.points, "rule": b.when_text or "其他"} for b in ind.bands
                ],
                "needs_verification": ind.citation.needs_verification,
            }
            for ind in rs.indicators
        ],
    }


def enterprise_score(db: Session, ent: Enterprise, as_of: date | None = None) -> dict[str, Any]:
    return score_facts(facts_of(ent), as_of or beijing_today())


# --- loan products -----------------------------------------------------------------------------------------

OPS = (">=", ">", "<=", "<", "==")
_STR_OPTIONS = {"size_class": ("large", "medium", "small", "micro")}
_NUM = re.compile(r"^-?\d+(\.\d+)?$")


def product_fields() -> dict[str, dict[str, Any]]:
    """The fields a product's eligibility may read: name → type, label, unit, allowed operators."""
    rs = rules().rule_sets[PRODUCT_FIELDS_ID]
    out: dict[str, dict[str, Any]] = {}
    for name, t in rs.types.items():
        if name in ("is_re_review", "direct") or name.startswith("score_"):
            continue
        if t == Type.BOOL:
            ops, unit = ["is_true", "is_false"], ""
        elif t == Type.STR:
            ops, unit = ["in"], ""
        elif t == Type.MONEY:
            ops, unit = list(OPS), "万元"
        elif t == Type.INT:
            ops, unit = list(OPS), "分" if name == "credit_score" else "项"
        else:
            ops, unit = list(OPS), "%"
        out[name] = {
            "field": name,
            "label": rs.labels.get(name, name),
            "type": t.value,
            "unit": unit,
            "ops": ops,
            "options": list(_STR_OPTIONS.get(name, ())),
        }
    return out


def _condition_expr(cond: Mapping[str, Any], fields: Mapping[str, Mapping[str, Any]]) -> tuple[str, str]:
    """(expression, Chinese label) of one form condition; refuses what it cannot read, naming the field."""
    if cond.get("expr"):
        text = str(cond["expr"])
        try:
            node = parse(text, file="loan_product")
        except RuleError as exc:
            raise InvalidEligibility(
                f"准入条件无法解析：{text}（{exc}）", f"eligibility does not parse: {text}: {exc}"
            ) from exc
        unknown = sorted(variables(node) - set(fields))
        if unknown:
            raise InvalidEligibility(
                f"准入条件引用了未知字段：{'、'.join(unknown)}", f"unknown fields: {unknown}", unknown
            )
        return text, str(cond.get("label") or text)
    name = str(cond.get("field", ""))
    if name not in fields:
        raise InvalidEligibility(
            f"准入条件引用了未知字段：{name or '（空）'}", f"unknown field {name!r}", [name]
        )
    f = fields[name]
    op = str(cond.get("op", ""))
    if op not in f["ops"]:
        raise InvalidEligibility(
            f"字段“{f['label']}”（{name}）不支持运算“{op}”，可用：{'、'.join(f['ops'])}",
            f"field {name}: operator {op!r} not allowed",
            [name],
        )
    value = cond.get("value")
    if op == "is_true":
        return name, f"{f['label']}"
    if op == "is_false":
        return f"not {name}", f"{f['label']}：否"
    if op == "in":
        opts = [str(v) for v in (value if isinstance(value, list) else [value])]
        bad = [v for v in opts if v not in f["options"]]
        if not opts or bad:
            raise InvalidEligibility(
                f"字段“{f['label']}”（{name}）的取值无效：{'、'.join(bad) or '（空）'}",
                f"field {name}: invalid options {bad}",
                [name],
            )
        return f"{name} in ({', '.join(json.dumps(v) for v in opts)})", f"{f['label']}为 {' / '.join(opts)}"
    text = str(value).strip() if value is not None else ""
    if not _NUM.match(text):
        raise InvalidEligibility(
            f"字段“{f['label']}”（{name}）的数值无效：{text or '（空）'}",
            f"field {name}: bad number {text!r}",
            [name],
        )
    if f["type"] == "int" and "." in text:
        raise InvalidEligibility(
            f"字段“{f['label']}”（{name}）应为整数：{text}", f"field {name}: integer expected", [name]
        )
    literal = {"万元": f"{text}万元", "%": f"{text}%"}.get(f["unit"], text)
    return f"{name} {op} {literal}", f"{f['label']}{OP_LABELS[op]} {text}{f['unit']}"


def eligibility_data(
    product_id: str, title: str, issuer: str, conditions: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    fields = product_fields()
    if not conditions:
        raise InvalidEligibility("至少需要一个准入条件", "at least one eligibility condition is required")
    conds = []
    for n, c in enumerate(conditions, 1):
        expr, label = _condition_expr(c, fields)
        conds.append({"id": f"P{n}", "label": label, "expr": expr})
    return {
        "id": product_id,
        "kind": "loan_product",
        "title": title,
        "instrument": f"{issuer} 贷款产品准入条件",
        "article": "准入条件",
        "url": None,
        "issuer": issuer,
        "effective_from": "2026-01-01",
        "effective_to": None,
        "last_checked": beijing_today().isoformat(),
        "verification": "V-1",
        "include": [PRODUCT_FIELDS_ID],
        "conditions": conds,
        "pass": " and ".join(c["id"] for c in conds),
    }


_PRODUCT_SETS: dict[str, RuleSet] = {}


def product_rule_set(product: LoanProduct, bank_name: str) -> RuleSet:
    data = eligibility_data(f"loan_product_{product.id}", product.name, bank_name, product.eligibility)
    key = hashlib.sha256(
        json.dumps([data["conditions"], str(rules().root)], ensure_ascii=False).encode()
    ).hexdigest()
    if key not in _PRODUCT_SETS:
        try:
            _PRODUCT_SETS[key] = build_rule_set(data, rules().root)
        except RuleError as exc:
            raise InvalidEligibility(f"准入条件无效：{exc}", f"eligibility rejected: {exc}") from exc
    return _PRODUCT_SETS[key]


@dataclass
class ProductIn:
    name: str
    description: str
    amount_min: Decimal  # yuan
    amount_max: Decimal
    rate_min_percent: Decimal
    rate_max_percent: Decimal
    term_months_max: int
    collateral: str
    guarantee: str
    eligibility: list[dict[str, Any]] = field(default_factory=list)


def _bp(percent: Decimal) -> int:
    return int((percent * 100).to_integral_value())


def create_product(db: Session, principal: Principal, data: ProductIn) -> LoanProduct:
    bank = bank_of(db, principal)
    lo, hi = yuan_to_fen(data.amount_min), yuan_to_fen(data.amount_max)
    if lo <= 0 or hi < lo:
        raise InvalidProduct("额度范围无效：下限须大于0且不高于上限", "amount range invalid")
    if not (Decimal(0) < data.rate_min_percent <= data.rate_max_percent <= Decimal(36)):
        raise InvalidProduct("年利率范围无效（0–36%，下限不高于上限）", "rate range invalid")
    product = LoanProduct(
        bank_id=bank.id,
        name=data.name,
        description=data.description,
        amount_min_fen=lo,
        amount_max_fen=hi,
        rate_min_bp=_bp(data.rate_min_percent),
        rate_max_bp=_bp(data.rate_max_percent),
        term_months_max=data.term_months_max,
        collateral=data.collateral,
        guarantee=data.guarantee,
        eligibility=[dict(c) for c in data.eligibility],
        status=ProductStatus.pending_review,
        created_by=principal.user.id,
    )
    # Check the rule before anything is stored: a product that does not build is refused with the field named.
    eligibility_data("loan_product_new", data.name, bank.name, data.eligibility)
    db.add(product)
    db.flush()
    rs = product_rule_set(product, bank.name)
    product.eligibility_hash = rs.content_hash
    audit(db, principal, "finance.product_create", ("loan_product", product.id), {"name": product.name})
    db.flush()
    return product


def get_product(db: Session, principal: Principal, product_id: int) -> LoanProduct:
    """Banks see their own products; officials and admins all; enterprises only published ones."""
    p = db.get(LoanProduct, product_id)
    if p is None:
        raise ProductNotFound(product_id)
    if principal.role is Role.bank:
        if bank_of(db, principal).id != p.bank_id:
            raise ProductNotFound(product_id)
    elif principal.role in (Role.enterprise, Role.chain_leader) and p.status != ProductStatus.published:
        raise ProductNotFound(product_id)
    return p


def list_products(db: Session, principal: Principal) -> list[LoanProduct]:
    if principal.role is Role.bank:
        bank = bank_or_none(db, principal)
        return repository.products(db, bank_id=bank.id) if bank else []
    if principal.role in (Role.enterprise, Role.chain_leader):
        return repository.products(db, statuses=[ProductStatus.published])
    return repository.products(db)


def review_product(
    db: Session, principal: Principal, product_id: int, approve: bool, note: str
) -> LoanProduct:
    p = get_product(db, principal, product_id)
    if p.status != ProductStatus.pending_review:
        raise ProductNotReviewable(PRODUCT_STATUS_LABELS[ProductStatus(p.status)])
    if not approve and not note.strip():
        raise InvalidProduct("不通过审核须说明理由", "a rejection needs a note")
    p.status = ProductStatus.published if approve else ProductStatus.rejected
    p.review_note, p.reviewed_by, p.reviewed_at = note, principal.user.id, utcnow()
    audit(db, principal, "finance.product_review", ("loan_product", p.id), {"approve": approve, "note": note})
    db.flush()
    return p


def product_view(db: Session, p: LoanProduct) -> dict[str, Any]:
    bank = db.get(Bank, p.bank_id)
    assert bank is not None
    rs = product_rule_set(p, bank.name)
    return {
        "id": p.id,
        "bank_id": bank.id,
        "bank_name": bank.name,
        "name": p.name,
        "description": p.description,
        "amount_min": fen_to_yuan(p.amount_min_fen),
        "amount_max": fen_to_yuan(p.amount_max_fen),
        "rate_min_percent": Decimal(p.rate_min_bp) / 100,
        "rate_max_percent": Decimal(p.rate_max_bp) / 100,
        "term_months_max": p.term_months_max,
        "collateral": p.collateral,
        "collateral_label": COLLATERAL_LABELS.get(cast(Any, p.collateral), p.collateral),
        "guarantee": p.guarantee,
        "guarantee_label": GUARANTEE_LABELS.get(cast(Any, p.guarantee), p.guarantee),
        "eligibility": p.eligibility,
        "conditions": [{"id": f.id, "label": f.label, "rule": f.text} for f in rs.conditions],
        "status": p.status,
        "status_label": PRODUCT_STATUS_LABELS[ProductStatus(p.status)],
        "review_note": p.review_note,
    }


def finance_facts(db: Session, ent: Enterprise, as_of: date) -> dict[str, Any]:
    """The facts document plus what the financing rules add: the credit score and whitelist membership."""
    doc = facts_of(ent)
    score = evaluate(doc, rules().scorecard.rule_set, as_of).total
    lists: dict[str, bool] = {}
    for key in rules().whitelists:
        run = repository.latest_approved(db, key)
        if run is not None:
            lists[key] = repository.member_of(db, run.id, ent.id)
    doc["finance"] = {"credit_score": score, "whitelists": lists}
    return doc


def _trim(sentence: str, labels: Mapping[str, str]) -> str:
    """ "需满足：X（P1 X）" → "需满足：X": a form-built condition's label already says what the sentence says."""
    for suffix, label in labels.items():
        if sentence.endswith(suffix) and label in sentence[: -len(suffix)]:
            return sentence[: -len(suffix)]
    return sentence


def product_matches(db: Session, ent: Enterprise, as_of: date | None = None) -> dict[str, Any]:
    """Published products the enterprise qualifies for (with the conditions met) and those it nearly does (one or
    two conditions short, or undecided for lack of data) with what is missing."""
    day = as_of or beijing_today()
    doc = finance_facts(db, ent, day)
    qualified, near = [], []
    for p in repository.products(db, statuses=[ProductStatus.published]):
        view = product_view(db, p)
        bank = db.get(Bank, p.bank_id)
        assert bank is not None
        rs = product_rule_set(p, bank.name)
        result = evaluate(doc, rs, day)
        reasons = _condition_reasons(result, rs)
        if result.passed is True:
            qualified.append({**view, "reasons": reasons})
            continue
        unmet = [r for r in reasons if r["met"] is not True]
        if len(unmet) <= 2:
            gap = gap_analysis(result, rs)
            labels = {f"（{f.id} {f.label}）": f.label for f in rs.conditions}
            missing = [_trim(c, labels) for c in gap.conditions]
            missing += ["需补充数据：" + "、".join(gap.missing)] if gap.missing else []
            near.append({**view, "reasons": reasons, "missing": missing})
    return {
        "as_of": day.isoformat(),
        "credit_score": doc["finance"]["credit_score"],
        "qualified": qualified,
        "near_misses": near,
    }


# --- financing requests ------------------------------------------------------------------------------------


@dataclass
class RequestIn:
    bank_ids: list[int]
    amount: Decimal  # yuan
    purpose: str
    term_months: int
    product_id: int | None = None
    first_loan: bool = False
    consent: bool = False
    share: list[str] = field(default_factory=list)


def create_requests(
    db: Session, principal: Principal, ent: Enterprise, data: RequestIn
) -> list[FinancingRequest]:
    share = list(dict.fromkeys(data.share))
    unknown = [s for s in share if s not in {f.value for f in ShareField}]
    if unknown:
        raise InvalidRequest(f"未知的共享数据项：{'、'.join(unknown)}", f"unknown share fields {unknown}")
    if share and not data.consent:
        raise InvalidRequest("共享数据须先勾选同意授权", "sharing data needs consent")
    if not data.consent:
        share = []  # no consent, nothing shared
    if not data.bank_ids:
        raise InvalidRequest("请至少选择一家银行", "choose at least one bank")
    amount = yuan_to_fen(data.amount)
    if amount <= 0:
        raise InvalidRequest("融资金额须大于0", "amount must be positive")
    if not (1 <= data.term_months <= 360):
        raise InvalidRequest("期限应为1–360个月", "term must be 1-360 months")
    if not data.purpose.strip():
        raise InvalidRequest("请填写融资用途", "purpose is required")
    banks = {b.id: b for b in repository.banks(db)}
    product: LoanProduct | None = None
    if data.product_id is not None:
        product = db.get(LoanProduct, data.product_id)
        if product is None or product.status != ProductStatus.published:
            raise ProductNotFound(data.product_id)
        if set(data.bank_ids) != {product.bank_id}:
            raise InvalidRequest(
                "申请具体产品时只能发给该产品所属银行", "a product request goes to its own bank"
            )
    group = uuid.uuid4().hex[:16]
    now = utcnow()
    cal, limits = appeal_service.calendar(db), time_limits()
    due = deadlines.due_for(limits, cal, RequestStatus.submitted, now)
    out = []
    for bid in dict.fromkeys(data.bank_ids):
        if bid not in banks:
            raise BankNotFound(bid)
        req = FinancingRequest(
            group_key=group,
            enterprise_id=ent.id,
            bank_id=bid,
            product_id=product.id if product else None,
            amount_fen=amount,
            purpose=data.purpose.strip(),
            term_months=data.term_months,
            first_loan=data.first_loan,
            shared=share,
            consent_at=now if data.consent else None,
            status=RequestStatus.submitted,
            submitted_at=now,
            region_code=ent.region_code,
            due_at=due,
        )
        db.add(req)
        db.flush()
        db.add(
            FinancingEvent(
                request_id=req.id,
                actor_id=principal.user.id,
                actor_label=principal.user.display_name,
                action="submit",
                status_after=RequestStatus.submitted,
                note="同意共享：" + ("、".join(SHARE_SHORT[ShareField(f)] for f in share) if share else "无"),
                due_at=due,
            )
        )
        audit(
            db,
            principal,
            "finance.request_submit",
            ("financing_request", req.id),
            {"bank": bid, "shared": share},
        )
        out.append(req)
    db.flush()
    return out


def visible_request(
    db: Session, principal: Principal, request_id: int
) -> tuple[FinancingRequest, Bank | None]:
    req = db.get(FinancingRequest, request_id)
    if req is None:
        raise RequestNotFound(request_id)
    if principal.role is Role.bank:
        bank = bank_of(db, principal)
        if req.bank_id != bank.id:
            raise RequestNotFound(request_id)  # another bank's request does not exist for this one
        return req, bank
    if not principal.scope.allows(req.region_code, req.enterprise_id):
        raise RequestNotFound(request_id)
    return req, None


def list_requests(db: Session, principal: Principal) -> list[FinancingRequest]:
    if principal.role is Role.bank:
        bank = bank_or_none(db, principal)
        return repository.requests(db, bank_id=bank.id) if bank else []
    scope = principal.scope
    if scope.enterprise_ids is not None:
        if not scope.enterprise_ids:
            return []
        return repository.requests(db, enterprise_id=scope.enterprise_ids[0])
    return repository.requests(db, region_prefixes=scope.region_prefixes)


def page_requests(
    db: Session, principal: Principal, *, statuses: Sequence[str] | None, page: int, page_size: int
) -> tuple[list[FinancingRequest], int]:
    """``list_requests`` as one page, narrowed and counted in SQL (a bank: those sent to it)."""
    if principal.role is Role.bank:
        bank = bank_or_none(db, principal)
        if bank is None:
            return [], 0
        return repository.requests_page(
            db, bank_id=bank.id, statuses=statuses, page=page, page_size=page_size
        )
    scope = principal.scope
    return repository.requests_page(
        db,
        enterprise_ids=scope.enterprise_ids,
        region_prefixes=scope.region_prefixes,
        statuses=statuses,
        page=page,
        page_size=page_size,
    )


def transition(
    db: Session,
    principal: Principal,
    request_id: int,
    action: RequestAction,
    *,
    note: str = "",
    amount: Decimal | None = None,
    rate_percent: Decimal | None = None,
) -> FinancingRequest:
    req, bank = visible_request(db, principal, request_id)
    allowed = (
        BANK_ACTIONS
        if bank is not None
        else ENTERPRISE_ACTIONS
        if principal.role in (Role.enterprise, Role.chain_leader)
        else ()
    )
    status = RequestStatus(req.status)
    target = TRANSITIONS.get((status, action))
    if action not in allowed or target is None:
        raise TransitionNotAllowed(ACTION_LABELS[action], REQUEST_STATUS_LABELS[status])
    if action in (RequestAction.decline, RequestAction.ask_info) and not note.strip():
        raise InvalidRequest(
            "不予批准须说明理由" if action == RequestAction.decline else "请写明需补充的材料",
            f"{action.value} needs a note",
        )
    if action == RequestAction.approve:
        if amount is None or rate_percent is None:
            raise InvalidRequest("批准须填写批准金额和年利率", "approval needs amount and rate")
        fen = yuan_to_fen(amount)
        if fen <= 0 or not (Decimal(0) < rate_percent <= Decimal(36)):
            raise InvalidRequest("批准金额须大于0，年利率须在0–36%之间", "approval amount/rate out of range")
        req.approved_amount_fen, req.approved_rate_bp = fen, _bp(rate_percent)
    if action == RequestAction.decline:
        req.decline_reason = note.strip()
    now = utcnow()
    req.status = target
    if target in DECIDED:
        req.decided_at = now
    # The next stage's time limit, stamped on the request and on the event that opens it.
    req.due_at = deadlines.due_for(time_limits(), appeal_service.calendar(db), target, now)
    db.add(
        FinancingEvent(
            request_id=req.id,
            at=now,
            actor_id=principal.user.id,
            actor_label=bank.name if bank else principal.user.display_name,
            action=action.value,
            status_after=target,
            note=note.strip(),
            due_at=req.due_at,
        )
    )
    audit(
        db,
        principal,
        f"finance.request_{action.value}",
        ("financing_request", req.id),
        {"status": target.value},
    )
    db.flush()
    return req


@lru_cache(maxsize=4)
def _policies(root: Path) -> dict[str, Any]:
    from srdi.rules_engine.policy import load_policies

    return load_policies(root, _load(root).rule_sets)


INTEREST_SUBSIDY_POLICY = "gd_srdi_loan_interest_subsidy"
GUARANTEE_FEE_POLICY = "sz_guarantee_fee_cap"
RISK_COMPENSATION_LIST = "dg_risk_compensation"
LINK_STATUS_LABELS = {
    "eligible": "符合",
    "unknown": "待确认",
    "ineligible": "不符合",
    "draft": "征求意见稿（未施行），仅供参考",
    "listed": "在风险补偿白名单内",
    "not_listed": "不在风险补偿白名单内",
    "no_list": "尚无已审定的风险补偿白名单",
    "not_applicable": "不适用",
}


def benchmark_rates() -> benchmark.BenchmarkRates:
    """The benchmark (LPR) rates by date (rules/finance/settings/benchmark_rates.yaml, 待核实)."""
    return benchmark.load(get_settings().rules_dir)


def first_year_interest_fen(req: FinancingRequest) -> int:
    """Interest of the loan's first year (or of its whole term if shorter): amount × rate × months / 12."""
    assert req.approved_amount_fen is not None and req.approved_rate_bp is not None
    months = min(req.term_months, 12)
    return req.approved_amount_fen * req.approved_rate_bp * months // (10_000 * 12)


def _wan(fen: int) -> str:
    return rule_fmt.money(fen)


def _interest_subsidy_link(
    sub: Any, req: FinancingRequest, doc: Mapping[str, Any], as_of: date
) -> dict[str, Any]:
    """The interest-subsidy policy computed on the loan: its interest enters as the policy's answer
    ``loan_interest_paid``; eligibility, the rate, the cap and the amount all come from the rule file."""
    from srdi.rules_engine.policy import assess

    interest = first_year_interest_fen(req)
    assert req.approved_amount_fen is not None and req.approved_rate_bp is not None
    facts = dict(doc)
    facts["policy_answers"] = {
        **dict(doc.get("policy_answers") or {}),
        "loan_interest_paid": str(fen_to_yuan(interest)),
    }
    a = assess(sub, facts, as_of)
    months = min(req.term_months, 12)
    # The 待核实 parameters the amount depends on (rate, cap), by their labels.
    unverified = [f"{p.label}：{p.unverified}" for p in sub.parameters if p.unverified]
    # The figure here is the bank's approved loan, not interest paid: the policy pays only on interest paid
    # that an official verified (the file's provenance for loan_interest_paid; decision 0032).
    unverified.append(
        f"{sub.rule_set.labels.get('loan_interest_paid', '当年实际支付的银行贷款利息')}：本处按银行批准的金额与利率测算；"
        "贴息按主管部门核验后的实际支付利息计算，企业自报的利息须经核验"
    )
    amount = a.amount_fen if a.status != "ineligible" else None
    return {
        "kind": "interest_subsidy",
        "policy_id": sub.id,
        "title": sub.rule_set.meta.title,
        "citation": f"{sub.rule_set.meta.instrument} {sub.rule_set.meta.article}",
        "status": a.status,
        "status_label": LINK_STATUS_LABELS[a.status],
        "reasons": a.reasons,
        "basis": f"本笔贷款首年利息约 {_wan(interest)}"
        f"（{_wan(req.approved_amount_fen)} × {benchmark.percent(req.approved_rate_bp)}"
        + (f" × {months}/12" if months < 12 else "")
        + "）",
        "interest_per_year": fen_to_yuan(interest),
        "amount": fen_to_yuan(amount) if amount is not None else None,
        "amount_label": f"测算贴息 {_wan(amount)}" if amount is not None else "",
        "amount_note": sub.amount_rule_text(),
        "needs_verification": bool(unverified),
        "unverified": unverified,
    }


def _guarantee_fee_link(
    fee: Any, req: FinancingRequest, product: LoanProduct | None, doc: Mapping[str, Any], as_of: date
) -> dict[str, Any]:
    """The Shenzhen guarantee-fee cap on the loan: half of the benchmark rate (LPR) on the approval date."""
    from srdi.rules_engine.policy import assess

    assert req.approved_amount_fen is not None
    rates = benchmark_rates()
    approved_on = beijing_today(req.decided_at) if req.decided_at else as_of
    cap = benchmark.fee_cap(rates, approved_on, req.approved_amount_fen, req.term_months)
    a = assess(fee, doc, as_of)
    reasons = list(a.reasons)
    guaranteed = product is not None and product.guarantee == "government_guarantee"
    if not guaranteed:
        reasons.append("本笔贷款未采用政府性融资担保，担保费上限仅供参考")
    srdi_ok = a.result.passed
    status = (
        "draft" if fee.status == "draft" and srdi_ok is not False and a.in_region is not False else a.status
    )
    out: dict[str, Any] = {
        "kind": "guarantee_fee_cap",
        "policy_id": fee.id,
        "title": fee.rule_set.meta.title,
        "citation": f"{fee.rule_set.meta.instrument} {fee.rule_set.meta.article}",
        "status": status,
        "status_label": LINK_STATUS_LABELS[status],
        "reasons": reasons,
        "basis": "",
        "interest_per_year": None,
        "amount": None,
        "amount_label": "",
        "amount_note": str(fee.data["policy"]["benefit"]["description"]),
        "needs_verification": True,
        "unverified": [rates.reading, f"{rates.name}取值：{rates.source}"],
    }
    if cap is None:
        out["basis"] = f"基准利率数据中没有 {approved_on.isoformat()} 适用的利率，无法测算担保费上限"
        return out
    out["basis"] = (
        f"批准日 {approved_on.isoformat()} 适用的{cap.benchmark_term}{rates.name} {benchmark.percent(cap.benchmark_bp)}"
        f"（{cap.benchmark_from.isoformat()} 起）的二分之一为 {benchmark.percent(cap.cap_bp)}/年"
    )
    out["amount"] = fen_to_yuan(cap.cap_fen_per_year)
    out["amount_label"] = (
        f"担保费率不高于 {benchmark.percent(cap.cap_bp)}，每年担保费不超过 {_wan(cap.cap_fen_per_year)}"
    )
    out["cap_rate_percent"] = (Decimal(cap.cap_bp) / 100).quantize(Decimal("0.01"))
    out["benchmark_rate_percent"] = (Decimal(cap.benchmark_bp) / 100).quantize(Decimal("0.01"))
    return out


def _condition_label(rs: RuleSet, item: str) -> str:
    return next((f"条件“{f.label}”" for f in rs.conditions if f.id == item), "名单规则")


def _risk_compensation_link(db: Session, req: FinancingRequest, ent: Enterprise) -> dict[str, Any] | None:
    """Risk-compensation eligibility: is the enterprise on the latest approved risk-compensation whitelist?"""
    wl = rules().whitelists.get(RISK_COMPENSATION_LIST)
    if wl is None:
        return None
    rs = wl.rule_set
    base: dict[str, Any] = {
        "kind": "risk_compensation",
        "policy_id": wl.key,
        "title": rs.meta.title,
        "citation": f"{rs.meta.instrument} {rs.meta.article}",
        "basis": "",
        "interest_per_year": None,
        "amount": None,
        "amount_label": "",
        "amount_note": "风险补偿资金补偿的是合作银行的不良贷款损失，企业名单内贷款可申请纳入补偿范围（补偿比例种子未载）",
        "needs_verification": bool(wl.block.get("unverified")),
        "unverified": [
            f"{rs.labels.get(str(u.get('item')), _condition_label(rs, str(u.get('item'))))}：{u.get('reason')}"
            for u in wl.block.get("unverified", [])
        ],
        "reasons": [],
    }
    if not any(ent.region_code.startswith(c) for c in wl.region_codes):
        return {
            **base,
            "status": "not_applicable",
            "status_label": LINK_STATUS_LABELS["not_applicable"],
            "reasons": [f"企业所在地不在本名单适用地区（{'、'.join(wl.region_codes)}）内"],
        }
    run = repository.latest_approved(db, wl.key)
    if run is None:
        return {**base, "status": "no_list", "status_label": LINK_STATUS_LABELS["no_list"]}
    entry = repository.entry_of(db, run.id, ent.id)
    if entry is not None and entry.member:
        met = [c["label"] for c in entry.reasons.get("conditions", []) if c.get("met") is True]
        return {
            **base,
            "status": "listed",
            "status_label": LINK_STATUS_LABELS["listed"],
            "basis": f"{run.period} 期名单（已审定）在列",
            "reasons": [f"满足：{label}" for label in met],
        }
    why = list(entry.reasons.get("why_change", [])) if entry is not None else []
    if entry is None:
        fresh = evaluate(facts_of(enterprise_service.with_facts(db, [ent.id])[0]), rs, run.as_of)
        why = list(gap_analysis(fresh, rs).conditions) or ["不满足入选条件"]
    return {
        **base,
        "status": "not_listed",
        "status_label": LINK_STATUS_LABELS["not_listed"],
        "basis": f"{run.period} 期名单（已审定）未列入",
        "reasons": why,
    }


def policy_links(
    db: Session, req: FinancingRequest, doc: Mapping[str, Any], as_of: date
) -> list[dict[str, Any]]:
    """The policies a recorded loan bears on, each computed from its rule or data file: the interest subsidy
    (policy file; the loan's first-year interest is its input), the Shenzhen guarantee-fee cap (half the
    benchmark rate on the approval date) and risk-compensation eligibility (the approved whitelist)."""
    if (
        req.status != RequestStatus.approved
        or req.approved_amount_fen is None
        or req.approved_rate_bp is None
    ):
        return []
    policies = _policies(rules().root)
    out: list[dict[str, Any]] = []
    sub = policies.get(INTEREST_SUBSIDY_POLICY)
    if sub is not None:
        out.append(_interest_subsidy_link(sub, req, doc, as_of))
    product = db.get(LoanProduct, req.product_id) if req.product_id else None
    fee = policies.get(GUARANTEE_FEE_POLICY)
    region = str(doc.get("region_code") or "")
    if fee is not None and fee.in_region(region) is not False:  # a Shenzhen measure: shown for Shenzhen loans
        out.append(_guarantee_fee_link(fee, req, product, doc, as_of))
    ent = db.get(Enterprise, req.enterprise_id)
    if ent is not None and (risk := _risk_compensation_link(db, req, ent)) is not None:
        out.append(risk)
    return out


def _working_days(cal: WorkdayCalendar, start: date, end: date | None) -> int | None:
    if end is None:
        return None
    try:
        return cal.working_days_between(start, end)
    except CalendarYearMissing:
        return None


def _financials(doc: Mapping[str, Any], as_of: date) -> dict[str, Any]:
    year = str(as_of.year - 1)
    row = (doc.get("yearly") or {}).get(year) or {}
    ratio = None
    if row.get("total_assets") and row.get("total_liabilities") is not None:
        a, li = Decimal(row["total_assets"]), Decimal(row["total_liabilities"])
        ratio = f"{(li / a * 100).quantize(Decimal('0.01'))}%" if a else None
    return {
        "fiscal_year": int(year),
        "operating_revenue": row.get("operating_revenue"),
        "net_profit": row.get("net_profit"),
        "debt_ratio": ratio,
    }


def deadline_view(
    req: FinancingRequest, events: Sequence[FinancingEvent], cal: WorkdayCalendar, now: datetime
) -> dict[str, Any]:
    """The current stage's time limit, whether it is overdue, and each past stage's outcome (on time or late)."""
    limits = time_limits()
    stage = deadlines.stage_of(limits, req.status)
    overdue = req.due_at is not None and now >= req.due_at
    label = ""
    if overdue and stage is not None and req.due_at is not None:
        late = deadlines.working_days_late(cal, req.due_at, now)
        label = f"已超{stage.label}{late}个工作日（{stage.working_days}个工作日内{stage.action}）"
    note = ""
    if stage is not None and req.due_at is None:
        note = "节假日安排缺少相应年份，办理时限暂无法计算"
    late_stages = [
        o for o in deadlines.outcomes(events, now) if o.on_time is False and o.ended_at is not None
    ]
    return {
        "due_at": req.due_at,
        "due_day": beijing_today(req.due_at - timedelta(seconds=1)) if req.due_at else None,
        "due_label": stage.label if stage else None,
        "time_limit_text": stage.text() if stage else None,
        "time_limit_unverified": bool(stage and stage.unverified),
        "overdue": overdue,
        "overdue_label": label,
        "deadline_note": note,
        "late_stages": [
            f"{limits.stages[o.stage].label}逾期（应于{_beijing(o.due_at)}前办理）" for o in late_stages
        ],
    }


def _beijing(at: datetime) -> str:
    """The last allowed day of a deadline (24:00 Beijing of that day) as 2026年12月7日."""
    d = beijing_today(at - timedelta(seconds=1))
    return f"{d.year}年{d.month}月{d.day}日"


def request_views(db: Session, reqs: Sequence[FinancingRequest], *, for_bank: bool) -> list[dict[str, Any]]:
    cal, now = appeal_service.calendar(db), utcnow()
    return [request_view(db, r, for_bank=for_bank, cal=cal, now=now) for r in reqs]


def request_view(
    db: Session,
    req: FinancingRequest,
    *,
    for_bank: bool,
    cal: WorkdayCalendar | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A request as its reader may see it. A bank sees the enterprise only through the data it consented to
    share: without consent, nothing about the enterprise — not even its name. ``cal``: the platform calendar,
    read once by callers that show many requests."""
    bank = db.get(Bank, req.bank_id)
    assert bank is not None
    cal = cal or appeal_service.calendar(db)
    now = now or utcnow()
    decided = beijing_today(req.decided_at) if req.decided_at else None
    events = repository.events(db, req.id)
    out: dict[str, Any] = {
        "id": req.id,
        "group_key": req.group_key,
        "bank_id": bank.id,
        "bank_name": bank.name,
        "product_id": req.product_id,
        "amount": fen_to_yuan(req.amount_fen),
        "purpose": req.purpose,
        "term_months": req.term_months,
        "first_loan": req.first_loan,
        "shared": list(req.shared),
        "consent_at": req.consent_at,
        "status": req.status,
        "status_label": REQUEST_STATUS_LABELS[RequestStatus(req.status)],
        "submitted_at": req.submitted_at,
        "decided_at": req.decided_at,
        "working_days_to_decision": _working_days(cal, beijing_today(req.submitted_at), decided),
        "approved_amount": fen_to_yuan(req.approved_amount_fen)
        if req.approved_amount_fen is not None
        else None,
        "approved_rate_percent": Decimal(req.approved_rate_bp) / 100
        if req.approved_rate_bp is not None
        else None,
        "decline_reason": req.decline_reason,
        "enterprise": None,
        "policy_links": [],
        "events": [
            {
                "at": e.at,
                "actor": e.actor_label,
                "action": e.action,
                "status_after": e.status_after,
                "note": e.note,
                "due_at": e.due_at,
            }
            for e in events
        ],
        **deadline_view(req, events, cal, now),
    }
    shared = set(req.shared) if for_bank else {f.value for f in ShareField}
    if not shared:
        return out
    ent = db.get(Enterprise, req.enterprise_id)
    if ent is None:
        return out
    as_of = beijing_today()
    if req.status == RequestStatus.approved:
        # The links reveal the enterprise's tier (eligibility): a bank sees them only when the enterprise
        # consented to share its recognitions.
        if for_bank and ShareField.recognitions not in shared:
            out["policy_links_note"] = (
                "企业未同意向本行共享梯度培育称号，贴息、担保费上限和风险补偿的测算结果不予展示"
            )
        else:
            full_doc = facts_of(enterprise_service.with_facts(db, [ent.id])[0])
            out["policy_links"] = policy_links(db, req, full_doc, as_of)
    info: dict[str, Any] = {}
    if ShareField.identity in shared:
        info.update(
            enterprise_id=ent.id,
            name=ent.name,
            uscc=ent.uscc,
            region_code=ent.region_code,
            industry_code=ent.industry_code,
        )
    if shared & {ShareField.credit_score, ShareField.financials, ShareField.recognitions}:
        full = enterprise_service.with_facts(db, [ent.id])[0]
        doc = facts_of(full)
        if ShareField.credit_score in shared:
            info["credit_score"] = score_facts(doc, as_of, for_bank=True)
        if ShareField.financials in shared:
            info["financials"] = _financials(doc, as_of)
        if ShareField.recognitions in shared:
            info["recognitions"] = [
                {"tier": r.get("tier"), "level": r.get("level"), "valid_until": r.get("valid_until")}
                for r in doc.get("recognitions") or []
                if r.get("status") == "valid"
            ]
    out["enterprise"] = info
    return out


# --- monitoring figures --------------------------------------------------------------------------------------


TIER_ORDER = ("little_giant", "srdi_sme", "tech_innovative_sme", "innovative_sme", "tech_sme")
TIER_LABELS = {
    "little_giant": "专精特新“小巨人”",
    "srdi_sme": "专精特新中小企业",
    "tech_innovative_sme": "科技和创新型中小企业",
    "innovative_sme": "创新型中小企业",
    "tech_sme": "科技型中小企业",
    "none": "无梯度培育称号",
}


def figures(db: Session, principal: Principal, by: str) -> list[dict[str, Any]]:
    """Requests, approvals, approved amount, 首贷户, average approved rate and working days to decision, per bank
    or per district, over the requests the caller may see."""
    from srdi.kit.reference import regions

    reqs = list_requests(db, principal)
    banks = {b.id: b.name for b in repository.banks(db)}
    cal = appeal_service.calendar(db)
    now = utcnow()
    events_of = repository.events_of([r.id for r in reqs], db)
    tier_of: dict[int, str] = {}
    if by == "tier":  # the enterprise's highest valid tier today
        ids = sorted({r.enterprise_id for r in reqs})
        for i in range(0, len(ids), CHUNK):
            for ent in enterprise_service.with_facts(db, ids[i : i + CHUNK]):
                held = set(enterprise_service.valid_tiers(ent))
                tier_of[ent.id] = next((t for t in TIER_ORDER if t in held), "none")
    groups: dict[str, list[FinancingRequest]] = {}
    for r in reqs:
        if by == "bank":
            key = banks.get(r.bank_id, str(r.bank_id))
        elif by == "tier":
            key = tier_of.get(r.enterprise_id, "none")
        else:
            key = r.region_code
        groups.setdefault(key, []).append(r)
    names = regions()
    out = []
    for key in sorted(groups):
        rows = groups[key]
        approved = [r for r in rows if r.status == RequestStatus.approved]
        decided = [r for r in rows if r.decided_at is not None]
        amount = sum(r.approved_amount_fen or 0 for r in approved)
        rates = [r.approved_rate_bp for r in approved if r.approved_rate_bp is not None]
        days = [
            d
            for r in decided
            if (d := _working_days(cal, beijing_today(r.submitted_at), beijing_today(r.decided_at)))
            is not None
        ]
        # The bank's stages with a time limit that have ended, or are still open past it: on time or late.
        stages = [
            o for r in rows for o in deadlines.outcomes(events_of.get(r.id, []), now) if o.on_time is not None
        ]
        on_time = sum(1 for o in stages if o.on_time)
        region = names.get(key) if by == "district" else None
        out.append(
            {
                "key": key,
                "label": region.full_name if region else TIER_LABELS.get(key, key) if by == "tier" else key,
                "requests": len(rows),
                "approved": len(approved),
                "declined": sum(1 for r in rows if r.status == RequestStatus.declined),
                "approved_amount": fen_to_yuan(amount),
                "first_loans": sum(1 for r in approved if r.first_loan),
                "average_rate_percent": (Decimal(sum(rates)) / len(rates) / 100).quantize(Decimal("0.01"))
                if rates
                else None,
                "average_working_days_to_decision": (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"))
                if days
                else None,
                "timed_stages": len(stages),
                "on_time_stages": on_time,
                "on_time_rate_percent": (Decimal(on_time * 100) / len(stages)).quantize(Decimal("0.1"))
                if stages
                else None,
                "overdue_open": sum(1 for r in rows if r.due_at is not None and now >= r.due_at),
            }
        )
    return out


# --- bank accounts: which bank a bank-role account works for (admin) -----------------------------------------


def bank_accounts(db: Session) -> list[dict[str, Any]]:
    """Every bank-role account with the bank it is linked to (None: not yet linked)."""
    from srdi.auth.service import list_users

    users, _ = list_users(db, role=Role.bank.value, page_size=1000)
    banks_by_id = {b.id: b for b in repository.all_banks(db)}
    links = repository.bank_members(db, [u.id for u in users])
    out = []
    for u in users:
        bank = banks_by_id.get(links[u.id]) if u.id in links else None
        out.append(
            {
                "user_id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "active": u.active,
                "bank_id": bank.id if bank else None,
                "bank_name": bank.name if bank else None,
            }
        )
    return out


def set_bank_of_account(
    db: Session, principal: Principal, user_id: int, bank_id: int | None
) -> dict[str, Any]:
    """Link a bank-role account to its bank (or unlink it); audited with the bank before and after."""
    from srdi.auth.service import get_user_or_404

    user = get_user_or_404(db, user_id)
    if user.role != Role.bank.value:
        raise InvalidRequest(
            f"账号“{user.display_name}”不是银行角色，不能关联金融机构", "only bank-role accounts are linked"
        )
    bank = db.get(Bank, bank_id) if bank_id is not None else None
    if bank_id is not None and bank is None:
        raise BankNotFound(bank_id)
    row = db.get(BankMember, user.id)
    before = row.bank_id if row else None
    if bank is None:
        if row is not None:
            db.delete(row)
    elif row is None:
        db.add(BankMember(user_id=user.id, bank_id=bank.id))
    else:
        row.bank_id = bank.id
    audit(
        db,
        principal,
        "finance.bank_member_set",
        ("user", user.id),
        {"bank_before": before, "bank_after": bank.id if bank else None},
    )
    db.flush()
    return next(a for a in bank_accounts(db) if a["user_id"] == user.id)


def link_bank_member(db: Session, user_id: int, bank: Bank) -> None:
    if db.get(BankMember, user_id) is None:
        db.add(BankMember(user_id=user_id, bank_id=bank.id))
