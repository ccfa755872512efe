"""Attachments of appeals: the filer's materials at intake and the handling department's with its answer.

Who may add one: the enterprise itself or the staff who filed or received it (申请材料), while the appeal is open;
a handler of the lead or 协办 department (答复材料) while the appeal is dispatched or being handled. Who may read
one: whoever sees the appeal (srdi.appeal.service.AppealScope — the enterprise, the handling departments, the
officials of its area, its 服务专员); everyone else is told the appeal does not exist. The bytes are kept by
content in srdi.kit.file_store; the type is sniffed from them (PDF, PNG, JPEG), never taken from the name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from sqlalchemy.orm import Session

from srdi.appeal import repository
from srdi.appeal.enums import OPEN_STATUSES, AppealStatus
from srdi.appeal.exceptions import AttachmentNotFound, AttachmentRefused, AttachmentTooLarge
from srdi.appeal.models import Appeal, AppealAttachment
from srdi.auth.enums import ENTERPRISE_BOUND_ROLES, Role
from srdi.auth.models import User
from srdi.kit.faults import fault_point
from srdi.kit.file_store import EXTENSIONS, FileStore, sniff_type

MAX_PER_APPEAL = 20
# An upload is saved before its row is committed (decision 0019). A file no row refers to is an orphan only
# once it is older than this: a request still between its save and its commit is never that slow.
ORPHAN_GRACE = timedelta(hours=1)
_ORPHAN_CHUNK = 500
KIND_FILING = "filing"
KIND_ANSWER = "answer"
KIND_LABELS = {KIND_FILING: "申请材料", KIND_ANSWER: "答复材料"}
TYPE_LABELS = {"application/pdf": "PDF", "image/png": "PNG 图片", "image/jpeg": "JPEG 图片"}
ANSWER_STATUSES = frozenset({AppealStatus.dispatched, AppealStatus.in_progress})
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|]")


def store() -> FileStore:
    from srdi.config import get_settings

    return FileStore(get_settings().attachment_dir)


def max_bytes() -> int:
    from srdi.config import get_settings

    return get_settings().attachment_max_bytes


def safe_filename(name: str | None, content_type: str) -> str:
    """The client's file name without folders or control characters, at most 120 characters, with the extension
    of what the bytes are (``报表.exe`` holding a PDF becomes ``报表.exe.pdf``)."""
    raw = unicodedata.normalize("NFC", name or "")
    base = PureWindowsPath(PurePosixPath(raw).name).name
    base = _UNSAFE.sub("", base).strip().strip(".") or "附件"
    ext = EXTENSIONS[content_type]
    stem = base
    low = base.lower()
    if low.endswith(ext) or (ext == ".jpg" and low.endswith(".jpeg")):
        stem, ext = base[: base.rfind(".")], base[base.rfind(".") :]
    return stem[: 120 - len(ext)] + ext


@dataclass(frozen=True)
class Upload:
    filename: str | None
    data: bytes


def kind_for(db: Session, appeal: Appeal, user: User, department_id: int | None) -> str:
    """What the caller's upload is (申请材料 or 答复材料), or a refusal saying why it may not add one now."""
    role = Role(user.role)
    status = AppealStatus(appeal.status)
    if role is Role.department_handler:
        involved = department_id is not None and (
            department_id == appeal.department_id
            or department_id in {a.department_id for a in repository.assists_of(db, appeal.id)}
        )
        if not involved:
            raise AttachmentRefused(
                "只有承办或协办单位可以上传答复材料", "handler's unit is not on this appeal"
            )
        if status not in ANSWER_STATUSES:
            raise AttachmentRefused(
                f"诉求当前状态为“{status.label}”，答复材料须在转派后、答复前上传",
                f"answer attachments only while dispatched or in progress, not {status}",
            )
        return KIND_ANSWER
    if role in ENTERPRISE_BOUND_ROLES and user.enterprise_id != appeal.enterprise_id:
        raise AttachmentRefused("只能为本企业的诉求上传材料", "not the filer's enterprise")
    if status not in OPEN_STATUSES:
        raise AttachmentRefused(
            f"诉求当前状态为“{status.label}”，已不能补充材料", f"appeal is {status}, no more attachments"
        )
    return KIND_FILING


def add(
    db: Session, appeal: Appeal, upload: Upload, *, actor: User, department_id: int | None
) -> AppealAttachment:
    """Check and keep one upload; nothing is stored when it is refused."""
    kind = kind_for(db, appeal, actor, department_id)
    limit = max_bytes()
    if len(upload.data) > limit:
        raise AttachmentTooLarge(limit, len(upload.data))
    if not upload.data:
        raise AttachmentRefused("附件是空文件，请重新选择", "empty attachment")
    content_type = sniff_type(upload.data)
    if content_type is None:
        raise AttachmentRefused(
            "附件类型不支持：只能上传 PDF、PNG 或 JPEG 文件（按文件内容判断，改扩展名无效）",
            "attachment is not PDF, PNG or JPEG by content",
        )
    if repository.attachment_count(db, appeal.id) >= MAX_PER_APPEAL:
        raise AttachmentRefused(
            f"每件诉求最多 {MAX_PER_APPEAL} 个附件，请合并后上传", f"at most {MAX_PER_APPEAL} attachments"
        )
    key = store().save(upload.data)
    # The file is stored, its row not yet committed: a crash (or a rollback) here leaves an unreferenced file,
    # which sweep_orphans removes once it is older than ORPHAN_GRACE.
    fault_point("appeal.attachment.after_store")
    row = AppealAttachment(
        appeal_id=appeal.id,
        kind=kind,
        filename=safe_filename(upload.filename, content_type),
        content_type=content_type,
        size_bytes=len(upload.data),
        sha256=key,
        uploaded_by_user_id=actor.id,
        uploaded_by_name=actor.display_name,
    )
    db.add(row)
    db.flush()
    return row


def of_appeal(db: Session, appeal_id: int) -> list[AppealAttachment]:
    return repository.attachments_of(db, appeal_id)


def get(db: Session, attachment_id: int) -> AppealAttachment:
    row = db.get(AppealAttachment, attachment_id)
    if row is None:
        raise AttachmentNotFound(attachment_id)
    return row


def open_bytes(row: AppealAttachment) -> BinaryIO:
    try:
        return store().open(row.sha256)
    except FileNotFoundError:
        raise AttachmentNotFound(row.id) from None


def sweep_orphans(db: Session, now: datetime | None = None, *, grace: timedelta = ORPHAN_GRACE) -> int:
    """Delete the stored files no ``appeal_attachment`` row refers to and that were last saved more than
    ``grace`` before ``now`` — left by an upload whose transaction rolled back or whose process died between the
    save and the commit — and the temporary files of saves that died. Returns how many were removed.

    Run by the scheduler (srdi.appeal.tasks.Sweeper, hourly) and ``srdi appeals sweep-files``. A file saved again
    meanwhile is young again (FileStore.save touches it) and is kept; the age is checked once more just before
    each unlink.
    """
    from srdi.db.base import utcnow

    cutoff = ((now or utcnow()) - grace).timestamp()
    st = store()
    removed = 0
    chunk: list[tuple[str, Path]] = []

    def flush() -> int:
        keys = {k for k, _ in chunk if k}
        used = repository.attachment_keys_in_use(db, keys)
        n = 0
        for key, path in chunk:
            if (not key or key not in used) and st.remove_if_older(path, cutoff):
                n += 1
        chunk.clear()
        return n

    for key, path in st.stored_before(cutoff):
        chunk.append((key, path))
        if len(chunk) >= _ORPHAN_CHUNK:
            removed += flush()
    if chunk:
        removed += flush()
    return removed
