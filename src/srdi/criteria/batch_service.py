"""Batch evaluation of the registry (QUALITY P1 path): the same rule files, compiled to Polars.

A run evaluates every tier in force on its as-of date for every enterprise in scope, chunk by chunk, and
stores one compact row per enterprise and tier. The task (``tasks.run_batch``) commits after each chunk so that
progress is visible; a run that fails is marked failed and its partial rows are never read as a result.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Text, cast, delete, func, insert, select
from sqlalchemy.orm import Session

from srdi.criteria import facts_frame, repository
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
from srdi.rules_engine.compile_polars import PolarsPlan, check_bounds, compile_polars, evaluate_frame

# Enterprises per chunk of the set-based pipeline: memory is bounded by the chunk (about 1 KB an enterprise
# in the frames), and each chunk is one transaction, so progress stays visible.
CHUNK = 50_000
ORM_CHUNK = 500
RESULT_COLUMNS = (
    "batch_run_id",
    "enterprise_id",
    "tier",
    "rule_set_id",
    "status",
    "total",
    "points_short",
    "conditions_failed",
    "conditions_unknown",
    "detail",
)
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
        total=repository.scoped_enterprise_count(db, region_prefix),
        processed=0,
        regime=sel.regime,
        rule_sets={t: book.get(rid).content_hash[:12] + " " + rid for t, rid in sel.tiers.items()},
        summary={},
        actor=actor,
    )
    db.add(run)
    db.flush()
    return run


def chunks(db: Session, run: BatchRun, size: int = CHUNK) -> list[tuple[int, int]]:
    """Id ranges ``(lo, hi)`` holding ``size`` enterprises of the run's scope each (keyset, no id list)."""
    return repository.id_ranges(db, run.region_prefix, size)


def start(db: Session, run: BatchRun) -> None:
    """Begin (or restart after a crash) from a clean slate, so a run never holds a row twice."""
    db.execute(delete(BatchResult).where(BatchResult.batch_run_id == run.id))
    run.status = RunStatus.running.value
    run.started_at = utcnow()
    run.processed = 0


def _selection_for(book: RuleBook, run: BatchRun, region_code: str) -> dict[str, str]:
    return book.select(run.as_of_date, run.purpose, region_code).tiers


@dataclass
class RunPlans:
    """What a run compiles once: the rule book and, per rule-set selection, the compiled Polars plans."""

    book: RuleBook
    plans: dict[tuple[tuple[str, str], ...], list[PolarsPlan]] = field(default_factory=dict)

    def for_selection(self, selection: tuple[tuple[str, str], ...]) -> list[PolarsPlan]:
        if selection not in self.plans:
            sets = [self.book.get(rid) for rid in dict.fromkeys(r for _, r in selection)]
            self.plans[selection] = [compile_polars(rs, rs.id + "__") for rs in sets]
        return self.plans[selection]


# A chunk's result rows with the enterprise's uscc, name and region (for ``srdi evaluate -o``).
ChunkSink = Callable[[pl.DataFrame], None]


@dataclass
class PreparedChunk:
    """A chunk read and turned into batch input tables, one per rule-set selection (province group)."""

    enterprises: pl.DataFrame
    tables: list[tuple[tuple[tuple[str, str], ...], list[RuleSet], pl.DataFrame]]
    refused: pl.DataFrame  # result rows of enterprises evaluated by the per-enterprise path


def prepare_chunk(db: Session, run: BatchRun, lo: int, hi: int, book: RuleBook) -> PreparedChunk:
    chunk = facts_frame.read_chunk(db, lo, hi, run.region_prefix)
    ents = chunk.enterprises
    by_selection: dict[tuple[tuple[str, str], ...], list[str]] = defaultdict(list)
    for code in ents["region_code"].unique().sort().to_list():
        by_selection[tuple(sorted(_selection_for(book, run, code).items()))].append(code)
    every_set = {rid for sel in by_selection for _, rid in sel}
    suspect = set(ents.filter(pl.col("suspect"))["enterprise_id"].to_list())
    suspect |= facts_frame.suspect_answers(chunk, [book.get(r) for r in sorted(every_set)])
    tables = []
    for selection, codes in by_selection.items():
        sets = [book.get(rid) for rid in dict.fromkeys(r for _, r in selection)]
        members = ents.filter(
            pl.col("region_code").is_in(codes) & ~pl.col("enterprise_id").is_in(sorted(suspect))
        )["enterprise_id"]
        if not members.len():
            continue
        part = chunk if len(by_selection) == 1 and not suspect else chunk.subset(members)
        table = facts_frame.variables(part, run.as_of_date, sets, run.purpose)
        table = table.with_columns(pl.lit(run.purpose == Purpose.re_review.value).alias("is_re_review"))
        tables.append((selection, sets, table))
    rows: list[dict[str, Any]] = []
    if suspect:
        # Data the per-enterprise path refuses: evaluate those few the old way, for the same data_error rows.
        groups: dict[tuple[tuple[str, str], ...], list[Enterprise]] = defaultdict(list)
        for ent in enterprise_service.with_facts(db, sorted(suspect)):
            groups[tuple(sorted(_selection_for(book, run, ent.region_code).items()))].append(ent)
        for selection, group in groups.items():
            rows.extend(_evaluate_group(book, run, dict(selection), group))
    return PreparedChunk(ents, tables, _rows_frame(rows))


def store_chunk(
    db: Session, run: BatchRun, prepared: PreparedChunk, frames: list[pl.DataFrame], sink: ChunkSink | None
) -> int:
    """Write a chunk's result rows in bulk, count it as processed and hand it to ``sink``."""
    frames = [*frames, prepared.refused]
    results = pl.concat(frames, how="vertical").sort("enterprise_id", "tier")
    write_results(db, results)
    run.processed += prepared.enterprises.height
    if sink is not None:
        idents = prepared.enterprises.select("enterprise_id", "uscc", "name", "region_code")
        sink(results.join(idents, on="enterprise_id", how="left"))
    return results.height


def evaluate_chunk(
    db: Session,
    run: BatchRun,
    lo: int,
    hi: int,
    plans: RunPlans | None = None,
    sink: ChunkSink | None = None,
) -> int:
    """Evaluate the enterprises ``lo <= id <= hi`` of the run's scope by set-based reads and compiled
    evaluation, and write their result rows in bulk. Returns the number of rows written."""
    plans = plans or RunPlans(rule_book())
    prepared = prepare_chunk(db, run, lo, hi, plans.book)
    frames = [
        result_frame(run, selection, _apply(table, sets, plans.for_selection(selection)))
        for selection, sets, table in prepared.tables
    ]
    return store_chunk(db, run, prepared, frames, sink)


def _apply(table: pl.DataFrame, sets: Sequence[RuleSet], plans: Sequence[PolarsPlan]) -> pl.DataFrame:
    """``evaluate_frame`` with the run's compiled plans (bounds check included)."""
    check_bounds(table, sets)
    lf = table.lazy()
    outputs: list[str] = []
    for plan in plans:
        lf = plan.apply(lf)
        outputs += plan.outputs
    return lf.select(["enterprise_id", *outputs]).collect()


def result_frame(run: BatchRun, selection: Sequence[tuple[str, str]], out: pl.DataFrame) -> pl.DataFrame:
    """Compiled outputs → stored result rows, one per enterprise and tier (as ``_row`` builds them)."""
    parts = []
    for tier, rid in selection:
        p = rid + "__"
        conds = [c for c in out.columns if c.startswith(p + "cond_")]
        scores = [c for c in out.columns if c.startswith(p + "score_")]
        passed = pl.col(p + "pass")
        failed = (
            pl.sum_horizontal([(~pl.col(c)).fill_null(False).cast(pl.Int64) for c in conds])
            if conds
            else pl.lit(0)
        )
        unknown = (
            pl.sum_horizontal([pl.col(c).is_null().cast(pl.Int64) for c in conds]) if conds else pl.lit(0)
        )
        if scores:
            inner = pl.struct([pl.col(c).alias(c[len(p) + 6 :]) for c in scores]).struct.json_encode()
            detail = pl.concat_str([pl.lit('{"scores": '), inner, pl.lit("}")])
        else:
            detail = pl.lit('{"scores": {}}')
        parts.append(
            out.select(
                pl.lit(run.id, pl.Int64).alias("batch_run_id"),
                pl.col("enterprise_id").cast(pl.Int64),
                pl.lit(tier).alias("tier"),
                pl.lit(rid).alias("rule_set_id"),
                pl.when(passed)
                .then(pl.lit("pass"))
                .when(~passed)
                .then(pl.lit("fail"))
                .otherwise(pl.lit("unknown"))
                .alias("status"),
                (pl.col(p + "score_total") if p + "score_total" in out.columns else pl.lit(None))
                .cast(pl.Int64)
                .alias("total"),
                pl.lit(None, pl.Int64).alias("points_short"),
                pl.when(passed.fill_null(False))
                .then(0)
                .otherwise(failed)
                .cast(pl.Int64)
                .alias("conditions_failed"),
                pl.when(passed.fill_null(False))
                .then(0)
                .otherwise(unknown)
                .cast(pl.Int64)
                .alias("conditions_unknown"),
                detail.alias("detail"),
            )
        )
    return pl.concat(parts, how="vertical")


_RESULT_SCHEMA = {
    "batch_run_id": pl.Int64,
    "enterprise_id": pl.Int64,
    "tier": pl.Utf8,
    "rule_set_id": pl.Utf8,
    "status": pl.Utf8,
    "total": pl.Int64,
    "points_short": pl.Int64,
    "conditions_failed": pl.Int64,
    "conditions_unknown": pl.Int64,
    "detail": pl.Utf8,
}


def _rows_frame(rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    data = {
        c: [r[c] if c != "detail" else json.dumps(r[c], ensure_ascii=False) for r in rows]
        for c in RESULT_COLUMNS
    }
    return pl.DataFrame(data, schema=_RESULT_SCHEMA)


def write_results(db: Session, results: pl.DataFrame) -> None:
    """Bulk insert: COPY on PostgreSQL, one executemany on SQLite, on the session's connection."""
    if not results.height:
        return
    conn = db.connection()
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cols = ", ".join(RESULT_COLUMNS)
    frame = results.select(RESULT_COLUMNS)
    cur = raw.cursor()
    try:
        if conn.dialect.name == "postgresql":
            with cur.copy(f"COPY batch_result ({cols}) FROM STDIN WITH (FORMAT csv)") as cp:
                cp.write(frame.write_csv(include_header=False).encode())
        else:
            marks = ", ".join("?" for _ in RESULT_COLUMNS)
            cur.executemany(f"INSERT INTO batch_result ({cols}) VALUES ({marks})", frame.rows())
    finally:
        cur.close()


def evaluate_chunk_orm(db: Session, run: BatchRun, ids: Sequence[int], book: RuleBook | None = None) -> int:
    """The per-enterprise path (ORM objects → facts documents → build_variables): the reference the
    differential tests compare the set-based pipeline with, and the fallback for refused data."""
    book = book or rule_book()
    enterprises = enterprise_service.with_facts(db, ids)
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
    """Tier funnel, district bars and counts, for the results page and the dashboard (aggregate queries)."""
    by_tier: dict[tuple[str, str], int] = {
        (t, st): n
        for t, st, n in db.execute(
            select(BatchResult.tier, BatchResult.status, func.count())
            .where(BatchResult.batch_run_id == run.id)
            .group_by(BatchResult.tier, BatchResult.status)
        ).all()
    }
    by_region: dict[str, dict[str, int]] = defaultdict(dict)
    q = (
        select(Enterprise.region_code, BatchResult.tier, func.count())
        .join(Enterprise, Enterprise.id == BatchResult.enterprise_id)
        .where(BatchResult.batch_run_id == run.id, BatchResult.status == "pass")
        .group_by(Enterprise.region_code, BatchResult.tier)
    )
    for code, tier, n in db.execute(q).all():
        by_region[code][tier] = n
    # Rows written for refused data are undecided, without a total, and carry the reason in ``detail``.
    data_errors = (
        db.scalar(
            select(func.count())
            .select_from(BatchResult)
            .where(
                BatchResult.batch_run_id == run.id,
                BatchResult.status == "unknown",
                BatchResult.total.is_(None),
                cast(BatchResult.detail, Text).like('%"data_error"%'),
            )
        )
        or 0
    )
    held = _valid_recognitions(db, run)
    tiers = [t for t in TIER_ORDER if any(k[0] == t for k in by_tier)]
    funnel = [
        {
            "tier": t,
            "label": tier_label(t),
            "pass": by_tier.get((t, "pass"), 0),
            "fail": by_tier.get((t, "fail"), 0),
            "unknown": by_tier.get((t, "unknown"), 0),
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
        select(Recognition.tier, func.count(func.distinct(Recognition.enterprise_id)))
        .join(Enterprise, Enterprise.id == Recognition.enterprise_id)
        .where(Recognition.status == "valid", Recognition.valid_until >= run.as_of_date)
        .where(Recognition.announced_date <= run.as_of_date)
        .group_by(Recognition.tier)
    )
    if run.region_prefix:
        q = q.where(Enterprise.region_code.startswith(run.region_prefix))
    return {t: n for t, n in db.execute(q).all()}


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
