"""Processes for the crash tests (QUALITY R3, R8): a job run in a process of its own that dies at a named fault point.

Starting a fresh interpreter costs about two seconds of imports per kill; the crash tests kill some thirty times.
So the processes come from a fork server (``multiprocessing`` "forkserver") that imported the platform once:
each child is a real, separate process with its own database connections, runs the same command function as
``srdi …`` and ends in ``os._exit(FAULT_EXIT_CODE)`` at the armed point — no ``finally``, no commit, no clean-up.
(The fork server never touches a database or a thread pool before forking, so the children start clean.)
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from srdi.kit.faults import FAULT_ENV

_CTX = multiprocessing.get_context("forkserver")
_CTX.set_forkserver_preload(
    [
        "srdi.auto_grant.cli",
        "srdi.auto_grant.service",
        "srdi.auth.service",
        "srdi.enterprise.importing.jobs",
        "polars",
        "tests.crash_support",
    ]
)


# Parsing the policy library (rules/policies, some 120 YAML files) takes seconds and is cached per process:
# done here once, at import, it is done in the fork server and inherited by every child.
from srdi.policy.service import library_files  # noqa: E402

library_files()


@dataclass
class Died:
    exitcode: int | None
    stderr: str


def _child(command: str, argv: list[str], env: dict[str, str], stderr_path: str) -> None:
    fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)
    os.environ.pop(FAULT_ENV, None)
    os.environ.update(env)
    from srdi.config import get_settings
    from srdi.db import session
    from srdi.kit import faults

    get_settings.cache_clear()
    session.get_engine.cache_clear()
    session.get_sessionmaker.cache_clear()
    faults.reset()
    code = 0
    try:
        if command == "grant":
            from srdi.auto_grant.cli import grant_app

            code = int(grant_app(argv, standalone_mode=False) or 0)
        elif command == "upload":
            upload_and_import(Path(argv[0]))
        else:
            raise ValueError(command)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stderr.flush()
    os._exit(code)


def upload_and_import(path: Path) -> None:
    """What ``POST /imports`` and its background task do with a saved upload (importing.router)."""
    from srdi.db.session import session_scope
    from srdi.enterprise.enums import ImportMode
    from srdi.enterprise.importing import jobs as import_jobs

    with session_scope() as db:
        job = import_jobs.create_upload_job(
            db,
            filename="企业数据.csv",
            path=path,
            mode=ImportMode.all_or_nothing,
            dry_run=False,
            actor="official",
        )
        job_id = job.id
    import_jobs.run_job(
        session_scope, job_id, path, "企业数据.csv", ImportMode.all_or_nothing, False, "official"
    )


def run_in_child(
    command: str, argv: Sequence[str], *, url: str, fault: str | None, tmp: Path, timeout: float = 300
) -> Died:
    """Run ``command`` in a forked process against ``url``, the fault armed; wait for it and reap it."""
    env = {"SRDI_DATABASE_URL": url}
    if fault:
        env[FAULT_ENV] = fault
    err = tmp / f"child-{os.getpid()}-{len(list(tmp.glob('child-*')))}.stderr"
    p = _CTX.Process(target=_child, args=(command, list(argv), env, str(err)))
    p.start()
    p.join(timeout)
    if p.is_alive():
        p.kill()
        p.join()
    return Died(p.exitcode, err.read_text(encoding="utf-8", errors="replace") if err.exists() else "")
