"""Chinese working days: statutory holidays and 调休 make-up working days (docs/glossary.md: working_day, make_up_workday).

Time limits in the seeds are counted in working days (appeals: 3 or 5 工作日; the Dongguan 免申即享 award is paid
within 1–2 working days of consent; 公示 lasts about 7 working days). A working day is Monday to Friday unless the
State Council's notice makes it a day off, plus the weekend days the notice makes 调休 working days.

The data ships in ``srdi/reference/holidays`` (one file per year, 2007–2026, source and licence in that folder's
README). The State Council publishes each next year's arrangement around November, so a year the data lacks must be
entered by an administrator (``WorkdayCalendar.with_year``); until then every computation that touches that year
raises ``CalendarYearMissing`` — never a silent Monday-to-Friday guess, which would be wrong around 春节 and 国庆.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from srdi.kit.errors import AppError

BEIJING = ZoneInfo("Asia/Shanghai")

# A deadline counted in working days runs for a bounded span: no legal time limit here exceeds a few months.
MAX_WORKING_DAYS = 400


class CalendarYearMissing(AppError):
    status_code = 422
    code = "calendar_year_missing"


@dataclass(frozen=True, slots=True)
class DayOverride:
    """One date that differs from Monday-to-Friday: a day off on a weekday or a 调休 working day on a weekend."""

    day: date
    is_off_day: bool
    name: str


def utc_now() -> datetime:
    """The current moment, timezone-aware UTC (one place to freeze the clock in tests)."""
    return datetime.now(UTC)


def beijing_today(now: datetime | None = None) -> date:
    """The business date in Beijing (a 基准日 or "today" is a Beijing date; timestamps stay in UTC)."""
    moment = now or utc_now()
    return moment.astimezone(BEIJING).date()


class WorkdayCalendar:
    """Working days for the years whose State Council arrangement is known."""

    def __init__(self, overrides: Mapping[date, DayOverride], years: Iterable[int]) -> None:
        self._overrides = dict(overrides)
        self.years = frozenset(years)

    @classmethod
    def bundled(cls) -> WorkdayCalendar:
        return _bundled()

    def with_year(self, year: int, days: Iterable[DayOverride]) -> WorkdayCalendar:
        """This calendar plus (or with replaced) one year's arrangement, e.g. entered by an administrator."""
        kept = {d: o for d, o in self._overrides.items() if d.year != year}
        for o in days:
            if o.day.year != year:
                raise ValueError(f"{o.day} is not in {year}")
            kept[o.day] = o
        return WorkdayCalendar(kept, self.years | {year})

    def overrides_in(self, year: int) -> list[DayOverride]:
        """The year's days off on weekdays and 调休 working days on weekends, in date order."""
        return sorted((o for d, o in self._overrides.items() if d.year == year), key=lambda o: o.day)

    def _check(self, day: date) -> None:
        if day.year not in self.years:
            known = f"{min(self.years)}–{max(self.years)}" if self.years else "无"
            raise CalendarYearMissing(
                f"{day.year}年的法定节假日和调休安排尚未录入（已有年份：{known}），暂时无法按工作日计算办理期限，"
                "本次操作未执行。请联系平台管理员在“工作日历”页面录入国务院办公厅发布的"
                f"{day.year}年放假安排，录入后即可重新提交",
                f"no holiday data for {day.year} (known: {known}); an administrator must enter that year",
                details={"year": day.year},
            )

    def is_working_day(self, day: date) -> bool:
        self._check(day)
        o = self._overrides.get(day)
        if o is not None:
            return not o.is_off_day
        return day.weekday() < 5

    def holiday_name(self, day: date) -> str | None:
        """The holiday (or the holiday a 调休 working day belongs to) on that date, if any."""
        o = self._overrides.get(day)
        return o.name if o else None

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, otherwise the first working day after it."""
        d = day
        for _ in range(MAX_WORKING_DAYS):
            if self.is_working_day(d):
                return d
            d += timedelta(days=1)
        raise ValueError(f"no working day within {MAX_WORKING_DAYS} days of {day}")

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself not counted, as a 时限 starts the next day).

        ``n = 0`` gives ``start`` when it is a working day, otherwise the next working day.
        """
        if n < 0 or n > MAX_WORKING_DAYS:
            raise ValueError(f"working days must be within 0..{MAX_WORKING_DAYS}, got {n}")
        if n == 0:
            return self.next_working_day(start)
        d = start
        counted = 0
        while counted < n:
            d += timedelta(days=1)
            if self.is_working_day(d):
                counted += 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``: how many working days of a time limit have elapsed by ``end``."""
        if end <= start:
            return 0
        if (end - start).days > 3 * MAX_WORKING_DAYS:
            raise ValueError("span too long")
        count = 0
        d = start
        while d < end:
            d += timedelta(days=1)
            if self.is_working_day(d):
                count += 1
        return count

    def deadline_at(self, start_at: datetime, n: int) -> datetime:
        """End (24:00 Beijing time) of the ``n``-th working day after the Beijing date of ``start_at``, in UTC."""
        if start_at.tzinfo is None:
            raise ValueError("start_at must be timezone-aware")
        last = self.add_working_days(beijing_today(start_at), n)
        return datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=BEIJING).astimezone(UTC)


def _parse_year(text: str) -> tuple[int, list[DayOverride]]:
    doc = json.loads(text)
    days = [
        DayOverride(day=date.fromisoformat(d["date"]), is_off_day=bool(d["isOffDay"]), name=str(d["name"]))
        for d in doc["days"]
    ]
    return int(doc["year"]), days


@lru_cache(maxsize=1)
def _bundled() -> WorkdayCalendar:
    folder = resources.files("srdi.reference").joinpath("holidays")
    overrides: dict[date, DayOverride] = {}
    years: set[int] = set()
    for entry in folder.iterdir():
        if not (entry.name.startswith("holiday-cn_") and entry.name.endswith(".json")):
            continue
        year, days = _parse_year(entry.read_text(encoding="utf-8"))
        years.add(year)
        for o in days:
            overrides[o.day] = o
    return WorkdayCalendar(overrides, years)
