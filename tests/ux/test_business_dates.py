"""Issue 15 / PRODUCT C10: a 基准日 defaults to the Beijing date, also between 00:00 and 08:00 Beijing time, when the
UTC date is still the day before. The clock is frozen by replacing ``srdi.kit.workdays.utc_now`` (no sleeping)."""

from datetime import UTC, date, datetime

import pytest

from srdi.kit import workdays

# 2026-03-01 02:30 in Beijing is still 2026-02-28 in UTC.
EARLY_MORNING = datetime(2026, 2, 28, 18, 30, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(workdays, "utc_now", lambda: EARLY_MORNING)


def test_beijing_today_is_the_next_day_before_eight_utc(frozen):
    assert workdays.beijing_today() == date(2026, 3, 1)
    assert workdays.beijing_today(datetime(2026, 2, 28, 15, 59, tzinfo=UTC)) == date(2026, 2, 28)


def test_public_self_assessment_defaults_its_as_of_date_to_the_beijing_date(client, frozen):
    r = client.post("/api/v1/self-assessment", json={"facts": {"region_code": "440305"}})
    assert r.status_code == 200, r.text
    assert r.json()["as_of"] == "2026-03-01"


def test_no_business_date_is_taken_from_the_machine_clock():
    # date.today() is the server's local date (UTC in production): every "today" goes through beijing_today.
    import pathlib

    offenders = [
        str(p)
        for p in pathlib.Path(workdays.__file__).parents[1].rglob("*.py")
        if "date.today()" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
