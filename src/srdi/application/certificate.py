"""认定证书 as PDF (issue 14 deliverable 5): one page, drawn with reportlab as the 通报 is (decision 0023) —
Chinese in STSong-Light, one of the Adobe CJK fonts every PDF reader carries, so no font file is shipped."""

from __future__ import annotations

from datetime import date

from srdi.application.exceptions import InvalidApplication
from srdi.criteria.service import tier_label
from srdi.enterprise.enums import LABELS
from srdi.enterprise.models import Enterprise, Recognition


def pdf_available() -> bool:
    try:
        import reportlab  # noqa: F401
    except ImportError:
        return False
    return True


def certificate_pdf(ent: Enterprise, rec: Recognition, *, printed: date) -> bytes:
    if not pdf_available():
        raise InvalidApplication("本服务器未安装 PDF 组件，请使用网页打印", "reportlab is not installed")
    import io

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font = "STSong-Light"
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"{tier_label(rec.tier)}认定证书 {ent.name}")
    c.setAuthor("专精特新企业梯度培育平台")
    width, height = A4
    c.setStrokeColor(colors.HexColor("#b8860b"))
    c.setLineWidth(4)
    c.rect(36, 36, width - 72, height - 72)
    c.setLineWidth(1)
    c.rect(44, 44, width - 88, height - 88)
    c.setFillColor(colors.HexColor("#8b0000"))
    c.setFont(font, 26)
    c.drawCentredString(width / 2, height - 140, tier_label(rec.tier))
    c.setFillColor(colors.black)
    c.setFont(font, 20)
    c.drawCentredString(width / 2, height - 180, "认 定 证 书")
    c.setFont(font, 15)
    c.drawCentredString(width / 2, height - 250, ent.name)
    c.setFont(font, 11)
    c.drawCentredString(width / 2, height - 272, f"统一社会信用代码 {ent.uscc}")
    c.setFont(font, 13)
    c.drawCentredString(
        width / 2,
        height - 310,
        f"经审核、公示，被认定为{LABELS.get(rec.level, rec.level)}{tier_label(rec.tier)}。",
    )
    rows = [
        ("认定批次", rec.batch or "—"),
        ("公告文号", rec.document_no or "—"),
        ("公告日期", rec.announced_date.isoformat()),
        ("有效期至", rec.valid_until.isoformat()),
        (
            "状态",
            LABELS.get(rec.status, rec.status) + (f"（{rec.revoked_date} 撤销）" if rec.revoked_date else ""),
        ),
    ]
    y = height - 370
    c.setFont(font, 12)
    for k, v in rows:
        c.drawString(150, y, k)
        c.drawString(250, y, v)
        y -= 26
    if rec.status == "revoked":
        c.setFillColor(colors.HexColor("#cc0000"))
        c.setFont(font, 20)
        c.drawCentredString(width / 2, y - 30, "本认定已撤销，证书作废")
        c.setFillColor(colors.black)
    c.setFont(font, 9)
    c.drawCentredString(
        width / 2,
        90,
        "有效期内须按时完成年度更新；发生更名、合并、重组、跨省迁移等重大变化的，应在3个月内报告。",
    )
    c.drawCentredString(
        width / 2, 74, f"本证书由专精特新企业梯度培育平台于{printed}生成，以认定机关公告为准。"
    )
    c.showPage()
    c.save()
    return buf.getvalue()
