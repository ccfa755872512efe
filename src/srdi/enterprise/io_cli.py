"""``srdi import``, ``srdi export`` and ``srdi template`` (registered in ``srdi.cli``)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from srdi.enterprise.enums import ImportMode, ImportStatus, SizeClass, Tier

CLI_ACTOR = "cli"
PHASES = {"validating": "校验 validating", "writing": "写入 writing"}
SHOWN_ERRORS = 30


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx"):
        raise typer.BadParameter("文件扩展名应为 .csv 或 .xlsx / the file name must end in .csv or .xlsx")
    return suffix


def import_file(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="要导入的文件 .xlsx/.csv / file to import"
    ),
    mode: ImportMode = typer.Option(
        ImportMode.all_or_nothing,
        "--mode",
        help="all_or_nothing：有错误则全部不导入；valid_rows_only：只导入无误的行 / what to do with bad rows",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="试导入：只校验出报告，不写入 / validate and report only"
    ),
    report: Path | None = typer.Option(
        None, "--report", help="把错误清单写入此 .xlsx 文件 / write the per-row error report to this .xlsx"
    ),
    actor: str = typer.Option(
        CLI_ACTOR, "--actor", help="记入变更历史的操作人 / who is recorded in the history"
    ),
) -> None:
    """导入企业信息（一行一个企业一个年度）/ Import enterprise-year rows from XLSX or CSV (UTF-8/GB18030)."""
    from srdi.db.base import utcnow
    from srdi.db.session import session_scope
    from srdi.enterprise import export_service
    from srdi.enterprise.importing import jobs as import_jobs
    from srdi.enterprise.importing import service as import_service
    from srdi.enterprise.models import ImportJob
    from srdi.kit import leases

    console = Console()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("行 rows"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(PHASES.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        with session_scope() as db:
            job = import_service.create_job(
                db, filename=file.name, path=file, mode=mode, dry_run=dry_run, actor=actor
            )
            job.lease_owner, job.lease_expires_at = leases.owner_id(), utcnow() + leases.lease_period()
            from srdi.auth.service import audit

            audit(
                db, None, "enterprise.import", ("import_job", job.id),
                {"filename": file.name, "mode": mode.value, "dry_run": dry_run, "via": "cli"}, username=actor,
            )  # fmt: skip
        # The job row is committed first (with this process's lease); data and final status commit together
        # (one transaction per job). The file is the operator's own: it stays.
        result = import_jobs.run_job(
            session_scope, job.id, file, file.name, mode, dry_run, actor,
            progress=progress, remove_file=False, raise_errors=True,
        )  # fmt: skip
        if result is None:
            raise typer.Exit(1)
        outcome = result
        with session_scope() as db:
            job_id, rep = job.id, dict(db.get(ImportJob, job.id).report)  # type: ignore[union-attr]

    status = ImportStatus(outcome.status)
    colour = {"succeeded": "green", "validated": "cyan", "partially_succeeded": "yellow"}.get(
        status.value, "red"
    )
    summary = Table(title=f"导入任务 #{job_id}：{file.name}", show_header=True)
    summary.add_column("项目 item")
    summary.add_column("数值 value", justify="right")
    info = rep.get("file", {})
    rows = [
        ("状态 status", f"[{colour}]{status.label}[/{colour}]"),
        ("方式 mode", mode.label + ("（试导入）" if dry_run else "")),
        ("格式 format", f"{info.get('format', '')} {info.get('encoding') or ''}".strip()),
        ("数据行 rows", f"{outcome.total_rows:,}"),
        ("无误 valid", f"{outcome.valid_rows:,}"),
        ("有错误 rejected", f"{outcome.error_rows:,}"),
    ]
    if dry_run:
        rows += [
            ("将新建企业 would create", f"{outcome.would_create:,}"),
            ("将更新企业 would update", f"{outcome.would_update:,}"),
        ]
    else:
        rows += [
            ("新建企业 created", f"{outcome.created:,}"),
            ("更新企业 updated", f"{outcome.updated:,}"),
            ("新增年度数据 years added", f"{outcome.years_created:,}"),
            ("更新年度数据 years updated", f"{outcome.years_updated:,}"),
        ]
    for k, v in rows:
        summary.add_row(k, v)
    console.print(summary)
    console.print(outcome.message)
    if outcome.errors:
        errors = Table(
            title=f"错误清单（前 {min(SHOWN_ERRORS, len(outcome.errors))} 条，共 {len(outcome.errors):,} 条）"
        )
        for title in ("行号", "列名", "内容", "错误说明"):
            errors.add_column(title)
        for e in outcome.errors[:SHOWN_ERRORS]:
            errors.add_row(str(e.row or ""), e.column or "", e.value or "", e.message)
        console.print(errors)
    if report is not None:
        full = outcome.report()
        full["errors"] = [
            e.as_dict() for e in outcome.errors
        ]  # the file gets every error, not the stored cap
        full["errors_truncated"] = False
        export_service.error_report_xlsx(full, report)
        console.print(f"错误清单已写入 / report written to {report}")
    if status in (ImportStatus.failed, ImportStatus.rejected):
        raise typer.Exit(1)


def export(
    out: Path = typer.Argument(..., dir_okay=False, help="输出文件 .csv 或 .xlsx / output file"),
    region: str | None = typer.Option(None, help="行政区划代码或前缀 / region code or prefix"),
    industry: str | None = typer.Option(None, help="行业代码或前缀 / industry code or prefix"),
    size_class: SizeClass | None = typer.Option(None, help="企业规模 / size class"),
    tier: Tier | None = typer.Option(None, help="持有有效称号 / holds a valid tier"),
    tag: list[str] | None = typer.Option(None, help="标签（可多次）/ tag (repeatable)"),
    q: str | None = typer.Option(None, help="名称关键词或信用代码前缀 / name keyword or USCC prefix"),
    unmasked: bool = typer.Option(
        False, "--unmasked", help="联系电话不打码（慎用）/ export phone numbers unmasked (personal data)"
    ),
) -> None:
    """导出企业信息（与导入模板同列）/ Export the registry in the import file's columns (CSV or XLSX)."""
    from srdi.db.session import session_scope
    from srdi.enterprise import export_service
    from srdi.enterprise.repository import EnterpriseFilter

    fmt = _format_of(out)
    flt = EnterpriseFilter(
        region_prefix=region,
        industry_prefix=industry,
        size_class=size_class.value if size_class else None,
        tier=tier.value if tier else None,
        tags=tag or [],
        text=q,
    )
    with session_scope() as db:
        n = export_service.export_to(db, flt, fmt, out, mask_personal=not unmasked)  # type: ignore[arg-type]
        from srdi.auth.service import audit

        audit(db, None, "enterprise.export", None, {"format": fmt, "rows": n, "unmasked": unmasked, "via": "cli"},
              username=CLI_ACTOR)  # fmt: skip
    typer.echo(f"已导出 {n:,} 行到 {out} / exported {n:,} rows to {out}")


def template(
    out: Path = typer.Argument(..., dir_okay=False, help="输出文件 .csv 或 .xlsx / output file"),
) -> None:
    """生成导入模板 / Write the import template (XLSX has a sheet of instructions)."""
    from srdi.enterprise import export_service

    fmt = _format_of(out)
    export_service.write_template(fmt, out)  # type: ignore[arg-type]
    typer.echo(f"模板已写入 {out} / template written to {out}")
