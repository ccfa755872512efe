"""``srdi report district`` and ``srdi monitoring refresh`` (registered in ``srdi.cli``)."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

report_app = typer.Typer(help="通报 / Periodic reports", no_args_is_help=True)
monitoring_app = typer.Typer(help="监测评价 / Monitoring", no_args_is_help=True)


@report_app.command("district")
def district_command(
    period: str = typer.Option(..., help="期间 / period: 2026, 2026H1, 2026Q3, 2026-09"),
    region: str = typer.Option(..., help="地区代码 / region: 44, 4403 or 440300, 440305"),
    output: Path = typer.Option(..., "-o", "--output", help="输出文件 .xlsx / .pdf / .html"),
) -> None:
    """生成区县通报并存档 / Build a district report, archive it and write the file."""
    from srdi.db.session import session_scope
    from srdi.kit.errors import AppError
    from srdi.monitoring import report, service

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in report.MEDIA_TYPES:
        typer.echo(
            "输出文件须以 .xlsx、.pdf 或 .html 结尾 / output must end in .xlsx, .pdf or .html", err=True
        )
        raise typer.Exit(2)
    actor = f"cli:{getpass.getuser()}"
    try:
        with session_scope() as db:
            rep = report.create(db, period, service.normalize_region(region) or region, fmt, None, actor)
            db.commit()

            def progress() -> None:
                typer.echo(f"  {rep.progress:>3}%  {rep.step}")
                db.commit()

            report.build(db, rep, commit=progress)
            output.write_bytes(report.content_of(rep))
            typer.echo(f"通报 #{rep.id} 已生成 / report written: {output} ({len(rep.content or b'')} bytes)")
    except AppError as exc:
        typer.echo(f"{exc.message_zh} / {exc.message_en}", err=True)
        raise typer.Exit(1) from exc


@monitoring_app.command("refresh")
def refresh_command() -> None:
    """刷新看板预汇总（供定时任务调用）/ Rebuild the dashboard pre-aggregates (for the scheduler)."""
    from srdi.db.session import session_scope
    from srdi.kit.workdays import beijing_today
    from srdi.monitoring import aggregates

    with session_scope() as db:
        ref = aggregates.refresh(db, beijing_today(), trigger="cli")
        db.commit()
        typer.echo(f"预汇总已刷新：{ref.enterprises} 家企业，用时 {ref.duration_ms} ms / refreshed")
