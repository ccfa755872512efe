"""Benchmark: generate and bulk-load N synthetic enterprises (``srdi.demo``) into a fresh database.

    .venv/bin/python benchmarks/demo_load.py --count 100000                      # SQLite file in /tmp
    .venv/bin/python benchmarks/demo_load.py --count 100000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

Prints generation-only time, load time (generation included, as ``srdi demo`` runs), rows and rows/s, and the
client's CPU time (on a busy shared machine wall time says more about the neighbours than about the code). PostgreSQL
runs in a schema of its own that is dropped afterwards. Reports figures; never fails on timing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

from srdi.db.migrate import upgrade
from srdi.db.session import make_engine
from srdi.demo.generator import DemoSpec, generate
from srdi.demo.loader import load

AS_OF = date(2026, 11, 21)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument("--postgres", help="PostgreSQL URL; default: a SQLite file")
    ap.add_argument("--skip-generate-only", action="store_true")
    args = ap.parse_args()
    spec = DemoSpec(count=args.count, seed=args.seed, as_of=AS_OF)

    if not args.skip_generate_only:
        t = time.perf_counter()
        n = sum(1 for _ in generate(spec))
        gen = time.perf_counter() - t
        print(f"generate only: {n:,} enterprises in {gen:.2f} s ({n / gen:,.0f} enterprises/s)")

    schema = None
    if args.postgres:
        schema = f"bench_demo_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = create_engine(args.postgres, connect_args={"options": f"-csearch_path={schema}"})
        label = "postgresql"
    else:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        label = f"sqlite ({path})"
    try:
        with engine.begin() as conn:
            upgrade(conn)
        t = time.perf_counter()
        cpu = time.process_time()
        with engine.connect() as conn:
            result = load(
                conn, generate(spec), chunk_size=args.chunk_size, seed=args.seed, commit_each_chunk=True
            )
        elapsed = time.perf_counter() - t
        cpu = time.process_time() - cpu
        print(
            f"{label}: {result.inserted:,} enterprises, {result.rows:,} rows in {elapsed:.2f} s — "
            f"{result.inserted / elapsed:,.0f} enterprises/s, {result.rows / elapsed:,.0f} rows/s; "
            f"client CPU {cpu:.2f} s ({result.rows / cpu:,.0f} rows per CPU-second)"
        )
    finally:
        engine.dispose()
        if schema:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
