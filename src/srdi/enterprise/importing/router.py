"""HTTP endpoints of registry import and export: template, upload, job progress and report, export.

An upload is saved to a temporary file and imported in a background task in its own transaction (one job, one
transaction: docs/decisions/0005-import-transactions.md); the client polls ``GET /imports/{id}`` for progress.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from srdi.auth.dependencies import require_roles
from srdi.auth.enums import OFFICIALS, Role
from srdi.auth.service import Principal, audit
from srdi.db.session import DbSession, SessionFactory, session_scope
from srdi.enterprise import export_service
from srdi.enterprise.dependencies import RegistryFilter
from srdi.enterprise.enums import ImportMode, ImportStatus
from srdi.enterprise.importing import awards as award_import
from srdi.enterprise.importing import jobs as import_jobs
from srdi.enterprise.importing import service as import_service
from srdi.enterprise.importing.progress import live_progress
from srdi.enterprise.importing.schemas import (
    AwardImportErrorOut,
    AwardImportOut,
    ImportJobOut,
    ImportReportOut,
)
from srdi.enterprise.models import ImportJob
from srdi.enterprise.tabular import TabularError, sniff_format
from srdi.kit.errors import AppError, ErrorOut, NotFoundError, ValidationFailed
from srdi.kit.pagination import Page
from srdi.kit.params import PageNo, PageSize
from srdi.kit.text import control_error

log = logging.getLogger("srdi.import")

router = APIRouter(tags=["数据导入导出 import/export"])

IMPORTERS = (Role.admin, *OFFICIALS)
EXPORTERS = (Role.admin, *OFFICIALS, Role.service_commissioner, Role.enterprise, Role.chain_leader)
Importer = Annotated[Principal, Depends(require_roles(*IMPORTERS))]
Exporter = Annotated[Principal, Depends(require_roles(*EXPORTERS))]
JobId = Annotated[int, PathParam(description="导入任务编号", ge=1, le=2**31 - 1)]

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_AUDIT_ACTION = "enterprise.export"
IMPORT_AUDIT_ACTION = "enterprise.import"
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "导入任务不存在"}}


def get_session_factory() -> SessionFactory:
    """Where a background import opens its transaction (tests substitute their rolled-back session)."""
    return session_scope


def get_upload_limit() -> int:
    return MAX_UPLOAD_BYTES


class UploadTooLarge(AppError):
    status_code = 413
    code = "upload_too_large"


class UnsupportedUpload(AppError):
    status_code = 415
    code = "import_unsupported_type"


class ImportJobNotFound(NotFoundError):
    def __init__(self, job_id: int):
        super().__init__("未找到该导入任务", f"import job not found: {job_id}")


def _download_headers(filename: str) -> dict[str, str]:
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    return {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    }


def _media(fmt: str) -> str:
    return XLSX_MEDIA if fmt == "xlsx" else "text/csv; charset=utf-8"


@router.get(
    "/imports/template",
    summary="下载导入模板（XLSX 或 CSV）",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA: {}, "text/csv": {}}, "description": "模板文件"}},
)
def download_template(
    principal: Importer,
    format: Annotated[Literal["xlsx", "csv"], Query(description="模板格式")] = "xlsx",
) -> Response:
    buf = io.BytesIO()
    export_service.write_template(format, buf)
    return Response(
        buf.getvalue(), media_type=_media(format), headers=_download_headers(f"企业信息导入模板.{format}")
    )


def _save_upload(upload: UploadFile, limit: int) -> Path:
    name = upload.filename or "upload"
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UnsupportedUpload(
            f"不支持的文件类型“{suffix or name}”，请上传 .xlsx 或 .csv 文件",
            f"unsupported upload type {suffix!r}",
        )
    fd, tmp = tempfile.mkstemp(prefix=import_jobs.UPLOAD_PREFIX, suffix=suffix, dir=import_jobs.upload_dir())
    path = Path(tmp)
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := upload.file.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(
                        f"文件超过大小上限 {limit // (1024 * 1024)} MB，请拆分后分批导入，或由管理员用命令行 srdi import 导入",
                        f"upload larger than {limit} bytes",
                    )
                out.write(chunk)
        if size == 0:
            raise UnsupportedUpload("上传的文件为空", "empty upload", code="import_empty_file")
        with path.open("rb") as fh:
            sniff_format(fh.read(8), name)
    except TabularError as exc:
        path.unlink(missing_ok=True)
        raise UnsupportedUpload(exc.message_zh, exc.message_en) from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _run_job(
    factory: SessionFactory,
    job_id: int,
    path: Path,
    filename: str,
    mode: ImportMode,
    dry_run: bool,
    actor: str,
    region_scope: tuple[str, ...] | None,
) -> None:
    # Lease, one transaction, clean-up of the uploaded file in every outcome: srdi.enterprise.importing.jobs.
    import_jobs.run_job(factory, job_id, path, filename, mode, dry_run, actor, region_scope)


@router.post(
    "/imports",
    response_model=ImportJobOut,
    status_code=202,
    summary="上传文件导入企业信息（可试导入）",
    responses={
        413: {"model": ErrorOut, "description": "文件过大"},
        415: {"model": ErrorOut, "description": "文件类型不支持"},
    },
)
def upload_import(
    background: BackgroundTasks,
    principal: Importer,
    factory: Annotated[SessionFactory, Depends(get_session_factory)],
    limit: Annotated[int, Depends(get_upload_limit)],
    file: Annotated[UploadFile, File(description="XLSX，或 UTF-8 / GB18030 编码的 CSV")],
    mode: Annotated[
        ImportMode,
        Form(
            description="all_or_nothing：有任何错误则全部不导入；valid_rows_only：仅导入无误的行并列出被拒绝的行"
        ),
    ] = ImportMode.all_or_nothing,
    dry_run: Annotated[bool, Form(description="试导入：只校验并出具报告，不写入")] = False,
) -> ImportJobOut:
    if err := control_error(file.filename or ""):
        # Multipart fields bypass the JSON check of srdi.kit.limits; the name is stored (PostgreSQL refuses NUL).
        raise ValidationFailed(f"文件名{err}", "control character in the file name")
    path = _save_upload(file, limit)
    filename = (file.filename or "upload")[:300]
    # The job row commits on its own, so that the client can poll it while the import runs.
    with factory() as db:
        job = import_jobs.create_upload_job(
            db, filename=filename, path=path, mode=mode, dry_run=dry_run, actor=principal.username
        )
        audit(
            db, principal, IMPORT_AUDIT_ACTION, ("import_job", job.id),
            {"filename": filename, "mode": mode.value, "dry_run": dry_run, "sha256": job.file_sha256},
        )  # fmt: skip
        out = job_out(job)
    background.add_task(
        _run_job, factory, job.id, path, filename, mode, dry_run, principal.username,
        principal.scope.region_prefixes,
    )  # fmt: skip
    return out


def job_out(job: ImportJob) -> ImportJobOut:
    live = live_progress(job.id) if job.status in ("pending", "running") else None
    summary = (job.report or {}).get("summary")
    return ImportJobOut(
        id=job.id,
        filename=job.filename,
        file_format=job.file_format,
        encoding=job.encoding,
        mode=job.mode,
        mode_label=ImportMode(job.mode).label,
        dry_run=job.dry_run,
        status=ImportStatus.running.value if live else job.status,
        status_label=ImportStatus.running.label if live else ImportStatus(job.status).label,
        phase=live.get("phase") if live else None,
        total_rows=(live.get("total_rows") if live else job.total_rows),
        processed_rows=(live.get("processed_rows", 0) if live else job.processed_rows),
        valid_rows=job.valid_rows,
        error_rows=job.error_rows,
        created_count=job.created_count,
        updated_count=job.updated_count,
        message=(job.report or {}).get("message"),
        summary=summary,
        created_at=job.created_at or datetime.now(UTC),
        finished_at=job.finished_at,
        report_url=f"/api/v1/imports/{job.id}/report",
        report_xlsx_url=f"/api/v1/imports/{job.id}/report.xlsx",
    )


def _visible_job(db: Session, principal: Principal, job_id: int) -> ImportJob:
    job = db.get(ImportJob, job_id)
    # Officials see their own jobs; administrators see all.
    if job is None or (principal.role is not Role.admin and job.actor != principal.username):
        raise ImportJobNotFound(job_id)
    return job


@router.get("/imports", response_model=Page[ImportJobOut], summary="导入任务列表（本人的；管理员可看全部）")
def list_jobs(
    db: DbSession,
    principal: Importer,
    page: PageNo = 1,
    page_size: PageSize = 20,
) -> Page[ImportJobOut]:
    q = select(ImportJob)
    if principal.role is not Role.admin:
        q = q.where(ImportJob.actor == principal.username)
    jobs, total = import_service.list_jobs(db, q, page=page, page_size=page_size)
    return Page(items=[job_out(j) for j in jobs], total=total, page=page, page_size=page_size)


@router.get(
    "/imports/{job_id}", response_model=ImportJobOut, summary="导入任务状态与进度", responses=NOT_FOUND
)
def get_job(db: DbSession, principal: Importer, job_id: JobId) -> ImportJobOut:
    return job_out(_visible_job(db, principal, job_id))


@router.get(
    "/imports/{job_id}/report",
    response_model=ImportReportOut,
    summary="导入报告：逐行逐列的错误清单（JSON）",
    responses=NOT_FOUND,
)
def get_report(db: DbSession, principal: Importer, job_id: JobId) -> ImportReportOut:
    job = _visible_job(db, principal, job_id)
    rep = job.report or {}
    return ImportReportOut(
        job_id=job.id,
        status=job.status,
        message=rep.get("message"),
        file=rep.get("file") or {},
        summary=rep.get("summary"),
        rejected_rows=rep.get("rejected_rows", []),
        errors=rep.get("errors", []),
        errors_truncated=bool(rep.get("errors_truncated")),
    )


@router.get(
    "/imports/{job_id}/report.xlsx",
    summary="下载导入错误清单（Excel）",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA: {}}, "description": "错误清单"}, **NOT_FOUND},
)
def download_report(db: DbSession, principal: Importer, job_id: JobId) -> Response:
    job = _visible_job(db, principal, job_id)
    buf = io.BytesIO()
    export_service.error_report_xlsx(job.report or {}, buf)
    return Response(
        buf.getvalue(), media_type=XLSX_MEDIA, headers=_download_headers(f"导入错误清单_{job.id}.xlsx")
    )


@router.get(
    "/exports/enterprises",
    summary="导出企业信息（CSV/XLSX，与导入模板同列；筛选同企业列表）",
    response_class=FileResponse,
    responses={200: {"content": {XLSX_MEDIA: {}, "text/csv": {}}, "description": "导出文件"}},
)
def export_enterprises(
    db: DbSession,
    principal: Exporter,
    flt: RegistryFilter,
    format: Annotated[Literal["xlsx", "csv"], Query(description="文件格式")] = "xlsx",
) -> FileResponse:
    fd, tmp = tempfile.mkstemp(prefix="srdi_export_", suffix=f".{format}")
    os.close(fd)
    path = Path(tmp)
    try:
        n = export_service.export_to(db, flt, format, path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    filters = {k: v for k, v in {"region": flt.region_prefix, "industry": flt.industry_prefix,
                                 "size_class": flt.size_class, "tier": flt.tier, "tag": flt.tags,
                                 "q": flt.text}.items() if v}  # fmt: skip
    audit(db, principal, EXPORT_AUDIT_ACTION, None, {"format": format, "rows": n, "filters": filters})
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return FileResponse(
        path,
        media_type=_media(format),
        headers=_download_headers(f"企业信息导出_{stamp}.{format}"),
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.post(
    "/award-imports",
    response_model=AwardImportOut,
    summary="上传获奖记录文件导入（一行一条奖项，企业须已在库中；同步完成）",
    responses={
        413: {"model": ErrorOut, "description": "文件过大"},
        415: {"model": ErrorOut, "description": "文件类型不支持"},
    },
)
def upload_award_import(
    db: DbSession,
    principal: Importer,
    limit: Annotated[int, Depends(get_upload_limit)],
    file: Annotated[UploadFile, File(description="XLSX，或 UTF-8 / GB18030 编码的 CSV")],
    mode: Annotated[
        ImportMode,
        Form(description="all_or_nothing：有任何错误则全部不导入；valid_rows_only：仅导入无误的行"),
    ] = ImportMode.all_or_nothing,
    dry_run: Annotated[bool, Form(description="试导入：只校验，不写入")] = False,
) -> AwardImportOut:
    path = _save_upload(file, limit)
    filename = (file.filename or "upload")[:300]
    try:
        out = award_import.import_awards(
            db,
            path,
            actor=principal.username,
            mode=mode,
            scope=principal.scope,
            filename=filename,
            dry_run=dry_run,
        )
    finally:
        path.unlink(missing_ok=True)
    audit(
        db, principal, "enterprise.award.import", None,
        {"filename": filename, "mode": mode.value, "dry_run": dry_run, "rows": out.rows, "written": out.written},
    )  # fmt: skip
    if dry_run:
        message = f"试导入：共 {out.rows} 行，有误 {out.bad_rows} 行，未写入"
    elif out.errors and not out.written:
        message = f"共 {out.rows} 行，有误 {out.bad_rows} 行，全部未导入"
    else:
        message = f"共 {out.rows} 行，写入 {out.written} 条，有误 {out.bad_rows} 行"
    return AwardImportOut(
        rows=out.rows,
        written=out.written,
        bad_rows=out.bad_rows,
        errors=[
            AwardImportErrorOut(row=e.row, column=e.column, message=e.message)
            for e in out.errors[: award_import.SHOWN]
        ],
        message=message,
    )
