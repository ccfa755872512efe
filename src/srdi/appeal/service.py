"""Appeals closed loop: catalogue, intake, the state machine, deadlines, the overdue sweep, KPIs.

Services never commit (convention 8). Every transition goes through ``transition``: it locks the row, checks the
table ``TRANSITIONS``, stamps the next deadline, writes one ``AppealEvent`` and bumps the version, so concurrent
transitions never skip or double a state (QUALITY R4).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from srdi.appeal import repository, routing
from srdi.appeal.enums import (
    DONE_STATUSES,
    OPEN_STATUSES,
    AppealAction,
    AppealEventKind,
    AppealStatus,
    Channel,
    DepartmentLevel,
    RejectReason,
    Stage,
)
from srdi.appeal.exceptions import (
    AppealNotFound,
    CategoryNotFound,
    ConcurrentChange,
    DepartmentNotFound,
    DuplicateAppeal,
    InvalidAppeal,
    InvalidCalendar,
    InvalidDepartment,
    NotYourAppeal,
    TransitionNotAllowed,
)
from srdi.appeal.models import (
    Appeal,
    AppealAssist,
    AppealCategory,
    AppealEvent,
    AppealNotice,
    CalendarYear,
    Department,
    RoutingCorrection,
    WorkdayOverride,
)
from srdi.appeal.repository import AppealFilter
from srdi.auth.enums import ENTERPRISE_BOUND_ROLES, OFFICIAL_ROLES, Role
from srdi.auth.models import User
from srdi.db.base import utcnow
from srdi.enterprise.models import Enterprise
from srdi.kit.workdays import BEIJING, CalendarYearMissing, DayOverride, WorkdayCalendar, beijing_today
from srdi.notification import service as notification_service
from srdi.policy import service as policy_service

log = logging.getLogger("srdi.appeal")

TITLE_MAX = 100
CONTENT_MIN = 5
CONTENT_MAX = 5000
SYSTEM_ACTOR = "系统（时限监控）"

# --- who may act -------------------------------------------------------------------------------------------

# 首接负责制: the officials of the enterprise's area and its commissioner receive, dispatch and close.
DISPATCHER_ROLES = frozenset({Role.admin, Role.service_commissioner, *OFFICIAL_ROLES})
HANDLER_ROLES = frozenset({Role.admin, Role.department_handler})
FILER_ROLES = frozenset(ENTERPRISE_BOUND_ROLES)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[AppealStatus]
    target: AppealStatus
    roles: frozenset[Role]
    needs_reason: bool = False


# The table of allowed transitions (ARCHITECTURE convention 9). Anything not here is refused.
TRANSITIONS: dict[AppealAction, Transition] = {
    AppealAction.accept: Transition(
        frozenset({AppealStatus.submitted}), AppealStatus.accepted, DISPATCHER_ROLES
    ),
    AppealAction.reject: Transition(
        frozenset({AppealStatus.submitted, AppealStatus.accepted}),
        AppealStatus.rejected,
        DISPATCHER_ROLES,
        True,
    ),
    AppealAction.dispatch: Transition(
        frozenset({AppealStatus.accepted}), AppealStatus.dispatched, DISPATCHER_ROLES
    ),
    AppealAction.start: Transition(
        frozenset({AppealStatus.dispatched}), AppealStatus.in_progress, HANDLER_ROLES
    ),
    # 退回: the department hands the appeal back to the dispatcher (not its business), with the reason.
    AppealAction.return_: Transition(
        frozenset({AppealStatus.dispatched, AppealStatus.in_progress}),
        AppealStatus.accepted,
        HANDLER_ROLES,
        True,
    ),
    AppealAction.answer: Transition(
        frozenset({AppealStatus.in_progress}), AppealStatus.answered, HANDLER_ROLES
    ),
    AppealAction.close: Transition(
        frozenset({AppealStatus.answered}), AppealStatus.closed, DISPATCHER_ROLES | FILER_ROLES
    ),
    AppealAction.rate: Transition(frozenset({AppealStatus.closed}), AppealStatus.rated, FILER_ROLES),
    # 重办: a dissatisfied rating sends the appeal back to the same department.
    AppealAction.redo: Transition(
        frozenset({AppealStatus.rated}), AppealStatus.dispatched, DISPATCHER_ROLES, True
    ),
}


def transition_table() -> list[dict[str, Any]]:
    return [
        {
            "action": a.value,
            "action_label": a.label,
            "from": sorted(s.value for s in t.sources),
            "to": t.target.value,
            "roles": sorted(r.value for r in t.roles),
            "needs_reason": t.needs_reason,
        }
        for a, t in TRANSITIONS.items()
    ]


# --- catalogue: departments and categories from the package's data files ------------------------------------


def _data(name: str) -> dict[str, Any]:
    text = resources.files("srdi.appeal").joinpath("data", name).read_text(encoding="utf-8")
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


# The duplicate warning's thresholds are data (categories.yaml, ``duplicates``): the share of character bigrams
# two texts must share (Jaccard), and which of the enterprise's open appeals a new one is compared with — filed
# within DUPLICATE_LOOKBACK_DAYS before it, the DUPLICATE_CANDIDATES most recent (chosen in SQL).
_DUPLICATES: dict[str, Any] = _data("categories.yaml")["duplicates"]
DUPLICATE_SIMILARITY = float(_DUPLICATES["similarity"])
DUPLICATE_LOOKBACK_DAYS = int(_DUPLICATES["lookback_days"])
DUPLICATE_CANDIDATES = int(_DUPLICATES["candidates"])


@lru_cache(maxsize=1)
def stage_limits() -> dict[str, int]:
    stages: dict[str, int] = _data("categories.yaml")["stages"]
    return stages


def fallback_category_key() -> str:
    """The category of an appeal no word of which points anywhere (其他诉求): the dispatcher reclassifies it."""
    return str(_data("categories.yaml")["fallback"]["key"])


def sync_catalogue(db: Session) -> tuple[int, int]:
    """Load departments.yaml and categories.yaml into their tables; returns how many of each were inserted.

    Missing keys are inserted. A department an administrator has saved (``admin_edited``) is left exactly as
    they left it — its name, aliases, duty, categories, leader and whether it is active — however often the
    demo or ``srdi appeals sync-catalogue`` runs; one still as the data file had it is refreshed from the file
    (a newer release's aliases or duty). Categories are not edited by administrators (no such screen): an
    existing one keeps its row, only its name and limits follow the file.
    """
    cats = 0
    known_cats = {c.key: c for c in repository.categories(db)}
    doc = _data("categories.yaml")
    # The router's categories plus the fallback one, which the router never suggests (no unit handles it).
    for c in [*doc["categories"], doc["fallback"]]:
        row = known_cats.get(c["key"]) or AppealCategory(key=c["key"])
        row.name = c["name"]
        row.time_limit_working_days = c.get("time_limit_working_days")
        row.answer_hours = c.get("answer_hours")
        if c["key"] not in known_cats:
            db.add(row)
            cats += 1
    db.flush()
    deps = 0
    known = {d.key: d for d in repository.departments(db)}
    names = {d.name: d.key for d in known.values()}
    for d in _data("departments.yaml")["departments"]:
        dep = known.get(d["key"])
        if dep is not None and dep.admin_edited:
            continue
        if dep is None:
            if names.get(d["name"], d["key"]) != d["key"]:
                # An administrator gave another unit this name: the file's unit waits until they rename it.
                log.warning("department %s not inserted: its name is used by %s", d["key"], names[d["name"]])
                continue
            dep = Department(key=d["key"], admin_edited=False)
            db.add(dep)
            deps += 1
        elif names.get(d["name"], d["key"]) != d["key"]:
            continue  # the file renamed it to a name an edited unit now holds: keep the row as it is
        dep.name = d["name"]
        dep.aliases = list(d.get("aliases", []))
        dep.region_code = str(d["region_code"])
        dep.level = DepartmentLevel(d.get("level", "city")).value
        dep.duty = d.get("duty", "")
        dep.categories = list(d.get("categories", []))
        names[dep.name] = dep.key
    db.flush()
    return deps, cats


def ensure_catalogue(db: Session) -> None:
    if not repository.categories(db):
        sync_catalogue(db)


def departments(db: Session) -> list[Department]:
    return repository.departments(db)


def department_by_key(db: Session, key: str) -> Department:
    dep = repository.department_by_key(db, key)
    if dep is None:
        raise DepartmentNotFound(key)
    return dep


def categories(db: Session) -> list[AppealCategory]:
    return repository.categories(db)


def category(db: Session, key: str) -> AppealCategory:
    row = db.get(AppealCategory, key)
    if row is None:
        raise CategoryNotFound(key)
    return row


def department_of_user(db: Session, user: User) -> Department | None:
    """A handler's 责任单位: ``user_account.department`` holds its name, key or one of its aliases."""
    if not user.department:
        return None
    found = repository.department_by_name(db, user.department)
    if found is not None:
        return found
    # An account created with a unit's other name (市金融局 …) still belongs to it.
    return next((d for d in repository.departments(db) if user.department in (d.aliases or [])), None)


@dataclass
class DepartmentData:
    key: str
    name: str
    region_code: str
    level: str
    duty: str = ""
    aliases: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    leader_name: str | None = None
    active: bool = True


def _region_fits(code: str, level: str) -> bool:
    """A district-level unit sits in a known district (or county); a city-level one in a known city (地级市, a city
    without districts such as 东莞 441900, or a municipality such as 重庆 500000)."""
    from srdi.kit.reference import regions

    regs = regions()
    if level == DepartmentLevel.district.value:
        return code in regs and not code.endswith("00")
    if not code.endswith("00"):
        return False
    return (
        code in regs
        or any(r.city_code == code[:4] for r in regs.values())
        or (code.endswith("0000") and any(r.province_code == code[:2] for r in regs.values()))
    )


def save_department(db: Session, data: DepartmentData) -> Department:
    """Admins add or change a 责任单位 (the data file seeds the table; edits here survive a re-sync of others)."""
    name = data.name.strip()
    duty = data.duty.strip()
    if len(name) < 2:
        raise InvalidDepartment("请填写责任单位全称（至少 2 个字）", "department name too short")
    if data.level not in {lv.value for lv in DepartmentLevel}:
        raise InvalidDepartment("层级只能是市级或区县级", f"unknown level {data.level}")
    if not _region_fits(data.region_code, data.level):
        level_label = DepartmentLevel(data.level).label
        raise InvalidDepartment(
            f"行政区划代码 {data.region_code} 不是有效的{level_label}区划代码",
            f"region {data.region_code} is not a {data.level} code",
        )
    if len(duty) < 4:
        raise InvalidDepartment(
            "请填写职责描述（该单位负责哪些诉求），转派和分办以此为据", "department duty missing"
        )
    same_name = repository.department_by_name(db, name)
    if same_name is not None and same_name.key != data.key:
        raise InvalidDepartment(
            f"已有名为“{name}”的责任单位（{same_name.key}），名称不能重复",
            f"department name {name} is used by {same_name.key}",
        )
    aliases: list[str] = []
    for a in data.aliases:
        a = a.strip()
        if a and a != name and a not in aliases:
            if len(a) > 100:
                raise InvalidDepartment(f"简称“{a[:10]}…”过长（不超过 100 字）", "alias too long")
            aliases.append(a)
    for c in data.categories:
        category(db, c)
    dep = repository.department_by_key(db, data.key)
    if dep is None:
        dep = Department(key=data.key)
        db.add(dep)
    dep.name, dep.region_code, dep.level, dep.duty = name, data.region_code, data.level, duty
    dep.admin_edited = True
    dep.aliases, dep.categories, dep.leader_name, dep.active = (
        aliases,
        list(dict.fromkeys(data.categories)),
        (data.leader_name or "").strip() or None,
        data.active,
    )
    db.flush()
    return dep


# --- the working-day calendar: bundled data plus administrator-entered years --------------------------------


def calendar(db: Session) -> WorkdayCalendar:
    cal = WorkdayCalendar.bundled()
    years, rows = repository.calendar_overrides(db)
    by_year: dict[int, list[DayOverride]] = {y: [] for y in years}
    for r in rows:
        by_year.setdefault(r.year, []).append(DayOverride(r.day, r.is_off_day, r.name))
    for y, days in sorted(by_year.items()):
        cal = cal.with_year(y, days)
    return cal


def set_calendar_year(
    db: Session, year: int, days: Sequence[DayOverride], *, entered_by: str
) -> WorkdayCalendar:
    """Enter (or replace) one year's 放假 and 调休 days, as the State Council notice publishes them."""
    if not 2000 <= year <= 2100:
        raise InvalidCalendar(f"年份 {year} 超出范围（2000–2100）", f"year {year} out of range")
    seen: set[date] = set()
    for d in days:
        if d.day.year != year:
            raise InvalidCalendar(f"日期 {d.day} 不在 {year} 年内", f"{d.day} not in {year}")
        if d.day in seen:
            raise InvalidCalendar(f"日期 {d.day} 重复", f"duplicate day {d.day}")
        seen.add(d.day)
        # A day off may fall on a weekend (the notice's "10月1日至8日放假调休" names the weekend days too, as the
        # bundled data does); a 调休 working day is by definition a Saturday or Sunday made a working day.
        if not d.is_off_day and d.day.weekday() < 5:
            raise InvalidCalendar(
                f"{d.day}（{WEEKDAY_ZH[d.day.weekday()]}）本是工作日，调休上班日只能是周六或周日",
                f"make-up day {d.day} is a weekday",
            )
        if not d.name.strip():
            raise InvalidCalendar(f"{d.day} 未填写节日名称", f"{d.day} has no name")
    if not any(d.is_off_day for d in days):
        raise InvalidCalendar(
            f"{year} 年的安排至少应有一天放假（如元旦），请按国务院办公厅通知录入",
            f"{year} has no day off",
        )
    db.query(WorkdayOverride).filter(WorkdayOverride.year == year).delete()
    row = db.get(CalendarYear, year)
    if row is None:
        db.add(CalendarYear(year=year, entered_by=entered_by))
    else:
        row.entered_by = entered_by
    for d in days:
        db.add(
            WorkdayOverride(
                day=d.day, year=year, is_off_day=d.is_off_day, name=d.name.strip(), entered_by=entered_by
            )
        )
    db.flush()
    return calendar(db)


WEEKDAY_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def calendar_entered_by(db: Session) -> dict[int, str | None]:
    """The administrator-entered years and who entered each."""
    return {r.year: r.entered_by for r in repository.calendar_years(db)}


# --- deadlines ---------------------------------------------------------------------------------------------


def accept_deadline(cal: WorkdayCalendar, at: datetime) -> datetime:
    return cal.deadline_at(at, stage_limits()["accept_working_days"])


def dispatch_deadline(cal: WorkdayCalendar, at: datetime) -> datetime:
    return cal.deadline_at(at, stage_limits()["dispatch_working_days"])


def answer_deadline(cal: WorkdayCalendar, cat: AppealCategory, at: datetime) -> datetime:
    if cat.answer_hours:
        # Clock hours (深i企: 政策咨询 24 小时内答复); the calendar still checks the year is known.
        cal.is_working_day(beijing_today(at))
        return at + timedelta(hours=cat.answer_hours)
    return cal.deadline_at(at, cat.time_limit_working_days or 5)


def _set_stage(appeal: Appeal, stage: Stage | None, due: datetime | None) -> None:
    appeal.due_stage = stage.value if stage else None
    appeal.due_at = due
    appeal.reminded = False
    appeal.escalation_level = 0


# --- visibility --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppealScope:
    """Which appeals a caller sees: officials their region, enterprises their own, handlers their department's
    (lead or 协办), commissioners their assigned enterprises'. ``department_only`` with no id sees nothing."""

    region_prefixes: tuple[str, ...] | None = None
    enterprise_ids: tuple[int, ...] | None = None
    department_id: int | None = None
    department_only: bool = False

    def to_filter(self, **kw: Any) -> AppealFilter:
        return AppealFilter(
            region_prefixes=self.region_prefixes,
            enterprise_ids=self.enterprise_ids,
            department_id=self.department_id,
            department_only=self.department_only,
            **kw,
        )

    def allows(self, db: Session, appeal: Appeal) -> bool:
        if self.enterprise_ids is not None and appeal.enterprise_id not in self.enterprise_ids:
            return False
        if self.region_prefixes is not None and not any(
            appeal.region_code.startswith(p) for p in self.region_prefixes
        ):
            return False
        if self.department_only:
            if self.department_id is None:
                return False
            if appeal.department_id != self.department_id and self.department_id not in {
                a.department_id for a in repository.assists_of(db, appeal.id)
            }:
                return False
        return True


def scope_of(
    db: Session, user: User, commissioner_enterprise_ids: Sequence[int] | None = None
) -> AppealScope:
    role = Role(user.role)
    if role is Role.admin:
        return AppealScope()
    if role in ENTERPRISE_BOUND_ROLES:
        return AppealScope(enterprise_ids=(user.enterprise_id,) if user.enterprise_id else ())
    if role in OFFICIAL_ROLES:
        return AppealScope(region_prefixes=(user.region_code,) if user.region_code else ())
    if role is Role.service_commissioner:
        return AppealScope(enterprise_ids=tuple(commissioner_enterprise_ids or ()))
    if role is Role.department_handler:
        dep = department_of_user(db, user)
        return AppealScope(department_id=dep.id if dep else None, department_only=True)
    return AppealScope(enterprise_ids=())


def get_visible(db: Session, scope: AppealScope, appeal_id: int) -> Appeal:
    appeal = db.get(Appeal, appeal_id)
    if appeal is None or not scope.allows(db, appeal):
        raise AppealNotFound(appeal_id)
    return appeal


def list_visible(
    db: Session, scope: AppealScope, *, page: int, page_size: int, **filters: Any
) -> tuple[list[Appeal], int]:
    return repository.list_appeals(db, scope.to_filter(**filters), page=page, page_size=page_size)


# --- intake ------------------------------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    s = "".join(ch for ch in text if not ch.isspace() and ch not in "，。、；：！？,.;:!?（）()“”\"'")
    return {s[i : i + 2] for i in range(len(s) - 1)} or {s}


def similarity(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def find_duplicate_scored(
    db: Session, enterprise_id: int, title: str, content: str, now: datetime | None = None
) -> tuple[float, Appeal] | None:
    """The open appeal of the same enterprise whose text is most nearly the same, with its similarity.

    Only the candidates ``repository.duplicate_candidates`` returns are compared: open, filed in the
    ``DUPLICATE_LOOKBACK_DAYS`` before ``now``, the ``DUPLICATE_CANDIDATES`` most recent."""
    now = now or utcnow()
    best: tuple[float, Appeal] | None = None
    for other in repository.duplicate_candidates(
        db,
        enterprise_id,
        [s.value for s in OPEN_STATUSES],
        since=now - timedelta(days=DUPLICATE_LOOKBACK_DAYS),
        limit=DUPLICATE_CANDIDATES,
    ):
        score = similarity(title + content, other.title + other.content)
        if score >= DUPLICATE_SIMILARITY and (best is None or score > best[0]):
            best = (score, other)
    return best


def find_duplicate(
    db: Session, enterprise_id: int, title: str, content: str, now: datetime | None = None
) -> Appeal | None:
    """An open appeal of the same enterprise whose text is nearly the same (指引: 重复提交 while in progress)."""
    found = find_duplicate_scored(db, enterprise_id, title, content, now)
    return found[1] if found else None


@dataclass
class AppealData:
    title: str
    content: str
    category_key: str | None = None
    channel: Channel = Channel.web
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


def validate_text(title: str, content: str) -> tuple[str, str]:
    title, content = title.strip(), content.strip()
    if not title:
        raise InvalidAppeal("诉求标题不能为空", "empty title")
    if len(title) > TITLE_MAX:
        raise InvalidAppeal(f"诉求标题不能超过 {TITLE_MAX} 个字", "title too long")
    if len(content) < CONTENT_MIN:
        raise InvalidAppeal(f"诉求内容过短，请至少写 {CONTENT_MIN} 个字说明具体困难", "content too short")
    if len(content) > CONTENT_MAX:
        raise InvalidAppeal(
            f"诉求内容不能超过 {CONTENT_MAX} 个字（当前 {len(content)} 字），请精简或分条提交",
            "content too long",
        )
    return title, content


def _actor_name(actor: User | None) -> str:
    return actor.display_name if actor is not None else SYSTEM_ACTOR


def _event(
    db: Session,
    appeal: Appeal,
    kind: AppealEventKind,
    actor: User | None,
    *,
    action: AppealAction | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AppealEvent:
    ev = AppealEvent(
        appeal_id=appeal.id,
        at=at or utcnow(),
        kind=kind.value,
        action=action.value if action else None,
        from_status=from_status,
        to_status=to_status,
        actor_user_id=actor.id if actor is not None else None,
        actor_name=_actor_name(actor),
        reason=reason,
        detail=detail or {},
    )
    db.add(ev)
    return ev


def file_appeal(
    db: Session,
    enterprise: Enterprise,
    data: AppealData,
    *,
    actor: User,
    now: datetime | None = None,
    check_duplicates: bool = True,
    duplicate_confirmed: bool = False,
) -> Appeal:
    """File an appeal for ``enterprise`` (by the enterprise itself, or by staff on its behalf).

    A similar open appeal of the same enterprise refuses the filing (DuplicateAppeal, pointing to it) unless
    ``duplicate_confirmed`` — staff only, decided by the caller — when the filing goes ahead and its first event
    names the similar appeal."""
    now = now or utcnow()
    title, content = validate_text(data.title, data.content)
    if data.contact_email and not notification_service.valid_email(data.contact_email):
        raise InvalidAppeal("联系邮箱格式不正确", "invalid contact e-mail")
    suggestions = route_suggestions(db, title + "\n" + content, enterprise.region_code, top_k=1)
    cat_key = data.category_key or (suggestions[0].category_key if suggestions else fallback_category_key())
    cat = category(db, cat_key)
    cal = calendar(db)
    due = accept_deadline(cal, now)  # before any change: a year without holiday data changes nothing
    possible_duplicate: Appeal | None = None
    if check_duplicates:
        found = find_duplicate_scored(db, enterprise.id, title, content, now)
        if found is not None:
            score, dup = found
            staff = Role(actor.role) not in ENTERPRISE_BOUND_ROLES
            if not (duplicate_confirmed and staff):
                raise DuplicateAppeal(
                    dup.id,
                    dup.title,
                    status_label=AppealStatus(dup.status).label,
                    similarity=score,
                    staff=staff,
                )
            possible_duplicate = dup
    appeal = Appeal(
        enterprise_id=enterprise.id,
        region_code=enterprise.region_code,
        title=title,
        content=content,
        category_key=cat.key,
        channel=data.channel.value,
        status=AppealStatus.submitted.value,
        filed_by_user_id=actor.id,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
        contact_email=data.contact_email,
        suggested_department_key=suggestions[0].department_key if suggestions else None,
        suggested_category_key=suggestions[0].category_key if suggestions else None,
        submitted_at=now,
        submitted_month=now.astimezone(BEIJING).strftime("%Y-%m"),
        accept_due_at=due,
        redo_count=0,
    )
    _set_stage(appeal, Stage.accept, due)
    db.add(appeal)
    db.flush()
    _event(
        db,
        appeal,
        AppealEventKind.transition,
        actor,
        to_status=AppealStatus.submitted.value,
        reason=f"渠道：{data.channel.label}"
        + (f"；与诉求 {possible_duplicate.id} 相似，经工作人员确认仍予登记" if possible_duplicate else ""),
        detail={"channel": data.channel.value}
        | ({"possible_duplicate_of": possible_duplicate.id} if possible_duplicate else {}),
        at=now,
    )
    _notify_enterprise(db, appeal, f"您的诉求“{title}”已提交", "我们将在 2 个工作日内受理。")
    return appeal


# --- routing: srdi.appeal.routing, taught the staff corrections stored in routing_correction ---------------


@dataclass
class _Learned:
    """What the process-wide router has learned: the stored corrections up to id ``through``, and that row's
    content, so that a router taught another database's rows (a restored backup, a test's schema) is rebuilt."""

    router: routing.Router | None = None
    through: int = 0
    mark: tuple[str, str, str] | None = None


_learned = _Learned()
_learned_lock = threading.Lock()


def _correction_row(c: RoutingCorrection) -> tuple[str, str, str]:
    return (c.text[: routing.MAX_TEXT_CHARS], c.chosen_category_key, c.chosen_department_key)


def router(db: Session) -> routing.Router:
    """The process-wide router (``routing.get_router``), having learned every correction stored so far.

    A correction is stored with its dispatch and learned when the router is next read, so a dispatch that is
    rolled back teaches nothing and every worker process catches up with the corrections of the others. Rows
    naming a unit or a category the router does not know (a unit an administrator added, 其他诉求) are skipped.
    """
    global _learned
    with _learned_lock:
        state = _learned
        current = routing.get_router()
        if state.router is not current:
            state = _Learned(current)
        if state.through:
            row = db.get(RoutingCorrection, state.through)
            if row is None or _correction_row(row) != state.mark:
                state = _Learned(routing.rebuild_from_corrections([]))
        r = state.router
        assert r is not None
        for c in repository.corrections_after(db, state.through):
            text, category_key, department_key = _correction_row(c)
            if category_key in r.categories and department_key in r.departments:
                r.learn(text, category_key, department_key)
            state.through, state.mark = c.id, (text, category_key, department_key)
        _learned = state
        return r


def warm_router(db: Session) -> routing.Router:
    """Build the router and teach it the stored corrections (at start-up: the build takes about half a second)."""
    r = router(db)
    log.info("appeal router ready: %d stored corrections learned", r.corrections_learned)
    return r


def route_suggestions(
    db: Session, text: str, region_code: str | None, top_k: int = 3
) -> list[routing.Suggestion]:
    """Ranked (unit, category) suggestions for a text. Only its head is routed (the router reads at most
    ``routing.MAX_TEXT_CHARS`` characters; a letter names its addressee and its matter first)."""
    return router(db).suggest(text[: routing.MAX_TEXT_CHARS], region_code, top_k=top_k)


# --- the state machine -------------------------------------------------------------------------------------


@dataclass
class TransitionInput:
    action: AppealAction
    reason: str | None = None
    department_key: str | None = None
    assist_department_keys: list[str] = field(default_factory=list)
    category_key: str | None = None
    answer: str | None = None
    reject_reason: RejectReason | None = None
    satisfied: bool | None = None
    rating: int | None = None
    expected_version: int | None = None


def _check_actor(db: Session, appeal: Appeal, t: Transition, inp: TransitionInput, actor: User) -> None:
    role = Role(actor.role)
    if role not in t.roles:
        raise NotYourAppeal(
            f"当前角色（{role.label}）不能执行“{inp.action.label}”", f"role {role} may not {inp.action}"
        )
    if role in ENTERPRISE_BOUND_ROLES and actor.enterprise_id != appeal.enterprise_id:
        raise NotYourAppeal(
            "只有提交该诉求的企业可以评价或确认办结", "only the filing enterprise may do this"
        )
    if role is Role.department_handler:
        dep = department_of_user(db, actor)
        if dep is None or dep.id != appeal.department_id:
            raise NotYourAppeal(
                "该诉求不是转派给本单位牵头办理的", "appeal not dispatched to the handler's unit"
            )


def transition(
    db: Session, appeal_id: int, inp: TransitionInput, *, actor: User, now: datetime | None = None
) -> Appeal:
    """Apply one action of ``TRANSITIONS``: row lock, check, stamp, event, version bump — or change nothing."""
    now = now or utcnow()
    appeal = repository.lock_appeal(db, appeal_id)
    if appeal is None:
        raise AppealNotFound(appeal_id)
    if inp.expected_version is not None and inp.expected_version != appeal.version:
        raise ConcurrentChange(appeal_id)
    t = TRANSITIONS.get(inp.action)
    current = AppealStatus(appeal.status)
    if t is None or current not in t.sources:
        raise TransitionNotAllowed(inp.action.label, current.label, inp.action.value, current.value)
    _check_actor(db, appeal, t, inp, actor)
    reason = (inp.reason or "").strip() or None
    if reason is not None and len(reason) > 2000:
        raise InvalidAppeal("说明不能超过 2000 个字", "reason too long")
    if t.needs_reason and inp.action is not AppealAction.reject and not reason:
        raise InvalidAppeal(f"“{inp.action.label}”须说明理由", f"{inp.action} needs a reason")
    cal = calendar(db)
    detail: dict[str, Any] = {}
    assists: list[Department] = []
    # Compute everything that can fail first; mutate after (a refusal changes nothing).
    if inp.action is AppealAction.reject:
        if inp.reject_reason is None:
            raise InvalidAppeal("不予受理须选择理由（七种情形之一）", "reject needs reject_reason")
        detail["reject_reason"] = inp.reject_reason.value
        reason = reason or inp.reject_reason.label
    if inp.action is AppealAction.accept:
        due: datetime | None = dispatch_deadline(cal, now)
        stage: Stage | None = Stage.dispatch
    elif inp.action is AppealAction.dispatch:
        if not inp.department_key:
            raise InvalidAppeal("转派须指定责任单位", "dispatch needs department_key")
        dep = department_by_key(db, inp.department_key)
        if not dep.active:
            raise InvalidAppeal(f"责任单位“{dep.name}”已停用", "department inactive")
        assists = [department_by_key(db, k) for k in inp.assist_department_keys if k != dep.key]
        cat = category(db, inp.category_key or appeal.category_key)
        due, stage = answer_deadline(cal, cat, now), Stage.answer
        detail.update(department=dep.key, assists=[a.key for a in assists], category=cat.key)
    elif inp.action is AppealAction.return_:
        due, stage = dispatch_deadline(cal, now), Stage.dispatch
    elif inp.action is AppealAction.start:
        due, stage = appeal.answer_due_at, Stage.answer
    elif inp.action is AppealAction.redo:
        if appeal.satisfied is not False:
            raise TransitionNotAllowed(
                inp.action.label, "已评价（满意）", inp.action.value, "rated_satisfied"
            )
        cat = category(db, appeal.category_key)
        due, stage = answer_deadline(cal, cat, now), Stage.answer
    elif inp.action is AppealAction.answer:
        text = (inp.answer or "").strip()
        if len(text) < CONTENT_MIN:
            raise InvalidAppeal(f"答复内容过短，请至少写 {CONTENT_MIN} 个字", "answer too short")
        if len(text) > CONTENT_MAX:
            raise InvalidAppeal(f"答复内容不能超过 {CONTENT_MAX} 个字", "answer too long")
        due, stage = None, None
    elif inp.action is AppealAction.rate:
        if inp.satisfied is None or inp.rating is None or not 1 <= inp.rating <= 5:
            raise InvalidAppeal("评价须选择满意或不满意，并给出 1–5 星", "rating needs satisfied and 1..5")
        due, stage = None, None
    else:
        due, stage = None, None
    handling_days = None
    if inp.action is AppealAction.close:
        handling_days = cal.working_days_between(beijing_today(appeal.submitted_at), beijing_today(now))

    # --- apply
    before = appeal.status
    appeal.status = t.target.value
    if inp.action is AppealAction.accept:
        appeal.accepted_at = now
        appeal.dispatch_due_at = due
    elif inp.action is AppealAction.reject:
        appeal.reject_reason = inp.reject_reason.value if inp.reject_reason else None
        appeal.closed_at = now
    elif inp.action is AppealAction.dispatch:
        appeal.department_id = dep.id
        if inp.category_key and inp.category_key != appeal.category_key:
            appeal.category_key = inp.category_key
        appeal.dispatched_at = now
        appeal.answer_due_at = due
        for a in assists:
            db.add(AppealAssist(appeal_id=appeal.id, department_id=a.id, note=reason))
        if appeal.suggested_department_key and (
            appeal.suggested_department_key != dep.key or appeal.suggested_category_key != appeal.category_key
        ):
            db.add(
                RoutingCorrection(
                    appeal_id=appeal.id,
                    text=appeal.title + "\n" + appeal.content,
                    region_code=appeal.region_code,
                    suggested_department_key=appeal.suggested_department_key,
                    suggested_category_key=appeal.suggested_category_key,
                    chosen_department_key=dep.key,
                    chosen_category_key=appeal.category_key,
                    user_id=actor.id,
                )
            )
    elif inp.action is AppealAction.return_:
        appeal.department_id = None
        appeal.dispatch_due_at = due
    elif inp.action is AppealAction.answer:
        appeal.answer = (inp.answer or "").strip()
        appeal.answered_at = now
        appeal.on_time = appeal.answer_due_at is None or now <= appeal.answer_due_at
    elif inp.action is AppealAction.close:
        appeal.closed_at = now
        appeal.handling_working_days = handling_days
    elif inp.action is AppealAction.rate:
        appeal.satisfied = inp.satisfied
        appeal.rating = inp.rating
        appeal.rating_comment = reason
        appeal.rated_at = now
    elif inp.action is AppealAction.redo:
        appeal.redo_count += 1
        appeal.answer_due_at = due
        appeal.satisfied = None
        appeal.rating = None
        appeal.on_time = None
    _set_stage(appeal, stage, due)
    try:
        db.flush()
    except StaleDataError as exc:
        raise ConcurrentChange(appeal_id) from exc
    _event(
        db,
        appeal,
        AppealEventKind.transition,
        actor,
        action=inp.action,
        from_status=before,
        to_status=appeal.status,
        reason=reason,
        detail=detail,
        at=now,
    )
    _after_transition(db, appeal, inp.action, reason)
    return appeal


def _notify_enterprise(db: Session, appeal: Appeal, title: str, body: str) -> None:
    if appeal.contact_email:
        notification_service.queue_email(db, appeal.contact_email, title, body + f"\n\n诉求编号：{appeal.id}")
    notification_service.notify(
        db,
        appeal.enterprise_id,
        kind="appeal",
        title=title[:300],
        body=body,
        link=f"/appeals/{appeal.id}",
        dedupe_key=f"appeal:{appeal.id}:v{appeal.version}:{appeal.status}",
    )


def _notice(
    db: Session,
    appeal: Appeal,
    title: str,
    body: str,
    *,
    department_id: int | None = None,
    region_code: str | None = None,
) -> None:
    db.add(
        AppealNotice(
            appeal_id=appeal.id,
            department_id=department_id,
            region_code=region_code,
            title=title[:200],
            body=body,
        )
    )


def _after_transition(db: Session, appeal: Appeal, action: AppealAction, reason: str | None) -> None:
    status = AppealStatus(appeal.status)
    body = f"诉求“{appeal.title}”状态：{status.label}。" + (f"说明：{reason}" if reason else "")
    _notify_enterprise(db, appeal, f"您的诉求{status.label}", body)
    if action in (AppealAction.dispatch, AppealAction.redo) and appeal.department_id is not None:
        _notice(db, appeal, f"新转派诉求：{appeal.title}", body, department_id=appeal.department_id)
        for a in repository.assists_of(db, appeal.id):
            _notice(db, appeal, f"协办诉求：{appeal.title}", body, department_id=a.department_id)
    elif action is AppealAction.return_:
        _notice(db, appeal, f"诉求被退回：{appeal.title}", body, region_code=appeal.region_code)


def events(db: Session, appeal: Appeal) -> list[AppealEvent]:
    return repository.events_of(db, appeal.id)


def assists(db: Session, appeal: Appeal) -> list[AppealAssist]:
    return repository.assists_of(db, appeal.id)


def notices_for(db: Session, user: User) -> list[AppealNotice]:
    dep = department_of_user(db, user) if Role(user.role) is Role.department_handler else None
    region = user.region_code if Role(user.role) in OFFICIAL_ROLES else None
    return repository.notices_for(
        db, user_id=user.id, department_id=dep.id if dep else None, region_prefix=region
    )


# --- suggested policies -------------------------------------------------------------------------------------

POLICY_CATEGORIES = frozenset({"financing", "talent_labour", "land_space", "policy_consulting"})


def suggested_policies(db: Session, appeal: Appeal, as_of: date) -> list[dict[str, Any]]:
    """For an appeal about financing, talent, space or policies: the policies its enterprise qualifies for
    (eligible first, then those that may apply once missing data is given)."""
    if appeal.category_key not in POLICY_CATEGORIES:
        return []
    ent = db.get(Enterprise, appeal.enterprise_id)
    if ent is None:
        return []
    mine = policy_service.my_policies(db, ent, as_of)
    return [*mine["eligible"], *mine["unknown"]][:10]


# --- the overdue sweep (run by srdi.appeal.tasks on a schedule) --------------------------------------------


@dataclass
class SweepResult:
    reminded: int = 0
    escalated_department: int = 0
    escalated_district: int = 0
    skipped_years: list[int] = field(default_factory=list)
    # How many candidates the batch read, and the (deadline, id) of the last: where the next batch starts.
    scanned: int = 0
    cursor: tuple[datetime, int] | None = None

    @property
    def total(self) -> int:
        return self.reminded + self.escalated_department + self.escalated_district

    def add(self, other: SweepResult) -> None:
        self.reminded += other.reminded
        self.escalated_department += other.escalated_department
        self.escalated_district += other.escalated_district
        self.scanned += other.scanned
        self.cursor = other.cursor or self.cursor
        for y in other.skipped_years:
            if y not in self.skipped_years:
                self.skipped_years.append(y)


def _system_event(
    appeal: repository.SweepCandidate, kind: AppealEventKind, reason: str, now: datetime, **detail: Any
) -> dict[str, Any]:
    return {
        "appeal_id": appeal.id,
        "at": now,
        "kind": kind.value,
        "action": None,
        "from_status": None,
        "to_status": None,
        "actor_user_id": None,
        "actor_name": SYSTEM_ACTOR,
        "reason": reason,
        "detail": detail,
    }


def _notice_row(
    appeal: repository.SweepCandidate,
    title: str,
    body: str,
    department_id: int | None,
    region_code: str | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "appeal_id": appeal.id,
        "user_id": None,
        "department_id": department_id,
        "region_code": region_code,
        "title": title[:200],
        "body": body,
        "created_at": utcnow(),
    }


def sweep(
    db: Session,
    now: datetime | None = None,
    *,
    limit: int = 500,
    after: tuple[datetime, int] | None = None,
) -> SweepResult:
    """One batch: remind before a deadline, escalate after it — first to the department's leader, then to the
    district. At most ``limit`` candidates are read, from just after the ``after`` cursor (see sweep_all).

    Set-based: what each candidate owes now (a reminder, an escalation, or both) is decided first, then every
    appeal's steps are claimed by one compare-and-set of its row (repository.claim_sweep_steps: one row version
    per appeal, a few statements per batch), and the events and notices of the batch are written by two
    multi-row inserts (the bar: 1,000,000 appeals in ≤ 10 s). Idempotent: a re-run (or a second worker) finds
    every step claimed and does nothing twice.
    """
    now = now or utcnow()
    out = SweepResult()
    cands = repository.due_candidates(
        db, now, now + timedelta(hours=stage_limits()["remind_before_hours"]), limit, after
    )
    if not cands:
        return out
    last = cands[-1]
    assert last.due_at is not None
    out.scanned, out.cursor = len(cands), (last.due_at, last.id)
    cal = calendar(db)
    deps = repository.departments_by_ids(db, {a.department_id for a in cands if a.department_id is not None})

    # What each candidate owes, from the state read: every candidate's deadline is within the reminder horizon
    # (due_candidates), so one not reminded yet is owed its reminder; an overdue one its next escalation level.
    owed: list[
        tuple[repository.SweepCandidate, bool, int]
    ] = []  # (appeal, reminder owed, escalation level owed or 0)
    for a in cands:
        assert a.due_at is not None
        level = 0
        if a.due_at <= now and a.escalation_level == 0:
            level = 1
        elif a.due_at <= now and a.escalation_level == 1:
            try:
                # The end of the next working day after the deadline's own day (a deadline at 24:00 belongs to
                # the day it ends, hence the microsecond).
                second = cal.deadline_at(a.due_at - timedelta(microseconds=1), 1)
            except CalendarYearMissing as exc:  # wait for the year to be entered, report it
                year = (exc.details or {}).get("year")
                if year is not None and year not in out.skipped_years:
                    out.skipped_years.append(year)
            else:
                if now >= second:
                    level = 2
        if not a.reminded or level:
            owed.append((a, not a.reminded, level))
    won = repository.claim_sweep_steps(
        db,
        [
            repository.SweepClaim(
                a.id,
                a.reminded,
                a.escalation_level,
                True if remind else a.reminded,
                level or a.escalation_level,
            )
            for a, remind, level in owed
        ],
    )

    events: list[dict[str, Any]] = []
    notices: list[dict[str, Any]] = []
    for a, remind, level in owed:
        if a.id not in won:
            continue
        assert a.due_at is not None
        stage, dep = Stage(a.due_stage) if a.due_stage else Stage.answer, deps.get(a.department_id or 0)
        where = f"（{dep.name}）" if dep else ""
        if remind:
            events.append(_system_event(a, AppealEventKind.reminder, f"{stage.label}时限将至", now))
            body = (
                f"诉求“{a.title}”{stage.label}时限为 {a.due_at.astimezone(BEIJING):%Y-%m-%d %H:%M}，"
                "请抓紧办理。"
            )
            notices.append(
                _notice_row(
                    a,
                    f"即将超时：{a.title}",
                    body,
                    dep.id if dep else None,
                    None if dep else a.region_code,
                    now,
                )
            )
            out.reminded += 1
        if level == 1:
            target = (
                f"{dep.name}负责人" + (f"（{dep.leader_name}）" if dep.leader_name else "")
                if dep
                else "区县主管部门"
            )
            events.append(
                _system_event(
                    a,
                    AppealEventKind.escalation,
                    f"{stage.label}已超时，督办至{target}",
                    now,
                    level=1,
                    stage=stage.value,
                )
            )
            notices.append(
                _notice_row(
                    a,
                    f"超时督办：{a.title}",
                    f"{stage.label}已超时{where}，请负责人督办。",
                    dep.id if dep else None,
                    None if dep else a.region_code,
                    now,
                )
            )
            out.escalated_department += 1
        elif level == 2:
            events.append(
                _system_event(
                    a,
                    AppealEventKind.escalation,
                    f"{stage.label}超时逾一个工作日，督办至区县主管部门",
                    now,
                    level=2,
                    stage=stage.value,
                )
            )
            notices.append(
                _notice_row(
                    a,
                    f"超时督办（区县）：{a.title}",
                    f"{stage.label}超时逾一个工作日{where}。",
                    None,
                    a.region_code,
                    now,
                )
            )
            out.escalated_district += 1
    repository.insert_sweep_records(db, events, notices)
    return out


def sweep_all(
    db: Session,
    now: datetime | None = None,
    *,
    batch: int = 500,
    after_batch: Callable[[SweepResult], None] | None = None,
) -> SweepResult:
    """Every due item, one bounded batch after another (keyset on deadline and id), all at the same ``now``.

    ``after_batch`` runs after each batch — the worker commits there and empties the session, so memory stays
    bounded however many items are due; a candidate that owes nothing yet (a second escalation waiting for its
    working day) is passed over, never re-read, so it cannot starve the items behind it.
    """
    if batch < 1:
        raise ValueError("batch must be positive")
    now = now or utcnow()
    total = SweepResult()
    cursor: tuple[datetime, int] | None = None
    while True:
        r = sweep(db, now, limit=batch, after=cursor)
        total.add(r)
        if after_batch is not None:
            after_batch(r)
        if r.scanned < batch or r.cursor is None:
            return total
        cursor = r.cursor


# --- KPIs ---------------------------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# From this many appeals on, the KPI page of administrators and officials (scope by region, no date filter)
# reads the pre-aggregate the scheduler refreshes every sweep (one GROUP BY over a few thousand rows) instead of
# every appeal (≈ 0.5–1 s at 1,000,000 on the shared machine, against a bar of 300 ms); below it the live query
# is exact and fast. Commissioners, handlers, enterprises and date ranges always read live.
KPI_AGGREGATE_FROM = 200_000


def refresh_kpi_aggregate(db: Session, now: datetime | None = None) -> int:
    """Recount the KPI pre-aggregate from every appeal (the scheduler, each sweep); how many were counted."""
    return repository.refresh_kpi_aggregate(db, now or utcnow())


def kpi_rows(
    db: Session, scope: AppealScope, dimension: str, **filters: Any
) -> tuple[list[Any], datetime | None]:
    """The KPI counts and, when they come from the pre-aggregate, the time it was refreshed."""
    if (
        scope.enterprise_ids is None
        and not scope.department_only
        and not any(v is not None for v in filters.values())
    ):
        refreshed, counted = repository.kpi_aggregate_state(db)
        if refreshed is not None and counted >= KPI_AGGREGATE_FROM:
            return repository.kpi_rows_from_aggregate(db, dimension, scope.region_prefixes), refreshed
    return repository.kpi_rows(db, dimension, scope.to_filter(**filters)), None


def kpis(db: Session, scope: AppealScope, dimension: str, **filters: Any) -> list[dict[str, Any]]:
    """办结率, 按时办结率, 满意率 and average handling time (working days) per department, district, category
    or month, over the appeals the caller may see."""
    rows: list[dict[str, Any]] = kpi_report(db, scope, dimension, **filters)["rows"]
    return rows


def kpi_report(
    db: Session, scope: AppealScope, dimension: str, *, now: datetime | None = None, **filters: Any
) -> dict[str, Any]:
    """The KPI rows and when they were counted: the pre-aggregate's refresh time when they come from it (as fresh
    as the scheduler's last sweep), else ``now`` (the live query counts as it answers) — the page says which."""
    from srdi.kit.reference import regions

    rows, refreshed = kpi_rows(db, scope, dimension, **filters)
    names: dict[Any, str] = {}
    if dimension == "department":
        names = {d.id: d.name for d in repository.departments(db)}
    elif dimension == "category":
        names = {c.key: c.name for c in repository.categories(db)}
    elif dimension == "district":
        regs = regions()
        names = {code: r.full_name for code, r in regs.items()}
    out = []
    for r in rows:
        accepted = int(r.filed) - int(r.rejected or 0)
        done = int(r.done or 0)
        label = "未转派" if r.key is None and dimension == "department" else names.get(r.key, str(r.key))
        out.append(
            {
                "key": None if r.key is None else str(r.key),
                "label": label,
                "filed": int(r.filed),
                "rejected": int(r.rejected or 0),
                "done": done,
                "on_time": int(r.on_time or 0),
                "rated": int(r.rated or 0),
                "satisfied": int(r.satisfied or 0),
                "escalated_open": int(r.overdue_open or 0),
                "closure_rate": _rate(done, accepted),
                "on_time_rate": _rate(int(r.on_time or 0), done),
                "satisfaction_rate": _rate(int(r.satisfied or 0), int(r.rated or 0)),
                "avg_handling_working_days": round(int(r.handling_days or 0) / done, 2) if done else None,
            }
        )
    return {
        "counted_at": refreshed or now or utcnow(),
        "from_aggregate": refreshed is not None,
        "rows": out,
    }


def status_counts(db: Session, scope: AppealScope) -> dict[str, int]:
    out = {}
    for s in AppealStatus:
        _, n = repository.list_appeals(db, scope.to_filter(statuses=[s.value]), page=1, page_size=1)
        out[s.value] = n
    return out


def is_done(appeal: Appeal) -> bool:
    return AppealStatus(appeal.status) in DONE_STATUSES


def enterprises_by_ids(db: Session, ids: Iterable[int]) -> dict[int, Enterprise]:
    wanted = set(ids)
    if not wanted:
        return {}
    from sqlalchemy import select

    return {e.id: e for e in db.scalars(select(Enterprise).where(Enterprise.id.in_(wanted))).all()}


def now_utc() -> datetime:
    return datetime.now(UTC)
