"""``srdi grant …`` (免申即享) and ``srdi policy …`` (policy library, push) — registered in ``srdi.cli``.

Each long step commits chunk by chunk: interrupt it (or kill the process) and run the same command again —
it resumes, and nothing is matched, recorded or paid twice.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from srdi.kit.workdays import beijing_today

grant_app = typer.Typer(
    help="免申即享：数据比对、拨付、公示 / Auto-grant runs, disbursement, publicity", no_args_is_help=True
)
policy_app = typer.Typer(help="政策库与精准推送 / Policy library and precise push", no_args_is_help=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


@contextmanager
def _session() -> Iterator[Session]:
    from srdi.db.session import get_sessionmaker

    db = get_sessionmaker()()
    try:
        yield db
    finally:
        db.close()


def _fail(exc: Exception) -> None:
    from srdi.kit.errors import AppError

    if isinstance(exc, AppError):
        typer.echo(f"错误 / error: {exc.message_zh} / {exc.message_en}", err=True)
        raise typer.Exit(1) from exc
    raise exc


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    )


@grant_app.command("run")
def run(
    policy_key: str = typer.Argument(..., help="政策编号 / policy id, e.g. dg_srdi_award_auto_grant"),
    as_of: str = typer.Option(
        None, "--as-of", help="比对基准日 YYYY-MM-DD（默认今天）/ as-of date (default today)"
    ),
    quiet: bool = typer.Option(False, "--quiet", help="不显示进度条 / no progress bar"),
    chunk: int = typer.Option(
        200, "--chunk", min=1, help="每次提交的企业数 / enterprises per committed chunk"
    ),
) -> None:
    """数据比对：按基准日批量比对并生成/更新免申即享事项（可重复执行，中断后续跑）/ Match the registry (resumable)."""
    from srdi.auth.service import audit
    from srdi.auto_grant import service
    from srdi.auto_grant.exceptions import RunBusy
    from srdi.kit.faults import fault_point

    day = date.fromisoformat(as_of) if as_of else beijing_today()
    with _session() as db:
        try:
            grun = service.create_run(db, policy_key, day, actor=_actor(), scope_prefixes=None)
            db.flush()
            # An unfinished run (ours just created, or an interrupted one) is resumed only under our lease.
            if not service.claim_run(db, grun):
                raise RunBusy(grun.id)
            audit(
                db,
                None,
                "auto_grant.run",
                ("grant_run", grun.id),
                {"policy_key": policy_key},
                username=_actor(),
            )
            db.commit()
            fault_point("grant.before_start")
            with _progress() as bar:
                task = bar.add_task(
                    f"数据比对 matching {policy_key} {grun.period}", total=None, visible=not quiet
                )

                def tick(r: object) -> None:
                    bar.update(task, total=getattr(r, "total", None), completed=getattr(r, "processed", 0))

                service.execute_run(db, grun, commit=db.commit, on_progress=tick, chunk=chunk)
                bar.update(task, total=grun.total, completed=grun.total)
        except Exception as exc:
            db.rollback()
            _fail(exc)
        s = grun.summary
        typer.echo(f"批次 run {grun.id}: {grun.status}；期间 period {grun.period}")
        typer.echo(f"比对 counts: {s.get('counts')}")
        typer.echo(f"变化 changes: {s.get('changes')}")
        typer.echo(f"状态 by status: {s.get('by_status')}")


@grant_app.command("status")
def status(
    run_id: int = typer.Argument(
        None, help="批次编号（省略则列出最近批次）/ run id (omit to list recent runs)"
    ),
) -> None:
    """查看免申即享批次进度与结果 / Show run progress and outcome."""
    from srdi.auto_grant import repository, service

    with _session() as db:
        try:
            runs = [service.get_run(db, run_id)] if run_id else repository.runs(db, limit=20)
        except Exception as exc:
            _fail(exc)
        for r in runs:
            done = f"{r.processed}/{r.total}"
            typer.echo(
                f"#{r.id} {r.policy_key} 期间 {r.period} 基准日 {r.as_of_date} 状态 {r.status} 进度 {done} "
                f"{(r.summary or {}).get('by_status', {})}"
            )


@grant_app.command("export")
def export(
    policy_key: str = typer.Argument(..., help="政策编号 / policy id"),
    period: str = typer.Argument(..., help="期间，如 2025 / period, e.g. 2025"),
    out: Path = typer.Option(None, "--out", help="拨付文件路径（CSV）/ output CSV for the finance system"),
    quiet: bool = typer.Option(False, "--quiet", help="不显示进度条 / no progress bar"),
    chunk: int = typer.Option(
        200, "--chunk", min=1, help="每次提交的笔数 / disbursements per committed chunk"
    ),
) -> None:
    """拨付：把已确认的事项列入拨付批次并导出财务文件（含完整账号，记入审计）/ Disburse and export for finance."""
    from srdi.auth.service import audit
    from srdi.auto_grant import service

    with _session() as db:
        try:
            with _progress() as bar:
                task = bar.add_task(f"拨付 disbursing {policy_key} {period}", total=None, visible=not quiet)
                batch = service.disburse(
                    db,
                    policy_key,
                    period,
                    actor=_actor(),
                    commit=db.commit,
                    on_progress=lambda n: bar.update(task, completed=n),
                    chunk=chunk,
                )
            target = out or Path(f"disbursement_{batch.id}.csv")
            service.write_export(db, batch.id, target)
            audit(
                db,
                None,
                "auto_grant.disbursement.export",
                ("disbursement_batch", batch.id),
                {"rows": batch.count, "file": str(target)},
                username=_actor(),
            )
            db.commit()
        except Exception as exc:
            db.rollback()
            _fail(exc)
        typer.echo(
            f"拨付批次 batch {batch.id}: {batch.count} 笔 rows，合计 {batch.total_fen / 100:.2f} 元 → {target}"
        )


@grant_app.command("publish")
def publish(
    policy_key: str = typer.Argument(..., help="政策编号 / policy id"),
    period: str = typer.Argument(..., help="期间 / period"),
) -> None:
    """公示归档：已拨付事项进入公示名单 / Publish the disbursed grants."""
    from srdi.auth.service import audit
    from srdi.auto_grant import service

    with _session() as db:
        try:
            done = service.publish(db, policy_key, period, actor=_actor())
            audit(
                db,
                None,
                "auto_grant.publish",
                ("policy", policy_key),
                {"period": period, "count": len(done)},
                username=_actor(),
            )
            db.commit()
        except Exception as exc:
            db.rollback()
            _fail(exc)
        typer.echo(f"公示 published: {len(done)}")


@policy_app.command("sync")
def sync() -> None:
    """把 rules/policies 中新增或修改的政策发布为新版本 / Publish new or changed policy files."""
    from srdi.policy import service

    with _session() as db:
        rows = service.sync_library(db, actor=_actor())
        db.commit()
        typer.echo(
            f"新发布 published: {len(rows)}；政策库共 {len(service.library_files())} 项 policies in library"
        )


@policy_app.command("push")
def push(
    region: str = typer.Option(None, "--region", help="区划代码前缀 / region_code prefix"),
    as_of: str = typer.Option(None, "--as-of", help="基准日 / as-of date (default today)"),
) -> None:
    """重新计算精准推送结果（只算输入有变化的企业）/ Recompute precise push where inputs changed."""
    from srdi.policy import service

    day = date.fromisoformat(as_of) if as_of else beijing_today()
    with _session() as db:
        total, chunks = service.push_chunks(db, region)
        with _progress() as bar:
            task = bar.add_task("精准推送 push", total=total)
            for chunk in chunks:
                for ent in chunk:
                    service.compute_push(db, ent, day)
                db.commit()
                bar.advance(task, len(chunk))
        typer.echo(f"已计算 computed: {total}")
