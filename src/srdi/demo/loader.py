"""Write generated demo enterprises to the database fast, and remove them again.

Bulk path on purpose: SQLAlchemy Core ``insert()`` with executemany in chunks, not the ORM and not
``enterprise.service`` — one million enterprises with ~15 rows each would take hours through the per-field service
path. What the service path would add is kept in a lighter form:

* change log — ONE row per enterprise (entity ``enterprise``, field ``demo_seed``, source ``synthetic``, actor
  ``srdi demo``) instead of one row per field: the data is synthetic seed data, there is no "old value" to
  keep, and the row still tells anyone reading the history where the enterprise came from;
* 划型 — computed by the generator with the same 300号 table and the same "latest year with figures" rule as
  ``service.recompute_size_class`` (the tests check that both agree).

Idempotent: a USCC that is already in the database is skipped, never overwritten, so running the command twice
with the same seed adds nothing and real enterprises are never touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import JSON, Connection, Table, delete, func, select

from srdi.demo.generator import SYNTHETIC, DemoEnterprise, DemoSummary
from srdi.enterprise.models import (
    Award,
    Certification,
    ChangeLog,
    ComplianceRecord,
    Enterprise,
    Honour,
    IpItem,
    MainProduct,
    NicheMarket,
    RdInstitution,
    Recognition,
    YearlyFigure,
)

ACTOR = "srdi demo"


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


FACT_TABLES = {
    "ip_item": _table(IpItem),
    "award": _table(Award),
    "honour": _table(Honour),
    "rd_institution": _table(RdInstitution),
    "certification": _table(Certification),
    "niche_market": _table(NicheMarket),
    "main_product": _table(MainProduct),
    "compliance_record": _table(ComplianceRecord),
    "recognition": _table(Recognition),
}


@dataclass
class LoadResult:
    inserted: int = 0
    skipped_existing: int = 0
    rows: int = 0
    summary: DemoSummary = field(default_factory=DemoSummary)


def _chunks(records: Iterable[DemoEnterprise], size: int) -> Iterator[list[DemoEnterprise]]:
    it = iter(records)
    while chunk := list(islice(it, size)):
        yield chunk


def load(
    conn: Connection,
    records: Iterable[DemoEnterprise],
    *,
    chunk_size: int = 1000,
    seed: int | None = None,
    on_chunk: Callable[[int], None] | None = None,
    commit_each_chunk: bool = False,
) -> LoadResult:
    """Insert the records; skip those whose USCC exists. ``on_chunk(n)`` reports progress after each chunk.

    With ``commit_each_chunk`` the connection is committed after every chunk, so a long run (1,000,000
    enterprises) keeps what it wrote if interrupted and a rerun continues where it stopped. Without it the caller
    owns the transaction (tests roll it back).
    """
    result = LoadResult()
    ent_t = _table(Enterprise)
    now = datetime.now(UTC)
    for chunk in _chunks(records, chunk_size):
        usccs = [r.enterprise["uscc"] for r in chunk]
        existing = set(conn.scalars(select(ent_t.c.uscc).where(ent_t.c.uscc.in_(usccs))))
        fresh = [r for r in chunk if r.enterprise["uscc"] not in existing]
        result.skipped_existing += len(chunk) - len(fresh)
        if fresh:
            result.rows += _insert_chunk(conn, fresh, now, seed)
            for r in fresh:
                result.summary.add(r)
            result.inserted += len(fresh)
        if commit_each_chunk:
            conn.commit()
        if on_chunk:
            on_chunk(len(chunk))
    return result


def _insert_chunk(conn: Connection, chunk: list[DemoEnterprise], now: datetime, seed: int | None) -> int:
    ent_t = _table(Enterprise)
    ent_rows = [{**r.enterprise, "created_at": now, "updated_at": now} for r in chunk]
    _bulk_insert(conn, ent_t, ent_rows)
    usccs = [r["uscc"] for r in ent_rows]
    ids = {
        uscc: id_
        for uscc, id_ in conn.execute(select(ent_t.c.uscc, ent_t.c.id).where(ent_t.c.uscc.in_(usccs)))
    }
    rows = len(ent_rows)

    yearly: list[dict[str, Any]] = []
    facts: dict[str, list[dict[str, Any]]] = {name: [] for name in FACT_TABLES}
    logs: list[dict[str, Any]] = []
    for r in chunk:
        eid = ids[r.enterprise["uscc"]]
        for y in r.yearly:
            yearly.append({**y, "enterprise_id": eid, "updated_at": now})
        for name, items in r.facts.items():
            facts[name].extend({**item, "enterprise_id": eid} for item in items)
        logs.append(
            {
                "enterprise_id": eid,
                "entity": "enterprise",
                "entity_key": None,
                "field": "demo_seed",
                "old_value": None,
                "new_value": f"演示数据生成 seed={seed} index={r.index}",
                "source": SYNTHETIC,
                "actor": ACTOR,
                "changed_at": now,
                "import_job_id": None,
            }
        )
    if yearly:
        _bulk_insert(conn, _table(YearlyFigure), yearly)
    for name, items in facts.items():
        if items:
            _bulk_insert(conn, FACT_TABLES[name], items)
    _bulk_insert(conn, _table(ChangeLog), logs)
    return rows + len(yearly) + sum(len(v) for v in facts.values()) + len(logs)


def _bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows on the connection's transaction, below the ORM and below SQLAlchemy's per-row parameter
    handling (which costs more than SQLite itself at this volume).

    SQLite: the column types' own bind processors (the same conversion SQLAlchemy applies: dates, JSON,
    decimals), then the driver's executemany. PostgreSQL: ``COPY … FROM STDIN``, because psycopg's executemany
    sends one statement per row.
    """
    rows = _uniform(rows)
    cols = list(rows[0])
    # Both paths skip SQLAlchemy's Python-side defaults; apply them for columns the records leave out.
    defaults: dict[str, Any] = {}
    for col in table.columns:
        if col.name not in rows[0] and not col.primary_key and col.default is not None:
            arg = col.default.arg  # type: ignore[attr-defined]
            defaults[col.name] = arg(None) if callable(arg) else arg
    if defaults:
        rows = [{**row, **defaults} for row in rows]
        cols += list(defaults)
    quote = conn.dialect.identifier_preparer.quote
    col_list = ", ".join(quote(c) for c in cols)
    if conn.dialect.name == "postgresql":
        json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
        # The engine's JSON serializer, so the text matches what SQLAlchemy writes (make_engine: no ASCII escapes).
        dumps = getattr(conn.dialect, "_json_serializer", None) or json.dumps
        raw: Any = conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy(f"COPY {quote(table.name)} ({col_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([dumps(row[c]) if c in json_cols else row[c] for c in cols])
        return
    procs = [table.c[c].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for c in cols]
    pairs = list(zip(cols, procs, strict=True))
    data = [tuple(p(row[c]) if p else row[c] for c, p in pairs) for row in rows]
    placeholders = ", ".join("?" * len(cols))
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({col_list}) VALUES ({placeholders})", data)


def _uniform(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """executemany needs the same keys in every row: an optional column a record left out becomes NULL."""
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    if all(len(row) == len(keys) for row in rows):
        return rows
    return [{k: row.get(k) for k in keys} for row in rows]


def count_synthetic(conn: Connection) -> int:
    ent_t = _table(Enterprise)
    return conn.scalar(select(func.count()).select_from(ent_t).where(ent_t.c.is_synthetic.is_(True))) or 0


def reset(conn: Connection) -> int:
    """Delete every synthetic enterprise (``is_synthetic``) and every row that hangs off one; real enterprises and
    their rows are never touched. Returns the number of enterprises removed.

    Rows of other domains that reference a demo enterprise (evaluations, policy matches, 免申即享 grants made by
    the demo hooks, …) are demo data too. They are found through the foreign keys in the metadata and deleted
    children first, so the reset neither trips over ``ON DELETE RESTRICT`` (grants protect themselves against
    deletion of a real enterprise) nor depends on SQLite's ``foreign_keys`` pragma for the cascades.
    ``SET NULL`` references (a user account linked to a demo enterprise) are cleared, not deleted.
    """
    ent_t = _table(Enterprise)
    synthetic_ids = select(ent_t.c.id).where(ent_t.c.is_synthetic.is_(True))
    n = count_synthetic(conn)
    _delete_dependents(conn, ent_t, synthetic_ids, depth=0)
    conn.execute(delete(ent_t).where(ent_t.c.is_synthetic.is_(True)))
    return n


def _delete_dependents(conn: Connection, parent: Table, parent_ids: Any, depth: int) -> None:
    """Delete (or null) the rows of every table that references ``parent`` rows whose key is in ``parent_ids``."""
    from srdi.model_registry import Base  # every domain's tables, not only the registry's

    if depth > 6:  # no cycle in the schema is this deep; stop rather than recurse forever
        return
    for child in Base.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is not parent:
                continue
            col = fk.parent
            if (fk.ondelete or "").upper() == "SET NULL":
                conn.execute(child.update().where(col.in_(parent_ids)).values({col.name: None}))
                continue
            pk = list(child.primary_key.columns)
            if len(pk) == 1 and child is not parent:
                _delete_dependents(conn, child, select(pk[0]).where(col.in_(parent_ids)), depth + 1)
            conn.execute(delete(child).where(col.in_(parent_ids)))
