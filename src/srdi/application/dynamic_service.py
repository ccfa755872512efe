"""动态管理 as workflows (CRITERIA §7, issue 14 deliverable 6): annual update tasks with their deadline and the
consequence of missing it (取消复核资格), major-change reports (更名、合并、重组、跨省迁移) within the regime's months,
and revocation with a reason from the file and the ban it starts.

Dates, months, years and the revocation kinds come from ``rules/dynamic_management.yaml`` (read through
``srdi.criteria.dynamic_service``); dates are Beijing's (Asia/Shanghai, ``srdi.kit.workdays.beijing_today``).
Every step leaves a ``change_log`` row on the enterprise, so 一企一档's 变更历史 shows who did what, when and why.
Services never commit; the request, CLI command or sweep that calls them does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import String, cast, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from srdi.application.enums import (
    SEVERITY_LABELS,
    ApplicationStatus,
    MajorChangeKind,
    MajorChangeStatus,
    ReReviewState,
    UpdateTaskStatus,
)
from srdi.application.exceptions import (
    ApplicationConflict,
    DynamicNotFound,
    InvalidApplication,
    NotYourStep,
)
from srdi.application.models import (
    AnnualUpdateTask,
    Application,
    ApplicationBatch,
    MajorChangeReport,
    RecognitionRevocation,
    ScheduledRun,
)
from srdi.auth.enums import ENTERPRISE_BOUND_ROLES, Role
from srdi.auth.models import User
from srdi.criteria import dynamic_service as rules_service
from srdi.criteria import service as criteria_service
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.enums import (
    LABELS,
    ChangeEntity,
    ChangeField,
    Provenance,
    RecognitionStatus,
    RevocationReason,
)
from srdi.enterprise.models import Enterprise, Recognition
from srdi.enterprise.schemas import YearlyFigureIn
from srdi.kit.workdays import beijing_today, utc_now
from srdi.notification import service as notification_service

# Tiers recognised by announcement: they hold the annual update duty and can be revoked.
RECOGNISED = rules_service.RECOGNISED


def today() -> date:
    """Beijing's date (tests replace this to walk past a deadline)."""
    return beijing_today()


def _actor(user: User) -> str:
    from srdi.application.service import actor_name

    return actor_name(user)


def _scope_allows(user: User, region_code: str, enterprise_id: int) -> bool:
    from srdi.auth.service import scope_for

    role = Role(user.role)
    if role not in ENTERPRISE_BOUND_ROLES and role not in (
        Role.admin,
        Role.district_official,
        Role.city_official,
        Role.provincial_official,
    ):
        return False
    return scope_for(user).allows(region_code, enterprise_id)


def _official(user: User) -> None:
    if Role(user.role) in ENTERPRISE_BOUND_ROLES:
        raise NotYourStep("该操作由主管部门办理", "officials only")


def _log(
    db: Session, ent_id: int, entity: str, key: int, old: str | None, new: str, actor: str, note: str
) -> None:
    enterprise_service.log_change(
        db, ent_id, entity=entity, entity_key=str(key), field="status", old=old, new=new, source=None,
        actor=actor, note=note,
    )  # fmt: skip


def _notify(db: Session, ent_id: int, title: str, body: str, key: str) -> None:
    notification_service.notify(
        db, ent_id, kind="dynamic_management", title=title, body=body, link=f"/enterprises/{ent_id}",
        dedupe_key=f"dynamic:{key}",
    )  # fmt: skip


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    import calendar as _cal

    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- annual update tasks ---------------------------------------------------------------------------------------


def regime_of(year: int, region_code: str | None) -> str:
    """The regime in force at the start of ``year`` for 复核 (the duty belongs to holding a title)."""
    return criteria_service.rule_book().select(date(year, 1, 1), "re_review", region_code).regime


def deadline_of(year: int, region_code: str | None) -> tuple[str, date]:
    regime = regime_of(year, region_code)
    return regime, rules_service.dynamic_rules().update_deadline(regime, year)


def consequence(regime: str) -> str:
    return str(rules_service.dynamic_rules().regime(regime)["annual_update"]["consequence"])


def _held_tiers(ent: Enterprise, day: date) -> list[str]:
    return sorted(
        {
            r.tier
            for r in ent.recognitions
            if r.tier in RECOGNISED and r.status == "valid" and r.announced_date <= day <= r.valid_until
        }
    )


def open_annual_updates(db: Session, user: User, year: int) -> list[AnnualUpdateTask]:
    """One task per enterprise in the caller's scope holding a recognised title on 1 January of ``year``
    (idempotent: an existing task is left as it is). The task covers the fiscal year before ``year``."""
    from srdi.auth.service import scope_for

    _official(user)
    if not 2000 <= year <= today().year + 1:
        raise InvalidApplication(f"年度有误：{year}", f"year {year} out of range")
    scope = scope_for(user)
    return _open_tasks(db, year, lambda ent: scope.allows(ent.region_code, ent.id), _actor(user))


SYSTEM_OPENER = "系统（1月1日自动开启）"
AUTO_OPEN_JOB = "annual_update_open"


def _open_tasks(
    db: Session, year: int, allows: Callable[[Enterprise], bool], actor: str
) -> list[AnnualUpdateTask]:
    first = date(year, 1, 1)
    holding = select(Recognition.enterprise_id).where(
        Recognition.tier.in_(RECOGNISED),
        Recognition.status == "valid",
        Recognition.announced_date <= first,
        Recognition.valid_until >= first,
    )
    holders = db.scalars(select(Enterprise).where(Enterprise.id.in_(holding)).order_by(Enterprise.id)).all()
    existing = set(
        db.scalars(select(AnnualUpdateTask.enterprise_id).where(AnnualUpdateTask.year == year)).all()
    )
    created = []
    for ent in holders:
        if ent.id in existing or not allows(ent):
            continue
        regime, deadline = deadline_of(year, ent.region_code)
        task = AnnualUpdateTask(
            enterprise_id=ent.id,
            region_code=ent.region_code,
            year=year,
            fiscal_year=year - 1,
            regime=regime,
            deadline_date=deadline,
            status=UpdateTaskStatus.open.value,
            tiers=_held_tiers(ent, first),
        )
        db.add(task)
        db.flush()
        note = f"请于{deadline}前更新{year - 1}年度数据；{consequence(regime)}"
        _log(db, ent.id, "annual_update_task", task.id, None, UpdateTaskStatus.open.label, actor, note)
        _notify(db, ent.id, f"请更新{year - 1}年度数据", note, f"annual:{task.id}:open")
        created.append(task)
    return created


def open_annual_updates_on_schedule(db: Session, day: date | None = None) -> int | None:
    """The scheduler's 1 January job: open this year's tasks for every holder, everywhere, once per year.

    In January the first sweep that finds no ``scheduled_run`` row for the year inserts it and opens the tasks in
    the same transaction (a scheduler down on New Year's Day opens them on its first run after). A second worker's
    insert of the same row (ON CONFLICT DO NOTHING) inserts nothing, so the year is opened once; tasks an official
    already opened by hand are left as they are. After January nothing is opened automatically: a fresh install
    in the autumn must not open tasks whose deadline has passed and record the lost 复核 eligibility at once —
    officials open a late year by hand. Returns the number opened, or None when nothing was to be done."""
    day = day or today()
    if day.month != 1:
        return None
    key = str(day.year)
    done = select(ScheduledRun.id).where(ScheduledRun.job == AUTO_OPEN_JOB, ScheduledRun.run_key == key)
    if db.scalars(done).first() is not None:
        return None
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    claimed = db.execute(
        insert(ScheduledRun)
        .values(job=AUTO_OPEN_JOB, run_key=key, ran_at=utc_now(), result=0)
        .on_conflict_do_nothing()
        .returning(ScheduledRun.id)
    ).first()
    if claimed is None:
        return None  # another worker holds or did the year
    created = _open_tasks(db, day.year, lambda _ent: True, SYSTEM_OPENER)
    db.execute(
        update(ScheduledRun)
        .where(ScheduledRun.job == AUTO_OPEN_JOB, ScheduledRun.run_key == key)
        .values(result=len(created))
    )
    return len(created)


def _task(db: Session, user: User, task_id: int, *, lock: bool = False) -> AnnualUpdateTask:
    q = select(AnnualUpdateTask).where(AnnualUpdateTask.id == task_id)
    if lock:
        q = q.with_for_update().execution_options(populate_existing=True)
    task = db.scalars(q).first()
    if task is None or not _scope_allows(user, task.region_code, task.enterprise_id):
        raise DynamicNotFound("未找到该年度更新任务", f"annual update task {task_id} not found")
    return task


def get_task(db: Session, user: User, task_id: int) -> AnnualUpdateTask:
    return _task(db, user, task_id)


def _flush(db: Session) -> None:
    try:
        db.flush()
    except StaleDataError as exc:
        raise ApplicationConflict("该任务刚被他人处理，请刷新后重试", "task changed concurrently") from exc


def submit_annual_update(
    db: Session, user: User, task_id: int, figures: YearlyFigureIn, note: str | None
) -> tuple[AnnualUpdateTask, str | None]:
    """The enterprise updates the previous year's figures (always 企业自报, decision 0012) by the deadline."""
    if Role(user.role) not in ENTERPRISE_BOUND_ROLES:
        raise NotYourStep("年度更新由企业本身填报", "only the enterprise submits its update")
    task = _task(db, user, task_id, lock=True)
    status = UpdateTaskStatus(task.status)
    day = today()
    if status is UpdateTaskStatus.overdue or (status is UpdateTaskStatus.open and day > task.deadline_date):
        raise InvalidApplication(
            f"{task.year}年度更新已于{task.deadline_date}截止，不能再提交：{consequence(task.regime)}",
            f"annual update {task.id} due {task.deadline_date}, today {day}",
        )
    if status is not UpdateTaskStatus.open:
        raise ApplicationConflict(
            f"该年度更新任务当前为“{status.label}”，不能重复提交", f"task {task.id} is {task.status}"
        )
    values = figures.model_dump(exclude={"source"}, exclude_none=True)
    if not values:
        raise InvalidApplication(
            f"请至少填写一项{task.fiscal_year}年度经营数据", "annual update without any figure"
        )
    source, notice = enterprise_service.decide_source(
        user.role, figures.source.value if figures.source else None
    )
    ent = enterprise_service.get_or_404(db, task.enterprise_id)
    actor = _actor(user)
    enterprise_service.update_yearly_from_api(db, ent, task.fiscal_year, figures, actor=actor, source=source)
    task.status = UpdateTaskStatus.submitted.value
    task.submitted_at = utc_now()
    task.submitted_by = actor
    task.note = (note or "").strip() or None
    _flush(db)
    fields = "、".join(_figure_label(k) for k in values)
    _log(
        db, ent.id, "annual_update_task", task.id, UpdateTaskStatus.open.label, UpdateTaskStatus.submitted.label,
        actor, f"提交{task.fiscal_year}年度更新（{fields}，{Provenance(source).label}）" + (
            f"：{task.note}" if task.note else ""),
    )  # fmt: skip
    return task, notice


def acknowledge_annual_update(db: Session, user: User, task_id: int, note: str | None) -> AnnualUpdateTask:
    _official(user)
    task = _task(db, user, task_id, lock=True)
    if task.status != UpdateTaskStatus.submitted.value:
        raise ApplicationConflict(
            f"该年度更新任务当前为“{UpdateTaskStatus(task.status).label}”，只有已提交的更新可以确认",
            f"task {task.id} is {task.status}",
        )
    actor = _actor(user)
    task.status = UpdateTaskStatus.acknowledged.value
    task.acknowledged_at = utc_now()
    task.acknowledged_by = actor
    _flush(db)
    text = (note or "").strip()
    _log(
        db, task.enterprise_id, "annual_update_task", task.id, UpdateTaskStatus.submitted.label,
        UpdateTaskStatus.acknowledged.label, actor, f"确认{task.fiscal_year}年度更新" + (f"：{text}" if text else ""),
    )  # fmt: skip
    _notify(
        db,
        task.enterprise_id,
        f"{task.fiscal_year}年度更新已确认",
        text or "主管部门已确认",
        f"annual:{task.id}:ack",
    )
    return task


@dataclass
class SweepResult:
    overdue: int = 0


def sweep_overdue(db: Session, day: date | None = None, *, batch: int = 500) -> SweepResult:
    """Every open task whose deadline passed becomes 逾期未更新 with the consequence recorded, once: the rows are
    taken with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and each step is a compare-and-set on the status, so
    several sweepers (or a sweeper racing a late submission) never record it twice (decision 0015)."""
    day = day or today()
    due = db.scalars(
        select(AnnualUpdateTask)
        .where(AnnualUpdateTask.status == UpdateTaskStatus.open.value, AnnualUpdateTask.deadline_date < day)
        .order_by(AnnualUpdateTask.deadline_date, AnnualUpdateTask.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    out = SweepResult()
    for task in due:
        changed = db.execute(
            update(AnnualUpdateTask)
            .where(AnnualUpdateTask.id == task.id, AnnualUpdateTask.status == UpdateTaskStatus.open.value)
            .values(
                status=UpdateTaskStatus.overdue.value,
                overdue_at=utc_now(),
                version=AnnualUpdateTask.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(changed, "rowcount", 0) != 1:
            continue
        db.expire(task)
        note = f"未在{task.deadline_date}前更新{task.fiscal_year}年度数据：{consequence(task.regime)}"
        _log(
            db, task.enterprise_id, "annual_update_task", task.id, UpdateTaskStatus.open.label,
            UpdateTaskStatus.overdue.label, "系统（逾期检查）", note,
        )  # fmt: skip
        _notify(
            db, task.enterprise_id, f"{task.fiscal_year}年度更新已逾期", note, f"annual:{task.id}:overdue"
        )
        out.overdue += 1
    db.flush()
    return out


def lost_re_review(db: Session, ent: Enterprise, tier: str) -> AnnualUpdateTask | None:
    """The overdue update that cost the current recognition of ``tier`` its 复核 eligibility, if any."""
    recs = sorted((r for r in ent.recognitions if r.tier == tier), key=lambda r: r.announced_date)
    if not recs:
        return None
    rec = recs[-1]
    return db.scalars(
        select(AnnualUpdateTask)
        .where(
            AnnualUpdateTask.enterprise_id == ent.id,
            AnnualUpdateTask.status == UpdateTaskStatus.overdue.value,
            AnnualUpdateTask.deadline_date >= rec.announced_date,
            AnnualUpdateTask.deadline_date <= rec.valid_until,
        )
        .order_by(AnnualUpdateTask.deadline_date)
    ).first()


def update_tasks(
    db: Session, user: User, *, status: str | None = None, year: int | None = None
) -> list[AnnualUpdateTask]:
    q = select(AnnualUpdateTask).order_by(AnnualUpdateTask.deadline_date.desc(), AnnualUpdateTask.id)
    if status == "late":  # open past the deadline, before the sweep recorded it, or recorded
        q = q.where(
            AnnualUpdateTask.status.in_([UpdateTaskStatus.open.value, UpdateTaskStatus.overdue.value])
        )
    elif status:
        q = q.where(AnnualUpdateTask.status == status)
    if year:
        q = q.where(AnnualUpdateTask.year == year)
    rows = [t for t in db.scalars(q).all() if _scope_allows(user, t.region_code, t.enterprise_id)]
    if status == "late":
        rows = [t for t in rows if is_overdue(t)]
    return rows


def is_overdue(task: AnnualUpdateTask) -> bool:
    return task.status == UpdateTaskStatus.overdue.value or (
        task.status == UpdateTaskStatus.open.value and today() > task.deadline_date
    )


# --- 复核 on expiry: the notice before a recognition ends -----------------------------------------------------

# How long before a recognition's end the enterprise is told to apply for 复核 (this platform's default: a 复核
# batch is opened once a year, so a year's warning reaches the batch before the title ends).
EXPIRY_NOTICE_DAYS = 365


def remind_expiring(db: Session, day: date | None = None, *, batch: int = 2000) -> int:
    """Each valid recognised title ending within ``EXPIRY_NOTICE_DAYS`` gets one inbox notice: apply for 复核 in
    the next 复核 batch, or — when a missed annual update cost the eligibility — that it will lapse. Exactly once
    per recognition (a 复核 makes a new one) (``notify_once``: safe with two workers). Returns the notices written."""
    from srdi.notification.models import Notification

    day = day or today()
    until = day + timedelta(days=EXPIRY_NOTICE_DAYS)
    # The notice's key, built in SQL, so the ones already told drop out of the scan (the batch always moves on).
    key_sql = literal("dynamic:expiry:") + cast(Recognition.id, String)
    told = select(Notification.id).where(
        Notification.enterprise_id == Recognition.enterprise_id, Notification.dedupe_key == key_sql
    )
    recs = db.scalars(
        select(Recognition)
        .where(
            Recognition.tier.in_(RECOGNISED),
            Recognition.status == "valid",
            Recognition.valid_until >= day,
            Recognition.valid_until <= until,
            ~told.exists(),
        )
        .order_by(Recognition.valid_until, Recognition.id)
        .limit(batch)
    ).all()
    sent = 0
    for rec in recs:
        key = f"dynamic:expiry:{rec.id}"
        ent = db.get(Enterprise, rec.enterprise_id)
        if ent is None:
            continue
        tier = criteria_service.tier_label(rec.tier)
        lost = lost_re_review(db, ent, rec.tier)
        if lost is not None:
            title = f"{tier}认定将于{rec.valid_until}到期，已无复核资格"
            body = (
                f"贵企业未在{lost.deadline_date}前更新{lost.fiscal_year}年度数据，{consequence(lost.regime)}；"
                f"认定到期后失效，可按新申报重新申请。"
            )
        else:
            title = f"{tier}认定将于{rec.valid_until}到期，请申请复核"
            body = f"认定有效期至{rec.valid_until}。请关注主管部门开放的{tier}复核批次，在批次期限内提交复核申请。"
        sent += notification_service.notify_once(
            db, enterprise_id=rec.enterprise_id, kind="dynamic_management", title=title, body=body,
            link="/applications", dedupe_key=key,
        )  # fmt: skip
    db.flush()
    return sent


# --- 复核 on expiry: the title's status when its validity ends ------------------------------------------------

# A 复核 application counts as in progress from its submission until it is decided (认定 or 未通过); a draft is not
# an application yet.
RE_REVIEW_IN_PROGRESS = (
    ApplicationStatus.in_review.value,
    ApplicationStatus.returned.value,
    ApplicationStatus.publicity.value,
)
EXPIRY_ACTOR = "系统（到期检查）"


def _re_review_apps(ent_id: Any, tier: Any, since: Any) -> Any:
    """The 复核 applications of an enterprise for a tier made during (or after) the recognition's validity."""
    return (
        select(Application.id)
        .join(ApplicationBatch, ApplicationBatch.id == Application.batch_id)
        .where(
            Application.enterprise_id == ent_id,
            Application.tier == tier,
            ApplicationBatch.purpose == "re_review",
            Application.as_of_date >= since,
        )
    )


@dataclass
class ExpiryResult:
    under_re_review: int = 0
    expired: int = 0

    @property
    def total(self) -> int:
        return self.under_re_review + self.expired


def _move(db: Session, rec: Recognition, old: str, new: str, note: str) -> bool:
    """Compare-and-set on the recognition's status; the history row only for the worker whose update applied."""
    changed = db.execute(
        update(Recognition)
        .where(Recognition.id == rec.id, Recognition.status == old)
        .values(status=new)
        .execution_options(synchronize_session=False)
    )
    if getattr(changed, "rowcount", 0) != 1:
        return False
    db.expire(rec)
    enterprise_service.log_change(
        db, rec.enterprise_id, entity=ChangeEntity.recognition.value, entity_key=str(rec.id),
        field=ChangeField.status.value, old=RecognitionStatus(old).label, new=RecognitionStatus(new).label,
        source=None, actor=EXPIRY_ACTOR, note=note,
    )  # fmt: skip
    return True


def sweep_expiry(db: Session, day: date | None = None, *, batch: int = 500) -> ExpiryResult:
    """At the end of a recognised title's validity (as of Beijing ``day``): with a 复核 application in progress it
    is 复核中 until that application is decided, without one it lapses to 已过期; a 复核中 title whose 复核 was
    decided lapses too (a passed 复核 is a new recognition). Each change is a compare-and-set on the stored status
    with the rows taken ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so reruns and a second worker write nothing more
    and 变更历史 gets each change exactly once. 复核中 titles imported without an application are left as the list
    says. The caller commits."""
    day = day or today()
    out = ExpiryResult()
    in_progress = _re_review_apps(
        Recognition.enterprise_id, Recognition.tier, Recognition.announced_date
    ).where(Application.status.in_(RE_REVIEW_IN_PROGRESS))
    ended = db.scalars(
        select(Recognition)
        .where(
            Recognition.tier.in_(RECOGNISED),
            Recognition.status == RecognitionStatus.valid.value,
            Recognition.valid_until < day,
        )
        .order_by(Recognition.valid_until, Recognition.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    for rec in ended:
        tier = criteria_service.tier_label(rec.tier)
        app_id = db.scalars(
            _re_review_apps(rec.enterprise_id, rec.tier, rec.announced_date)
            .where(Application.status.in_(RE_REVIEW_IN_PROGRESS))
            .order_by(Application.id)
        ).first()
        if app_id is not None:
            note = f"{tier}认定有效期至{rec.valid_until}届满，复核申请 #{app_id} 尚在办理，认定复核中直至复核决定"
            out.under_re_review += _move(
                db, rec, RecognitionStatus.valid.value, RecognitionStatus.under_re_review.value, note
            )
        else:
            note = f"{tier}认定有效期至{rec.valid_until}届满，未在期满前提出复核申请，认定已过期"
            out.expired += _move(
                db, rec, RecognitionStatus.valid.value, RecognitionStatus.expired.value, note
            )
    decided = db.scalars(
        select(Recognition)
        .where(
            Recognition.tier.in_(RECOGNISED),
            Recognition.status == RecognitionStatus.under_re_review.value,
            Recognition.valid_until < day,
            _re_review_apps(Recognition.enterprise_id, Recognition.tier, Recognition.announced_date).exists(),
            ~in_progress.exists(),
        )
        .order_by(Recognition.valid_until, Recognition.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    for rec in decided:
        tier = criteria_service.tier_label(rec.tier)
        last = db.scalars(
            select(Application)
            .where(Application.id.in_(_re_review_apps(rec.enterprise_id, rec.tier, rec.announced_date)))
            .order_by(Application.id.desc())
        ).first()
        if last is not None and last.status == ApplicationStatus.recognized.value:
            why = f"复核申请 #{last.id} 通过，由新认定 #{last.recognition_id} 接续"
        elif last is not None and last.status == ApplicationStatus.rejected.value:
            why = f"复核申请 #{last.id} 未通过"
        else:
            why = "复核申请未提交"
        note = f"{tier}认定有效期至{rec.valid_until}届满，{why}，原认定已过期"
        out.expired += _move(
            db, rec, RecognitionStatus.under_re_review.value, RecognitionStatus.expired.value, note
        )
    db.flush()
    return out


@dataclass(frozen=True)
class ReReviewCandidate:
    recognition: Recognition
    enterprise_name: str
    region_code: str
    state: ReReviewState
    application_id: int | None
    lost: AnnualUpdateTask | None
    batch_close_date: date | None


def re_review_candidates(
    db: Session, user: User, *, page: int, page_size: int, day: date | None = None
) -> tuple[list[ReReviewCandidate], int, date]:
    """复核候选: recognised titles in the official's scope ending within ``re_review.candidate_months``
    (rules/applications/review.yaml) — paged in SQL — each with where it stands: 已申请复核, 未申请, or
    已丧失复核资格 (an annual update missed during its validity, ``lost_re_review``). Returns rows, total, horizon."""
    from srdi.application.service import workflow
    from srdi.auth.service import scope_for
    from srdi.kit.pagination import in_ids, page_rows, under_prefixes

    _official(user)
    day = day or today()
    until = add_months(day, workflow().re_review_candidate_months)
    scope = scope_for(user)
    stmt = (
        select(Recognition, Enterprise.name, Enterprise.region_code)
        .join(Enterprise, Enterprise.id == Recognition.enterprise_id)
        .where(
            Recognition.tier.in_(RECOGNISED),
            Recognition.status.in_([RecognitionStatus.valid.value, RecognitionStatus.under_re_review.value]),
            Recognition.valid_until >= day,
            Recognition.valid_until <= until,
            under_prefixes(Enterprise.region_code, scope.region_prefixes),
            in_ids(Enterprise.id, scope.enterprise_ids),
        )
        .order_by(Recognition.valid_until, Recognition.id)
    )
    rows, total = page_rows(db, stmt, page, page_size)
    out: list[ReReviewCandidate] = []
    for rec, name, region in rows:
        app_id = db.scalars(
            _re_review_apps(rec.enterprise_id, rec.tier, rec.announced_date)
            .where(
                Application.status != ApplicationStatus.rejected.value, Application.submitted_at.is_not(None)
            )
            .order_by(Application.id.desc())
        ).first()
        ent = db.get(Enterprise, rec.enterprise_id)
        lost = lost_re_review(db, ent, rec.tier) if ent is not None else None
        if app_id is not None or rec.status == RecognitionStatus.under_re_review.value:
            state = ReReviewState.applied
        elif lost is not None:
            state = ReReviewState.ineligible
        else:
            state = ReReviewState.not_applied
        close = db.scalars(
            select(ApplicationBatch.close_date)
            .where(
                ApplicationBatch.purpose == "re_review",
                ApplicationBatch.tier == rec.tier,
                ApplicationBatch.announced_date.is_(None),
                ApplicationBatch.close_date >= day,
                literal(str(region)).startswith(ApplicationBatch.region_code),
            )
            .order_by(ApplicationBatch.close_date)
        ).first()
        out.append(ReReviewCandidate(rec, str(name), str(region), state, app_id, lost, close))
    return out, total, until


# --- major-change reports --------------------------------------------------------------------------------------


def report_months(region_code: str, day: date) -> int:
    regime = criteria_service.rule_book().select(day, "re_review", region_code).regime
    return int(rules_service.dynamic_rules().regime(regime)["major_change_report_months"])


def report_major_change(
    db: Session,
    user: User,
    kind: MajorChangeKind,
    change_date: date,
    description: str,
    *,
    new_name: str | None = None,
) -> MajorChangeReport:
    if Role(user.role) not in ENTERPRISE_BOUND_ROLES or not user.enterprise_id:
        raise NotYourStep("重大变化由企业本身报告", "only the enterprise reports its changes")
    ent = enterprise_service.get_or_404(db, user.enterprise_id)
    day = today()
    if change_date > day:
        raise InvalidApplication(
            f"变化日期{change_date}晚于今天，请在变化发生后报告", "change date in the future"
        )
    text = description.strip()
    if not text:
        raise InvalidApplication("请说明变化的具体情况", "empty description")
    renamed = (new_name or "").strip() or None
    if kind is MajorChangeKind.rename:
        if renamed is None:
            raise InvalidApplication("更名报告请填写变更后的企业名称", "rename without new_name")
        if renamed == ent.name:
            raise InvalidApplication(f"新名称与企业库中的名称“{ent.name}”相同", "new_name unchanged")
    elif renamed is not None:
        raise InvalidApplication(
            f"只有更名报告填写新名称（本报告为{kind.label}）", f"new_name on a {kind.value} report"
        )
    months = report_months(ent.region_code, change_date)
    due = add_months(change_date, months)
    row = MajorChangeReport(
        enterprise_id=ent.id,
        region_code=ent.region_code,
        kind=kind.value,
        change_date=change_date,
        due_date=due,
        description=text,
        old_name=ent.name if renamed else None,
        new_name=renamed,
        late=day > due,
        status=MajorChangeStatus.reported.value,
        reported_by=_actor(user),
    )
    db.add(row)
    db.flush()
    late = f"；已超过{months}个月的报告期限（应于{due}前报告）" if row.late else ""
    to = f"（新名称：{renamed}）" if renamed else ""
    _log(
        db, ent.id, "major_change_report", row.id, None, MajorChangeStatus.reported.label, row.reported_by,
        f"报告{kind.label}（{change_date}）：{text}{to}{late}",
    )  # fmt: skip
    return row


def _report(db: Session, user: User, report_id: int, *, lock: bool = False) -> MajorChangeReport:
    q = select(MajorChangeReport).where(MajorChangeReport.id == report_id)
    if lock:
        q = q.with_for_update().execution_options(populate_existing=True)
    row = db.scalars(q).first()
    if row is None or not _scope_allows(user, row.region_code, row.enterprise_id):
        raise DynamicNotFound("未找到该重大变化报告", f"major change report {report_id} not found")
    return row


def acknowledge_major_change(db: Session, user: User, report_id: int, note: str | None) -> MajorChangeReport:
    """The official confirms a report; a confirmed 更名 renames the registry entry (logged old → new on 变更历史,
    with the report as the reason)."""
    _official(user)
    row = _report(db, user, report_id, lock=True)
    if row.status != MajorChangeStatus.reported.value:
        raise ApplicationConflict("该重大变化报告已确认", f"report {row.id} acknowledged")
    actor = _actor(user)
    if row.kind == MajorChangeKind.rename.value and row.new_name:
        ent = db.scalars(
            select(Enterprise)
            .where(Enterprise.id == row.enterprise_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if ent.name != row.new_name:
            old_name = ent.name
            ent.name = row.new_name
            db.flush()
            enterprise_service.log_change(
                db, ent.id, entity=ChangeEntity.enterprise.value, entity_key=None, field=ChangeField.enterprise_name.value,
                old=old_name, new=row.new_name, source=Provenance.verified.value, actor=actor,
                note=f"更名报告 #{row.id}（{row.change_date}变更）经主管部门确认",
            )  # fmt: skip
    row.status = MajorChangeStatus.acknowledged.value
    row.acknowledged_at = utc_now()
    row.acknowledged_by = actor
    row.acknowledgement_note = (note or "").strip() or None
    db.flush()
    _log(
        db, row.enterprise_id, "major_change_report", row.id, MajorChangeStatus.reported.label,
        MajorChangeStatus.acknowledged.label, actor,
        f"确认{MajorChangeKind(row.kind).label}报告" + (f"：{row.acknowledgement_note}" if row.acknowledgement_note else ""),
    )  # fmt: skip
    return row


def major_changes(db: Session, user: User) -> list[MajorChangeReport]:
    rows = db.scalars(select(MajorChangeReport).order_by(MajorChangeReport.id.desc())).all()
    return [r for r in rows if _scope_allows(user, r.region_code, r.enterprise_id)]


# --- revocation and the ban ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevocationKind:
    kind: str
    label: str
    severities: tuple[str, ...]
    reason: str


def revocation_rules() -> dict[str, Any]:
    rev: dict[str, Any] = rules_service.dynamic_rules().data["revocation"]
    return rev


def revocation_kinds() -> list[RevocationKind]:
    return [
        RevocationKind(
            kind=str(k["kind"]),
            label=LABELS.get(str(k["kind"]), str(k["kind"])),
            severities=tuple(k.get("severity") or ()),
            reason=str(k["reason"]),
        )
        for k in revocation_rules()["kinds"]
    ]


def severity_label(severity: str | None) -> str | None:
    return SEVERITY_LABELS.get(severity, severity) if severity else None


def revoke(
    db: Session, user: User, recognition_id: int, *, kind: str, severity: str | None, reason: str
) -> RecognitionRevocation:
    """撤销认定 (暂行办法 第十六条): the kind must be one of the file's, with a severity it lists."""
    from srdi.auth.service import scope_for

    if Role(user.role) not in (Role.admin, Role.provincial_official):
        raise NotYourStep("撤销认定由省级主管部门办理", "revocation by provincial officials")
    rec = db.scalars(
        select(Recognition)
        .where(Recognition.id == recognition_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    ent = db.get(Enterprise, rec.enterprise_id) if rec is not None else None
    if rec is None or ent is None or not scope_for(user).allows(ent.region_code, ent.id):
        raise DynamicNotFound("未找到该认定记录", f"recognition {recognition_id} not found")
    kinds = {k.kind: k for k in revocation_kinds()}
    spec = kinds.get(kind)
    if spec is None:
        raise InvalidApplication(
            f"“{kind[:40]}”不是撤销情形，可选：" + "、".join(k.label for k in kinds.values()),
            f"revocation kind {kind[:40]} not in rules/dynamic_management.yaml",
        )
    if spec.severities and severity not in spec.severities:
        raise InvalidApplication(
            f"“{spec.label}”须为"
            + "或".join(severity_label(s) or s for s in spec.severities)
            + "等级才撤销认定",
            f"severity {severity} not in {spec.severities}",
        )
    text = reason.strip()
    if not text:
        raise InvalidApplication("请填写撤销理由", "empty revocation reason")
    if rec.status == "revoked":
        raise ApplicationConflict(f"该认定已于{rec.revoked_date}撤销", f"recognition {rec.id} revoked")
    day = today()
    rules = revocation_rules()
    barring = rec_reason_bars(spec.reason)
    ban_until = add_years(day, int(rules["ban_years"])) if barring else None
    old = rec.status
    rec.status = "revoked"
    rec.revoked_date = day
    rec.revocation_reason = RevocationReason(spec.reason).value
    row = RecognitionRevocation(
        recognition_id=rec.id,
        enterprise_id=ent.id,
        kind=kind,
        severity=severity if spec.severities else None,
        reason=text,
        revoked_date=day,
        ban_until=ban_until,
        recorded_by=_actor(user),
        recorded_at=utc_now(),
    )
    db.add(row)
    db.flush()
    sev = f"（{severity_label(severity)}）" if spec.severities else ""
    ban = f"；{rules['ban_years']}年内（{ban_until}前）不得再次申报" if ban_until else ""
    enterprise_service.log_change(
        db, ent.id, entity="recognition", entity_key=str(rec.id), field="status", old=LABELS.get(old, old),
        new=LABELS["revoked"], source=Provenance.official_list.value, actor=row.recorded_by,
        note=f"撤销{criteria_service.tier_label(rec.tier)}认定：{spec.label}{sev}，{text}{ban}（{rules['article']}）",
    )  # fmt: skip
    _notify(
        db, ent.id, f"您的{criteria_service.tier_label(rec.tier)}认定已被撤销", f"{spec.label}{sev}：{text}{ban}",
        f"revoked:{rec.id}",
    )  # fmt: skip
    return row


def rec_reason_bars(reason: str | None) -> bool:
    return reason in set(revocation_rules().get("barring_reasons") or ())


def application_ban(ent: Enterprise, day: date) -> tuple[Recognition, date] | None:
    """The revocation that still bars ``ent`` from applying on ``day`` (revoked_date + ban_years), if any;
    recognitions revoked by import count as well (their reason is on the row)."""
    years = int(revocation_rules()["ban_years"])
    worst: tuple[Recognition, date] | None = None
    for r in ent.recognitions:
        if r.status != "revoked" or r.revoked_date is None or not rec_reason_bars(r.revocation_reason):
            continue
        until = add_years(r.revoked_date, years)
        if day < until and (worst is None or until > worst[1]):
            worst = (r, until)
    return worst


def revocations_of(db: Session, recognition_ids: list[int]) -> dict[int, RecognitionRevocation]:
    rows = db.scalars(
        select(RecognitionRevocation).where(RecognitionRevocation.recognition_id.in_(recognition_ids))
    ).all()
    return {r.recognition_id: r for r in rows}


def enterprise_names(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))).all()
    return {int(i): str(n) for i, n in rows}


def figure_label(name: str) -> str:
    return _figure_label(name)


def _figure_label(name: str) -> str:
    return str(YearlyFigureIn.model_fields[name].description or name).split("（")[0]


def certificate_pdf(ent: Enterprise, recognition_id: int) -> tuple[Recognition, bytes]:
    """The certificate of one of ``ent``'s recognitions (the caller already checked the enterprise's scope)."""
    from srdi.application.certificate import certificate_pdf as draw

    rec = next((r for r in ent.recognitions if r.id == recognition_id), None)
    if rec is None:
        raise DynamicNotFound("未找到该认定记录", f"recognition {recognition_id} not found")
    return rec, draw(ent, rec, printed=today())
