"""Batch evaluation of the registry (QUALITY P1 path): the same rule files, compiled to Polars.

A run evaluates every tier in force on its as-of date for every enterprise in scope, chunk by chunk, and
stores one compact row per enterprise and tier. The task (``tasks.run_batch``) commits after each chunk so that
progress is visible; a run that fails is marked failed and its partial rows are never read as a result.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from srdi.criteria import repository
from srdi.criteria.enums import Purpose, RunStatus
from srdi.criteria.models import BatchResult, BatchRun
from srdi.criteria.schemas import SeedPoolEntry
from srdi.criteria.service import TIER_ORDER, RuleBook, assess_tier, rule_book, tier_label
from srdi.db.base import utcnow
from srdi.enterprise import service as enterprise_service
from srdi.enterprise.models import Enterprise, Recognition
from srdi.kit.reference import region
from srdi.rules_engine import FactsError, RuleSet, build_variables
from srdi.rules_engine.batch import variables_table
from srdi.rules_engine.compile_polars import evaluate_frame

CHUNK = 500
STATUS = {True: "pass", False: "fail", None: "unknown"}


def create_run(
    db: Session, *, as_of: date, purpose: Purpose, region_prefix: str | None, actor: str
) -> BatchRun:
    book = rule_book()
    sel = book.select(as_of, purpose.value, None)
    run = BatchRun(
        as_of_date=as_of,
        purpose=purpose.value,
        region_prefix=region_prefix,
        status=RunStatus.queued.value,
        total=len(repository.scoped_enterprise_ids(db, region_prefix)),
        processed=0,
        regime=sel.regime,
        rule_sets={t: book.get(rid).content_hash[:12] + " " + rid for t, rid in sel.tiers.items()},
        summary={},
        actor=actor,
    )
    db.add(run)
    db.flush()
    return run


def chunks(db: Session, run: BatchRun, size: int = CHUNK) -> list[list[int]]:
    ids = repository.scoped_enterprise_ids(db, run.region_prefix)
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def start(db: Session, run: BatchRun) -> None:
    """Begin (or restart after a crash) from a clean slate, so a run never holds a row twice."""
    db.execute(delete(BatchResult).where(BatchResult.batch_run_id == run.id))
    run.status = RunStatus.running.value
    run.started_at = utcnow()
    run.processed = 0


def _selection_for(book: RuleBook, run: BatchRun, region_code: str) -> dict[str, str]:
    return book.select(run.as_of_date, run.purpose, region_code).tiers


def evaluate_chunk(db: Session, run: BatchRun, ids: Sequence[int], book: RuleBook | None = None) -> int:
    """Evaluate one chunk of enterprises and insert their result rows. Returns the number of rows written."""
    book = book or rule_book()
    enterprises = enterprise_service.with_facts(db, ids)
    # Enterprises of one province share their rule sets (provincial 特色化 variants differ by province).
    groups: dict[tuple[tuple[str, str], ...], list[Enterprise]] = defaultdict(list)
    for ent in enterprises:
        groups[tuple(sorted(_selection_for(book, run, ent.region_code).items()))].append(ent)
    rows: list[dict[str, Any]] = []
    for selection, members in groups.items():
        rows.extend(_evaluate_group(book, run, dict(selection), members))
    if rows:
        db.execute(insert(BatchResult), rows)
    run.processed += len(enterprises)
    return len(rows)


def _evaluate_group(
    book: RuleBook, run: BatchRun, selection: Mapping[str, str], members: Sequence[Enterprise]
) -> list[dict[str, Any]]:
    sets: list[RuleSet] = [book.get(rid) for rid in dict.fromkeys(selection.values())]
    variables: list[dict[str, object]] = []
    usable: list[Enterprise] = []
    rows: list[dict[str, Any]] = []
    for ent in members:
        try:
            variables.append(
                build_variables(enterprise_service.facts_document(ent), run.as_of_date, sets, run.purpose)
            )
            usable.append(ent)
        except FactsError as exc:
            # One enterprise's unusable data must not stop the run: record it as undecided with the reason.
            for tier, rid in selection.items():
                rows.append(_row(run, ent.id, tier, rid, None, None, 0, 0, {"data_error": str(exc)}))
    if not usable:
        return rows
    table = variables_table(variables, sets, keys={"enterprise_id": [e.id for e in usable]})
    table = table.with_columns(pl.lit(run.purpose == Purpose.re_review.value).alias("is_re_review"))
    out = evaluate_frame(table, sets, key="enterprise_id", prefixed=True)
    for rec in out.iter_rows(named=True):
        for tier, rid in selection.items():
            p = rid + "__"
            conds = [v for k, v in rec.items() if k.startswith(p + "cond_")]
            rows.append(
                _row(
                    run,
                    rec["enterprise_id"],
                    tier,
                    rid,
                    rec[p + "pass"],
                    rec.get(p + "score_total"),
                    sum(1 for v in conds if v is False),
                    sum(1 for v in conds if v is None),
                    {"scores": {k[len(p) + 6 :]: v for k, v in rec.items() if k.startswith(p + "score_")}},
                )
            )
    return rows


def _row(
    run: BatchRun,
    enterprise_id: int,
    tier: str,
    rule_set_id: str,
    passed: bool | None,
    total: int | None,
    failed: int,
    unknown: int,
    detail: dict[str, Any],
) -> dict[str, Any]:
    return {
        "batch_run_id": run.id,
        "enterprise_id": enterprise_id,
        "tier": tier,
        "rule_set_id": rule_set_id,
        "status": STATUS[passed],
        "total": total,
        "points_short": None,
        "conditions_failed": 0 if passed else failed,
        "conditions_unknown": 0 if passed else unknown,
        "detail": detail,
    }


def finish(db: Session, run: BatchRun, started: float) -> None:
    run.summary = summarize(db, run) | {"seconds": round(time.perf_counter() - started, 3)}
    run.status = RunStatus.succeeded.value
    run.finished_at = utcnow()


def fail(run: BatchRun, exc: BaseException) -> None:
    run.status = RunStatus.failed.value
    run.error = f"{type(exc).__name__}: {exc}"
    run.finished_at = utcnow()


def summarize(db: Session, run: BatchRun) -> dict[str, Any]:
    """Tier funnel, district bars and counts, for the results page and the dashboard."""
    q = (
        select(BatchResult.tier, BatchResult.status, Enterprise.region_code)
        .join(Enterprise, Enterprise.id == BatchResult.enterprise_id)
        .where(BatchResult.batch_run_id == run.id)
    )
    by_tier: Counter[tuple[str, str]] = Counter()
    by_region: dict[str, Counter[str]] = defaultdict(Counter)
    data_errors = 0
    for tier, status, region_code in db.execute(q).all():
        by_tier[(tier, status)] += 1
        if status == "pass":
            by_region[region_code][tier] += 1
    data_errors = sum(
        1
        for d in db.scalars(select(BatchResult.detail).where(BatchResult.batch_run_id == run.id))
        if isinstance(d, dict) and "data_error" in d
    )
    held = _valid_recognitions(db, run)
    tiers = [t for t in TIER_ORDER if any(k[0] == t for k in by_tier)]
    funnel = [
        {
            "tier": t,
            "label": tier_label(t),
            "pass": by_tier[(t, "pass")],
            "fail": by_tier[(t, "fail")],
            "unknown": by_tier[(t, "unknown")],
            "holding": held.get(t, 0),
        }
        for t in tiers
    ]
    regions = []
    for code in sorted(by_region):
        reg = region(code)
        regions.append(
            {"region_code": code, "region_name": reg.name if reg else code, **dict(by_region[code])}
        )
    return {"funnel": funnel, "by_region": regions, "data_errors": data_errors}


def _valid_recognitions(db: Session, run: BatchRun) -> dict[str, int]:
    q = (
        select(Recognition.tier, Recognition.enterprise_id)
        .join(Enterprise, Enterprise.id == Recognition.enterprise_id)
        .where(Recognition.status == "valid", Recognition.valid_until >= run.as_of_date)
        .where(Recognition.announced_date <= run.as_of_date)
    )
    if run.region_prefix:
        q = q.where(Enterprise.region_code.startswith(run.region_prefix))
    seen: dict[str, set[int]] = defaultdict(set)
    for tier, ent_id in db.execute(q).all():
        seen[tier].add(ent_id)
    return {t: len(v) for t, v in seen.items()}


def progress(run: BatchRun) -> float:
    if run.status == RunStatus.succeeded.value:
        return 1.0
    return round(run.processed / run.total, 4) if run.total else 0.0


def seed_pool(
    db: Session, run: BatchRun, *, tier: str, limit: int, region_scope: list[str] | None
) -> list[SeedPoolEntry]:
    """种子培育库: the enterprises nearest to ``tier`` in this run, each with its gap in Chinese.

    Nearest = fewest conditions not met, then fewest undecided, then the highest score. The gap sentences
    are re-derived with the trace interpreter from the enterprise's current facts as of the run's date.
    """
    book = rule_book()
    out: list[SeedPoolEntry] = []
    candidates = repository.seed_candidates(db, run.id, tier, limit, region_scope)
    full = {e.id: e for e in enterprise_service.with_facts(db, [e.id for _, e in candidates])}
    for rank, (res, ent) in enumerate(candidates, start=1):
        rid = book.select(run.as_of_date, run.purpose, ent.region_code).tiers.get(tier, res.rule_set_id)
        assessed = assess_tier(
            book,
            enterprise_service.facts_document(full[ent.id]),
            tier,
            rid,
            run.as_of_date,
            run.purpose,
            None,
        )
        out.append(
            SeedPoolEntry(
                rank=rank,
                enterprise_id=ent.id,
                uscc=ent.uscc,
                name=ent.name,
                region_code=ent.region_code,
                tier=tier,
                total=res.total,
                conditions_failed=res.conditions_failed,
                conditions_unknown=res.conditions_unknown,
                gap=assessed.gap,
            )
        )
    return out
