"""P4: the API under load — one uvicorn worker, as ``srdi serve`` runs it, driven by wrk on loopback.

    .venv/bin/python benchmarks/p4_load.py                                   # SQLite, 15 s per figure
    .venv/bin/python benchmarks/p4_load.py --duration 60 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/p4_load.py --servers h11,httptools --gzip    # the levers of issue 12, same run

What it does, per database (a temporary SQLite file; PostgreSQL in a schema of its own, dropped afterwards):
``srdi db upgrade`` and ``srdi demo --count N`` into it, then for each server variant a fresh
``uvicorn --factory srdi.main:create_app --workers 1`` child process (``srdi serve`` calls ``uvicorn.run`` with the
same factory and options; the variant only picks uvicorn's HTTP parser and event loop: ``h11`` = the pure-Python
parser and asyncio, ``httptools`` = the C parser and uvloop, what ``uvicorn[standard]`` installs). A bearer token of
demo-city (深圳市) is taken from ``POST /api/v1/auth/token``; wrk then drives, one figure after another:

- ``health``      GET /api/v1/health — no database, no rules: the **baseline** of the same server in the same run;
- ``assess``      POST /api/v1/self-assessment with a demo enterprise's facts document (every tier, full trace and
                  gap analysis; no database) — bar: 200 req/s, p99 ≤ 50 ms, 0 errors;
- ``detail``      GET /api/v1/enterprises/{id}, rotating over the first 200 visible ids (bearer) — bar: 300 req/s;
- ``list``        GET /api/v1/enterprises?page=k (20 a page, k rotating over 10 pages; bearer) — bar: 300 req/s;

each at its **fixed rate** (wrk's Lua ``delay()`` keeps a per-thread schedule from the monotonic clock, so the
offered rate does not drop when answers slow down; a request whose slot has passed is sent at once) with
``--connections`` connections, and then **as fast as possible** at ``--max-connections`` connections (the
capacity, and the check that 200 concurrent connections get answers, 200 or 503, not a stall).

Printed for each figure: requests/s achieved, p50 / p99 / max latency (wrk measures from the moment a request is
written: time waiting for a late slot is not counted), errors (socket errors, timeouts and status ≥ 400, with 503s
counted apart), answer size, the server's CPU time per request (``/proc``: what the request costs, less sensitive to
the neighbours than wall time), its ratio to the baseline's, and the load average before and after. The machine is
shared: compare ratios, never fail on timing. With ``--gzip`` the assess and detail figures are repeated with
``Accept-Encoding: gzip`` against the app wrapped in Starlette's pure-ASGI ``GZipMiddleware`` (``gzip_app`` below,
the benchmark's own: the product does not compress, decision 0031).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

TARGETS = {"assess": 200, "detail": 300, "list": 300}
P99_BAR_MS = 50.0


def load() -> str:
    a, b, c = os.getloadavg()
    return f"load {a:.1f} {b:.1f} {c:.1f}"


def gzip_app() -> Any:
    """The application behind Starlette's GZipMiddleware (pure ASGI), for the compaction figures only."""
    from starlette.middleware.gzip import GZipMiddleware

    from srdi.main import create_app

    return GZipMiddleware(create_app(), minimum_size=1000, compresslevel=5)


# --- wrk -------------------------------------------------------------------------------------------------------

LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } p4_timespec;
int clock_gettime(int clk, p4_timespec *tp);
]]
local ts = ffi.new("p4_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local interval = __INTERVAL__   -- ms between two requests of this thread; 0 = as fast as possible
local method = "__METHOD__"
local paths = __PATHS__
local body = __BODY__
local headers = __HEADERS__
local i = 0
local next_t = nil

function request()
  i = i + 1
  return wrk.format(method, paths[(i % #paths) + 1], headers, body)
end

function delay()
  if interval <= 0 then return 0 end
  local t = now_ms()
  if next_t == nil then next_t = t + math.random() * interval end
  local d = next_t - t
  next_t = next_t + interval
  if d < 0 then return 0 end
  return d
end

local codes = {}
function response(status, hdrs, resp_body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'P4JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def lua_string(s: str) -> str:
    """A Lua 5.1 string literal of ``s``'s UTF-8 bytes (LuaJIT knows no \\u escapes): bytes outside printable
    ASCII, quotes and backslashes as decimal escapes."""
    out = []
    for b in s.encode():
        out.append(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}")
    return '"' + "".join(out) + '"'


def lua_script(
    method: str, paths: list[str], body: str | None, headers: dict[str, str], interval_ms: float
) -> str:
    lua_paths = "{" + ", ".join(lua_string(p) for p in paths) + "}"
    lua_headers = "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()) + "}"
    return (
        LUA.replace("__INTERVAL__", f"{interval_ms:.4f}")
        .replace("__METHOD__", method)
        .replace("__PATHS__", lua_paths)
        .replace("__BODY__", lua_string(body) if body is not None else "nil")
        .replace("__HEADERS__", lua_headers)
    )


@dataclass
class Figure:
    label: str
    rate: int | None  # offered req/s, None = as fast as possible
    connections: int
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    socket_errors: int = 0
    status_errors: int = 0
    busy_503: int = 0
    answer_bytes: float = 0.0
    cpu_ms: float = 0.0  # server CPU per request
    load_before: str = ""
    load_after: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.status_errors


def server_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_count(log: Path, since: int) -> int:
    """503s from uvicorn's access log (wrk counts every status ≥ 400 alike)."""
    with log.open("rb") as f:
        f.seek(since)
        return sum(1 for line in f if b'" 503' in line)


def run_wrk(
    base: str,
    label: str,
    *,
    method: str,
    paths: list[str],
    body: str | None,
    headers: dict[str, str],
    rate: int | None,
    connections: int,
    duration: int,
    threads: int,
    pid: int,
    log: Path,
    workdir: Path,
) -> Figure:
    interval = threads * 1000.0 / rate if rate else 0.0
    script = workdir / f"{label}-{uuid.uuid4().hex[:6]}.lua"
    script.write_text(lua_script(method, paths, body, headers, interval))
    fig = Figure(label, rate, connections, load_before=load())
    cpu0, log0 = server_cpu_s(pid), log.stat().st_size
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            base + paths[0],
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    fig.load_after = load()
    line = next((x for x in out.stdout.splitlines() if x.startswith("P4JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures:\n{out.stdout}\n{out.stderr}")
    d = json.loads(line.removeprefix("P4JSON "))
    fig.requests = d["requests"]
    fig.seconds = d["duration_us"] / 1e6
    fig.p50_ms, fig.p99_ms, fig.max_ms = d["p50_us"] / 1000, d["p99_us"] / 1000, d["max_us"] / 1000
    fig.socket_errors = d["connect"] + d["read"] + d["write"] + d["timeout"]
    fig.status_errors = d["status"]
    fig.answer_bytes = d["bytes"] / max(1, d["requests"])
    fig.cpu_ms = (server_cpu_s(pid) - cpu0) * 1000 / max(1, fig.requests)
    fig.busy_503 = busy_count(log, log0)
    return fig


# --- the server --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Variant:
    name: str
    http: str
    loop: str
    factory: str = "srdi.main:create_app"


def has_c_parser(env: dict[str, str]) -> bool:
    probe = "import httptools, uvloop"
    return subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True).returncode == 0


class Server:
    def __init__(self, variant: Variant, env: dict[str, str], workdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"server-{variant.name}-{self.port}.log"
        self.variant = variant
        # `srdi serve`: uvicorn.run("srdi.main:create_app", factory=True, workers=1, log_level=INFO, no proxy headers).
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            variant.factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "1",
            "--log-level",
            env.get("SRDI_LOG_LEVEL", "info").lower(),
            "--no-proxy-headers",
            "--http",
            variant.http,
            "--loop",
            variant.loop,
        ]
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300  # a loaded machine starts late; it does not fail
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.base + "/api/v1/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not start in 300 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log_file.close()


# --- the data ----------------------------------------------------------------------------------------------------


def prepare(url: str, count: int, env: dict[str, str]) -> None:
    t0 = time.perf_counter()
    for args in (["db", "upgrade"], ["demo", "--count", str(count)]):
        subprocess.run(
            [sys.executable, "-m", "srdi.cli", *args], env=env, check=True, capture_output=True, cwd=ROOT
        )
    print(f"  demo registry of {count:,} enterprises loaded in {time.perf_counter() - t0:.0f} s", flush=True)


def facts_body(url: str, enterprise_id: int) -> str:
    from sqlalchemy.orm import Session

    from srdi.db.session import make_engine
    from srdi.enterprise.models import Enterprise
    from srdi.enterprise.service import facts_document

    engine = make_engine(url)
    try:
        with Session(engine) as db:
            ent = db.get(Enterprise, enterprise_id)
            assert ent is not None
            facts = facts_document(ent)
    finally:
        engine.dispose()
    return json.dumps({"as_of": "2026-06-30", "facts": facts}, ensure_ascii=False, default=str)


# --- the run -----------------------------------------------------------------------------------------------------


def print_figure(f: Figure, baseline: Figure | None) -> None:
    rate = f"{f.rate}/s" if f.rate else "max"
    ratio = f", {f.cpu_ms / baseline.cpu_ms:.1f}× baseline CPU" if baseline and baseline.cpu_ms else ""
    verdict = ""
    target = TARGETS.get(f.label.split("+")[0])
    if f.rate and target:
        met = f.rps >= 0.97 * target and f.errors == 0 and (f.label != "assess" or f.p99_ms <= P99_BAR_MS)
        verdict = "  [bar met]" if met else "  [bar NOT met]"
    print(
        f"  {f.label:<12} {rate:>6} c={f.connections:<4} {f.rps:7.1f} req/s  p50 {f.p50_ms:7.1f} ms  "
        f"p99 {f.p99_ms:7.1f} ms  max {f.max_ms:7.1f} ms  errors {f.errors} (503: {f.busy_503}, "
        f"socket {f.socket_errors})  {f.answer_bytes / 1024:6.1f} KiB/answer  server CPU {f.cpu_ms:5.2f} ms/req"
        f"{ratio}  ({f.load_before} → {f.load_after}){verdict}",
        flush=True,
    )


def measure_variant(
    variant: Variant,
    env: dict[str, str],
    url: str,
    args: argparse.Namespace,
    workdir: Path,
    gzip: bool,
) -> list[Figure]:
    server = Server(variant, env, workdir)
    figures: list[Figure] = []
    try:
        with httpx.Client(base_url=server.base, timeout=60) as c:
            r = c.post(
                "/api/v1/auth/token",
                json={"username": "demo-city", "password": env.get("SRDI_DEMO_PASSWORD", "Demo@2026")},
            )
            r.raise_for_status()
            auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
            page = c.get("/api/v1/enterprises", params={"page_size": 200}, headers=auth).json()
            ids = [e["id"] for e in page["items"]]
        body = facts_body(url, ids[0])
        json_h = {"Content-Type": "application/json"}
        scenarios: list[tuple[str, str, list[str], str | None, dict[str, str]]] = [
            ("health", "GET", ["/api/v1/health"], None, {}),
            ("assess", "POST", ["/api/v1/self-assessment"], body, json_h),
            ("detail", "GET", [f"/api/v1/enterprises/{i}" for i in ids], None, auth),
            ("list", "GET", [f"/api/v1/enterprises?page={k}&page_size=20" for k in range(1, 11)], None, auth),
        ]
        if gzip:
            gz = {"Accept-Encoding": "gzip"}
            scenarios = [s for s in scenarios if s[0] in ("health", "assess", "detail")] + [
                ("assess+gzip", "POST", ["/api/v1/self-assessment"], body, {**json_h, **gz}),
                ("detail+gzip", "GET", [f"/api/v1/enterprises/{i}" for i in ids], None, {**auth, **gz}),
            ]
        common = dict(pid=server.proc.pid, log=server.log, workdir=workdir, threads=args.threads)
        baseline: Figure | None = None
        for label, method, paths, b, headers in scenarios:
            # Warm-up: the first answers build caches (rule sets, the appeal router in a thread).
            run_wrk(
                server.base,
                label,
                method=method,
                paths=paths,
                body=b,
                headers=headers,
                rate=None,
                connections=4,
                duration=args.warmup,
                **common,  # type: ignore[arg-type]
            )
            rate = TARGETS.get(label.split("+")[0], max(TARGETS.values()))
            for r_, conns in ((rate, args.connections), (None, args.max_connections)):
                f = run_wrk(
                    server.base,
                    label,
                    method=method,
                    paths=paths,
                    body=b,
                    headers=headers,
                    rate=r_,
                    connections=conns,
                    duration=args.duration,
                    **common,  # type: ignore[arg-type]
                )
                f.extra["variant"] = variant.name
                if label == "health" and r_ is not None:
                    baseline = f
                print_figure(f, baseline)
                figures.append(f)
    finally:
        server.stop()
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=int, default=15, help="seconds per figure (the bar: 60)")
    ap.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each scenario")
    ap.add_argument("--connections", type=int, default=64, help="connections at the fixed rates")
    ap.add_argument("--max-connections", type=int, default=200, help="connections for the capacity figures")
    ap.add_argument("--threads", type=int, default=1, help="wrk threads (the server needs the cores)")
    ap.add_argument("--count", type=int, default=2000, help="demo enterprises (srdi demo --count)")
    ap.add_argument("--postgres", help="also on PostgreSQL (a schema of its own, dropped afterwards)")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument(
        "--prepared", help="a database URL already holding the demo registry (kept; no SQLite run)"
    )
    ap.add_argument(
        "--servers",
        default="h11,httptools",
        help="uvicorn variants: h11 (pure-Python parser, asyncio), httptools (C parser, uvloop)",
    )
    ap.add_argument("--gzip", action="store_true", help="also assess/detail with gzip (benchmark-only app)")
    ap.add_argument(
        "--extra-path",
        default=os.environ.get("P4_EXTRA_PATH", ""),
        help="a directory holding httptools and uvloop if they are not in the venv (uv pip install --target)",
    )
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print(
            "P4 needs wrk on the PATH (Debian: apt-get install -y wrk; or build https://github.com/wg/wrk). "
            "Nothing measured."
        )
        return 2

    from sqlalchemy import create_engine, text

    print(f"P4 — {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {os.cpu_count()} cores, {load()}")
    print(
        f"  {args.duration} s per figure, fixed rates with {args.connections} connections, capacity with "
        f"{args.max_connections} connections, wrk -t{args.threads}"
    )
    workdir = Path(tempfile.mkdtemp(prefix="p4_"))
    dbs: list[tuple[str, str, str | None]] = []
    if args.prepared:
        dbs.append(("prepared database", args.prepared, None))
    elif not args.no_sqlite:
        dbs.append(("SQLite", f"sqlite:///{workdir / 'p4.sqlite3'}", None))
    if args.postgres:
        try:
            with create_engine(args.postgres).connect() as c:
                c.execute(text("SELECT 1"))
            schema = f"p4_{uuid.uuid4().hex[:8]}"
            with create_engine(args.postgres).begin() as c:
                c.execute(text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in args.postgres else "?"
            dbs.append(("PostgreSQL", f"{args.postgres}{sep}options=-csearch_path%3D{schema}", schema))
        except Exception as exc:
            print(f"  PostgreSQL not reachable ({type(exc).__name__}): measured on SQLite only")

    base_path = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    variants = []
    for name in args.servers.split(","):
        if name == "h11":
            variants.append((Variant("h11", "h11", "asyncio"), base_path))
        elif name == "httptools":
            path = os.pathsep.join(p for p in (base_path, args.extra_path) if p)
            if has_c_parser({**os.environ, "PYTHONPATH": path}):
                variants.append((Variant("httptools", "httptools", "uvloop"), path))
            else:
                print(
                    "  httptools/uvloop not importable (install uvicorn[standard], or pass --extra-path): "
                    "the C-parser variant is skipped"
                )
    try:
        for db_label, url, _schema in dbs:
            env = {
                **os.environ,
                "SRDI_DATABASE_URL": url,
                "PYTHONPATH": base_path,
            }
            print(f"\n## {db_label}", flush=True)
            if url != args.prepared:
                prepare(url, args.count, env)
            for variant, path in variants:
                print(f"\n### {db_label}, uvicorn --http {variant.http} --loop {variant.loop}", flush=True)
                measure_variant(variant, {**env, "PYTHONPATH": path}, url, args, workdir, gzip=False)
            if args.gzip and variants:
                variant, path = variants[-1]
                gz = Variant(
                    f"{variant.name}+gzip", variant.http, variant.loop, "benchmarks.p4_load:gzip_app"
                )
                print(
                    f"\n### {db_label}, {gz.name}: the app behind GZipMiddleware (benchmark only)", flush=True
                )
                measure_variant(gz, {**env, "PYTHONPATH": path}, url, args, workdir, gzip=True)
    finally:
        for _label, _url, schema in dbs:
            if schema and args.postgres:
                with create_engine(args.postgres).begin() as c:
                    c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nP4 done — {load()}")
    return 0  # the figures are reported above; a benchmark never fails on them


if __name__ == "__main__":
    raise SystemExit(main())
