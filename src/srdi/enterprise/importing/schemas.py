"""API shapes of registry import jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ImportErrorOut(BaseModel):
    row: int | None = Field(description="文件中的行号（与表格软件中看到的一致，表头为第1行）；空表示整个文件")
    column: str | None = Field(description="列名（文件中的写法）")
    value: str | None = Field(description="单元格内容")
    message: str = Field(description="错误说明", examples=["统一社会信用代码校验位错误（GB 32100-2015）"])


class ImportSummaryOut(BaseModel):
    total_rows: int = Field(description="数据行数（不含表头和空行）")
    valid_rows: int = Field(description="无误的行数")
    error_rows: int = Field(description="有错误的行数")
    error_count: int = Field(description="错误条数（一行可有多条）")
    enterprises_created: int = Field(description="新建企业数")
    enterprises_updated: int = Field(description="有变化的已有企业数")
    enterprises_unchanged: int = Field(description="无变化的已有企业数")
    years_created: int = Field(description="新增的年度数据行数")
    years_updated: int = Field(description="更新的年度数据行数")
    would_create: int = Field(description="试导入：将新建的企业数")
    would_update: int = Field(description="试导入：将更新的已有企业数")


class ImportJobOut(BaseModel):
    id: int = Field(description="导入任务编号")
    filename: str
    file_format: str = Field(description="csv / xlsx")
    encoding: str | None = Field(description="CSV 的文件编码（utf-8、utf-8-sig、gb18030…）")
    mode: str = Field(description="all_or_nothing / valid_rows_only")
    mode_label: str
    dry_run: bool = Field(description="是否为试导入（不写入）")
    status: str = Field(
        description="pending/running/validated/succeeded/partially_succeeded/rejected/failed/interrupted"
    )
    status_label: str
    phase: str | None = Field(None, description="进行中的阶段：validating（校验）/ writing（写入）")
    total_rows: int | None = Field(description="总行数（CSV 在读完前未知）")
    processed_rows: int = Field(description="已处理行数")
    valid_rows: int
    error_rows: int
    created_count: int = Field(description="新建企业数")
    updated_count: int = Field(description="更新企业数")
    message: str | None = Field(None, description="结果说明")
    summary: ImportSummaryOut | None = None
    created_at: datetime
    finished_at: datetime | None
    report_url: str = Field(description="错误清单（JSON）")
    report_xlsx_url: str = Field(description="错误清单（Excel 下载）")


class ImportReportOut(BaseModel):
    job_id: int
    status: str
    message: str | None
    file: dict[str, Any] = Field(default_factory=dict, description="文件信息：格式、编码、工作表、大小")
    summary: ImportSummaryOut | None
    rejected_rows: list[int] = Field(description="被拒绝（未导入）的全部行号")
    errors: list[ImportErrorOut] = Field(description="逐行逐列的错误")
    errors_truncated: bool = Field(description="错误过多时仅保存前 100,000 条")


class AwardImportErrorOut(BaseModel):
    row: int = Field(description="文件中的行号（表头为第1行）")
    column: str | None = Field(description="列名；空表示整行")
    message: str = Field(description="错误说明", examples=["“创客中国”大赛获奖须填写组别（企业组或创客组）"])


class AwardImportOut(BaseModel):
    rows: int = Field(description="数据行数（不含表头和空行）")
    written: int = Field(description="写入的获奖记录数")
    bad_rows: int = Field(description="有误的行数")
    errors: list[AwardImportErrorOut] = Field(description="逐行错误（最多200条）")
    message: str = Field(description="结果说明")
