"""``srdi demo``: fill the registry with synthetic demo enterprises (registered in ``srdi.cli``)."""

from __future__ import annotations

import time
from datetime import date

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from srdi.enterprise.enums import LABELS
from srdi.kit.workdays import beijing_today

CITY_NAMES = {"4403": "深圳市", "4419": "东莞市", "5001": "重庆市（市辖区）", "5002": "重庆市（县）"}


def demo(
    count: int = typer.Option(
        5000, "--count", "-n", min=0, help="生成企业数 / number of enterprises (max 1,000,000 for benchmarks)"
    ),
    seed: int = typer.Option(
        42, "--seed", help="随机种子：同一种子生成相同数据 / seed: same seed, same data"
    ),
    reset: bool = typer.Option(
        False,
        "--reset",
        help="先删除已有演示数据（只删合成企业，不动真实数据）/ first remove previous synthetic enterprises only",
    ),
    years: int = typer.Option(
        3,
        "--years",
        min=1,
        max=10,
        help="年度数据的年数（截至上一完整年度）/ fiscal years of figures, up to the last completed year",
    ),
    as_of: str = typer.Option(
        None, "--as-of", help="基准日期 YYYY-MM-DD，默认今天 / reference date, default today"
    ),
    chunk_size: int = typer.Option(
        1000, "--chunk-size", min=1, help="每批写入企业数 / enterprises per bulk insert"
    ),
) -> None:
    """生成演示数据：深圳、东莞、重庆的合成企业（标记为演示数据）/ Load synthetic demo enterprises.

    企业、年度数据、知识产权、奖项、荣誉、细分市场、认定记录均为合成数据，is_synthetic=True 并带“演示数据”标签；
    约5%的企业带有故意埋入的数据问题（标签“数据待核”），供业务人员练习核查。重复运行不会重复写入。
    """
    from sqlalchemy import inspect

    from srdi.db.session import get_engine
    from srdi.demo import hooks
    from srdi.demo.generator import PROBLEMS, DemoSpec, generate
    from srdi.demo.loader import count_synthetic, load
    from srdi.demo.loader import reset as reset_demo

    console = Console()
    if count > 1_000_000:
        console.print("[red]--count 最大为 1,000,000 / --count is at most 1,000,000[/red]")
        raise typer.Exit(2)
    try:
        day = date.fromisoformat(as_of) if as_of else beijing_today()
    except ValueError:
        console.print(f"[red]日期格式应为 YYYY-MM-DD：{as_of} / --as-of must be YYYY-MM-DD[/red]")
        raise typer.Exit(2) from None
    spec = DemoSpec(count=count, seed=seed, years=years, as_of=day)

    engine = get_engine()
    if not inspect(engine).has_table("enterprise"):
        console.print(
            "[red]数据库尚未初始化，请先运行 srdi db upgrade / database not migrated: run `srdi db upgrade`[/red]"
        )
        raise typer.Exit(1)

    started = time.perf_counter()
    with engine.connect() as conn:
        removed = 0
        if reset:
            removed = reset_demo(conn)
            conn.commit()
            console.print(f"已删除演示企业 {removed:,} 家 / removed {removed:,} synthetic enterprises")
        with Progress(
            TextColumn("[bold]生成并写入演示企业 / loading[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("demo", total=count)
            result = load(
                conn,
                generate(spec),
                chunk_size=chunk_size,
                seed=seed,
                on_chunk=lambda n: progress.advance(task, n),
                commit_each_chunk=True,
            )
        messages = hooks.run_hooks(conn, result, reset=reset)
        conn.commit()
        total_synthetic = count_synthetic(conn)
    elapsed = time.perf_counter() - started

    s = result.summary
    console.print(
        f"新增 {result.inserted:,} 家，已存在跳过 {result.skipped_existing:,} 家，写入 {result.rows:,} 行，"
        f"用时 {elapsed:.1f} 秒（{result.rows / max(elapsed, 1e-9):,.0f} 行/秒）；库中演示企业共 {total_synthetic:,} 家 / "
        f"inserted {result.inserted:,}, skipped {result.skipped_existing:,} existing, {result.rows:,} rows "
        f"in {elapsed:.1f} s; {total_synthetic:,} synthetic enterprises in the database"
    )
    console.print(
        f"基准日期 {day.isoformat()}，年度数据 {', '.join(map(str, spec.fiscal_years))} 年；种子 {seed}"
    )
    if s.enterprises:
        overview = Table(title="新增演示企业概况 / overview of the new enterprises")
        overview.add_column("项目 / item")
        overview.add_column("分布 / counts")
        overview.add_row(
            "城市", "，".join(f"{CITY_NAMES.get(k, k)} {v:,}" for k, v in sorted(s.cities.items()))
        )
        overview.add_row(
            "规模（划型）",
            "，".join(f"{LABELS.get(k, '数据不足')} {v:,}" for k, v in s.size_classes.most_common()),
        )
        overview.add_row("有效认定", "，".join(f"{LABELS.get(k, k)} {v:,}" for k, v in s.tiers.most_common()))
        console.print(overview)

        problems = Table(title="埋入的数据问题（标签“数据待核”）/ planted data problems (tag 数据待核)")
        problems.add_column("问题 / problem")
        problems.add_column("企业数 / n", justify="right")
        problems.add_column("示例 / examples")
        for key, label in PROBLEMS.items():
            if s.problems[key]:
                problems.add_row(label, f"{s.problems[key]:,}", "\n".join(s.problem_examples.get(key, [])))
        problems.add_row("合计 / total", f"{sum(s.problems.values()):,}", "")
        console.print(problems)
    for message in messages:
        console.print(message)
