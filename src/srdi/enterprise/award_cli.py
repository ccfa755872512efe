"""``srdi import-awards``: awards from their own XLSX/CSV file (registered in ``srdi.cli``)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from srdi.enterprise.enums import ImportMode

SHOWN_ERRORS = 30


def import_awards_file(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="获奖记录文件 .xlsx/.csv / award file"
    ),
    mode: ImportMode = typer.Option(
        ImportMode.all_or_nothing,
        "--mode",
        help="all_or_nothing：有错误则全部不导入；valid_rows_only：只导入无误的行 / what to do with bad rows",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="只校验不写入 / validate only"),
    actor: str = typer.Option("cli", "--actor", help="记入变更历史的操作人 / who is recorded in the history"),
) -> None:
    """导入获奖记录（一行一条奖项，企业须已在库中）/ Import awards of registered enterprises."""
    from srdi.auth.service import audit
    from srdi.db.session import session_scope
    from srdi.enterprise.importing.awards import import_awards
    from srdi.kit.errors import AppError

    console = Console()
    try:
        with session_scope() as db:
            out = import_awards(db, file, actor=actor, mode=mode, dry_run=dry_run)
            if out.written:
                audit(
                    db, None, "enterprise.award.import", None,
                    {"filename": file.name, "mode": mode.value, "written": out.written, "via": "cli"},
                    username=actor,
                )  # fmt: skip
    except AppError as exc:
        console.print(f"[red]{exc.message_zh}[/red]")
        raise typer.Exit(2) from None
    console.print(f"共 {out.rows} 行，写入 {out.written} 条，有误 {out.bad_rows} 行")
    for err in out.errors[:SHOWN_ERRORS]:
        console.print(f"  {err.text()}")
    if len(out.errors) > SHOWN_ERRORS:
        console.print(f"  ……另有 {len(out.errors) - SHOWN_ERRORS} 条错误")
    if out.errors and not out.written:
        if mode is ImportMode.all_or_nothing and not dry_run:
            console.print("有错误，全部未导入（可用 --mode valid_rows_only 只导入无误的行）")
        raise typer.Exit(1)
