"""The periodic 通报 (PRODUCT C8): one period and region, as XLSX (a sheet per section), a printable HTML page,
or a PDF of the same content (reportlab, decision 0023).

``create`` checks everything a report needs before it writes its row — the period, the region against the
caller's area, the size of the scope and whether there is data — so a refused request leaves nothing behind.
``build`` (run by the background task) computes the sections, renders the file and archives it with who asked
for it and from which data (the registry position, the enterprises counted, the aggregate used).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from srdi.db.base import utcnow
from srdi.enterprise.models import Enterprise
from srdi.kit.spreadsheet import neutralise
from srdi.kit.workdays import beijing_today
from srdi.monitoring import repository, service, targets
from srdi.monitoring.enums import ReportFormat, ReportStatus
from srdi.monitoring.exceptions import (
    NoDataForPeriod,
    PdfUnavailable,
    ReportNotFound,
    ReportNotReady,
    ScopeTooLarge,
)
from srdi.monitoring.models import DistrictReport
from srdi.monitoring.schemas import OverviewOut, ReportOut

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


def pdf_available() -> bool:
    try:
        import reportlab  # noqa: F401
    except ImportError:
        return False
    return True


def check_request(
    db: Session, period_text: str, region: str, fmt: str, scope: list[str] | None, today: date
) -> targets.Period:
    """Every refusal a report can meet, before anything is written."""
    period = targets.parse_period(period_text)
    region = service.normalize_region(region) or region
    service.check_region(region, scope)
    if fmt == ReportFormat.pdf and not pdf_available():
        raise PdfUnavailable()
    rules = targets.rules().report
    name = service.region_name(region)
    if period.start > today:
        raise NoDataForPeriod(
            period.key, name, f"该期间自 {period.start.isoformat()} 开始，尚未到来，未生成报告"
        )
    districts = int(
        db.scalar(
            select(func.count(func.distinct(Enterprise.region_code))).where(
                Enterprise.region_code.startswith(region)
            )
        )
        or 0
    )
    if districts == 0:
        raise NoDataForPeriod(period.key, name, "企业库中该地区没有企业，未生成报告")
    limit = int(rules.get("max_districts", 60))
    child_len = {2: 4, 4: 6}.get(len(region))
    groups = (
        int(
            db.scalar(
                select(func.count(func.distinct(func.substr(Enterprise.region_code, 1, child_len)))).where(
                    Enterprise.region_code.startswith(region)
                )
            )
            or 0
        )
        if child_len
        else 1
    )
    if groups > limit:
        raise ScopeTooLarge(
            f"{name}下有 {groups} 个地区，超过一份通报最多 {limit} 个的限制；请选择下一级地区分别出具",
            f"{groups} regions under {region}, more than {limit}",
        )
    return period


def create(
    db: Session, period_text: str, region: str, fmt: str, scope: list[str] | None, actor: str
) -> DistrictReport:
    period = check_request(db, period_text, region, fmt, scope, beijing_today())
    rep = DistrictReport(
        period=period.key,
        region_code=service.normalize_region(region) or region,
        fmt=fmt,
        created_by=actor,
        status="queued",
        data={},
    )
    db.add(rep)
    db.flush()
    return rep


def out(rep: DistrictReport) -> ReportOut:
    return ReportOut(
        id=rep.id,
        period=rep.period,
        region_code=rep.region_code,
        region_name=service.region_name(rep.region_code),
        fmt=rep.fmt,
        status=rep.status,
        status_label=ReportStatus(rep.status).label,
        progress=rep.progress,
        step=rep.step,
        created_by=rep.created_by,
        created_at=rep.created_at,
        finished_at=rep.finished_at,
        data=dict(rep.data or {}),
        filename=rep.filename,
        error=rep.error,
    )


def archive(db: Session, scope: list[str] | None) -> list[DistrictReport]:
    q = select(DistrictReport).order_by(DistrictReport.id.desc()).limit(200)
    if scope is not None:
        q = q.where(
            or_(*[DistrictReport.region_code.startswith(p) for p in scope])
            if scope
            else DistrictReport.id < 0
        )
    return list(db.scalars(q).all())


def get_visible(db: Session, report_id: int, scope: list[str] | None) -> DistrictReport:
    rep = db.get(DistrictReport, report_id)
    if rep is None or (scope is not None and not any(rep.region_code.startswith(p) for p in scope)):
        raise ReportNotFound(report_id)
    return rep


def content_of(rep: DistrictReport) -> bytes:
    if rep.status != ReportStatus.done or rep.content is None:
        raise ReportNotReady(ReportStatus(rep.status).label)
    return rep.content


# --- building ------------------------------------------------------------------------------------------------


def build(db: Session, rep: DistrictReport, commit: Callable[[], None], today: date | None = None) -> None:
    """Compute and render ``rep``; progress is committed between the steps."""
    today = today or beijing_today()

    def step(pct: int, text: str) -> None:
        rep.status, rep.progress, rep.step = ReportStatus.running.value, pct, text
        commit()

    step(5, "读取企业库")
    period = targets.parse_period(rep.period)
    position = repository.registry_position(db)
    step(20, "汇总称号、进出、同比、诉求与资金")
    ov = service.overview(db, rep.region_code, None, period, today)
    step(70, "生成文件")
    content = render(ov, rep.fmt, rep.created_by)
    rep.content = content
    rep.filename = f"{ov.region_name}{period.label}专精特新企业发展情况通报.{rep.fmt}"
    rep.data = {
        "registry_change_log_id": position,
        "enterprises": ov.total,
        "as_of": ov.as_of.isoformat(),
        "aggregate": ov.freshness.source,
        "aggregate_refreshed_at": ov.freshness.refreshed_at.isoformat()
        if ov.freshness.refreshed_at
        else None,
        "targets": len(ov.targets),
        "appeals": ov.appeals.filed,
        "bytes": len(content),
    }
    rep.status, rep.progress, rep.step, rep.finished_at = ReportStatus.done.value, 100, "已完成", utcnow()
    commit()


def render(ov: OverviewOut, fmt: str, author: str) -> bytes:
    sections = sections_of(ov)
    if fmt == ReportFormat.xlsx:
        return to_xlsx(ov, sections)
    if fmt == ReportFormat.pdf:
        return to_pdf(ov, sections, author)
    return to_html(ov, sections, author).encode("utf-8")


def _n(v: Decimal | None, suffix: str = "") -> str:
    return "—" if v is None else f"{v}{suffix}"


def headline(ov: OverviewOut) -> list[str]:
    tiers = "，".join(f"{t.label} {t.count} 家" for t in ov.by_tier if t.count)
    lines = [
        f"截至 {ov.as_of.isoformat()}，{ov.region_name}企业库共有企业 {ov.total} 家；{tiers or '暂无有效称号企业'}。"
    ]
    moves = "；".join(
        f"{m.tier_label}新认定 {m.new} 家、届满 {m.expired} 家、撤销 {m.revoked} 家" for m in ov.movements
    )
    if moves:
        lines.append(f"{ov.period_label}，{moves}。")
    lines += ov.growth.sentences
    a = ov.appeals
    if a.filed:
        lines.append(
            f"{ov.period_label}共受理企业诉求 {a.filed} 件，办结 {a.done} 件，办结率 {_n(a.closure_rate, '%')}，"
            f"按时办结率 {_n(a.on_time_rate, '%')}，满意率 {_n(a.satisfaction_rate, '%')}。"
        )
    behind = [t for t in ov.targets if t.status == "behind"]
    done = [t for t in ov.targets if t.status == "done"]
    if ov.targets:
        lines.append(f"{len(ov.targets)} 项目标中已完成 {len(done)} 项，滞后于时间进度 {len(behind)} 项。")
    return lines


Section = tuple[str, list[str], list[list[Any]]]


def sections_of(ov: OverviewOut) -> list[Section]:
    tier_keys = [t.key for t in ov.by_tier]
    tier_labels = [t.label for t in ov.by_tier]
    return [
        ("概况", ["内容"], [[s] for s in headline(ov)] + [[ov.growth.method]]),
        (
            "称号分布",
            ["地区", "企业总数", *tier_labels],
            [[ov.region_name, ov.total, *[t.count for t in ov.by_tier]]]
            + [[c.name, c.total, *[c.tiers.get(k, 0) for k in tier_keys]] for c in ov.children],
        ),
        (
            "称号趋势",
            ["日期", *tier_labels],
            [[p.on.isoformat(), *[p.tiers.get(k, 0) for k in tier_keys]] for p in ov.trend],
        ),
        (
            "进出情况",
            ["称号", "新认定", "有效期届满", "撤销", "净增"],
            [[m.tier_label, m.new, m.expired, m.revoked, m.net] for m in ov.movements],
        ),
        (
            "同比增长",
            ["指标", "专精特新企业（%）", "全部监测中小企业（%）", "差（百分点）"],
            [[r.label, _n(r.srdi), _n(r.all_smes), _n(r.difference_pp)] for r in ov.growth.rows]
            + [
                [
                    f"{ov.growth.fiscal_year or '—'}年度同口径样本：专精特新 {ov.growth.srdi_sample} 家，全部 {ov.growth.all_sample} 家"
                ]
            ],
        ),
        (
            "目标进度",
            ["地区", "指标", "对象", "目标", "完成", "完成进度（%）", "时间进度（%）", "状态", "出处"],
            [
                [
                    t.region_name,
                    t.measure_label,
                    t.subject,
                    f"{t.value}{t.unit}",
                    _n(t.actual),
                    _n(t.percent),
                    str(t.elapsed_percent),
                    t.status_label,
                    t.source + ("（待核实）" if t.verification == "V-1" else ""),
                ]
                for t in ov.targets
            ],
        ),
        (
            "地区排名",
            ["排名", "地区", "指标", "目标", "完成", "完成进度（%）"],
            [
                [i + 1, r.name, r.measure_label, str(r.target), _n(r.actual), _n(r.percent)]
                for i, r in enumerate(ov.ranking)
            ],
        ),
        (
            "诉求办理",
            ["受理", "不予受理", "办结", "按时办结", "办结率（%）", "按时办结率（%）", "满意率（%）"],
            [
                [
                    ov.appeals.filed,
                    ov.appeals.rejected,
                    ov.appeals.done,
                    ov.appeals.on_time,
                    _n(ov.appeals.closure_rate),
                    _n(ov.appeals.on_time_rate),
                    _n(ov.appeals.satisfaction_rate),
                ]
            ],
        ),
        (
            "资金拨付",
            ["政策", "拨付（万元）", "预算（万元）", "占预算（%）"],
            [
                [
                    m.title,
                    str(m.disbursed / 10000),
                    _n(None if m.budget is None else m.budget / 10000),
                    _n(m.percent),
                ]
                for m in ov.money
            ],
        ),
    ]


def to_xlsx(ov: OverviewOut, sections: list[Section]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sections:
        ws = wb.create_sheet(title)
        ws.append([neutralise(f"{ov.region_name}{ov.period_label}专精特新企业发展情况通报 — {title}")])
        ws["A1"].font = Font(bold=True)
        ws.append([neutralise(h) for h in header])
        for row in rows:
            ws.append([neutralise(v) for v in row])
        ws.column_dimensions["A"].width = 40 if title != "概况" else 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _bars_svg(items: list[tuple[str, float, str]], width: int = 640) -> str:
    """Horizontal bars (label, percent, caption), 100% = the full width."""
    h = 26
    rows = []
    top = max([100.0] + [v for _, v, _ in items])
    for i, (label, value, caption) in enumerate(items):
        w = int((width - 220) * value / top)
        y = i * h
        rows.append(
            f'<text x="0" y="{y + 17}" font-size="13">{html.escape(label)}</text>'
            f'<rect x="140" y="{y + 4}" width="{w}" height="18" fill="{"#2f7d32" if value >= 100 else "#1f5fa8"}"/>'
            f'<text x="{146 + w}" y="{y + 17}" font-size="12">{html.escape(caption)}</text>'
        )
    line = 140 + int((width - 220) * 100 / top)
    rows.append(
        f'<line x1="{line}" y1="0" x2="{line}" y2="{h * len(items)}" stroke="#c00" stroke-dasharray="4"/>'
    )
    return f'<svg width="{width}" height="{h * len(items) + 4}" role="img">{"".join(rows)}</svg>'


def to_html(ov: OverviewOut, sections: list[Section], author: str) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{e(ov.region_name)}{e(ov.period_label)}通报</title>",
        "<style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em;}td,th{border:1px solid #999;padding:2px 8px;}"
        "h2{border-left:4px solid #1f5fa8;padding-left:.4em;}@media print{h2{break-after:avoid;}}</style></head><body>",
        f"<h1>{e(ov.region_name)}{e(ov.period_label)}专精特新企业发展情况通报</h1>",
        f"<p>数据截至 {ov.as_of.isoformat()}；生成人 {e(author)}；数据来源：企业库、诉求与免申即享拨付记录。</p>",
    ]
    ranked = [(r.name, float(r.percent or 0), f"{_n(r.percent, '%')} {r.measure_label}") for r in ov.ranking]
    for title, header, rows in sections:
        parts.append(f"<h2>{e(title)}</h2>")
        if title == "概况":
            parts += [f"<p>{e(str(r[0]))}</p>" for r in rows]
            continue
        if title == "地区排名" and ranked:
            parts.append(_bars_svg(ranked))
        if title == "目标进度" and ov.targets:
            parts.append(
                _bars_svg(
                    [
                        (t.measure_label[:9], float(t.percent or 0), f"{_n(t.percent, '%')}")
                        for t in ov.targets
                    ]
                )
            )
        parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def to_pdf(ov: OverviewOut, sections: list[Section], author: str) -> bytes:
    try:
        from reportlab.graphics.shapes import Drawing, Line, Rect, String
        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    except ImportError as exc:  # pragma: no cover - checked before the row is written
        raise PdfUnavailable() from exc

    # STSong-Light is one of the Adobe CJK fonts every PDF reader carries: no font file is needed.
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10, leading=15)
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, spaceAfter=8)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    e = html.escape

    def bars(items: list[tuple[str, float, str]]) -> Drawing:
        h, width = 18, 640
        d = Drawing(width, h * len(items) + 4)
        top = max([100.0] + [v for _, v, _ in items])
        for i, (label, value, caption) in enumerate(reversed(items)):
            w = (width - 220) * value / top
            d.add(String(0, i * h + 5, label, fontName="STSong-Light", fontSize=9))
            d.add(
                Rect(
                    140,
                    i * h + 2,
                    w,
                    12,
                    fillColor=colors.HexColor("#2f7d32" if value >= 100 else "#1f5fa8"),
                    strokeColor=None,
                )
            )
            d.add(String(144 + w, i * h + 5, caption, fontName="STSong-Light", fontSize=8))
        x = 140 + (width - 220) * 100 / top
        d.add(Line(x, 0, x, h * len(items), strokeColor=colors.red, strokeDashArray=[3, 3]))
        return d

    story: list[Any] = [
        Paragraph(e(f"{ov.region_name}{ov.period_label}专精特新企业发展情况通报"), h1),
        Paragraph(
            e(
                f"数据截至 {ov.as_of.isoformat()}；生成人 {author}；数据来源：企业库、诉求与免申即享拨付记录。"
            ),
            body,
        ),
    ]
    for title, header, rows in sections:
        story.append(Paragraph(e(title), h2))
        if title == "概况":
            story += [Paragraph(e(str(r[0])), body) for r in rows]
            continue
        if title == "地区排名" and ov.ranking:
            story.append(bars([(r.name, float(r.percent or 0), _n(r.percent, "%")) for r in ov.ranking]))
        if title == "目标进度" and ov.targets:
            story.append(
                bars([(t.measure_label[:9], float(t.percent or 0), _n(t.percent, "%")) for t in ov.targets])
            )
        data = [[Paragraph(e(str(h)), body) for h in header]] + [
            [Paragraph(e(str(v)), body) for v in row] for row in rows
        ]
        table = Table(data, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ]
            )
        )
        story += [table, Spacer(1, 6)]
    buf = io.BytesIO()
    SimpleDocTemplate(
        buf, pagesize=landscape(A4), title=f"{ov.region_name}{ov.period_label}通报", author=author
    ).build(story)
    return buf.getvalue()
