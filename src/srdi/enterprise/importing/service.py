"""Import of the enterprise registry from CSV/XLSX: validate every cell, report every error, then write.

A file is read once and validated completely before anything is written: the report lists every bad cell by
row number (as the spreadsheet shows it) and Chinese column name. Then, by the user's choice:

* ``all_or_nothing`` — any error, nothing is written;
* ``valid_rows_only`` — exactly the rows without error are written, every rejected row is listed.

A dry run produces the same report and writes nothing. Writing goes through
:func:`srdi.enterprise.bulk_service.bulk_upsert` (upsert by USCC, change log with the job id) inside the caller's
transaction; docs/decisions/0005-import-transactions.md explains why one transaction per job.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from srdi.db.base import utcnow
from srdi.enterprise import repository
from srdi.enterprise.bulk_service import BulkRow, bulk_upsert
from srdi.enterprise.enums import ImportMode, ImportStatus
from srdi.enterprise.importing.cells import RowError
from srdi.enterprise.importing.progress import ProgressFn, clear_live, set_live
from srdi.enterprise.importing.validation import Validation, ValidRow, validate_table
from srdi.enterprise.io_columns import BY_KEY, match_column
from srdi.enterprise.models import Enterprise, ImportJob
from srdi.enterprise.tabular import Table, read_table
from srdi.kit.errors import AppError

log = logging.getLogger("srdi.import")

REPORT_ERROR_LIMIT = 100_000  # errors kept in the stored JSON report; the counts are always complete


@dataclass
class ImportOutcome:
    status: ImportStatus
    total_rows: int = 0
    valid_rows: int = 0
    error_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: list[int] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    years_created: int = 0
    years_updated: int = 0
    would_create: int = 0
    would_update: int = 0
    file_info: dict[str, Any] = field(default_factory=dict)
    message: str = ""

    def report(self) -> dict[str, Any]:
        errors = self.errors[:REPORT_ERROR_LIMIT]
        return {
            "message": self.message,
            "file": self.file_info,
            "summary": {
                "total_rows": self.total_rows,
                "valid_rows": self.valid_rows,
                "error_rows": self.error_rows,
                "error_count": len(self.errors),
                "enterprises_created": self.created,
                "enterprises_updated": self.updated,
                "enterprises_unchanged": self.unchanged,
                "years_created": self.years_created,
                "years_updated": self.years_updated,
                "would_create": self.would_create,
                "would_update": self.would_update,
            },
            "rejected_rows": self.rejected_rows,
            "errors": [e.as_dict() for e in errors],
            "errors_truncated": len(self.errors) > len(errors),
        }


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def create_job(
    db: Session, *, filename: str, path: Path, mode: ImportMode, dry_run: bool, actor: str
) -> ImportJob:
    suffix = Path(filename).suffix.lower().lstrip(".") or "csv"
    job = ImportJob(
        filename=filename[:300],
        file_sha256=file_sha256(path),
        file_format=suffix[:20],
        mode=mode.value,
        dry_run=dry_run,
        status=ImportStatus.pending.value,
        actor=actor,
        report={},
    )
    db.add(job)
    db.flush()
    return job


def run_import(
    db: Session,
    path: Path,
    *,
    filename: str | None = None,
    mode: ImportMode = ImportMode.all_or_nothing,
    dry_run: bool = False,
    actor: str,
    job: ImportJob | None = None,
    progress: ProgressFn | None = None,
    region_scope: tuple[str, ...] | list[str] | None = None,
) -> tuple[ImportJob, ImportOutcome]:
    """Validate and (unless dry run or refused) write one file, recording the job. Never commits.

    The caller's transaction holds the job row and the data: commit once afterwards, so a crash writes nothing.
    """
    filename = filename or path.name
    if job is None:
        job = create_job(db, filename=filename, path=path, mode=mode, dry_run=dry_run, actor=actor)
    job_id = job.id
    job.status = ImportStatus.running.value

    def report_progress(phase: str, done: int, total: int | None) -> None:
        set_live(job_id, phase=phase, processed_rows=done, total_rows=total)
        if progress:
            progress(phase, done, total)

    try:
        outcome = _run(db, path, filename, mode, dry_run, actor, job_id, report_progress, region_scope)
    except AppError as exc:
        outcome = ImportOutcome(
            status=ImportStatus.failed,
            errors=[RowError(None, None, None, exc.message_zh)],
            # The refusal's code and, for a broken limit, which limit, its maximum and what the file had.
            file_info={"filename": filename, "error_code": exc.code, "error_details": exc.details},
            message=f"文件无法导入：{exc.message_zh}",
        )
    finally:
        clear_live(job_id)
    job.status = outcome.status.value
    job.file_format = outcome.file_info.get("format", job.file_format)
    job.encoding = outcome.file_info.get("encoding")
    job.total_rows = outcome.total_rows
    job.processed_rows = outcome.total_rows
    job.valid_rows = outcome.valid_rows
    job.error_rows = outcome.error_rows
    job.created_count = outcome.created
    job.updated_count = outcome.updated
    job.report = outcome.report()
    job.finished_at = utcnow()
    db.flush()
    log.info(
        "import job %s %s: %s rows, %s valid, %s rejected, %s created, %s updated",
        job_id, outcome.status.value, outcome.total_rows, outcome.valid_rows, outcome.error_rows,
        outcome.created, outcome.updated,
    )  # fmt: skip
    return job, outcome


def _run(
    db: Session,
    path: Path,
    filename: str,
    mode: ImportMode,
    dry_run: bool,
    actor: str,
    job_id: int | None,
    progress: ProgressFn,
    region_scope: tuple[str, ...] | list[str] | None = None,
) -> ImportOutcome:
    table = read_table(path, filename)
    try:
        return _run_table(db, table, filename, mode, dry_run, actor, job_id, progress, region_scope)
    finally:
        table.close()


def _run_table(
    db: Session,
    table: Table,
    filename: str,
    mode: ImportMode,
    dry_run: bool,
    actor: str,
    job_id: int | None,
    progress: ProgressFn,
    region_scope: tuple[str, ...] | list[str] | None = None,
) -> ImportOutcome:
    info = {
        "filename": filename,
        "format": table.format,
        "encoding": table.encoding,
        "sheet": table.sheet,
        "size_bytes": table.size_bytes,
    }
    progress("validating", 0, table.total_rows)
    val, header_errors = validate_table(table, progress, region_scope)
    if header_errors:
        return ImportOutcome(
            status=ImportStatus.failed,
            errors=header_errors,
            file_info=info,
            message=f"表头有 {len(header_errors)} 处问题，文件未导入。请对照导入模板修改列名",
        )
    if val.total_rows == 0:
        return ImportOutcome(
            status=ImportStatus.failed,
            errors=[RowError(None, None, None, "文件中没有数据行（只有表头）")],
            file_info=info,
            message="文件中没有数据行，未导入",
        )
    if region_scope is not None and val.valid:
        _reject_outside_scope(db, val, tuple(region_scope), table)
    out = ImportOutcome(
        status=ImportStatus.running,
        total_rows=val.total_rows,
        valid_rows=len(val.valid),
        error_rows=len(val.bad_rows),
        errors=val.errors,
        rejected_rows=sorted(val.bad_rows),
        file_info=info,
    )
    usccs = list(dict.fromkeys(v.uscc for v in val.valid))
    existing = len(repository.ids_by_uscc(db, usccs)) if usccs else 0
    out.would_create, out.would_update = len(usccs) - existing, existing

    refuse = mode is ImportMode.all_or_nothing and out.error_rows > 0
    if dry_run:
        out.status = ImportStatus.validated
        out.message = _dry_run_message(out, mode)
        return out
    if refuse or not val.valid:
        out.status = ImportStatus.rejected
        out.message = (
            f"共 {out.total_rows} 行，其中 {out.error_rows} 行有错误。按“全部成功才导入”方式，本次未写入任何数据"
            if refuse
            else f"共 {out.total_rows} 行，全部有错误，未写入任何数据"
        )
        return out

    progress("writing", 0, len(val.valid))
    result = bulk_upsert(
        db,
        _bulk_rows(val.valid),
        actor=actor,
        import_job_id=job_id,
        on_progress=lambda n: progress("writing", n, len(val.valid)),
    )
    out.created, out.updated, out.unchanged = (
        result.enterprises_created,
        result.enterprises_updated,
        result.enterprises_unchanged,
    )
    out.years_created, out.years_updated = result.years_created, result.years_updated
    out.status = ImportStatus.succeeded if out.error_rows == 0 else ImportStatus.partially_succeeded
    done = f"新建企业 {out.created} 家，更新 {out.updated} 家，未变化 {out.unchanged} 家"
    out.message = (
        f"导入成功：共 {out.total_rows} 行全部导入，{done}"
        if out.error_rows == 0
        else f"已导入无误的 {out.valid_rows} 行（{done}）；{out.error_rows} 行有错误未导入，见错误清单"
    )
    return out


def _reject_outside_scope(db: Session, val: Validation, scope: tuple[str, ...], table: Table) -> None:
    """An official's file may not change an enterprise registered outside their region."""
    usccs = list(dict.fromkeys(v.uscc for v in val.valid))
    stored: dict[str, str] = {}
    for i in range(0, len(usccs), 500):
        chunk = usccs[i : i + 500]
        stmt = select(Enterprise.uscc, Enterprise.region_code).where(Enterprise.uscc.in_(chunk))
        stored.update((u, r) for u, r in db.execute(stmt))
    outside = {u for u, region in stored.items() if not region.startswith(scope)}
    if not outside:
        return
    title = next((str(h) for h in table.headers if match_column(h)[0] is BY_KEY["uscc"]), "统一社会信用代码")
    for v in val.valid:
        if v.uscc in outside:
            val.errors.append(
                RowError(v.row, title, v.uscc, "该企业登记在本账号管辖范围以外，不能通过导入修改")
            )
            val.bad_rows.add(v.row)
    val.valid = [v for v in val.valid if v.uscc not in outside]
    val.errors.sort(key=lambda e: e.row or 0)


def _bulk_rows(valid: list[ValidRow]) -> Iterator[BulkRow]:
    for v in valid:
        # The profile dict is shared by the rows of one enterprise (bulk_upsert relies on that to skip merging).
        yield BulkRow(v.uscc, v.year, v.profile, v.figures, v.source)


def _dry_run_message(out: ImportOutcome, mode: ImportMode) -> str:
    head = f"试导入（未写入）：共 {out.total_rows} 行，无误 {out.valid_rows} 行，有错误 {out.error_rows} 行。"
    if out.error_rows and mode is ImportMode.all_or_nothing:
        return head + "按“全部成功才导入”方式，正式导入将不会写入任何数据，请先修正错误"
    return (
        head
        + f"正式导入将新建企业 {out.would_create} 家、按统一社会信用代码更新已有企业 {out.would_update} 家"
    )


def mark_failed(db: Session, job_id: int, message: str) -> None:
    """After a crash rolled the job's transaction back: record that nothing was written, and why."""
    job = db.get(ImportJob, job_id)
    if job is not None:
        job.status = ImportStatus.failed.value
        job.finished_at = utcnow()
        job.report = {"message": message, "errors": [RowError(None, None, None, message).as_dict()]}


def list_jobs(
    db: Session, query: Select[ImportJob], *, page: int, page_size: int
) -> tuple[list[ImportJob], int]:
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(
        query.order_by(ImportJob.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(rows), total
