"""``make bench``: every P-bar script, one after another, at a size that fits a shared 2-core machine.

    .venv/bin/python benchmarks/run.py                 # quick sizes (minutes)
    .venv/bin/python benchmarks/run.py --full          # the sizes of the bars (an hour or more)
    .venv/bin/python benchmarks/run.py --only P1 --only registry
    .venv/bin/python benchmarks/run.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

Each script prints its own figures with the baseline measured in the same run and the ratio (see
benchmarks/README.md for what each figure includes). This runner adds the date and the load average before
and after each script, so a reader can tell a busy machine from a slow program. A script that fails is
reported and the others still run; the exit code is non-zero if any failed. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def bars(full: bool, postgres: str | None) -> list[tuple[str, list[str], dict[str, str]]]:
    spark_env = {"SPARK_LOCAL_IP": "127.0.0.1"}
    out: list[tuple[str, list[str], dict[str, str]]] = [
        ("P1", ["p1_batch.py", "--rows", "1000000" if full else "100000"], {}),
        ("P2", ["p2_compare.py", "--rows", "1000000" if full else "100000"], {}),
        ("P3", ["p3_single.py", "--enterprises", "10000" if full else "1000"], {}),
        (
            "P4",
            [
                "p4_load.py",
                "--duration",
                "60" if full else "10",
                *(["--postgres", postgres] if postgres else []),
            ],
            {},
        ),
        (
            "P5",
            [
                "import_p5.py",
                "--csv-rows",
                "1000000" if full else "50000",
                "--xlsx-rows",
                "100000" if full else "5000",
            ],
            {},
        ),
        ("P6", ["p6_spark.py", *(["--big"] if full else ["--rows", "1000000"])], spark_env),
        ("registry", ["registry_batch.py", "--count", "1000000" if full else "100000"], {}),
        ("C5", ["appeal_routing.py"], {}),
    ]
    if postgres:
        out.insert(
            7,
            (
                "registry-pg",
                ["registry_batch.py", "--count", "1000000" if full else "100000", "--postgres", postgres],
                {},
            ),
        )
    return out


def load() -> str:
    a, b, c = os.getloadavg()
    return f"load average {a:.1f} {b:.1f} {c:.1f}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="the sizes of the bars")
    ap.add_argument(
        "--only", action="append", help="run only these bars (P1, P2, P3, P4, P5, P6, registry, C5)"
    )
    ap.add_argument("--postgres", help="also run the registry batch and P4 on this PostgreSQL URL")
    args = ap.parse_args()
    failed: list[str] = []
    print(
        f"make bench — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {load()}", flush=True
    )
    for name, cmd, env in bars(args.full, args.postgres):
        if args.only and name not in args.only:
            continue
        print(f"\n### {name}: {' '.join(cmd)}  ({load()})", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.run(
            [sys.executable, str(HERE / cmd[0]), *cmd[1:]], cwd=HERE.parent, env={**os.environ, **env}
        ).returncode
        print(
            f"### {name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'} in {time.perf_counter() - t0:.0f} s ({load()})",
            flush=True,
        )
        if rc != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
