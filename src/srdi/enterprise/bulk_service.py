"""Bulk upsert of validated enterprise-year rows: the write path of imports and of the demo-data loader.

Same outcome as :func:`srdi.enterprise.service.apply_profile` and :func:`~srdi.enterprise.service.set_yearly_figures`
called row by row — upsert by USCC, values not given stay as they are, every change leaves a ``change_log`` row
with the actor, the provenance and the import job, and the size class (划型) is recomputed — but written with
set-based statements a chunk of enterprises at a time, because the ORM path (one flush per enterprise, one
change-log object per field) runs at roughly 1,500 rows/s, forty times too slow for QUALITY P5.

History: a record that did not exist before gets ONE change-log row, ``field = "created"``, whose ``new_value``
is the JSON object of every value it was created with; a record that existed gets one row per changed field with
the old and new value, exactly as the single-record path writes. See docs/decisions/0005-import-transactions.md.

The caller validates (:mod:`srdi.enterprise.importing` does); this module trusts its input and never commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, bindparam, select, update
from sqlalchemy.orm import Session

from srdi.db.base import utcnow
from srdi.enterprise.models import ChangeLog, Enterprise, YearlyFigure
from srdi.enterprise.service import PROFILE_FIELDS
from srdi.enterprise.size_class import SizeTable, classify, default_table

CREATED_FIELD = "created"
SQLITE_CACHE_KIB = -262144  # negative = KiB: 256 MiB
SIZE_INPUTS = ("employees", "operating_revenue", "total_assets")
FIGURE_COLUMNS = (
    "operating_revenue",
    "main_business_revenue",
    "rd_expense",
    "net_profit",
    "total_assets",
    "total_liabilities",
    "qualified_equity_raised",
    "total_cost_expense",
    "employees",
    "rd_staff",
)
_PROFILE_SET = frozenset(PROFILE_FIELDS)
_NEW: dict[str, Any] = {}  # marks a year inserted by this call for a new enterprise
_ENT = Enterprise.__table__
_FIG = YearlyFigure.__table__
_LOG = ChangeLog.__table__


@dataclass(slots=True)
class BulkRow:
    """One enterprise-year. ``profile`` and ``figures`` hold only the values given (money in fen)."""

    uscc: str
    fiscal_year: int
    profile: Mapping[str, Any]
    figures: Mapping[str, int]
    source: str


@dataclass
class BulkResult:
    enterprises_created: int = 0
    enterprises_updated: int = 0
    enterprises_unchanged: int = 0
    years_created: int = 0
    years_updated: int = 0
    years_unchanged: int = 0
    change_log_rows: int = 0
    enterprise_ids: dict[str, int] = field(default_factory=dict)


def _json_value(value: object) -> object:
    """``default`` hook of json.dumps for the types a profile may hold besides JSON's own."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _created_json(values: Mapping[str, Any]) -> str:
    return json.dumps(
        {k: v for k, v in values.items() if v is not None and v != [] and k in _PROFILE_SET},
        ensure_ascii=False,
        sort_keys=True,
        default=_json_value,
    )


class _Raw:
    """Driver-level INSERT of ready rows: COPY on PostgreSQL, executemany on SQLite.

    The SQLAlchemy Core path spends ~10 µs per row binding parameters; at a million yearly rows plus their
    change-log rows that alone would take most of the P5 budget. Values are passed in the driver's own form
    (``convert``), and columns this module does not set get their model default, so that columns other
    domains add to these tables keep working.
    """

    def __init__(self, db: Session):
        self.conn = db.connection()
        self.dialect = self.conn.dialect
        self.pg = self.dialect.name == "postgresql"
        self._dt = DateTime(timezone=True).dialect_impl(self.dialect).bind_processor(self.dialect)

    def dt(self, value: datetime) -> object:
        return value if self.pg or self._dt is None else self._dt(value)

    def converter(self, column: Any) -> Callable[[Any], Any] | None:
        if self.pg:
            return (lambda v: json.dumps(v, ensure_ascii=False)) if isinstance(column.type, JSON) else None
        proc: Callable[[Any], Any] | None = column.type.dialect_impl(self.dialect).bind_processor(
            self.dialect
        )
        return proc

    def default(self, column: Any) -> Any:
        d = column.default
        if d is None or not (d.is_scalar or d.is_callable):
            return None
        value = d.arg(None) if d.is_callable else d.arg
        conv = self.converter(column)
        return conv(value) if conv and value is not None else value

    def insert(self, table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        extra = [
            c for c in table.columns if c.name not in columns and not c.primary_key and c.default is not None
        ]
        if extra:
            tail = tuple(self.default(c) for c in extra)
            columns = [*columns, *(c.name for c in extra)]
            rows = [r + tail for r in rows]
        names = ", ".join(columns)
        if self.pg:
            raw = self.conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
            return
        marks = ", ".join("?" * len(columns))
        self.conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)


_LOG_COLS = (
    "enterprise_id", "entity", "entity_key", "field", "old_value", "new_value",
    "source", "actor", "changed_at", "import_job_id",
)  # fmt: skip
_FIG_COLS = ("enterprise_id", "fiscal_year", *FIGURE_COLUMNS, "sources", "updated_at", "updated_by")
_ENT_COLS = (
    "uscc", *PROFILE_FIELDS, "size_class", "size_class_year", "is_synthetic", "created_at", "updated_at",
)  # fmt: skip


_INT_TEMPLATES: dict[tuple[str, ...], str] = {}


def _ints_json(values: Mapping[str, int | None]) -> str:
    """JSON of a figures dict of ints (fen, persons), by a %-template per key set (≈4× faster than json.dumps)."""
    if None in values.values():
        return json.dumps({k: v for k, v in values.items() if v is not None}, default=str)
    keys = tuple(values)
    template = _INT_TEMPLATES.get(keys)
    if template is None:
        template = _INT_TEMPLATES[keys] = "{" + ", ".join(f'"{k}": %d' for k in keys) + "}"
    return template % tuple(values.values())


def _grouped_update(db: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """UPDATE … WHERE id = :_id, one executemany per distinct set of changed columns."""
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in rows:
        by_keys.setdefault(tuple(sorted(k for k in r if k != "_id")), []).append(r)
    for keys, params in by_keys.items():
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({k: bindparam(k) for k in keys})
            .execution_options(synchronize_session=False)
        )
        db.connection().execute(stmt, params)


def _size_class(
    table: SizeTable, industry_code: str, years: Mapping[int, Mapping[str, Any]]
) -> tuple[str | None, int | None]:
    """Same rule as service.recompute_size_class: the latest year that has any of the three inputs."""
    for year in sorted(years, reverse=True):
        fig = years[year]
        if all(fig.get(k) is None for k in SIZE_INPUTS):
            continue
        cls = classify(
            industry_code,
            employees=fig.get("employees"),
            operating_revenue_fen=fig.get("operating_revenue"),
            total_assets_fen=fig.get("total_assets"),
            table=table,
        )
        return (cls.value if cls else None), year
    return None, None


def bulk_upsert(
    db: Session,
    rows: Iterable[BulkRow],
    *,
    actor: str,
    import_job_id: int | None = None,
    is_synthetic: bool = False,
    chunk_enterprises: int = 2000,
    on_progress: Callable[[int], None] | None = None,
) -> BulkResult:
    """Upsert rows by USCC (and fiscal year). ``on_progress`` receives the number of rows written so far."""
    groups: dict[str, list[BulkRow]] = {}
    for row in rows:
        groups.setdefault(row.uscc, []).append(row)
    result = BulkResult()
    table = default_table()
    now = utcnow()
    usccs = list(groups)
    done = 0
    conn = db.connection()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        # A bigger page cache for this transaction: fewer spills and B-tree re-reads (~30% faster at 100k rows).
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
    try:
        for start in range(0, len(usccs), chunk_enterprises):
            chunk = usccs[start : start + chunk_enterprises]
            _upsert_chunk(db, chunk, groups, result, table, now, actor, import_job_id, is_synthetic)
            done += sum(len(groups[u]) for u in chunk)
            if on_progress:
                on_progress(done)
    finally:
        if sqlite:
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(cache or -2000)}")
    return result


def _upsert_chunk(
    db: Session,
    chunk: Sequence[str],
    groups: Mapping[str, list[BulkRow]],
    result: BulkResult,
    table: SizeTable,
    now: datetime,
    actor: str,
    job_id: int | None,
    is_synthetic: bool,
) -> None:
    conn = db.connection()
    raw = _Raw(db)
    now_db = raw.dt(now)
    existing = {
        r["uscc"]: dict(r) for r in conn.execute(select(_ENT).where(_ENT.c.uscc.in_(chunk))).mappings()
    }
    logs: list[tuple[Any, ...]] = []

    def log(eid: int, entity: str, key: str | None, name: str, old: object, new: object, source: str) -> None:
        logs.append((eid, entity, key, name, _text(old), _text(new), source, actor, now_db, job_id))

    # Profile: later rows of the same enterprise fill in or override earlier ones.
    profiles: dict[str, dict[str, Any]] = {}
    profile_source: dict[str, str] = {}
    for u in chunk:
        rows = groups[u]
        if len(rows) == 1 or all(r.profile is rows[0].profile for r in rows):
            merged = dict(rows[0].profile)
        else:
            merged = {}
            for r in rows:
                merged.update(r.profile)
        profiles[u] = merged
        profile_source[u] = rows[0].source

    # Existing yearly figures of the chunk's enterprises, for diffs and for the size class.
    ids = [e["id"] for e in existing.values()]
    years_of: dict[int, dict[int, dict[str, Any]]] = {}
    if ids:
        for f in conn.execute(select(_FIG).where(_FIG.c.enterprise_id.in_(ids))).mappings():
            years_of.setdefault(f["enterprise_id"], {})[f["fiscal_year"]] = dict(f)

    # New enterprises, size class from the file's figures; their ids are read back by USCC.
    new_usccs = [u for u in chunk if u not in existing]
    if new_usccs:
        ent_rows = []
        plan = [(name, raw.converter(_ENT.c[name]), raw.default(_ENT.c[name])) for name in PROFILE_FIELDS]
        for u in new_usccs:
            p = profiles[u]
            size, size_year = _size_class(
                table, p["industry_code"], {r.fiscal_year: r.figures for r in groups[u]}
            )
            values = [
                dflt if (v := p.get(name)) is None else (conv(v) if conv else v) for name, conv, dflt in plan
            ]
            ent_rows.append((u, *values, size, size_year, is_synthetic, now_db, now_db))
        raw.insert(_ENT, _ENT_COLS, ent_rows)
        new_ids = dict(conn.execute(select(_ENT.c.uscc, _ENT.c.id).where(_ENT.c.uscc.in_(new_usccs))).all())
        for u in new_usccs:
            eid = new_ids[u]
            result.enterprise_ids[u] = eid
            log(eid, "enterprise", None, CREATED_FIELD, None, _created_json(profiles[u]), profile_source[u])
        result.enterprises_created += len(new_usccs)

    # Existing enterprises: one change-log row per changed profile field.
    ent_updates: dict[int, dict[str, Any]] = {}
    changed_existing: set[str] = set()
    for u, cur in existing.items():
        result.enterprise_ids[u] = cur["id"]
        upd: dict[str, Any] = {}
        for name, new in profiles[u].items():
            if new is None or name not in _PROFILE_SET or cur.get(name) == new:
                continue
            log(cur["id"], "enterprise", None, name, cur.get(name), new, profile_source[u])
            upd[name] = new
            cur[name] = new
        if upd:
            ent_updates[cur["id"]] = {"_id": cur["id"], **upd}
            changed_existing.add(u)

    # Yearly figures.
    fig_inserts: list[tuple[Any, ...]] = []
    fig_updates: list[dict[str, Any]] = []
    sources_json: dict[tuple[str, tuple[str, ...]], str] = {}
    for u in chunk:
        eid = result.enterprise_ids[u]
        have = years_of.setdefault(eid, {})
        for r in groups[u]:
            cur_fig = have.get(r.fiscal_year)
            if cur_fig is None:
                figs = r.figures
                given = (
                    tuple(figs)
                    if None not in figs.values()
                    else tuple(k for k, v in figs.items() if v is not None)
                )
                skey = (r.source, given)
                sj = sources_json.get(skey)
                if sj is None:
                    sj = sources_json[skey] = json.dumps({k: r.source for k in given}, sort_keys=True)
                fig_inserts.append(
                    (
                        eid,
                        r.fiscal_year,
                        *map(figs.get, FIGURE_COLUMNS),
                        sj,
                        now_db,
                        actor,
                    )
                )
                # New enterprises got their size class from the rows already; only a repeat needs catching.
                have[r.fiscal_year] = (
                    {**figs, "sources": {k: r.source for k in given}} if u in existing else _NEW
                )
                logs.append(
                    (eid, "yearly_figure", str(r.fiscal_year), CREATED_FIELD, None, _ints_json(figs), r.source,
                     actor, now_db, job_id)
                )  # fmt: skip
                result.years_created += 1
                continue
            if cur_fig is _NEW:
                raise ValueError(f"bulk rows repeat enterprise {u} fiscal year {r.fiscal_year}")
            sources = dict(cur_fig.get("sources") or {})
            upd = {}
            for name, new in r.figures.items():
                if new is None:
                    continue
                old = cur_fig.get(name)
                if old == new and sources.get(name) == r.source:
                    continue
                log(eid, "yearly_figure", str(r.fiscal_year), name, old, new, r.source)
                upd[name] = new
                cur_fig[name] = new
                sources[name] = r.source
            if upd:
                cur_fig["sources"] = sources
                fig_updates.append(
                    {"_id": cur_fig["id"], **upd, "sources": sources, "updated_at": now, "updated_by": actor}
                )
                result.years_updated += 1
                if u in existing:
                    changed_existing.add(u)
            else:
                result.years_unchanged += 1

    # Size class of existing enterprises, from all their years (stored and just written).
    for u, cur in existing.items():
        size, size_year = _size_class(table, cur["industry_code"], years_of.get(cur["id"], {}))
        if (size, size_year) != (cur["size_class"], cur["size_class_year"]):
            ent_updates.setdefault(cur["id"], {"_id": cur["id"]}).update(
                size_class=size, size_class_year=size_year
            )
            changed_existing.add(u)
    for u in changed_existing:
        ent_updates.setdefault(existing[u]["id"], {"_id": existing[u]["id"]})["updated_at"] = now

    result.enterprises_updated += len(changed_existing)
    result.enterprises_unchanged += len(existing) - len(changed_existing)
    if ent_updates:
        _grouped_update(db, _ENT, list(ent_updates.values()))
    raw.insert(_FIG, _FIG_COLS, fig_inserts)
    if fig_updates:
        _grouped_update(db, _FIG, fig_updates)
    raw.insert(_LOG, _LOG_COLS, logs)
    result.change_log_rows += len(logs)
