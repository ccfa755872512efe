"""Working days on the Chinese calendar, checked against the State Council's 2026 arrangement (国办发明电〔2025〕)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from srdi.kit.workdays import BEIJING, CalendarYearMissing, DayOverride, WorkdayCalendar, beijing_today

CAL = WorkdayCalendar.bundled()


def test_a_plain_weekday_is_a_working_day_and_a_weekend_is_not() -> None:
    assert CAL.is_working_day(date(2026, 3, 10))  # Tuesday
    assert not CAL.is_working_day(date(2026, 3, 14))  # Saturday


def test_national_day_is_off_and_its_make_up_saturday_is_a_working_day() -> None:
    assert not CAL.is_working_day(date(2026, 10, 1))
    assert not CAL.is_working_day(date(2026, 10, 7))
    assert CAL.holiday_name(date(2026, 10, 1)) == "国庆节"
    # 2026: 10月10日（星期六）上班
    assert CAL.is_working_day(date(2026, 10, 10))


def test_two_working_days_after_the_eve_of_national_day_land_after_the_break() -> None:
    # Wed 2026-09-30 → next working days: Thu 10-08, Fri 10-09
    assert CAL.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 9)
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == 2


def test_zero_working_days_is_the_day_itself_or_the_next_working_day() -> None:
    assert CAL.add_working_days(date(2026, 3, 10), 0) == date(2026, 3, 10)
    assert CAL.add_working_days(date(2026, 3, 14), 0) == date(2026, 3, 16)


def test_a_year_without_data_is_a_clear_error_not_a_guess() -> None:
    with pytest.raises(CalendarYearMissing) as err:
        CAL.add_working_days(date(2026, 12, 30), 5)
    assert "2027年" in err.value.message_zh
    assert err.value.details == {"year": 2027}


def test_an_administrator_can_enter_the_next_year() -> None:
    cal = CAL.with_year(2027, [DayOverride(date(2027, 1, 1), True, "元旦")])
    assert not cal.is_working_day(date(2027, 1, 1))
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert 2027 not in CAL.years  # the bundled calendar is unchanged


def test_deadline_is_the_end_of_the_last_working_day_in_beijing() -> None:
    # Filed Friday 2026-03-13 23:30 Beijing (15:30 UTC) → 1 working day → end of Monday 03-16 Beijing.
    filed = datetime(2026, 3, 13, 15, 30, tzinfo=UTC)
    assert CAL.deadline_at(filed, 1) == datetime(2026, 3, 17, 0, 0, tzinfo=BEIJING).astimezone(UTC)


def test_business_today_is_the_beijing_date_between_midnight_and_eight() -> None:
    assert beijing_today(datetime(2026, 3, 13, 17, 0, tzinfo=UTC)) == date(2026, 3, 14)
    assert beijing_today(datetime(2026, 3, 13, 15, 59, tzinfo=UTC)) == date(2026, 3, 13)
