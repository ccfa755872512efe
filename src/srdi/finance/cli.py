"""``srdi finance whitelist generate|export`` (registered in ``srdi.cli``)."""

from __future__ import annotations

from pathlib import Path

import typer

finance_app = typer.Typer(help="产融对接 / Financing", no_args_is_help=True)
whitelist_app = typer.Typer(help="白名单 / Whitelists", no_args_is_help=True)
finance_app.add_typer(whitelist_app, name="whitelist")


@whitelist_app.command("generate")
def generate_command(
    list_key: str = typer.Option(
        ..., "--list", help="白名单 / list key (dg_industry_finance, dg_risk_compensation)"
    ),
    period: str = typer.Option(None, help="期次 / period, e.g. 2026Q4 (default: the current one)"),
) -> None:
    """生成一期白名单草稿（须由官员审定后银行才可见）/ Generate a period's whitelist as a draft."""
    from srdi.db.session import session_scope
    from srdi.finance import service

    with session_scope() as db:
        run = service.generate_whitelist(db, list_key, period, None, region_prefixes=None)
        typer.echo(
            f"{run.list_key} {run.period}: 在列 {run.members} 家，新进 {run.entered}，退出 {run.exited}，"
            f"待定 {run.undecided}（草稿，批次 {run.id}）/ {run.members} members, {run.entered} in, "
            f"{run.exited} out, {run.undecided} undecided (draft, run {run.id})"
        )


@whitelist_app.command("export")
def export_command(
    list_key: str = typer.Option(..., "--list", help="白名单 / list key"),
    period: str = typer.Option(..., help="期次 / period"),
    out: Path = typer.Option(..., help="XLSX 文件 / output file"),
) -> None:
    """导出一期白名单 XLSX（防公式注入，导出留痕）/ Export a period's whitelist (formula-safe, audited)."""
    from srdi.auth.service import audit
    from srdi.db.session import session_scope
    from srdi.finance import repository, service

    with session_scope() as db:
        run = repository.run_for(db, list_key, period)
        if run is None:
            typer.echo(f"未找到 {list_key} {period} / no such run", err=True)
            raise typer.Exit(2)
        rows = service.run_entries(db, run, None, None)
        out.write_bytes(service.whitelist_xlsx(run, service.whitelist(list_key), rows))
        audit(
            db,
            None,
            "finance.whitelist_export",
            ("whitelist_run", run.id),
            {"list": list_key, "period": period, "rows": len(rows), "file": str(out)},
            username="cli",
        )
        typer.echo(f"{len(rows)} 行 → {out}")
