"""An upload is stored before its row commits (decision 0019): a process that dies in between leaves a file no
row refers to. The orphan sweep removes such files once they are older than the grace period, and keeps every
file a row refers to and every file saved within the grace period."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from srdi.appeal import attachment_service, tasks
from srdi.appeal.models import AppealAttachment
from srdi.auth.models import User
from srdi.enterprise.models import Enterprise
from srdi.kit.faults import FAULT_EXIT_CODE
from srdi.kit.file_store import FileStore, sha256_hex

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"

UPLOAD_SCRIPT = """
import sys
from srdi.appeal import attachment_service
from srdi.auth.enums import Role
from srdi.db.session import get_sessionmaker
from tests.appeal import factories
from tests.auth_support import make_user

db = get_sessionmaker()()
ent = factories.enterprise(db, name=sys.argv[1])
filer = make_user(db, Role.enterprise, username=sys.argv[1], enterprise_id=ent.id)
a = factories.appeal(db, ent, filer)
attachment_service.add(db, a, attachment_service.Upload("营业执照.pdf", sys.argv[2].encode()), actor=filer,
                       department_id=None)
db.commit()
print("committed")
"""


def _url_of(engine) -> str:  # type: ignore[no-untyped-def]
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        with engine.connect() as c:
            schema = c.execute(text("select current_schema()")).scalar()
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    return url


def _upload(
    engine, root: Path, name: str, data: bytes, fault: str | None
) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "SRDI_DATABASE_URL": _url_of(engine),
        "SRDI_ENV": "test",
        "SRDI_ATTACHMENT_DIR": str(root),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    env.pop("SRDI_FAULT", None)
    if fault:
        env["SRDI_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-c", UPLOAD_SCRIPT, name, data.decode()],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_file_left_by_an_upload_that_died_before_its_commit_is_swept_and_referenced_ones_are_kept(
    engine, tmp_path, monkeypatch
):
    root = tmp_path / "attachments"
    store = FileStore(root)
    monkeypatch.setattr(attachment_service, "store", lambda: store)
    orphan_bytes, kept_bytes = PDF + b"% orphan\n", PDF + b"% kept\n"
    names = [f"孤儿附件测试{os.getpid()}", f"附件保留测试{os.getpid()}"]
    try:
        died = _upload(engine, root, names[0], orphan_bytes, "appeal.attachment.after_store")
        assert died.returncode == FAULT_EXIT_CODE, died.stderr
        orphan = store.path(sha256_hex(orphan_bytes))
        assert orphan.is_file()
        done = _upload(engine, root, names[1], kept_bytes, None)
        assert (done.returncode, done.stdout.strip()) == (0, "committed"), done.stderr
        kept = store.path(sha256_hex(kept_bytes))
        with Session(engine) as s:
            keys = select(AppealAttachment.sha256).where(
                AppealAttachment.sha256.in_([orphan.name, kept.name])
            )
            assert s.scalars(keys).all() == [kept.name]
        # A temporary file of a save that died mid-write.
        part = orphan.parent / ".part-dead"
        part.write_bytes(b"%PDF-half")
        saved_at = datetime.fromtimestamp(max(p.stat().st_mtime for p in (orphan, kept, part)), UTC)

        def factory():  # type: ignore[no-untyped-def]
            return Session(engine)

        # Within the grace period nothing goes: the upload might still be on its way to its commit.
        assert tasks.sweep_orphan_files(factory, saved_at + timedelta(minutes=59)) == 0
        assert orphan.is_file() and part.is_file()
        assert (
            tasks.sweep_orphan_files(
                factory, saved_at + attachment_service.ORPHAN_GRACE + timedelta(seconds=1)
            )
            == 2
        )
        assert not orphan.exists() and not part.exists()
        assert kept.read_bytes() == kept_bytes
        # Idempotent.
        assert tasks.sweep_orphan_files(factory, saved_at + timedelta(days=1)) == 0
    finally:
        with Session(engine) as s:
            s.execute(delete(Enterprise).where(Enterprise.name.in_(names)))
            s.execute(delete(User).where(User.username.in_(names)))
            s.commit()


def test_a_file_saved_again_is_young_again_and_survives_the_sweep(db, tmp_path, monkeypatch):
    store = FileStore(tmp_path / "attachments")
    monkeypatch.setattr(attachment_service, "store", lambda: store)
    key = store.save(PDF)
    old = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    os.utime(store.path(key), (old, old))
    store.save(PDF)  # the same bytes uploaded again: its row is on the way
    assert attachment_service.sweep_orphans(db, datetime.now(UTC)) == 0
    assert store.exists(key)
    os.utime(store.path(key), (old, old))
    assert attachment_service.sweep_orphans(db, datetime.now(UTC)) == 1
    assert not store.exists(key)
