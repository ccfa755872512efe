"""``srdi evaluate`` and ``srdi rules``: tier evaluation and the rule files from the command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from srdi.criteria.enums import Purpose
from srdi.kit.workdays import beijing_today
from srdi.rules_engine.trace import Outcome

console = Console()
rules_app = typer.Typer(help="规则文件 / Rule files: show and test", no_args_is_help=True)


def _parse_date(value: str | None) -> date:
    if value is None:
        return beijing_today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD: {value}") from exc


def _load_facts(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise typer.BadParameter(f"无法读取事实文件 / cannot read facts file {path}: {exc}") from exc
    docs = data if isinstance(data, list) else [data]
    if not all(isinstance(d, dict) for d in docs):
        raise typer.BadParameter(
            "事实文件应为一个对象或对象列表 / facts file must hold an object or a list of objects"
        )
    return docs


def evaluate(
    facts: Path = typer.Option(
        None,
        "--facts",
        help="企业事实文件（JSON/YAML，一个或多个）；省略则评价整个企业库 / "
        "facts document(s); omit to evaluate the registry",
    ),
    as_of: str = typer.Option(None, "--as-of", help="评价基准日 YYYY-MM-DD（默认今天）/ as-of date"),
    purpose: Purpose = typer.Option(
        Purpose.new_application, help="申报或复核 / new_application or re_review"
    ),
    region: str = typer.Option(None, help="只评价该区划前缀内的企业 / only this region prefix (registry)"),
    output: Path = typer.Option(
        None, "--output", "-o", help="输出文件 .json/.csv/.xlsx/.parquet / output file"
    ),
    engine: str = typer.Option(
        "embedded",
        "--engine",
        help="企业库批量评价的执行引擎：embedded（本机 Polars）或 spark / registry batch engine",
    ),
    master: str = typer.Option(
        "local[2]", "--master", help="Spark master（--engine spark），如 local[2]、spark://host:7077"
    ),
    parquet_dir: Path = typer.Option(
        None,
        "--parquet-dir",
        help="Spark 读写的 Parquet 目录（企业库导出与结果；默认临时目录）/ Parquet directory for Spark",
    ),
) -> None:
    """评价梯度（单个事实文件或整个企业库）/ Evaluate tiers for facts files or the whole registry."""
    from srdi.criteria.output import output_format, write_rows

    day = _parse_date(as_of)
    if engine not in ("embedded", "spark"):
        raise typer.BadParameter(
            f"执行引擎应为 embedded 或 spark / engine must be embedded or spark: {engine}"
        )
    if engine == "spark" and facts is not None:
        raise typer.BadParameter(
            "--engine spark 只用于企业库批量评价 / --engine spark is for the registry batch"
        )
    if output is not None:
        try:
            output_format(output)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
    if facts is None:
        _evaluate_registry(day, purpose, region, output, engine, master, parquet_dir)
        return
    rows, documents = _evaluate_facts(_load_facts(facts), day, purpose)
    if output is not None:
        write_rows(output, rows, documents)
        console.print(f"结果已写入 / written: {output}（{len(rows)} 行 rows）")


def _evaluate_facts(
    docs: list[dict[str, Any]], day: date, purpose: Purpose
) -> tuple[list[dict[str, Any]], Any]:
    from srdi.criteria.service import assess_facts
    from srdi.kit.errors import AppError

    rows: list[dict[str, Any]] = []
    outs = []
    for doc in docs:
        try:
            out = assess_facts(doc, as_of=day, purpose=purpose)
        except AppError as exc:
            console.print(f"[red]{exc.message_zh}[/red] / {exc.message_en}")
            raise typer.Exit(2) from exc
        outs.append(out.model_dump(mode="json"))
        table = Table(title=f"{doc.get('name') or doc.get('uscc') or '企业'} — {day} {out.regime}")
        for col in ("梯度 tier", "结果 status", "得分 total", "规则集 rule set", "说明 notes"):
            table.add_column(col)
        for t in out.tiers:
            note = "待核实 " if t.needs_verification else ""
            if t.status == "unknown":
                note += "需补充：" + "、".join(t.deciding_inputs)
            table.add_row(
                t.tier_label,
                Outcome(t.status).label,
                "" if t.total is None else str(t.total),
                t.rule_set_id,
                note,
            )
            rows.append(
                {
                    "uscc": doc.get("uscc"),
                    "name": doc.get("name"),
                    "region_code": doc.get("region_code"),
                    "tier": t.tier,
                    "tier_label": t.tier_label,
                    "rule_set_id": t.rule_set_id,
                    "status": t.status,
                    "total": t.total,
                    "needs_verification": bool(t.needs_verification),
                    "gap": t.gap,
                }
            )
        console.print(table)
        derived = out.tiers[0].result.get("derived_facts", []) if out.tiers else []
        for d in derived:
            console.print(f"  · 系统计算 {d['name']}：{d['label']} — {d['explanation']}")
        for t in out.tiers:
            if t.note:
                console.print(f"  · {t.tier_label}（{t.rule_set_id}）：{t.note}")
            for sentence in t.gap[:5]:
                console.print(f"  · {t.tier_label}：{sentence}")
    return rows, outs if len(outs) > 1 else outs[0]


def _evaluate_registry(
    day: date,
    purpose: Purpose,
    region: str | None,
    output: Path | None,
    engine: str,
    master: str,
    parquet_dir: Path | None,
) -> None:
    """The registry batch: results stored in ``batch_result``, streamed to ``output`` chunk by chunk, and the
    funnel printed from the run's aggregate summary (no result row is read back)."""
    import polars as pl

    from srdi.criteria import batch_service, tasks
    from srdi.criteria.models import BatchRun
    from srdi.criteria.output import RowStream
    from srdi.criteria.service import TIER_ORDER, tier_label
    from srdi.db.session import session_scope

    with session_scope() as db:
        run = batch_service.create_run(db, as_of=day, purpose=purpose, region_prefix=region, actor="cli")
        run_id, total = run.id, run.total
    stream = RowStream(output, {"batch_run": run_id, "as_of": day.isoformat()}) if output else None
    labels = {t: tier_label(t) for t in TIER_ORDER}

    def sink(frame: pl.DataFrame) -> None:
        if stream is not None:
            stream.write(
                frame.with_columns(pl.col("tier").replace_strict(labels, default=None).alias("tier_label"))
            )

    with Progress(
        TextColumn("批量评价 batch"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        task = bar.add_task("evaluate", total=total)
        if engine == "spark":
            from srdi.criteria import spark_batch

            spark_batch.run_batch(
                run_id,
                master=master,
                parquet_dir=parquet_dir,
                on_progress=lambda r: bar.update(task, completed=r.processed),
                sink=sink,
            )
        else:
            tasks.run_batch(run_id, on_progress=lambda r: bar.update(task, completed=r.processed), sink=sink)
    with session_scope() as db:
        done = db.get(BatchRun, run_id)
        assert done is not None
        run = done
        table = Table(title=f"梯度漏斗 tier funnel — {day} {run.regime}（{run.total} 家企业 enterprises）")
        for col in ("梯度 tier", "达到 pass", "未达到 fail", "待补充 unknown", "持有称号 holding"):
            table.add_column(col, justify="right")
        for f in run.summary.get("funnel", []):
            table.add_row(f["label"], str(f["pass"]), str(f["fail"]), str(f["unknown"]), str(f["holding"]))
        console.print(table)
        summary = run.summary
    if stream is not None and output is not None:
        stream.close(summary)
        console.print(f"结果已写入 / written: {output}（{stream.count} 行 rows）")


@rules_app.command("show")
def rules_show(
    rule_set: str = typer.Argument(None, help="规则集编号；省略则列出全部 / rule-set id; omit to list all"),
) -> None:
    """显示规则集（出处、生效日期、核实状态、指标与分档）/ Show rule sets with citations, bands and tags."""
    from srdi.criteria.service import rule_book, rule_set_summaries

    if rule_set is None:
        table = Table(title="规则集 rule sets")
        for col in ("编号 id", "梯度 tier", "名称 title", "文号 instrument", "生效 from", "核实 tag"):
            table.add_column(col)
        for s in rule_set_summaries():
            tag = s.verification + (" 待核实" if s.needs_verification else "")
            table.add_row(s.id, s.tier, s.title, s.instrument, str(s.effective_from or ""), tag)
        console.print(table)
        return
    book = rule_book()
    if rule_set not in book.rule_sets:
        console.print(f"[red]未找到规则集 {rule_set}[/red] / rule set not found")
        raise typer.Exit(2)
    rs = book.rule_sets[rule_set]
    m = rs.meta
    console.print(f"[bold]{m.title}[/bold]  {m.instrument} {m.article}  [{m.verification}]")
    console.print(
        f"{m.url or '（原文未载网址 no address in the source）'}\n生效 effective "
        f"{m.effective_from or '未施行（征求意见稿）not in force (draft)'} — {m.effective_to or '至今'}；最后核对 last checked "
        f"{m.last_checked}；内容哈希 hash {rs.content_hash[:16]}"
    )
    for f in rs.conditions:
        console.print(f"  条件 {f.id}: {f.label}  ⟨{f.text}⟩")
    for f in rs.direct_routes:
        console.print(f"  直通 {f.id}: {f.label}  ⟨{f.text}⟩")
    for ind in rs.indicators:
        console.print(f"  指标 {ind.id}（{ind.category}，满分 {ind.max_points}）: {ind.label}")
        for b in ind.bands:
            console.print(f"      {b.id} {b.points:>3} 分  {b.label}  ⟨{b.when_text or '其他情况'}⟩")
    console.print(f"  通过规则 pass: {rs.pass_formula.text}")


@rules_app.command("test")
def rules_test(
    rules_dir: Path = typer.Option(
        None, "--rules-dir", help="规则目录（默认 SRDI_RULES_DIR）/ rules directory"
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="逐条列出 / list every case"),
) -> None:
    """运行全部规则文件的 YAML 测试用例 / Run every rule file's YAML test cases (as CI does)."""
    from srdi.config import get_settings
    from srdi.rules_engine import RuleError, load_rule_sets
    from srdi.rules_engine.cases import all_cases, check, files_without_cases, run_case

    root = rules_dir or get_settings().rules_dir
    try:
        rule_sets = load_rule_sets(root)
        cases = list(all_cases(root))
    except RuleError as exc:
        console.print(f"[red]规则文件有误 / rule file error:[/red] {exc}")
        raise typer.Exit(2) from exc
    failures: list[str] = []
    for case in cases:
        label = f"{case.file.relative_to(root)} · {case.name}"
        try:
            problems = check(case, run_case(case, rule_sets), rule_sets[case.rule_set])
        except (RuleError, KeyError, ValueError) as exc:
            problems = [f"{type(exc).__name__}: {exc}"]
        if problems:
            failures.append(label)
            console.print(f"[red]✗[/red] {label}")
            for p in problems:
                console.print(f"    {p}")
        elif verbose:
            console.print(f"[green]✓[/green] {label}")
    missing = files_without_cases(root)
    for path in missing:
        console.print(f"[red]✗[/red] {path}: 没有测试用例 / no YAML test cases")
    passed = len(cases) - len(failures)
    console.print(f"规则集 rule sets: {len(rule_sets)}；用例 cases: {len(cases)}")
    console.print(f"{passed} passed, {len(failures) + len(missing)} failed")
    if failures or missing:
        raise typer.Exit(1)
