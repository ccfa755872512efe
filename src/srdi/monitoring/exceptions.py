"""User-facing refusals of the monitoring domain (Chinese for people, English for logs)."""

from __future__ import annotations

from srdi.kit.errors import NotFoundError, ValidationFailed


class UnknownMeasure(ValidationFailed):
    code = "unknown_measure"

    def __init__(self, measure: str, known: list[str]) -> None:
        super().__init__(
            f"指标“{measure}”不存在，可用指标：{'、'.join(known)}",
            f"measure {measure!r} does not exist",
            details={"measure": measure, "known": known},
        )


class NotReportable(ValidationFailed):
    code = "not_reportable"

    def __init__(self, measure: str, label: str) -> None:
        super().__init__(
            f"指标“{label}”由系统根据企业库、诉求或拨付数据计算，不能手工填报",
            f"measure {measure} is computed, not reported",
        )


class RegionOutOfScope(NotFoundError):
    code = "region_out_of_scope"

    def __init__(self, region: str) -> None:
        super().__init__(f"地区 {region} 不在您的管辖范围内", f"region {region} outside the caller's scope")


class InvalidPeriod(ValidationFailed):
    code = "invalid_period"

    def __init__(self, period: str) -> None:
        super().__init__(
            f"期间“{period}”格式不对：请写成 2026（年）、2026H1（半年）、2026Q3（季度）或 2026-09（月）",
            f"period {period!r} is not YYYY, YYYYHn, YYYYQn or YYYY-MM",
        )


class NoDataForPeriod(ValidationFailed):
    code = "no_data_for_period"

    def __init__(self, period: str, region_name: str, why: str) -> None:
        super().__init__(
            f"{region_name}在 {period} 没有可通报的数据（{why}）",
            f"no data for {period} in {region_name}",
        )


class ScopeTooLarge(ValidationFailed):
    code = "scope_too_large"

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


class ReportNotFound(NotFoundError):
    def __init__(self, report_id: object) -> None:
        super().__init__("未找到该通报", f"report {report_id} not found")


class ReportNotReady(ValidationFailed):
    code = "report_not_ready"

    def __init__(self, status: str) -> None:
        super().__init__(f"通报尚未生成完毕（当前状态：{status}）", f"report not ready ({status})")


class PdfUnavailable(ValidationFailed):
    code = "pdf_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "本服务器未安装 PDF 组件（reportlab），暂不能生成 PDF；请先生成 XLSX 或网页版",
            "reportlab is not installed",
        )
