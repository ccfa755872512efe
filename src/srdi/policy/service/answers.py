"""Answers: facts a policy needs that the registry lacks, given by the enterprise; an answer marks its push stale."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Enterprise
from srdi.policy import repository
from srdi.policy.models import (
    PolicyAnswer,
    PushState,
)
from srdi.policy.service.library import library_files


def answers_of(db: Session, enterprise_id: int) -> list[PolicyAnswer]:
    return repository.answers_of(db, [enterprise_id])


def answers_of_many(db: Session, enterprise_ids: Sequence[int], chunk: int = 500) -> list[PolicyAnswer]:
    """Answers of many enterprises, read ``chunk`` ids at a time (bounded IN lists)."""
    out: list[PolicyAnswer] = []
    for i in range(0, len(enterprise_ids), chunk):
        out += repository.answers_of(db, enterprise_ids[i : i + chunk])
    return out


def push_chunks(
    db: Session, region_prefix: str | None, size: int = 200
) -> tuple[int, Iterator[list[Enterprise]]]:
    """How many enterprises a push over ``region_prefix`` covers, and those enterprises ``size`` at a time."""
    ids = repository.enterprise_ids_in(db, [region_prefix] if region_prefix else None)
    return len(ids), repository.iter_enterprise_chunks(db, ids, size=size)


def set_answers(
    db: Session, enterprise_id: int, answers: Sequence[Mapping[str, Any]], *, actor: str, source: str
) -> list[PolicyAnswer]:
    """``source`` is the server's decision (``enterprise_service.decide_source``); each change is logged."""
    from srdi.db.base import utcnow

    out = []
    for a in answers:
        key, year, value = str(a["key"]), int(a.get("fiscal_year") or 0), a.get("value")
        row = repository.answer(db, enterprise_id, key, year)
        old = None
        if row is None:
            row = PolicyAnswer(
                enterprise_id=enterprise_id,
                key=key,
                fiscal_year=year,
                value=value,
                source=source,
                updated_by=actor,
            )
            db.add(row)
        else:
            if row.value == value and row.source == source:
                out.append(row)
                continue
            old = row.value
            row.value, row.source, row.updated_by, row.updated_at = value, source, actor, utcnow()
        enterprise_service.log_change(
            db, enterprise_id, entity="policy_answer", entity_key=answer_entity_key(key, year), field=key,
            old=old, new=value, source=source, actor=actor,
        )  # fmt: skip
        out.append(row)
    mark_dirty(db, [enterprise_id])
    db.flush()
    return out


def answer_entity_key(key: str, year: int) -> str:
    return f"{key}:{year}" if year else key


def answer_keys() -> list[dict[str, Any]]:
    """Inputs of published library policies read from ``policy_answers`` or a yearly figure the registry lacks."""
    from srdi.enterprise.models import YEARLY_FIGURES

    out: dict[str, dict[str, Any]] = {}
    for pol in library_files().values():
        for inp in pol.rule_set.inputs.values():
            src = inp.source or {}
            if "fact" in src and str(src["fact"]).startswith("policy_answers."):
                key = str(src["fact"]).split(".", 1)[1]
                spec = out.setdefault(
                    key, {"key": key, "label": inp.label, "type": inp.type.value, "yearly": False, "year": 0}
                )
            elif "yearly" in src and src["yearly"] not in YEARLY_FIGURES:
                key = str(src["yearly"])
                # year 1 = 上年度: the answer is for fiscal year (as-of year − year)
                spec = out.setdefault(
                    key,
                    {
                        "key": key,
                        "label": inp.label,
                        "type": inp.type.value,
                        "yearly": True,
                        "year": int(src.get("year", 1)),
                    },
                )
            else:
                continue
            spec.setdefault("input_ids", [])
            if inp.id not in spec["input_ids"]:
                spec["input_ids"].append(inp.id)
            b = pol.bounds.get(inp.id)
            if b is not None:  # the tightest plausible range over every policy reading this answer
                if spec.get("_max") is None or b.max < spec["_max"]:
                    spec["_max"], spec["max"] = b.max, b.max_text
                if b.min is not None and (spec.get("_min") is None or b.min > spec["_min"]):
                    spec["_min"], spec["min"] = b.min, b.min_text
    return sorted(out.values(), key=lambda d: d["key"])


def mark_dirty(db: Session, enterprise_ids: Iterable[int]) -> None:
    for eid in enterprise_ids:
        state = repository.push_state(db, eid)
        if state is None:
            db.add(PushState(enterprise_id=eid, dirty=True))
        else:
            state.dirty = True
