"""QUALITY P5: import of enterprise-year rows with full validation into the database.

Bars: 1,000,000 rows from CSV ≤ 60 s; 100,000 rows from XLSX ≤ 30 s. Figures only — never part of the test suite.
Each run also measures, on the same file and the same database, two baselines so that the ratio means something
on a shared, noisy machine: reading the file alone (csv.reader / calamine) and a plain ``executemany`` of the
same rows as text into a scratch table.

    .venv/bin/python benchmarks/import_p5.py                 # both bars on a fresh SQLite file
    .venv/bin/python benchmarks/import_p5.py --csv-rows 100000 --xlsx-rows 10000   # quicker
    .venv/bin/python benchmarks/import_p5.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session
from stdnum.cn import uscc as uscc_std

from srdi.db.migrate import upgrade
from srdi.db.session import make_engine
from srdi.enterprise.enums import ImportMode
from srdi.enterprise.importing.service import run_import
from srdi.enterprise.io_columns import COLUMNS

REGIONS = ("440305", "440306", "110108", "310115", "320505", "330106", "500235", "441900")
INDUSTRIES = ("3562", "3979", "6513", "2665", "3311", "4090", "7320", "1391")
YEARS = (2021, 2022, 2023, 2024, 2025)


def make_uscc(n: int) -> str:
    body = f"91440300{n:09d}"
    return body + uscc_std.calc_check_digit(body)


def generate_rows(count: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """``count`` enterprise-year rows: count/5 enterprises × 5 fiscal years, realistic magnitudes."""
    rng = random.Random(seed)
    titles = [c.title for c in COLUMNS]
    yield titles
    for i in range(count // len(YEARS) + 1):
        uscc = make_uscc(i + 1)
        region, industry = rng.choice(REGIONS), rng.choice(INDUSTRIES)
        base = rng.randint(500, 200_000)  # 万元 ×100: 5 to 2,000 万元
        founded = f"{rng.randint(1995, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        for year in YEARS:
            if i * len(YEARS) + YEARS.index(year) >= count:
                return
            rev = base * rng.randint(90, 130) // 100
            emp = rng.randint(5, 900)
            yield [
                uscc, f"示例科技有限公司{i:07d}", founded, region, industry, "重点培育", str(year),
                f"{rev / 100:.2f}", f"{rev * 9 // 10 / 100:.2f}", f"{rev // 20 / 100:.2f}",
                f"{(rev // 10 - rng.randint(0, rev // 5)) / 100:.2f}", f"{rev * 2 / 100:.2f}", f"{rev / 100:.2f}",
                "0", f"{rev * 8 // 10 / 100:.2f}", str(emp), str(emp // 6), "企业自报",
                "2", "是", "1", "是", "其他", "张三", "13800138000", "广东省深圳市南山区科技园",
            ]  # fmt: skip


def write_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(generate_rows(count))


NUMERIC_KINDS = ("money", "int", "year")


def write_xlsx(path: Path, count: int) -> None:
    """Numbers as number cells (as a spreadsheet user types them), codes and text as text cells."""
    from openpyxl import Workbook

    numeric = [c.kind in NUMERIC_KINDS for c in COLUMNS]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业年度数据")
    for n, row in enumerate(generate_rows(count)):
        ws.append(
            row if n == 0 else [_number(v) if num and v else v for v, num in zip(row, numeric, strict=True)]
        )
    wb.save(path)


def _number(v: str) -> int | float:
    return int(v) if v.lstrip("-").isdigit() else float(v)


def _fresh_engine(url: str | None, workdir: Path):  # type: ignore[no-untyped-def]
    if url is None:
        eng = make_engine(f"sqlite:///{workdir / f'bench_{uuid.uuid4().hex[:6]}.sqlite3'}")
        with eng.begin() as conn:
            upgrade(conn)
        return eng, None
    from sqlalchemy import create_engine

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    with eng.begin() as conn:
        upgrade(conn)
    return eng, (admin, schema)


def _drop(cleanup) -> None:  # type: ignore[no-untyped-def]
    if cleanup:
        admin, schema = cleanup
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _read_only(path: Path) -> float:
    t = time.perf_counter()
    if path.suffix == ".csv":
        from srdi.enterprise.sandbox_reader import detect_encoding

        detect_encoding(path)  # the strict decoding pass the reader always made
        with path.open(encoding="utf-8", newline="") as fh:
            for _ in csv.reader(fh):
                pass
    else:
        from python_calamine import CalamineWorkbook

        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return time.perf_counter() - t


def _read_sandboxed(path: Path) -> tuple[float, float, float, int | None]:
    """How the import reads now: the limited child checks and parses, the parent unpickles the row chunks.
    Returns wall, this process's CPU, the child's CPU, the child's peak RSS (KiB)."""
    import resource

    from srdi.enterprise.tabular import read_table

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t, c = time.perf_counter(), time.process_time()
    table = read_table(path)
    for _ in table.rows:
        pass
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, child, table.child.max_rss_kb


def _plain_executemany(eng, path: Path) -> float:  # type: ignore[no-untyped-def]
    """The same rows as text, parsed and inserted with the driver's executemany: no validation, no history."""
    ncols = len(COLUMNS)
    cols = ", ".join(f"c{i} TEXT" for i in range(ncols))
    mark = "?" if eng.dialect.paramstyle == "qmark" else "%s"
    marks = ", ".join([mark] * ncols)
    t = time.perf_counter()
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as fh:
            rows = [tuple(r) for r in csv.reader(fh)][1:]
    else:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        rows = [tuple(str(v) for v in r) for r in sheet[1:]]
    with eng.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE bench_plain ({cols})")
        for s in range(0, len(rows), 50_000):
            conn.exec_driver_sql(f"INSERT INTO bench_plain VALUES ({marks})", rows[s : s + 50_000])
    elapsed = time.perf_counter() - t
    with eng.begin() as conn:
        conn.exec_driver_sql("DROP TABLE bench_plain")
    return elapsed


def _import(eng, path: Path) -> tuple[float, float, dict]:  # type: ignore[no-untyped-def]
    t, c = time.perf_counter(), time.process_time()
    with Session(eng) as db:
        job, _out = run_import(db, path, mode=ImportMode.all_or_nothing, actor="benchmark")
        db.commit()
        summary = job.report["summary"]
        status = job.status
    elapsed, cpu = time.perf_counter() - t, time.process_time() - c
    assert status == "succeeded", (status, summary)
    return elapsed, cpu, summary


def bench(kind: str, rows: int, bar: float, url: str | None, workdir: Path, read_only: bool = False) -> None:
    path = workdir / f"p5_{rows}.{kind}"
    t = time.perf_counter()
    (write_csv if kind == "csv" else write_xlsx)(path, rows)
    print(
        f"\n[{kind}] generated {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t:.1f} s"
    )
    read = _read_only(path)
    sb_wall, sb_cpu, sb_child, sb_rss = _read_sandboxed(path)
    print(
        f"[{kind}] baseline read in-process     : {read:7.2f} s  (csv.reader / calamine, as before decision 0009)"
    )
    print(
        f"[{kind}] sandboxed read (checks+parse): {sb_wall:7.2f} s wall, {sb_cpu:.2f} s CPU here + {sb_child:.2f} s CPU "
        f"in the child (peak RSS {(sb_rss or 0) / 1024:.0f} MiB); {sb_wall / read:.2f}× the in-process wall time"
    )
    if read_only:
        return
    eng, cleanup = _fresh_engine(url, workdir)
    try:
        plain = _plain_executemany(eng, path)
        elapsed, cpu, summary = _import(eng, path)
        with eng.connect() as conn:
            n_fig = conn.execute(text("SELECT count(*) FROM yearly_figure")).scalar_one()
            n_log = conn.execute(text("SELECT count(*) FROM change_log")).scalar_one()
    finally:
        eng.dispose()
        _drop(cleanup)
    assert n_fig == rows, n_fig
    print(f"[{kind}] database: {eng.url.get_backend_name()}")
    print(f"[{kind}] baseline read only          : {read:7.2f} s")
    print(f"[{kind}] baseline plain executemany  : {plain:7.2f} s")
    print(f"[{kind}] full import (validate+write): {elapsed:7.2f} s  ({rows / elapsed:,.0f} rows/s)")
    # On a shared machine the wall time includes waiting for the CPU; this process's own CPU time does not.
    print(
        f"[{kind}]   of which CPU time of this process: {cpu:7.2f} s  (load average now {os.getloadavg()[0]:.1f})"
    )
    print(
        f"[{kind}]   created {summary['enterprises_created']:,} enterprises, {n_fig:,} yearly rows, {n_log:,} change-log rows"
    )
    print(f"[{kind}] ratio import / read-only         : {elapsed / read:5.1f}×")
    print(f"[{kind}] ratio import / plain executemany : {elapsed / plain:5.1f}×")
    print(
        f"[{kind}] bar ≤ {bar:.0f} s → wall {'MET' if elapsed <= bar else 'NOT MET'} ({elapsed:.1f} s), CPU {'MET' if cpu <= bar else 'NOT MET'} ({cpu:.1f} s)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv-rows", type=int, default=1_000_000)
    ap.add_argument("--xlsx-rows", type=int, default=100_000)
    ap.add_argument("--database-url", default=None, help="PostgreSQL URL; default a fresh SQLite file")
    ap.add_argument("--only", choices=("csv", "xlsx"), default=None)
    ap.add_argument(
        "--read-only", action="store_true", help="only the reading baselines: in-process vs sandboxed"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="srdi_p5_") as d:
        workdir = Path(d)
        if args.only in (None, "csv"):
            bench(
                "csv",
                args.csv_rows,
                60 * args.csv_rows / 1_000_000,
                args.database_url,
                workdir,
                args.read_only,
            )
        if args.only in (None, "xlsx"):
            bench(
                "xlsx",
                args.xlsx_rows,
                30 * args.xlsx_rows / 100_000,
                args.database_url,
                workdir,
                args.read_only,
            )


if __name__ == "__main__":
    sys.exit(main())
