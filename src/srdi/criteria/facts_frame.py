"""The registry as batch input tables, built by set-based reads (QUALITY P1; issue 12).

One chunk of the registry (an id range, optionally a region prefix) is read with one SQL query per table into
Polars frames. ``variables`` then derives every declared input of a rule-set group with Polars expressions
that follow the conventions of ``srdi.rules_engine.facts`` (the same facts ``enterprise_service.
facts_document`` hands the per-enterprise path; tests/criteria/test_facts_frame.py proves it on random
registries). Data the per-enterprise path would refuse (``validate_facts``) is not guessed at here: those
enterprises are flagged ``suspect`` and the caller evaluates them the old way, so they get the same
``data_error`` rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import BigInteger, Boolean, Date, Integer, Numeric
from sqlalchemy.orm import Session

from srdi.enterprise.models import Enterprise, YearlyFigure
from srdi.enterprise.service import FACT_RECORD_FIELDS
from srdi.rules_engine import FactsError, RuleSet
from srdi.rules_engine.batch import merged_schema
from srdi.rules_engine.expr.types import Type
from srdi.rules_engine.facts import _path, _years_before, convert
from srdi.rules_engine.facts_check import MAX_COUNT, MAX_MONEY_YUAN, MAX_RECORDS, RECORDS, SIZE_CLASSES

# Scalar facts of the document (facts_document), read from the enterprise table.
SCALAR_FACTS = (
    "uscc",
    "name",
    "region_code",
    "industry_code",
    "founded_date",
    "size_class",
    "digital_level",
    "own_brand",
    "standards_drafted",
    "core_business_on_it_system",
    "main_product_field",
    "independent_legal_person",
    "restricted_product",
    "niche_market_leading",
    "local_feature_score",
)
YEARLY_COLUMNS = (
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
    "development_score",
)
MONEY_LIMIT_FEN = int(MAX_MONEY_YUAN) * 100
# Enum checks of validate_facts on record fields the database stores as free strings.
RECORD_ENUMS = {
    ("awards", "contest_group"): ("enterprise_group", "maker_group"),
    ("recognitions", "revocation_reason"): (
        "fraud",
        "major_accident",
        "serious_dishonesty",
        "other_revocation",
    ),
}


def _kind(column: Any) -> str:
    t = column.type
    if isinstance(t, Boolean):
        return "bool"
    if isinstance(t, Date):
        return "date"
    if isinstance(t, Integer | BigInteger):
        return "int"
    if isinstance(t, Numeric):
        return "float"
    return "str"


def _tables() -> dict[str, Any]:
    return {name: getattr(Enterprise, name).property.mapper.class_.__table__ for name in FACT_RECORD_FIELDS}


@dataclass
class Chunk:
    """One chunk of the registry: the enterprise frame, the yearly figures and each fact list."""

    enterprises: pl.DataFrame  # enterprise_id, scalar facts, local_answers (parsed later), suspect
    yearly: pl.DataFrame  # enterprise_id, fiscal_year, figures (money in fen)
    records: dict[str, pl.DataFrame]  # enterprise_id + the fields facts_document puts in each record
    local_answers: dict[int, dict[str, Any]]  # only enterprises with answers
    lists: frozenset[str] = frozenset(FACT_RECORD_FIELDS)  # the fact lists read in full (the others: checked)
    has_yearly: bool = True  # False: yearly figures only checked, ``yearly`` is empty

    @property
    def size(self) -> int:
        return self.enterprises.height

    def subset(self, ids: pl.Series) -> Chunk:
        """The same chunk restricted to ``ids`` (one province group of a chunk)."""
        keep = ids.to_frame("enterprise_id")
        keep_ids = set(ids.to_list())
        return Chunk(
            self.enterprises.join(keep, on="enterprise_id", how="semi"),
            self.yearly.join(keep, on="enterprise_id", how="semi"),
            {n: f.join(keep, on="enterprise_id", how="semi") for n, f in self.records.items()},
            {k: v for k, v in self.local_answers.items() if k in keep_ids},
            self.lists,
            self.has_yearly,
        )


def _fetch(
    db: Session, sql: str, params: Mapping[str, Any], columns: Sequence[tuple[str, str]]
) -> pl.DataFrame:
    """Run ``sql`` on the session's own connection (same transaction) and build a typed frame."""
    conn = db.connection()
    postgres = conn.dialect.name == "postgresql"
    raw = conn.connection.dbapi_connection
    assert raw is not None
    if postgres:
        for k in params:
            sql = sql.replace(f":{k}", f"%({k})s")
    cur = raw.cursor()
    try:
        cur.execute(sql, dict(params))
        rows = cur.fetchall()
    finally:
        cur.close()
    # The drivers hand over Python values; SQLite keeps dates as ISO text and booleans as 0/1.
    raw_types = {
        "int": pl.Int64,
        "float": pl.Float64,
        "str": pl.Utf8,
        "bool": pl.Boolean if postgres else pl.Int64,
        "date": pl.Date if postgres else pl.Utf8,
    }
    frame = pl.DataFrame(rows, schema=[(n, raw_types[k]) for n, k in columns], orient="row")
    casts = []
    for n, k in columns:
        if k == "bool" and not postgres:
            casts.append(pl.col(n).cast(pl.Boolean))
        elif k == "date" and not postgres:
            casts.append(pl.col(n).str.to_date("%Y-%m-%d", strict=False).alias(n))
            # A date SQLite holds as malformed text: the per-enterprise path refuses it.
            casts.append(
                (pl.col(n).is_not_null() & pl.col(n).str.to_date("%Y-%m-%d", strict=False).is_null()).alias(
                    f"__bad_{n}"
                )
            )
    return frame.with_columns(casts) if casts else frame


def _scope_sql(region_prefix: str | None) -> str:
    return " AND e.region_code LIKE :prefix" if region_prefix else ""


def lists_read(rule_sets: Iterable[RuleSet]) -> tuple[frozenset[str], bool]:
    """The fact lists (record tables) the rule sets' inputs read, and whether they read yearly figures."""
    lists: set[str] = set()
    yearly = False
    for rs in rule_sets:
        for inp in rs.inputs.values():
            src = inp.source or {}
            if "yearly" in src or "yearly_sum" in src:
                yearly = True
            for mode in ("count", "exists", "none", "max", "min", "max_full_years"):
                if mode in src:
                    lists.add(str(src[mode]))
    return frozenset(lists & set(FACT_RECORD_FIELDS)), yearly


def _odd_sql(lst: str | None, col: str, kind: str, postgres: bool) -> str | None:
    """A SQL predicate true for every value of ``col`` that ``_suspects`` (or building the typed frame) could
    refuse; ``lst`` is the fact list, None for the yearly figures. A superset: the rows it selects are then judged
    by the same Polars checks, so a table that is only checked flags exactly the enterprises a full read would."""
    c = f"t.{col}"
    parts: list[str] = []
    if not postgres:  # SQLite stores any type in any column: a value of the wrong type is odd
        allowed = {"int": "'integer'", "bool": "'integer'", "float": "'integer', 'real'"}.get(kind, "'text'")
        parts.append(f"typeof({c}) NOT IN ({allowed})")
    if kind == "int":
        money = lst is None and col not in ("employees", "rd_staff")
        parts.append(f"abs({c}) >= {MONEY_LIMIT_FEN if money else MAX_COUNT}")
        if col == "ip_class":
            parts.append(f"{c} NOT IN (1, 2)")
    elif kind == "float":
        parts.append(f"abs({c}) >= {int(MAX_MONEY_YUAN)} OR {c} * 100 <> round({c} * 100)")
    elif kind == "str":
        parts.append(f"{'char_length' if postgres else 'length'}({c}) > 500")
        enum = RECORD_ENUMS.get((lst or "", col))
        if enum is not None:
            parts.append(f"{c} NOT IN ({', '.join(repr(x) for x in enum)})")
    elif kind == "date" and not postgres:
        # date() alone keeps a day the month lacks ('2024-02-30'); a modifier normalises it, so it differs
        parts.append(f"length({c}) <> 10 OR date({c}, '+0 days') IS NULL OR date({c}, '+0 days') <> {c}")
    if not parts:
        return None
    return f"({c} IS NOT NULL AND ({' OR '.join(parts)}))"


def read_chunk(
    db: Session,
    lo: int,
    hi: int,
    region_prefix: str | None = None,
    *,
    lists: Iterable[str] | None = None,
    yearly: bool = True,
) -> Chunk:
    """Enterprises with ``lo <= id <= hi`` (within ``region_prefix``) and their facts, one query a table.

    ``lists`` (default: all) names the fact lists read in full, ``yearly`` whether the yearly figures are. A
    table not read is still checked (decision 0033-finance-read-declared-tables): one SQL query selects only its
    rows that could be refused (``_odd_sql``, a superset) and one the enterprises over ``MAX_RECORDS``; those rows
    go through the same ``_suspects`` checks, so ``suspect`` is the same whatever is read."""
    postgres = db.connection().dialect.name == "postgresql"
    params: dict[str, Any] = {"lo": lo, "hi": hi}
    if region_prefix:
        params["prefix"] = region_prefix.replace("%", "").replace("_", "") + "%"
    where = "e.id >= :lo AND e.id <= :hi" + _scope_sql(region_prefix)
    # Without a region the fact tables are read by their enterprise_id index alone (no join).
    if region_prefix:
        facts_from, facts_where = "{t} t JOIN enterprise e ON e.id = t.enterprise_id", where
    else:
        facts_from, facts_where = "{t} t", "t.enterprise_id >= :lo AND t.enterprise_id <= :hi"
    full = set(FACT_RECORD_FIELDS) if lists is None else set(lists)
    unknown = full - set(FACT_RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not a fact list of the registry: {sorted(unknown)}")
    ent_cols = Enterprise.__table__.c
    columns = [("enterprise_id", "int")] + [(n, _kind(ent_cols[n])) for n in SCALAR_FACTS]
    la = "CAST(e.local_answers AS TEXT)" if postgres else "e.local_answers"
    select_list = ", ".join(["e.id"] + [f"e.{n}" for n in SCALAR_FACTS] + [la])
    ents = _fetch(
        db,
        f"SELECT {select_list} FROM enterprise e WHERE {where} ORDER BY e.id",
        params,
        [*columns, ("local_answers", "str")],
    )
    many: set[int] = set()

    def read(
        table: str, lst: str | None, cols: Sequence[tuple[str, str]], exprs: Sequence[str], whole: bool
    ) -> pl.DataFrame:
        sql = f"SELECT {', '.join(exprs)} FROM {facts_from.format(t=table)} WHERE {facts_where}"
        if whole:
            return _fetch(db, sql, params, cols)
        odd = [p for n, k in cols[1:] if (p := _odd_sql(lst, n, k, postgres)) is not None]
        if lst is not None:  # more records than the facts format takes (yearly: one row a year)
            count_sql = (
                f"SELECT t.enterprise_id FROM {facts_from.format(t=table)} WHERE {facts_where} "
                f"GROUP BY t.enterprise_id HAVING count(*) > {MAX_RECORDS}"
            )
            many.update(_fetch(db, count_sql, params, [("enterprise_id", "int")])["enterprise_id"].to_list())
        return _fetch(db, f"{sql} AND ({' OR '.join(odd) or '1 = 0'})", params, cols)

    yc = YearlyFigure.__table__.c
    ycols = [("enterprise_id", "int"), ("fiscal_year", "int")] + [(n, _kind(yc[n])) for n in YEARLY_COLUMNS]
    ysel = ["t.enterprise_id", "t.fiscal_year"] + [
        f"CAST(t.{n} AS {'DOUBLE PRECISION' if postgres else 'REAL'})"
        if _kind(yc[n]) == "float"
        else f"t.{n}"
        for n in YEARLY_COLUMNS
    ]
    yearly_frame = read("yearly_figure", None, ycols, ysel, yearly)
    records: dict[str, pl.DataFrame] = {}
    checked: dict[str, pl.DataFrame] = {}
    for name, table in _tables().items():
        fields = FACT_RECORD_FIELDS[name]
        cols = [("enterprise_id", "int")] + [(f, _kind(table.c[f])) for f in fields]
        sel = ["t.enterprise_id"] + [f"t.{f}" for f in fields]
        frame = read(table.name, name, cols, sel, name in full)
        (records if name in full else checked)[name] = frame
    answers: dict[int, dict[str, Any]] = {}
    odd_answers: set[int] = set()
    for eid, text in ents.select("enterprise_id", "local_answers").iter_rows():
        if text is None or text in ("{}", "null"):
            continue
        value = json.loads(text) if isinstance(text, str) else text
        if isinstance(value, dict):
            if value:
                answers[eid] = value
        else:
            odd_answers.add(eid)
    ents = ents.drop("local_answers")
    suspect = _suspects(ents, yearly_frame, {**records, **checked}) | odd_answers | many
    ents = ents.with_columns(pl.col("enterprise_id").is_in(sorted(suspect)).alias("suspect"))
    if not yearly:
        yearly_frame = yearly_frame.clear()
    return Chunk(ents, yearly_frame, records, answers, frozenset(full), yearly)


def _bad_int(col: str) -> pl.Expr:
    return pl.col(col).abs() > MAX_COUNT


def _bad_str(col: str) -> pl.Expr:
    return pl.col(col).str.len_chars() > 500


def _suspects(ents: pl.DataFrame, yearly: pl.DataFrame, records: Mapping[str, pl.DataFrame]) -> set[int]:
    """Enterprises whose stored data ``validate_facts`` would refuse (values the database types allow)."""
    out: set[int] = set()

    def flag(frame: pl.DataFrame, checks: list[pl.Expr]) -> None:
        checks = checks + [pl.col(c) for c in frame.columns if c.startswith("__bad_")]
        if checks and frame.height:
            hit = frame.filter(pl.any_horizontal([c.fill_null(False) for c in checks]))
            out.update(hit["enterprise_id"].to_list())

    schema = ents.schema
    flag(
        ents,
        [_bad_int(c) for c in SCALAR_FACTS if schema[c] == pl.Int64]
        + [_bad_str(c) for c in SCALAR_FACTS if schema[c] == pl.Utf8]
        + [pl.col("size_class").is_not_null() & ~pl.col("size_class").is_in(list(SIZE_CLASSES))],
    )
    ychecks = []
    for c in YEARLY_COLUMNS:
        if c == "development_score":
            # NUMERIC(5,2) arrives as a float: more than two decimals only where SQLite ignored the type.
            v = pl.col(c) * 100
            ychecks += [pl.col(c).abs() >= float(MAX_MONEY_YUAN), v.round(6) != v.round(0)]
        elif c in ("employees", "rd_staff"):
            ychecks.append(_bad_int(c))
        else:
            ychecks.append(pl.col(c).abs() >= MONEY_LIMIT_FEN)
    flag(yearly, ychecks)
    for name, frame in records.items():
        checks: list[pl.Expr] = []
        for f in FACT_RECORD_FIELDS[name]:
            if f not in RECORDS[name]:
                continue
            dtype = frame.schema[f]
            if (name, f) in RECORD_ENUMS:
                checks.append(pl.col(f).is_not_null() & ~pl.col(f).is_in(list(RECORD_ENUMS[(name, f)])))
            elif f == "ip_class":
                checks.append(~pl.col(f).is_in([1, 2]))
            elif dtype == pl.Int64:
                checks.append(_bad_int(f))
            elif dtype == pl.Utf8:
                checks.append(_bad_str(f))
        flag(frame, checks)
        if frame.height:
            many = frame.group_by("enterprise_id").len().filter(pl.col("len") > MAX_RECORDS)
            out.update(many["enterprise_id"].to_list())
    return out


# --------------------------------------------------------------------------------------------------------
# Inputs as Polars expressions


class Unsupported(ValueError):
    """A rule set declares an input source the frame builder does not translate (yet)."""


def _full_years_expr(start: pl.Expr, until: date) -> pl.Expr:
    end = until + timedelta(days=1)
    before = (pl.lit(end.month) < start.dt.month()) | (
        (pl.lit(end.month) == start.dt.month()) & (pl.lit(end.day) < start.dt.day())
    )
    years = pl.lit(end.year) - start.dt.year().cast(pl.Int64) - before.cast(pl.Int64)
    return pl.max_horizontal(years, pl.lit(0))


def _field(frame: pl.DataFrame, name: str) -> pl.Expr:
    # A field facts_document does not put in the record reads as absent (record.get → None).
    return pl.col(name) if name in frame.columns else pl.lit(None)


def _match_one(frame: pl.DataFrame, key: str, cond: Any, as_of: date) -> pl.Expr:
    """One ``where`` entry as a Kleene boolean (null = undecided), as ``facts._match_one``."""
    if key == "valid_on_as_of":
        lo_f, hi_f = (str(c) for c in cond)
        lo, hi = _field(frame, lo_f), _field(frame, hi_f)
        return (lo.is_null() | (lo <= as_of)) & (hi.is_null() | (hi >= as_of))
    v = _field(frame, key)
    if isinstance(cond, Mapping):
        if "absent" in cond:
            return v.is_null() == pl.lit(bool(cond["absent"]))
        if "within_years" in cond:
            lo_d = _years_before(as_of, int(cond["within_years"]))
            return pl.when(v.is_null()).then(None).otherwise((v >= lo_d) & (v <= as_of))
        if "not_within_years" in cond:
            lo_d = _years_before(as_of, int(cond["not_within_years"]))
            return v.is_null() | (v < lo_d)
        if "older_than_years" in cond:
            lo_d = _years_before(as_of, int(cond["older_than_years"]))
            return pl.when(v.is_null()).then(None).otherwise(v < lo_d)
        ok = pl.lit(True)
        if "min" in cond:
            ok = ok & (v >= cond["min"])
        if "max" in cond:
            ok = ok & (v <= cond["max"])
        return pl.when(v.is_null()).then(None).otherwise(ok)
    if isinstance(cond, list):
        return pl.when(v.is_null()).then(None).otherwise(v.is_in(cond))
    return pl.when(v.is_null()).then(None).otherwise(v == cond)


def _match(frame: pl.DataFrame, where: Mapping[str, Any], as_of: date) -> pl.Expr:
    m = pl.col("enterprise_id").is_not_null()  # one True per record (a literal would aggregate to one)
    for key, cond in where.items():
        m = m & _match_one(frame, key, cond, as_of)  # Polars' & is Kleene: False & null = False
    return m


def _record_agg(frame: pl.DataFrame, src: Mapping[str, Any], inp: Any, as_of: date) -> tuple[pl.Expr, Any]:
    """(aggregation over one enterprise's records, value when it has none)."""
    where = src.get("where", {})
    m = _match(frame, where, as_of)
    undecided = m.is_null().any()
    for mode in ("count", "exists", "none"):
        if mode in src:
            if mode == "count":
                return pl.when(undecided).then(None).otherwise(m.fill_null(False).sum().cast(pl.Int64)), 0
            found = pl.when(m.fill_null(False).any()).then(True).when(undecided).then(None).otherwise(False)
            return (found, False) if mode == "exists" else (~found, True)
    for mode in ("max", "min", "max_full_years"):
        if mode in src:
            field = _field(frame, str(src["field"]))
            hit = m.fill_null(False)
            vals = field.filter(hit)
            any_null = vals.is_null().any()
            if mode == "max_full_years":
                prior = as_of.year - 1
                until = (
                    date(prior, 12, 31) if src.get("until", "prior_year_end") == "prior_year_end" else as_of
                )
                agg = _full_years_expr(vals, until).max().fill_null(0).cast(pl.Int64)
                empty: Any = 0
            else:
                if inp.type != Type.INT:
                    raise Unsupported(f"input {inp.id}: {mode} over {inp.type.value}")
                default = src.get("default")
                agg = (vals.max() if mode == "max" else vals.min()).cast(pl.Int64)
                agg = agg.fill_null(default) if default is not None else agg
                empty = default
            return pl.when(undecided | any_null).then(None).otherwise(agg), empty
    raise Unsupported(f"input {inp.id}: unsupported source {dict(src)}")


def _cast_fact(expr: pl.Expr, dtype: pl.DataType, inp: Any, column_dtype: pl.DataType) -> pl.Expr:
    expected = {Type.BOOL: pl.Boolean, Type.INT: pl.Int64, Type.STR: pl.Utf8}.get(inp.type)
    if expected is None or expected != column_dtype:
        raise Unsupported(f"input {inp.id}: a {inp.type.value} read from a {column_dtype} column")
    return expr.cast(dtype)


def variables(chunk: Chunk, as_of: date, rule_sets: Sequence[RuleSet], purpose: str) -> pl.DataFrame:
    """Batch input table (``enterprise_id`` + one column per input, first declaring rule set wins, as
    ``build_variables``) for every enterprise of the chunk; the caller drops the suspect ones."""
    schema = merged_schema(rule_sets)
    inputs: dict[str, Any] = {}
    for rs in rule_sets:
        for name, inp in rs.inputs.items():
            inputs.setdefault(name, inp)
    ents = chunk.enterprises
    prior = as_of.year - 1
    direct: list[pl.Expr] = []
    yearly_needed: dict[str, tuple[str, list[int], Any]] = {}
    per_list: dict[str, list[tuple[str, pl.Expr, Any]]] = {}
    answers: dict[str, Any] = {}
    for name, inp in inputs.items():
        dtype = schema[name]
        src = inp.source
        if src is None or "fact" in src:
            path = inp.id if src is None else str(src["fact"])
            if "." in path:
                if path.startswith("local_answers."):
                    answers[name] = inp
                    continue
                direct.append(pl.lit(None, dtype).alias(name))  # e.g. policy_answers: not in the registry
            elif path in ents.columns and path in SCALAR_FACTS:
                direct.append(_cast_fact(pl.col(path), dtype, inp, ents.schema[path]).alias(name))
            else:
                direct.append(pl.lit(None, dtype).alias(name))
        elif "purpose" in src:
            direct.append(pl.lit(purpose == src["purpose"]).alias(name))
        elif "yearly" in src:
            yearly_needed[name] = (str(src["yearly"]), [prior - int(src["year"]) + 1], inp)
        elif "yearly_sum" in src:
            yearly_needed[name] = (str(src["yearly_sum"]), [prior - k for k in range(int(src["years"]))], inp)
        else:
            lst = next(
                (
                    str(src[m])
                    for m in ("count", "exists", "none", "max", "min", "max_full_years")
                    if m in src
                ),
                None,
            )
            if lst is None:
                raise Unsupported(f"input {name}: unsupported source {dict(src)}")
            if lst in FACT_RECORD_FIELDS and lst not in chunk.lists:
                raise ValueError(f"input {name}: the chunk did not read the fact list {lst!r}")
            frame = chunk.records.get(lst)
            if frame is None:
                direct.append(pl.lit(None, dtype).alias(name))  # a list the registry does not hold
                continue
            agg, empty = _record_agg(frame, src, inp, as_of)
            per_list.setdefault(lst, []).append((name, agg, empty))
    out = ents.select("enterprise_id", *direct)
    for lst, aggs in per_list.items():
        frame = chunk.records[lst]
        grouped = frame.group_by("enterprise_id").agg([a.alias(n) for n, a, _ in aggs])
        out = out.join(grouped.with_columns(pl.lit(True).alias("__has")), on="enterprise_id", how="left")
        # The registry asserts every list it holds: no record = an empty list (count 0, exists false).
        out = out.with_columns(
            [
                pl.when(pl.col("__has").is_null())
                .then(pl.lit(e))
                .otherwise(pl.col(n))
                .cast(schema[n])
                .alias(n)
                for n, _, e in aggs
            ]
        ).drop("__has")
    if yearly_needed:
        if not chunk.has_yearly:
            raise ValueError("the chunk did not read the yearly figures its inputs need")
        out = out.join(_yearly_values(chunk.yearly, yearly_needed, schema), on="enterprise_id", how="left")
    if answers:
        out = out.join(_answer_values(chunk, answers, schema), on="enterprise_id", how="left")
    return out.select("enterprise_id", *[pl.col(n).cast(schema[n]) for n in schema])


def _yearly_values(
    yearly: pl.DataFrame, needed: Mapping[str, tuple[str, list[int], Any]], schema: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    years = sorted({y for _, ys, _ in needed.values() for y in ys})
    figures = sorted({f for f, _, _ in needed.values() if f in YEARLY_COLUMNS})
    wide = yearly.filter(pl.col("fiscal_year").is_in(years)).pivot(
        on="fiscal_year", index="enterprise_id", values=figures or ["employees"]
    )
    cols = set(wide.columns)
    exprs = []
    for name, (figure, ys, inp) in needed.items():
        parts = []
        for y in ys:
            col = f"{figure}_{y}" if len(figures) > 1 else str(y)
            if figure not in YEARLY_COLUMNS or col not in cols:
                parts.append(pl.lit(None, pl.Int64))
            elif figure == "development_score":
                parts.append((pl.col(col) * 10**inp.scale).round(0).cast(pl.Int64))
            else:
                parts.append(pl.col(col).cast(pl.Int64))
        total = parts[0]
        for p in parts[1:]:
            total = total + p  # null if any year is missing, as yearly_sum
        exprs.append(total.cast(schema[name]).alias(name))
    return wide.select("enterprise_id", *exprs)


def _answer_values(
    chunk: Chunk, inputs: Mapping[str, Any], schema: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    """``local_answers.*`` facts: free JSON per enterprise, converted exactly as the per-enterprise path."""
    ids: list[int] = []
    cols: dict[str, list[object]] = {n: [] for n in inputs}
    for eid, ans in chunk.local_answers.items():
        ids.append(eid)
        doc = {"local_answers": ans}
        for n, inp in inputs.items():
            try:
                cols[n].append(convert(_path(doc, str((inp.source or {}).get("fact"))), inp.type, inp.scale))
            except FactsError:
                cols[n].append(None)  # the enterprise is suspect (see suspect_answers) and re-evaluated
    frame = pl.DataFrame(
        {"enterprise_id": ids, **cols}, schema={"enterprise_id": pl.Int64, **{n: schema[n] for n in inputs}}
    )
    return frame


def suspect_answers(chunk: Chunk, rule_sets: Iterable[RuleSet]) -> set[int]:
    """Enterprises whose ``local_answers`` a declared input cannot convert (FactsError on the other path)."""
    inputs = [
        inp
        for rs in rule_sets
        for inp in rs.inputs.values()
        if inp.source and str(inp.source.get("fact", "")).startswith("local_answers.")
    ]
    bad: set[int] = set()
    for eid, ans in chunk.local_answers.items():
        doc = {"local_answers": ans}
        for inp in inputs:
            try:
                convert(_path(doc, str((inp.source or {}).get("fact"))), inp.type, inp.scale)
            except FactsError:
                bad.add(eid)
                break
    return bad
