"""Duplicate detection compares a new appeal with a bounded set chosen in SQL: the same enterprise's open appeals
of the look-back window, the most recent ``DUPLICATE_CANDIDATES`` (the bigram comparison runs in Python)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from srdi.appeal import repository, service
from srdi.appeal.enums import OPEN_STATUSES
from srdi.appeal.exceptions import DuplicateAppeal
from srdi.auth.enums import Role
from tests.appeal import factories
from tests.appeal.factories import TUESDAY

TITLE = "申请贴息贷款"
TEXT = "我司计划向银行贷款500万元用于购置设备，想了解专精特新企业贷款贴息政策和申请流程。"
# Other open appeals of the same enterprise, none like TEXT or like each other.
OTHERS = [
    ("招聘研发人员", "需要引进高端研发人才，咨询人才落户和住房补贴的条件。"),
    ("厂房租金上涨", "园区厂房租金今年上涨三成，希望了解产业用房租金补贴。"),
    ("研发费用归集", "研发费用加计扣除的归集范围不清楚，请税务部门解释口径。"),
    ("出口退税进度", "上季度出口退税迟迟未到账，影响资金周转，请帮忙催办。"),
]


def _file(db, ent, actor, at, title=TITLE, content=TEXT):  # type: ignore[no-untyped-def]
    factories.catalogue(db)
    return service.file_appeal(db, ent, service.AppealData(title=title, content=content), actor=actor, now=at)


def test_an_open_appeal_is_a_duplicate_up_to_the_end_of_the_look_back_window_and_not_after(db, make_user):
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    first = factories.appeal(db, ent, filer, title=TITLE, content=TEXT, at=TUESDAY)
    edge = TUESDAY + timedelta(days=service.DUPLICATE_LOOKBACK_DAYS)
    assert service.find_duplicate(db, ent.id, TITLE, TEXT, edge) is first
    with pytest.raises(DuplicateAppeal):
        _file(db, ent, filer, edge)
    # One second later the old open appeal is outside the window: the new one is filed.
    later = _file(db, ent, filer, edge + timedelta(seconds=1))
    assert later.id != first.id and later.status == "submitted"
    # … and is itself the duplicate the next filing meets.
    assert service.find_duplicate(db, ent.id, TITLE, TEXT, edge + timedelta(seconds=2)) is later


def test_only_the_most_recent_open_appeals_are_compared(db, make_user, monkeypatch):
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    first = factories.appeal(db, ent, filer, title=TITLE, content=TEXT, at=TUESDAY)
    monkeypatch.setattr(service, "DUPLICATE_CANDIDATES", len(OTHERS))
    for i, (title, content) in enumerate(OTHERS[:-1]):
        _file(db, ent, filer, TUESDAY + timedelta(minutes=i + 1), title, content)
    at = TUESDAY + timedelta(hours=1)
    # The similar appeal is the oldest of exactly DUPLICATE_CANDIDATES open ones: still compared.
    assert service.find_duplicate(db, ent.id, TITLE, TEXT, at) is first
    _file(db, ent, filer, TUESDAY + timedelta(minutes=30), *OTHERS[-1])
    # One more recent open appeal pushes it out of the candidates.
    assert service.find_duplicate(db, ent.id, TITLE, TEXT, at) is None
    rows = repository.duplicate_candidates(
        db, ent.id, [s.value for s in OPEN_STATUSES], since=at - timedelta(days=1), limit=len(OTHERS)
    )
    assert [a.title for a in rows] == [t for t, _ in reversed(OTHERS)]


def test_closed_appeals_and_other_enterprises_are_not_candidates(db, make_user):
    ent, other = factories.enterprise(db), factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    done = factories.appeal(db, ent, filer, title=TITLE, content=TEXT, at=TUESDAY)
    done.status = "closed"
    factories.appeal(db, other, make_user(Role.enterprise, enterprise_id=other.id), title=TITLE, content=TEXT)
    db.flush()
    assert service.find_duplicate(db, ent.id, TITLE, TEXT, TUESDAY + timedelta(hours=1)) is None
