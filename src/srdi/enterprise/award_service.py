"""Awards (奖项) of an enterprise: added, corrected and removed by officials, each change in the change log.

Awards decide recognition routes (创客中国 企业组 500强/50强 are direct routes, CRITERIA §4.1 ZD4, §5 X4D2), so
only officials and administrators write them (router); an enterprise's own account reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from srdi.enterprise.exceptions import AwardNotFound
from srdi.enterprise.models import Award, ChangeLog, Enterprise
from srdi.enterprise.schemas import AwardIn
from srdi.enterprise.service import change_text

# The fields a change-log row is written for, in the order a person reads them.
AWARD_FIELDS = (
    "kind",
    "level",
    "name",
    "award_date",
    "rank",
    "top_group",
    "contest_group",
    "evidence",
    "source",
)


def _values(data: AwardIn) -> dict[str, Any]:
    return {
        "kind": data.kind.value,
        "level": data.level.value,
        "name": data.name,
        "award_date": data.award_date,
        "rank": data.rank,
        "top_group": data.top_group,
        "contest_group": data.contest_group.value if data.contest_group else None,
        "evidence": data.evidence,
        "source": data.source.value,
    }


def _log(
    db: Session,
    award: Award,
    changes: Sequence[tuple[str, object, object]],
    *,
    actor: str,
    source: str,
    import_job_id: int | None,
) -> None:
    for name, old, new in changes:
        db.add(
            ChangeLog(
                enterprise_id=award.enterprise_id,
                entity="award",
                entity_key=str(award.id),
                field=name,
                old_value=change_text(old),
                new_value=change_text(new),
                source=source,
                actor=actor,
                import_job_id=import_job_id,
            )
        )


def get_award(ent: Enterprise, award_id: int) -> Award:
    """An award of this enterprise; another enterprise's award answers 404 as if it did not exist."""
    award = next((a for a in ent.awards if a.id == award_id), None)
    if award is None:
        raise AwardNotFound(award_id)
    return award


def list_awards(ent: Enterprise) -> list[Award]:
    return sorted(ent.awards, key=lambda a: (a.award_date, a.id), reverse=True)


def create_award(
    db: Session, ent: Enterprise, data: AwardIn, *, actor: str, import_job_id: int | None = None
) -> Award:
    values = _values(data)
    award = Award(enterprise_id=ent.id, **values)
    ent.awards.append(award)
    db.flush()
    changes = [(name, None, values[name]) for name in AWARD_FIELDS if values[name] is not None]
    _log(db, award, changes, actor=actor, source=values["source"], import_job_id=import_job_id)
    return award


def update_award(db: Session, award: Award, data: AwardIn, *, actor: str) -> int:
    """Replace the award's fields; one change-log row per field that changed. Returns the number of changes."""
    values = _values(data)
    changes: list[tuple[str, object, object]] = []
    for name in AWARD_FIELDS:
        old = getattr(award, name)
        if old != values[name]:
            changes.append((name, old, values[name]))
            setattr(award, name, values[name])
    _log(db, award, changes, actor=actor, source=values["source"], import_job_id=None)
    return len(changes)


def delete_award(db: Session, ent: Enterprise, award: Award, *, actor: str) -> None:
    changes = [
        (name, getattr(award, name), None) for name in AWARD_FIELDS if getattr(award, name) is not None
    ]
    _log(db, award, changes, actor=actor, source=award.source, import_job_id=None)
    ent.awards.remove(award)
    db.flush()
