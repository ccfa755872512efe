"""String enums of the monitoring domain."""

from __future__ import annotations

from enum import StrEnum


class MeasureKind(StrEnum):
    tier_count = "tier_count"
    tier_entries = "tier_entries"
    appeal_closure = "appeal_closure"
    disbursed = "disbursed"
    reported = "reported"

    @property
    def label(self) -> str:
        return {
            "tier_count": "梯度企业数",
            "tier_entries": "新增认定数",
            "appeal_closure": "诉求办结率",
            "disbursed": "奖补拨付金额",
            "reported": "填报数据",
        }[self.value]


class ReportStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"

    @property
    def label(self) -> str:
        return {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败"}[self.value]


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    pdf = "pdf"
    html = "html"

    @property
    def label(self) -> str:
        return {"xlsx": "Excel 表格", "pdf": "PDF 文件", "html": "网页"}[self.value]


class ProgressStatus(StrEnum):
    done = "done"
    on_track = "on_track"
    behind = "behind"
    no_data = "no_data"

    @property
    def label(self) -> str:
        return {"done": "已完成", "on_track": "进度正常", "behind": "滞后", "no_data": "暂无数据"}[self.value]
