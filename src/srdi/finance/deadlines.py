"""Time limits of the bank's steps on a financing request, in working days (rules/finance/settings/time_limits.yaml).

Two stages are the bank's: 受理 (accept or ask for more, counted from submission) and 审批 (approve or decline,
counted from acceptance or from the enterprise's supplement). While the bank waits for the enterprise's material
(info_requested) no limit runs. The working days are the platform calendar's (``appeal_service.calendar``:
bundled State Council data plus administrator-entered years); a year it lacks leaves the deadline blank with a
Chinese note instead of a Monday-to-Friday guess. The values are the platform's own and marked 待核实.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from srdi.finance.enums import RequestStatus
from srdi.kit.workdays import CalendarYearMissing, WorkdayCalendar, beijing_today
from srdi.rules_engine.loader import read_yaml

SETTINGS_FILE = Path("finance") / "settings" / "time_limits.yaml"
RESPOND, DECIDE = "respond", "decide"
# The stage a status is in; statuses missing here (info_requested, approved, declined, withdrawn) run no limit.
STAGE_OF = {RequestStatus.submitted: RESPOND, RequestStatus.accepted: DECIDE}


@dataclass(frozen=True)
class Stage:
    key: str
    label: str  # 受理时限 / 审批时限
    action: str
    working_days: int
    starts: str
    unverified: str | None  # why the value is 待核实, or None once confirmed

    def text(self) -> str:
        return f"{self.label}：{self.starts}，{self.working_days}个工作日内{self.action}"


@dataclass(frozen=True)
class TimeLimits:
    stages: Mapping[str, Stage]
    source: str
    verification: str

    @property
    def needs_verification(self) -> bool:
        return any(s.unverified for s in self.stages.values())

    def view(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "needs_verification": self.needs_verification,
            "stages": [
                {
                    "key": s.key,
                    "label": s.label,
                    "action": s.action,
                    "working_days": s.working_days,
                    "starts": s.starts,
                    "text": s.text(),
                    "unverified": s.unverified,
                }
                for s in self.stages.values()
            ],
        }


@lru_cache(maxsize=4)
def load(rules_dir: Path) -> TimeLimits:
    data = read_yaml(rules_dir / SETTINGS_FILE)
    stages = {}
    for key in (RESPOND, DECIDE):
        s = data["stages"][key]
        days = int(s["working_days"])
        if not 1 <= days <= 60:
            raise ValueError(f"{SETTINGS_FILE}: {key}.working_days must be 1-60, got {days}")
        stages[key] = Stage(
            key,
            str(s["label"]),
            str(s["action"]),
            days,
            str(s["starts"]),
            str(s["unverified"]) if s.get("unverified") else None,
        )
    return TimeLimits(stages, str(data.get("source", "")), str(data.get("verification", "")))


def due_for(limits: TimeLimits, cal: WorkdayCalendar, status: str, since: datetime) -> datetime | None:
    """The deadline of the stage ``status`` opens at ``since``; None when no limit runs or the year is missing."""
    stage = STAGE_OF.get(RequestStatus(status))
    if stage is None:
        return None
    try:
        return cal.deadline_at(since, limits.stages[stage].working_days)
    except CalendarYearMissing:
        return None


def stage_of(limits: TimeLimits, status: str) -> Stage | None:
    key = STAGE_OF.get(RequestStatus(status))
    return limits.stages[key] if key else None


def working_days_late(cal: WorkdayCalendar, due: datetime, at: datetime) -> int:
    """Working days past the last allowed day up to ``at`` (0 when on time; 1 if the calendar lacks a year)."""
    if at < due:
        return 0
    try:
        last_day = beijing_today(due - timedelta(seconds=1))
        return max(cal.working_days_between(last_day, beijing_today(at)), 1)
    except CalendarYearMissing:
        return 1


@dataclass(frozen=True)
class StageOutcome:
    """One bank stage of one request: its deadline and whether the bank acted in time (None: still open)."""

    stage: str
    due_at: datetime
    ended_at: datetime | None
    on_time: bool | None  # None while open and not yet late


def outcomes(events: Sequence[Any], now: datetime) -> list[StageOutcome]:
    """Each stage an event opened with a deadline, closed by the next event (events in order)."""
    out = []
    for i, e in enumerate(events):
        if e.due_at is None:
            continue
        stage = STAGE_OF.get(RequestStatus(e.status_after))
        if stage is None:
            continue
        nxt = events[i + 1] if i + 1 < len(events) else None
        if nxt is not None and nxt.action == "withdraw" and nxt.at < e.due_at:
            continue  # the enterprise withdrew in time: the bank's stage neither met nor missed its limit
        if nxt is not None:
            out.append(StageOutcome(stage, e.due_at, nxt.at, nxt.at < e.due_at))
        else:
            out.append(StageOutcome(stage, e.due_at, None, False if now >= e.due_at else None))
    return out
