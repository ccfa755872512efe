"""申报与审核 (PRODUCT C4): from a self-assessment to a recognition record.

An enterprise applies for a tier in a batch an official opened: the application is pre-filled from the registry
with the self-evaluation snapshot (inputs, rule-set hash, trace; srdi.criteria.service), lists the evidence each
rule item needs (rules/applications/review.yaml), takes uploads per item and a truthfulness pledge, and is
submitted within the batch window. It then passes the review chain of its tier and province (区县初审 → 市级审核
→ 专家评审 → 省级认定, as data), is publicised for N working days (objections pause it) and the batch's
announcement creates the recognition records. Every step is an event with who, when and why.

Services never commit; the request (or CLI command) that calls them does.
"""

from __future__ import annotations

import random
import secrets
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import yaml
from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from srdi.appeal import service as appeal_service
from srdi.application import repository
from srdi.application.enums import (
    EDITABLE,
    Aggregation,
    ApplicationStatus,
    AssignmentStatus,
    EventAction,
    ObjectionStatus,
    ReviewAction,
)
from srdi.application.exceptions import (
    ApplicationConflict,
    ApplicationNotFound,
    AssignmentNotFound,
    BatchNotFound,
    ConcurrentChange,
    EvidenceNotFound,
    ForbiddenFile,
    InvalidApplication,
    NotYourStep,
)
from srdi.application.models import (
    Application,
    ApplicationBatch,
    ApplicationEvent,
    EvidenceFile,
    Expert,
    ExpertAssignment,
    Objection,
)
from srdi.auth.enums import ENTERPRISE_BOUND_ROLES, ROLE_LABELS, Role
from srdi.auth.models import User
from srdi.config import get_settings
from srdi.criteria import dynamic_service
from srdi.criteria import service as criteria_service
from srdi.criteria.enums import Purpose
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.enums import LABELS as ENTERPRISE_LABELS
from srdi.enterprise.enums import Provenance, Tier
from srdi.enterprise.models import Enterprise, Recognition
from srdi.kit.file_store import FileStore, sniff_type
from srdi.kit.pagination import in_ids, under_prefixes
from srdi.kit.workdays import WorkdayCalendar, beijing_today, utc_now
from srdi.notification import service as notification_service

WORKFLOW_FILE = Path("applications") / "review.yaml"
BLIND_MASK = "（已隐去）"


def today() -> date:
    """Beijing's date (tests replace this to walk a batch through its working days)."""
    return beijing_today()


def now() -> datetime:
    return utc_now()


def evidence_root() -> Path:
    return get_settings().evidence_dir


def max_evidence_bytes() -> int:
    return get_settings().max_evidence_bytes


def calendar(db: Session) -> WorkdayCalendar:
    return appeal_service.calendar(db)


# --- the workflow as data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    key: str
    label: str
    kind: str  # review | experts
    role: Role


@dataclass(frozen=True)
class EvidenceItem:
    id: str
    label: str
    required: bool
    rule_label: str


@dataclass(frozen=True)
class Workflow:
    data: dict[str, Any]

    def level(self, key: str) -> Level:
        raw = self.data["levels"][key]
        return Level(key, str(raw["label"]), str(raw["kind"]), Role(raw["role"]))

    def chain_for(self, tier: str, region_code: str) -> list[str]:
        chains: dict[str, dict[str, list[str]]] = self.data["chains"]
        by_province = chains.get(region_code[:2]) or chains["default"]
        return list(by_province.get(tier) or by_province["default"])

    @property
    def correction_days(self) -> int:
        return int(self.data["correction"]["working_days"])

    @property
    def correction_remind_days(self) -> int:
        return int(self.data["correction"].get("remind_before_working_days", 2))

    @property
    def expert_remind_days(self) -> int:
        return int(self.data["experts"].get("remind_before_working_days", 2))

    @property
    def re_review_candidate_months(self) -> int:
        return int((self.data.get("re_review") or {}).get("candidate_months", 6))

    @property
    def publicity_days(self) -> int:
        return int(self.data["publicity"]["working_days"])

    @property
    def experts(self) -> dict[str, Any]:
        ex: dict[str, Any] = self.data["experts"]
        return ex

    @property
    def recognition_level(self) -> str:
        return str(self.data["recognition"]["level"])

    def evidence_spec(self, tier: str) -> dict[str, dict[str, Any]]:
        spec: dict[str, dict[str, Any]] = (self.data.get("evidence") or {}).get(tier) or {}
        return spec


@lru_cache(maxsize=4)
def load_workflow(rules_dir: Path) -> Workflow:
    return Workflow(yaml.safe_load((rules_dir / WORKFLOW_FILE).read_text(encoding="utf-8")))


def workflow() -> Workflow:
    return load_workflow(get_settings().rules_dir)


def level_label(key: str | None) -> str | None:
    return workflow().level(key).label if key else None


def evidence_items(app: Application) -> list[EvidenceItem]:
    """The evidence the rule items of the application's rule set need, with the rule item's own name."""
    labels = {i["id"]: i["label"] for i in app.trace.get("items", []) if isinstance(i, dict) and "id" in i}
    out = []
    for item_id, spec in workflow().evidence_spec(app.tier).items():
        rule_label = labels.get(item_id, "综合材料" if item_id == "general" else item_id)
        out.append(EvidenceItem(item_id, str(spec["label"]), bool(spec.get("required")), str(rule_label)))
    return out


# --- who may see what ------------------------------------------------------------------------------------------


class ScopeLike:
    def allows(self, region_code: str | None, enterprise_id: int | None) -> bool:  # pragma: no cover
        raise NotImplementedError


def visible(user: User, app: Application) -> bool:
    """Applications are seen by their enterprise, officials whose region covers them, and administrators."""
    from srdi.auth.service import scope_for

    role = Role(user.role)
    if role is Role.expert or role is Role.bank or role is Role.department_handler:
        return False
    if role is Role.service_commissioner:
        return False
    # A draft is the enterprise's own work until it is submitted.
    if role not in ENTERPRISE_BOUND_ROLES and app.status == ApplicationStatus.draft.value:
        return False
    return scope_for(user).allows(app.region_code, app.enterprise_id)


def get_visible(db: Session, user: User, application_id: int) -> Application:
    app = db.get(Application, application_id)
    if app is None or not visible(user, app):
        raise ApplicationNotFound(application_id)
    return app


def _lock(db: Session, user: User, application_id: int) -> Application:
    """The application, row-locked on PostgreSQL until the transaction ends (SQLite serialises writers)."""
    app = db.scalars(
        select(Application)
        .where(Application.id == application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if app is None or not visible(user, app):
        raise ApplicationNotFound(application_id)
    return app


def actor_name(user: User) -> str:
    return f"{user.display_name or user.username}（{ROLE_LABELS[Role(user.role)]}）"


def _event(
    db: Session,
    app: Application,
    action: EventAction,
    user: User | None,
    *,
    before: str | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    name: str | None = None,
) -> ApplicationEvent:
    row = ApplicationEvent(
        application_id=app.id,
        at=now(),
        action=action.value,
        level=app.level,
        from_status=before,
        to_status=app.status,
        actor_user_id=user.id if user is not None else None,
        actor_name=name or (actor_name(user) if user is not None else "系统"),
        reason=reason,
        detail=detail or {},
    )
    db.add(row)
    return row


def _flush(db: Session, app: Application) -> None:
    try:
        db.flush()
    except StaleDataError as exc:
        raise ConcurrentChange(app.id) from exc


def _notify(db: Session, app: Application, title: str, body: str, key: str) -> None:
    notification_service.notify(
        db,
        app.enterprise_id,
        kind="application",
        title=title,
        body=body,
        link=f"/applications/{app.id}",
        dedupe_key=f"application:{app.id}:{key}",
    )


# --- batches ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchData:
    name: str
    tier: str
    purpose: str
    region_code: str
    open_date: date
    close_date: date


def create_batch(db: Session, data: BatchData, user: User) -> ApplicationBatch:
    from srdi.auth.service import scope_for

    if data.tier not in {t.value for t in Tier} or data.tier == Tier.single_champion.value:
        raise InvalidApplication(f"不支持申报的称号：{data.tier}", f"unknown tier {data.tier}")
    if data.purpose not in {p.value for p in Purpose}:
        raise InvalidApplication(f"申报类型有误：{data.purpose}", f"unknown purpose {data.purpose}")
    if data.close_date < data.open_date:
        raise InvalidApplication("截止日期不能早于开始日期", "close_date before open_date")
    if not scope_for(user).allows_region(data.region_code):
        raise NotYourStep("只能为本辖区开设申报批次", f"region {data.region_code} outside scope")
    if repository.batch_by_name(db, data.name) is not None:
        raise ApplicationConflict(f"已有同名申报批次“{data.name}”", f"batch {data.name} exists")
    batch = ApplicationBatch(
        name=data.name,
        tier=data.tier,
        purpose=data.purpose,
        region_code=data.region_code,
        open_date=data.open_date,
        close_date=data.close_date,
        created_by=actor_name(user),
    )
    db.add(batch)
    db.flush()
    return batch


def get_batch(db: Session, batch_id: int) -> ApplicationBatch:
    batch = db.get(ApplicationBatch, batch_id)
    if batch is None:
        raise BatchNotFound(batch_id)
    return batch


def batches(db: Session) -> list[ApplicationBatch]:
    return repository.batches(db)


def batch_is_open(batch: ApplicationBatch, day: date) -> bool:
    return batch.announced_date is None and batch.open_date <= day <= batch.close_date


# --- applications ----------------------------------------------------------------------------------------------


def _profile(ent: Enterprise) -> dict[str, Any]:
    return {
        "name": ent.name,
        "uscc": ent.uscc,
        "region_code": ent.region_code,
        "industry_code": ent.industry_code,
        "size_class": ent.size_class,
        "founded_date": ent.founded_date.isoformat() if ent.founded_date else None,
        "address": ent.address,
        "valid_tiers": enterprise_service.valid_tiers(ent),
    }


def _snapshot(app: Application, ent: Enterprise, day: date) -> None:
    """Pre-fill from the registry and attach the self-evaluation of the batch's tier (inputs, hash, trace)."""
    facts = enterprise_service.facts_document(ent)
    out = criteria_service.assess_facts(facts, as_of=day, purpose=Purpose(app.purpose))
    t = next((t for t in out.tiers if t.tier == app.tier), None)
    if t is None:
        raise InvalidApplication(
            f"{day}施行的标准中没有“{criteria_service.tier_label(app.tier)}”，无法申报",
            f"tier {app.tier} not in force on {day}",
        )
    app.profile = _profile(ent)
    app.as_of_date = day
    app.rule_set_id = t.rule_set_id
    app.rule_set_hash = t.content_hash
    app.self_status = t.status
    app.inputs_snapshot = facts
    app.trace = cast(dict[str, Any], t.result)


def create_application(db: Session, ent: Enterprise, batch: ApplicationBatch, user: User) -> Application:
    day = today()
    if not ent.region_code.startswith(batch.region_code):
        raise InvalidApplication(
            f"贵企业不在批次“{batch.name}”的申报范围内", f"enterprise region outside batch {batch.id}"
        )
    if batch.announced_date is not None or day > batch.close_date:
        raise InvalidApplication(
            f"批次“{batch.name}”已于{batch.close_date}截止，不能再申报", f"batch {batch.id} closed"
        )
    _check_ban(db, ent, batch, day)
    existing = repository.application_of(db, ent.id, batch.id)
    if existing is not None:
        raise ApplicationConflict(
            f"贵企业已在本批次申报（编号 {existing.id}），请继续填写该申报",
            f"application {existing.id} exists",
            details={"existing_id": existing.id},
        )
    app = Application(
        batch_id=batch.id,
        enterprise_id=ent.id,
        region_code=ent.region_code,
        tier=batch.tier,
        purpose=batch.purpose,
        status=ApplicationStatus.draft.value,
        chain=workflow().chain_for(batch.tier, ent.region_code),
        level=None,
    )
    _snapshot(app, ent, max(day, batch.open_date))
    db.add(app)
    db.flush()
    _event(db, app, EventAction.create, user, detail={"rule_set_id": app.rule_set_id})
    return app


def _check_ban(db: Session, ent: Enterprise, batch: ApplicationBatch, day: date) -> None:
    """动态管理: a revocation for a barring reason refuses any application for ``ban_years`` (暂行办法 第十六条);
    an annual update missed during the current recognition refuses its 复核 (CRITERIA §7)."""
    from srdi.application import dynamic_service

    ban = dynamic_service.application_ban(ent, day)
    if ban is not None:
        rec, until = ban
        years = dynamic_service.revocation_rules()["ban_years"]
        raise InvalidApplication(
            f"贵企业的{criteria_service.tier_label(rec.tier)}认定已于{rec.revoked_date}撤销"
            f"（{ENTERPRISE_LABELS.get(rec.revocation_reason or '', '撤销')}），{years}年内不得再次申报，"
            f"{until}起方可申报",
            f"barred until {until} by revocation of recognition {rec.id}",
            details={"ban_until": until.isoformat(), "recognition_id": rec.id},
        )
    if batch.purpose == Purpose.re_review.value:
        lost = dynamic_service.lost_re_review(db, ent, batch.tier)
        if lost is not None:
            raise InvalidApplication(
                f"贵企业未在{lost.deadline_date}前更新{lost.fiscal_year}年度数据，"
                f"{dynamic_service.consequence(lost.regime)}",
                f"re-review eligibility lost by overdue annual update {lost.id}",
                details={"annual_update_task_id": lost.id},
            )


def update_draft(
    db: Session, user: User, application_id: int, *, statement: str | None, pledge: bool | None
) -> Application:
    app = _lock(db, user, application_id)
    _own_editable(user, app)
    if statement is not None:
        app.statement = statement.strip() or None
    if pledge is not None:
        app.pledge_accepted = pledge
        app.pledged_at = now() if pledge else None
    _flush(db, app)
    return app


def _own_editable(user: User, app: Application) -> None:
    if Role(user.role) not in ENTERPRISE_BOUND_ROLES or user.enterprise_id != app.enterprise_id:
        raise NotYourStep("只有申报企业本身可以填写和提交申报", "only the applicant edits")
    if ApplicationStatus(app.status) not in EDITABLE:
        raise ApplicationConflict(
            f"申报当前状态为“{ApplicationStatus(app.status).label}”，不能修改",
            f"application {app.id} is {app.status}",
        )


def missing_evidence(db: Session, app: Application) -> list[EvidenceItem]:
    have = {f.item_id for f in repository.files_of(db, app.id)}
    return [i for i in evidence_items(app) if i.required and i.id not in have]


def submit(db: Session, user: User, application_id: int) -> Application:
    app = _lock(db, user, application_id)
    _own_editable(user, app)
    batch = get_batch(db, app.batch_id)
    day = today()
    before = app.status
    if before == ApplicationStatus.draft.value and not batch_is_open(batch, day):
        raise InvalidApplication(
            f"不在批次“{batch.name}”的申报时间内（{batch.open_date} 至 {batch.close_date}），不能提交",
            f"outside batch window {batch.open_date}..{batch.close_date}",
        )
    if (
        before == ApplicationStatus.returned.value
        and app.correction_due_date
        and day > app.correction_due_date
    ):
        raise InvalidApplication(
            f"补正期限已于{app.correction_due_date}届满，不能再提交", "correction deadline passed"
        )
    if not app.pledge_accepted:
        raise InvalidApplication("请先阅读并确认真实性承诺", "truthfulness pledge not accepted")
    # A revocation or a missed update since the draft was created refuses the submission as well.
    _check_ban(db, enterprise_service.get_or_404(db, app.enterprise_id), batch, day)
    missing = missing_evidence(db, app)
    if missing:
        raise InvalidApplication(
            "缺少必需的证明材料：" + "；".join(f"{m.rule_label}（{m.label}）" for m in missing),
            "required evidence missing",
            details={"missing": [m.id for m in missing]},
        )
    ent = enterprise_service.get_or_404(db, app.enterprise_id)
    _snapshot(app, ent, max(day, batch.open_date) if before == ApplicationStatus.draft.value else day)
    app.status = ApplicationStatus.in_review.value
    if before == ApplicationStatus.draft.value:
        app.level = app.chain[0]
        app.submitted_at = now()
        action = EventAction.submit
    else:
        action = EventAction.resubmit
    app.correction_due_date = None
    _flush(db, app)
    _event(db, app, action, user, before=before, detail={"rule_set_hash": app.rule_set_hash})
    return app


# --- evidence files --------------------------------------------------------------------------------------------


def _store() -> FileStore:
    """Evidence is kept by content in the shared store (srdi.kit.file_store, decision 0019)."""
    return FileStore(evidence_root())


def store_evidence(
    db: Session, user: User, application_id: int, item_id: str, filename: str, content: bytes
) -> EvidenceFile:
    app = _lock(db, user, application_id)
    _own_editable(user, app)
    if item_id not in {i.id for i in evidence_items(app)}:
        raise InvalidApplication(f"本申报没有“{item_id}”这一材料项", f"no evidence item {item_id}")
    limit = max_evidence_bytes()
    if len(content) > limit:
        raise ForbiddenFile(
            f"文件过大（{len(content)} 字节），单个文件不能超过 {limit // (1024 * 1024)} MiB",
            f"file of {len(content)} bytes exceeds {limit}",
        )
    if not content:
        raise ForbiddenFile("文件为空", "empty file")
    ctype = sniff_type(content[:16])
    if ctype is None:
        raise ForbiddenFile(
            "只接受 PDF、PNG 或 JPEG 文件（按文件内容识别，与文件名无关）",
            "file content is not PDF, PNG or JPEG",
        )
    sha = _store().save(content)
    name = Path(filename or "file").name[:200] or "file"
    row = EvidenceFile(
        application_id=app.id,
        item_id=item_id,
        filename=name,
        content_type=ctype,
        size_bytes=len(content),
        sha256=sha,
        uploaded_by=actor_name(user),
        uploaded_at=now(),
    )
    db.add(row)
    db.flush()
    _event(
        db,
        app,
        EventAction.upload,
        user,
        before=app.status,
        detail={"item_id": item_id, "file_id": row.id, "filename": name, "sha256": sha},
    )
    return row


def evidence_file(db: Session, user: User, file_id: int) -> tuple[EvidenceFile, Path]:
    """A file the caller is entitled to (the application's enterprise or reviewers in scope), and its path."""
    row = db.get(EvidenceFile, file_id)
    if row is None:
        raise EvidenceNotFound(file_id)
    app = db.get(Application, row.application_id)
    if app is None or not visible(user, app):
        raise EvidenceNotFound(file_id)
    path = _store().path(row.sha256)
    if not path.exists():
        raise EvidenceNotFound(file_id)
    return row, path


def remove_evidence(db: Session, user: User, file_id: int) -> Application:
    row, _ = evidence_file(db, user, file_id)
    app = _lock(db, user, row.application_id)
    _own_editable(user, app)
    db.delete(row)
    db.flush()
    _event(db, app, EventAction.remove_file, user, before=app.status, detail={"file_id": file_id})
    return app


def files_of(db: Session, app: Application) -> list[EvidenceFile]:
    return repository.files_of(db, app.id)


# --- the review chain ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedValue:
    """An indicator input the reviewer checked against the evidence (None: the registry's value is confirmed)."""

    figure: str
    fiscal_year: int
    value: Decimal | None
    note: str


@dataclass(frozen=True)
class ReviewData:
    action: ReviewAction
    level: str
    reason: str | None = None
    items: Sequence[str] = ()
    verified: Sequence[VerifiedValue] = ()


def _plan_verified(
    db: Session, app: Application, values: Sequence[VerifiedValue]
) -> list[tuple[VerifiedValue, int | None]]:
    """The reviewer's verified values become the registry's, with provenance ``verified`` (decision 0012), through
    the same enterprise-service writes the verification queue uses: a confirmed value keeps its number
    (``verify_yearly``), a corrected one is written with source ``verified``; each leaves its history row with
    the reviewer's note. Everything is checked before anything is written."""
    from srdi.enterprise.models import COUNT_FIGURES, MONEY_FIGURES
    from srdi.kit.money import yuan_to_fen

    if not values:
        return []
    ent = enterprise_service.get_or_404(db, app.enterprise_id)
    figures = {f.fiscal_year: f for f in ent.yearly_figures}
    planned: list[tuple[VerifiedValue, int | None]] = []
    for v in values:
        note = v.note.strip()
        if v.figure not in (*MONEY_FIGURES, *COUNT_FIGURES):
            raise InvalidApplication(
                f"“{v.figure[:40]}”不是可核验的年度经营数据项", f"unknown figure {v.figure[:40]}"
            )
        if not note:
            raise InvalidApplication("核验须说明依据", "verification without a note")
        stored: int | None
        if v.value is None:
            fig = figures.get(v.fiscal_year)
            if fig is None or getattr(fig, v.figure) is None:
                raise InvalidApplication(
                    f"企业库中没有{v.fiscal_year}年度的该项数据，请填写核实后的数值",
                    f"no {v.figure} for {v.fiscal_year} to confirm",
                )
            stored = None
        elif v.figure in MONEY_FIGURES:
            stored = yuan_to_fen(v.value)
        else:
            if v.value != v.value.to_integral_value() or v.value < 0:
                raise InvalidApplication("人数须为非负整数", f"{v.figure} must be a whole number")
            stored = int(v.value)
        planned.append((v, stored))
    return planned


def _apply_verified(
    db: Session, user: User, app: Application, level: Level, planned: list[tuple[VerifiedValue, int | None]]
) -> list[dict[str, Any]]:
    from srdi.policy import service as policy_service

    if not planned:
        return []
    ent = enterprise_service.get_or_404(db, app.enterprise_id)
    actor = actor_name(user)
    out = []
    for v, stored in planned:
        note = f"{level.label}核验（申报 {app.id}）：{v.note.strip()}"
        if stored is None:
            enterprise_service.verify_yearly(
                db, ent, v.figure, v.fiscal_year, actor=actor, note=note, evidence=None
            )
        else:
            enterprise_service.set_yearly_figures(
                db,
                ent,
                v.fiscal_year,
                {v.figure: stored},
                source=Provenance.verified.value,
                actor=actor,
                note=note,
            )
        out.append(
            {
                "figure": v.figure,
                "fiscal_year": v.fiscal_year,
                "value": None if v.value is None else str(v.value),
            }
        )
    policy_service.mark_dirty(db, [ent.id])
    return out


def _check_level(user: User, app: Application, level_key: str) -> Level:
    if app.status != ApplicationStatus.in_review.value:
        raise ApplicationConflict(
            f"申报当前状态为“{ApplicationStatus(app.status).label}”，不能审核",
            f"application {app.id} is {app.status}",
        )
    if app.level != level_key:
        raise ApplicationConflict(
            f"该申报已不在“{level_label(level_key) or level_key}”阶段（当前：{level_label(app.level)}），请刷新",
            f"application {app.id} is at {app.level}, not {level_key}",
            details={"level": app.level},
        )
    level = workflow().level(level_key)
    role = Role(user.role)
    if role is not Role.admin and role is not level.role:
        raise NotYourStep(
            f"当前为“{level.label}”阶段，应由{ROLE_LABELS[level.role]}办理",
            f"level {level.key} belongs to {level.role}",
        )
    return level


def _start_publicity(db: Session, app: Application) -> None:
    day = today()
    app.status = ApplicationStatus.publicity.value
    app.level = None
    app.publicity_start_date = day
    app.publicity_end_date = calendar(db).add_working_days(day, workflow().publicity_days)
    app.publicity_paused = False


def _advance(db: Session, app: Application) -> None:
    idx = app.chain.index(app.level) if app.level in app.chain else len(app.chain) - 1
    if idx + 1 < len(app.chain):
        app.level = app.chain[idx + 1]
    else:
        _start_publicity(db, app)


def review(db: Session, user: User, application_id: int, data: ReviewData) -> Application:
    app = _lock(db, user, application_id)
    level = _check_level(user, app, data.level)
    if level.kind != "review":
        raise ApplicationConflict(
            f"“{level.label}”阶段由专家评分完成，不能直接审核", f"level {level.key} is an expert step"
        )
    reason = (data.reason or "").strip() or None
    planned = _plan_verified(db, app, data.verified)
    before = app.status
    detail: dict[str, Any] = {}
    if data.action is ReviewAction.approve:
        _advance(db, app)
        action = EventAction.approve
        detail["next_level"] = app.level
    elif data.action is ReviewAction.return_:
        items = [i.strip() for i in data.items if i and i.strip()]
        if not items:
            raise InvalidApplication("退回补正须列明需要补正的事项", "return without items")
        app.status = ApplicationStatus.returned.value
        app.correction_items = items
        app.correction_due_date = calendar(db).add_working_days(today(), workflow().correction_days)
        action = EventAction.return_
        detail = {"items": items, "due_date": app.correction_due_date.isoformat()}
    else:
        if not reason:
            raise InvalidApplication("不予通过须说明理由", "reject without reason")
        app.status = ApplicationStatus.rejected.value
        app.reject_reason = reason
        app.level = None
        action = EventAction.reject
    verified = _apply_verified(db, user, app, level, planned)
    if verified:
        detail["verified_values"] = verified
    level_at = data.level
    _flush(db, app)
    ev = _event(db, app, action, user, before=before, reason=reason, detail=detail)
    ev.level = level_at
    if action is EventAction.return_:
        _notify(
            db,
            app,
            "您的申报被退回补正",
            f"请于{app.correction_due_date}前补正：" + "；".join(app.correction_items),
            f"return:{app.version}",
        )
    elif action is EventAction.reject:
        _notify(db, app, "您的申报未通过审核", reason or "", "reject")
    elif app.status == ApplicationStatus.publicity.value:
        _notify(db, app, "您的申报已进入公示", f"公示期至{app.publicity_end_date}", "publicity")
        _event(db, app, EventAction.publicity, None, detail={"end_date": str(app.publicity_end_date)})
    return app


# --- experts ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertData:
    name: str
    region_code: str
    fields: Sequence[str] = ()
    declared_enterprise_ids: Sequence[int] = ()
    user_id: int | None = None


def create_expert(db: Session, data: ExpertData) -> Expert:
    if data.user_id is not None:
        u = db.get(User, data.user_id)
        if u is None or u.role != Role.expert.value:
            raise InvalidApplication("关联账号须为评审专家账号", "user is not an expert")
        if repository.expert_of_user(db, data.user_id) is not None:
            raise ApplicationConflict("该账号已在专家库中", "expert exists for user")
    row = Expert(
        name=data.name.strip(),
        region_code=data.region_code,
        fields=list(data.fields),
        declared_enterprise_ids=list(data.declared_enterprise_ids),
        user_id=data.user_id,
    )
    db.add(row)
    db.flush()
    return row


def experts(db: Session) -> list[Expert]:
    return repository.experts(db)


def conflict_of(expert: Expert, app: Application, expert_user: User | None) -> str | None:
    """Why ``expert`` may not review ``app`` (None: no conflict)."""
    if app.enterprise_id in (expert.declared_enterprise_ids or []):
        return "专家申报了与该企业的关联关系"
    if expert_user is not None and expert_user.enterprise_id == app.enterprise_id:
        return "专家账号属于申报企业"
    if workflow().experts.get("exclude_same_district") and expert.region_code == app.region_code:
        return "专家与申报企业在同一区县"
    return None


def draw(candidate_ids: Sequence[int], count: int, seed: int) -> list[int]:
    """双随机: ``count`` experts drawn from the sorted candidates with a seeded generator (reproducible)."""
    return sorted(random.Random(seed).sample(sorted(candidate_ids), count))


def assign_experts(
    db: Session,
    user: User,
    application_id: int,
    *,
    count: int | None = None,
    seed: int | None = None,
    expert_ids: Sequence[int] | None = None,
) -> list[ExpertAssignment]:
    app = _lock(db, user, application_id)
    level_key = app.level or ""
    level = _check_level(user, app, level_key) if app.level else None
    if level is None or level.kind != "experts":
        raise ApplicationConflict("该申报当前不在专家评审阶段，不能抽取专家", "not at an expert step")
    if repository.assignments_of(db, app.id):
        raise ApplicationConflict("该申报已抽取评审专家，不能重复抽取", "experts already assigned")
    pool = [e for e in repository.experts(db) if e.active]
    users = {
        u.id: u for u in db.scalars(select(User).where(User.id.in_([e.user_id for e in pool if e.user_id])))
    }
    conflicts = {e.id: conflict_of(e, app, users.get(e.user_id or 0)) for e in pool}
    if expert_ids:
        by_id = {e.id: e for e in pool}
        for eid in expert_ids:
            if eid not in by_id:
                raise InvalidApplication(f"专家库中没有编号为 {eid} 的在库专家", f"expert {eid} not in pool")
            if conflicts[eid]:
                raise ApplicationConflict(
                    f"专家“{by_id[eid].name}”与申报企业存在利益冲突（{conflicts[eid]}），不能指派",
                    f"expert {eid} conflicted",
                )
        chosen = sorted(set(expert_ids))
        used_seed = 0
        candidates = chosen
    else:
        n = count or int(workflow().experts["per_application"])
        candidates = sorted(e.id for e in pool if not conflicts[e.id])
        if len(candidates) < n:
            raise ApplicationConflict(
                f"回避后可抽取的专家只有 {len(candidates)} 名，不足 {n} 名", "not enough experts"
            )
        used_seed = seed if seed is not None else secrets.randbelow(2**31)
        chosen = draw(candidates, n, used_seed)
    due = calendar(db).add_working_days(today(), int(workflow().experts["working_days"]))
    rows = []
    for eid in chosen:
        row = ExpertAssignment(
            application_id=app.id, expert_id=eid, seed=used_seed, due_date=due, assigned_at=now()
        )
        db.add(row)
        rows.append(row)
    app.updated_at = now()
    _flush(db, app)
    _event(
        db,
        app,
        EventAction.assign_experts,
        user,
        before=app.status,
        detail={"seed": used_seed, "candidates": list(candidates), "chosen": chosen, "due_date": str(due)},
    )
    return rows


def expert_of(db: Session, user: User) -> Expert | None:
    return repository.expert_of_user(db, user.id)


def my_assignments(db: Session, user: User) -> list[ExpertAssignment]:
    ex = expert_of(db, user)
    return repository.assignments_of_expert(db, ex.id) if ex else []


def my_assignment(db: Session, user: User, assignment_id: int) -> ExpertAssignment:
    ex = expert_of(db, user)
    row = db.get(ExpertAssignment, assignment_id)
    if ex is None or row is None or row.expert_id != ex.id:
        raise AssignmentNotFound(assignment_id)
    return row


@dataclass(frozen=True)
class SheetItem:
    id: str
    label: str
    max_points: int


def scoring_sheet(app: Application) -> list[SheetItem]:
    """From the rule set's indicators (points tables), or its conditions scored 0–N where it has none."""
    rs = criteria_service.rule_book().get(app.rule_set_id)
    if rs.indicators:
        return [SheetItem(i.id, i.label, i.max_points) for i in rs.indicators]
    per = int(workflow().experts["points_per_condition"])
    return [SheetItem(c.id, c.label, per) for c in rs.conditions]


def aggregate(totals: Sequence[int], method: Aggregation, trimmed_fraction: float) -> Decimal:
    vals = sorted(totals)
    if method is Aggregation.median:
        result = Decimal(str(statistics.median(vals)))
    elif method is Aggregation.trimmed_mean:
        k = int(len(vals) * trimmed_fraction)
        kept = vals[k : len(vals) - k] if len(vals) - 2 * k > 0 else vals
        result = Decimal(sum(kept)) / Decimal(len(kept))
    else:
        result = Decimal(sum(vals)) / Decimal(len(vals))
    return result.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def submit_scores(
    db: Session, user: User, assignment_id: int, scores: dict[str, int], comment: str | None
) -> ExpertAssignment:
    return enter_scores(db, my_assignment(db, user, assignment_id), scores, comment)


def enter_scores(
    db: Session, row: ExpertAssignment, scores: dict[str, int], comment: str | None
) -> ExpertAssignment:
    """An assignment's scores (the expert's own, or entered for a pool expert without an account)."""
    if row.status == AssignmentStatus.scored.value:
        raise ApplicationConflict("该评审任务已提交评分，不能修改", "already scored")
    app = db.scalars(
        select(Application)
        .where(Application.id == row.application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    sheet = {s.id: s for s in scoring_sheet(app)}
    if set(scores) != set(sheet):
        missing = [sheet[k].label for k in sheet if k not in scores]
        raise InvalidApplication(
            "评分表须逐项打分" + (f"，缺少：{'；'.join(missing)}" if missing else "，含有评分表以外的项目"),
            "scores must cover the sheet exactly",
        )
    for k, v in scores.items():
        if not 0 <= v <= sheet[k].max_points:
            raise InvalidApplication(
                f"“{sheet[k].label}”的得分须在 0 到 {sheet[k].max_points} 之间", f"score {k} out of range"
            )
    row.scores = dict(scores)
    row.total = sum(scores.values())
    row.comment = mask_text((comment or "").strip(), app) or None
    row.status = AssignmentStatus.scored.value
    row.scored_at = now()
    db.flush()
    _event(
        db, app, EventAction.score, None, before=app.status, name="评审专家",
        detail={"assignment_id": row.id, "total": row.total},
    )  # fmt: skip
    rows = repository.assignments_of(db, app.id)
    if all(r.status == AssignmentStatus.scored.value for r in rows):
        cfg = workflow().experts
        method = Aggregation(cfg["aggregation"])
        totals = [r.total or 0 for r in rows]
        app.expert_score = aggregate(totals, method, float(cfg["trimmed_fraction"]))
        app.expert_aggregation = method.value
        sheet_max = sum(s.max_points for s in sheet.values())
        app.expert_divergent = (max(totals) - min(totals)) > float(cfg["divergence_fraction"]) * sheet_max
        before = app.status
        _advance(db, app)
        _flush(db, app)
        _event(
            db, app, EventAction.experts_done, None, before=before,
            detail={"score": str(app.expert_score), "method": method.value, "divergent": app.expert_divergent,
                    "totals": totals},
        )  # fmt: skip
    return row


def mask_text(text: str, app: Application) -> str:
    """Blind review: the enterprise's name, short name and USCC never reach an expert."""
    if not text:
        return text
    for s in identifying_strings(app):
        text = text.replace(s, BLIND_MASK)
    return text


def identifying_strings(app: Application) -> list[str]:
    name = str(app.profile.get("name") or "")
    out = [name, str(app.profile.get("uscc") or "")]
    for suffix in ("股份有限公司", "有限责任公司", "有限公司", "集团"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            out.append(name[: -len(suffix)])
    address = app.profile.get("address")
    if address:
        out.append(str(address))
    return sorted({s for s in out if s}, key=len, reverse=True)


def mask_deep(value: Any, app: Application) -> Any:
    if isinstance(value, str):
        return mask_text(value, app)
    if isinstance(value, list):
        return [mask_deep(v, app) for v in value]
    if isinstance(value, dict):
        return {k: mask_deep(v, app) for k, v in value.items()}
    return value


# --- 公示 and 公告 ----------------------------------------------------------------------------------------------


def _publicity_official(user: User) -> None:
    if Role(user.role) not in (Role.admin, Role.provincial_official, Role.city_official):
        raise NotYourStep("公示期异议由市级或省级主管部门登记和答复", "objections by city/province officials")


def record_objection(db: Session, user: User, application_id: int, content: str) -> Objection:
    app = _lock(db, user, application_id)
    _publicity_official(user)
    if app.status != ApplicationStatus.publicity.value:
        raise ApplicationConflict("该申报不在公示期，不能登记异议", "not in publicity")
    text = content.strip()
    if not text:
        raise InvalidApplication("异议内容不能为空", "empty objection")
    row = Objection(application_id=app.id, content=text, received_date=today(), recorded_by=actor_name(user))
    db.add(row)
    app.publicity_paused = True
    _flush(db, app)
    _event(
        db, app, EventAction.objection, user, before=app.status, reason=text, detail={"objection_id": row.id}
    )
    return row


def answer_objection(db: Session, user: User, objection_id: int, *, upheld: bool, answer: str) -> Objection:
    obj = db.get(Objection, objection_id)
    if obj is None:
        raise ApplicationNotFound(objection_id)
    app = _lock(db, user, obj.application_id)
    _publicity_official(user)
    if obj.status != ObjectionStatus.open.value:
        raise ApplicationConflict("该异议已答复", "objection answered")
    text = answer.strip()
    if not text:
        raise InvalidApplication("答复内容不能为空", "empty answer")
    day = today()
    obj.status = (ObjectionStatus.upheld if upheld else ObjectionStatus.dismissed).value
    obj.answer = text
    obj.answered_date = day
    obj.answered_by = actor_name(user)
    before = app.status
    detail: dict[str, Any] = {"objection_id": obj.id, "upheld": upheld}
    if upheld:
        app.status = ApplicationStatus.rejected.value
        app.reject_reason = f"公示期异议成立：{text}"
        app.publicity_paused = False
    else:
        still_open = [
            o for o in repository.objections_of(db, app.id) if o.status == ObjectionStatus.open.value
        ]
        if not still_open:
            cal = calendar(db)
            paused = cal.working_days_between(obj.received_date, day)
            if app.publicity_end_date is not None and paused:
                app.publicity_end_date = cal.add_working_days(app.publicity_end_date, paused)
            app.publicity_paused = False
            detail["paused_working_days"] = paused
            detail["end_date"] = str(app.publicity_end_date)
    _flush(db, app)
    _event(db, app, EventAction.objection_answered, user, before=before, reason=text, detail=detail)
    return obj


def objections_of(db: Session, app: Application) -> list[Objection]:
    return repository.objections_of(db, app.id)


def publicity_list(db: Session, batch: ApplicationBatch) -> list[Application]:
    return [
        a
        for a in repository.applications_of_batch(db, batch.id)
        if a.status in (ApplicationStatus.publicity.value, ApplicationStatus.recognized.value)
    ]


def _valid_until(start: date, years: int) -> date:
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return end - timedelta(days=1)


def announce(db: Session, user: User, batch_id: int, document_no: str | None) -> list[Application]:
    """公告: every application of the batch whose 公示 ended without an open objection becomes a recognition."""
    from srdi.auth.service import scope_for

    if Role(user.role) not in (Role.admin, Role.provincial_official):
        raise NotYourStep("公告由省级主管部门发布", "announcement by provincial officials")
    batch = db.scalars(
        select(ApplicationBatch)
        .where(ApplicationBatch.id == batch_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if batch is None or not scope_for(user).allows_region(batch.region_code):
        raise BatchNotFound(batch_id)
    if batch.announced_date is not None:
        raise ApplicationConflict(
            f"批次“{batch.name}”已于{batch.announced_date}公告，不能重复公告", f"batch {batch.id} announced"
        )
    day = today()
    apps = [
        a
        for a in repository.applications_of_batch(db, batch.id)
        if a.status == ApplicationStatus.publicity.value
    ]
    pending = [a for a in apps if a.publicity_paused or (a.publicity_end_date or day) >= day]
    if pending:
        raise ApplicationConflict(
            f"仍有 {len(pending)} 项申报在公示期内或有未答复的异议，暂不能公告",
            "publicity not finished",
            details={"pending": [a.id for a in pending]},
        )
    if not apps:
        raise ApplicationConflict("本批次没有公示期满的申报，无法公告", "nothing to announce")
    regime = criteria_service.rule_book().select(day, batch.purpose, None).regime
    years = int(dynamic_service.dynamic_rules().regime(regime)["validity_years"])
    batch.announced_date = day
    batch.announced_by = actor_name(user)
    batch.document_no = (document_no or "").strip() or None
    for app in apps:
        rec = Recognition(
            enterprise_id=app.enterprise_id,
            tier=app.tier,
            level=workflow().recognition_level,
            batch=batch.name,
            announced_date=day,
            valid_until=_valid_until(day, years),
            status="valid",
            document_no=batch.document_no,
            source=Provenance.official_list.value,
            evidence=f"申报 {app.id} 经审核、公示后公告认定",
        )
        # Through the relationship, so that an enterprise already loaded in this session sees its new title.
        enterprise_service.get_or_404(db, app.enterprise_id).recognitions.append(rec)
        db.flush()
        enterprise_service.log_change(
            db, app.enterprise_id, entity="recognition", entity_key=str(rec.id), field="tier", old=None,
            new=app.tier, source=Provenance.official_list.value, actor=actor_name(user),
            note=f"批次“{batch.name}”公告认定（申报 {app.id}），有效期至{rec.valid_until}",
        )  # fmt: skip
        before = app.status
        app.status = ApplicationStatus.recognized.value
        app.recognition_id = rec.id
        _flush(db, app)
        _event(
            db, app, EventAction.announce, user, before=before,
            detail={"recognition_id": rec.id, "valid_until": rec.valid_until.isoformat(),
                    "document_no": batch.document_no},
        )  # fmt: skip
        _notify(
            db, app, f"您已被认定为{criteria_service.tier_label(app.tier)}",
            f"批次“{batch.name}”公告，有效期至{rec.valid_until}", "announced",
        )  # fmt: skip
    db.flush()
    return apps


# --- reading ---------------------------------------------------------------------------------------------------


def list_for(db: Session, user: User, *, status: str | None, awaiting_me: bool) -> list[Application]:
    rows = [a for a in repository.applications(db, status=status) if visible(user, a)]
    if awaiting_me:
        role = Role(user.role)
        rows = [
            a
            for a in rows
            if a.status == ApplicationStatus.in_review.value
            and a.level is not None
            and (role is Role.admin or workflow().level(a.level).role is role)
        ]
    return rows


def visible_clause(user: User) -> list[ColumnElement[bool]]:
    """``visible`` as a WHERE clause, so a list is narrowed and paged in SQL (the same rows, row for row)."""
    from srdi.auth.service import scope_for

    role = Role(user.role)
    if role in (Role.expert, Role.bank, Role.department_handler, Role.service_commissioner):
        return [false()]
    scope = scope_for(user)
    where = [
        under_prefixes(Application.region_code, scope.region_prefixes),
        in_ids(Application.enterprise_id, scope.enterprise_ids),
    ]
    if role not in ENTERPRISE_BOUND_ROLES:
        where.append(Application.status != ApplicationStatus.draft.value)
    return where


def page_for(
    db: Session, user: User, *, status: str | None, awaiting_me: bool, page: int, page_size: int
) -> tuple[list[Application], int]:
    """One page of the applications ``user`` may see (``list_for``), counted and cut in SQL."""
    where = visible_clause(user)
    if status:
        where.append(Application.status == status)
    if awaiting_me:
        role = Role(user.role)
        where += [Application.status == ApplicationStatus.in_review.value, Application.level.is_not(None)]
        if role is not Role.admin:
            levels = [k for k in workflow().data["levels"] if workflow().level(k).role is role]
            where.append(Application.level.in_(levels) if levels else false())
    return repository.applications_page(db, where, page, page_size)


def events_of(db: Session, app: Application) -> list[ApplicationEvent]:
    return repository.events_of(db, app.id)


def assignments_of(db: Session, app: Application) -> list[ExpertAssignment]:
    return repository.assignments_of(db, app.id)


def comparison(db: Session, app: Application) -> list[dict[str, Any]]:
    """Claimed (the snapshot the enterprise submitted) vs the registry now, for every rule item's inputs."""
    ent = enterprise_service.get_or_404(db, app.enterprise_id)
    day = app.as_of_date
    current = criteria_service.assess_facts(
        enterprise_service.facts_document(ent), as_of=day, purpose=Purpose(app.purpose)
    )
    now_trace: dict[str, Any] = next(
        (cast(dict[str, Any], t.result) for t in current.tiers if t.tier == app.tier), {"items": []}
    )
    now_items = {i["id"]: i for i in now_trace.get("items", [])}
    files = repository.files_of(db, app.id)
    out = []
    for item in app.trace.get("items", []):
        if item.get("kind") not in ("condition", "indicator", "direct_route"):
            continue
        cur = now_items.get(item["id"], {})
        out.append(
            {
                "id": item["id"],
                "label": item.get("label", item["id"]),
                "kind": item.get("kind"),
                "claimed": item.get("shown", {}),
                "claimed_value": item.get("value"),
                "registry": cur.get("shown", {}),
                "registry_value": cur.get("value"),
                "differs": cur.get("inputs") != item.get("inputs"),
                "file_ids": [f.id for f in files if f.item_id == item["id"]],
            }
        )
    return out


def applications_by_ids(db: Session, ids: Iterable[int]) -> dict[int, Application]:
    return {a.id: a for a in repository.applications_by_ids(db, ids)}


def enterprises_by_ids(db: Session, ids: Iterable[int]) -> dict[int, Enterprise]:
    return {e.id: e for e in db.scalars(select(Enterprise).where(Enterprise.id.in_(list(ids))))}


def get_application(db: Session, application_id: int) -> Application:
    app = db.get(Application, application_id)
    if app is None:
        raise ApplicationNotFound(application_id)
    return app
