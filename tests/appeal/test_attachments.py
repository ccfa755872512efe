"""Issue 13 §3: attachments on appeals — the filer's at intake, the handling department's with its answer; type by
content, size bounded, kept by content hash, served only to whoever sees the appeal, every download audited."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from srdi.appeal import attachment_service
from srdi.appeal.models import AppealAttachment
from srdi.auth.enums import Role
from srdi.auth.models import AuditLog
from srdi.kit.file_store import FileStore
from tests.appeal import factories

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
HANDLER_UNIT = "深圳市地方金融监督管理局"


@pytest.fixture
def files(tmp_path, monkeypatch) -> FileStore:
    store = FileStore(tmp_path / "attachments")
    monkeypatch.setattr(attachment_service, "store", lambda: store)
    return store


def _upload(client, appeal_id: int, data: bytes, name: str = "营业执照.pdf", mime: str = "application/pdf"):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/appeal-attachments", data={"appeal_id": str(appeal_id)}, files={"file": (name, data, mime)}
    )


def _count(db) -> int:  # type: ignore[no-untyped-def]
    db.flush()
    return int(db.scalar(select(func.count()).select_from(AppealAttachment)) or 0)


def _dispatched(db, client_as, make_user):  # type: ignore[no-untyped-def]
    factories.catalogue(db)
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    a = factories.appeal(db, ent, filer)
    district = client_as(Role.district_official)
    assert district.post(f"/api/v1/appeals/{a.id}/transitions", json={"action": "accept"}).status_code == 200
    r = district.post(
        f"/api/v1/appeals/{a.id}/transitions", json={"action": "dispatch", "department_key": "sz_jrj"}
    )
    assert r.status_code == 200, r.text
    return ent, filer, a


def test_filer_and_handler_attach_files_and_each_entitled_reader_downloads_them(
    db, client_as, make_user, files
):
    _ent, filer, a = _dispatched(db, client_as, make_user)
    me = client_as(filer)
    r = _upload(me, a.id, PDF, name="C:\\材料\\营业执照.pdf")
    assert r.status_code == 201, r.text
    filing = r.json()
    assert (filing["kind"], filing["kind_label"], filing["filename"], filing["content_type"]) == (
        "filing",
        "申请材料",
        "营业执照.pdf",
        "application/pdf",
    )
    assert filing["size_bytes"] == len(PDF)
    key = hashlib.sha256(PDF).hexdigest()
    assert files.path(key).read_bytes() == PDF

    handler = client_as(Role.department_handler, department=HANDLER_UNIT)
    r = _upload(handler, a.id, PNG, name="答复函扫描件", mime="application/octet-stream")
    assert r.status_code == 201, r.text
    answer = r.json()
    assert (answer["kind"], answer["kind_label"], answer["filename"], answer["content_type"]) == (
        "answer",
        "答复材料",
        "答复函扫描件.png",
        "image/png",
    )

    detail = me.get(f"/api/v1/appeals/{a.id}").json()
    assert [(x["kind"], x["filename"]) for x in detail["attachments"]] == [
        ("filing", "营业执照.pdf"),
        ("answer", "答复函扫描件.png"),
    ]
    for reader in (
        me,
        handler,
        client_as(Role.district_official),
        client_as(Role.city_official, region_code="4403"),
    ):
        d = reader.get(filing["download_url"])
        assert (d.status_code, d.content, d.headers["content-type"]) == (200, PDF, "application/pdf")
        assert d.headers["x-content-type-options"] == "nosniff"
        assert d.headers["content-disposition"].startswith("attachment;")
    downloads = db.scalars(select(AuditLog).where(AuditLog.action == "appeal.attachment.download")).all()
    assert [(x.object_id, x.detail["attachment_id"]) for x in downloads] == [(str(a.id), filing["id"])] * 4
    uploads = db.scalars(select(AuditLog).where(AuditLog.action == "appeal.attachment.upload")).all()
    assert [x.detail["kind"] for x in uploads] == ["filing", "answer"]


def test_outsiders_are_told_the_attachment_does_not_exist_and_nothing_is_audited(
    db, client_as, make_user, files
):
    _ent, filer, a = _dispatched(db, client_as, make_user)
    att = _upload(client_as(filer), a.id, PDF).json()
    other_ent = factories.enterprise(db)
    outsiders = [
        client_as(Role.enterprise, enterprise_id=other_ent.id),
        client_as(Role.department_handler, department="深圳市人力资源和社会保障局"),
        client_as(Role.district_official, region_code="440304"),
        client_as(Role.city_official, region_code="4419"),
        client_as(Role.service_commissioner),
    ]
    for c in outsiders:
        r = c.get(att["download_url"])
        assert (r.status_code, r.json()["message"]) == (404, "未找到该附件")
        assert _upload(c, a.id, PDF).status_code in (403, 404)
    assert (
        db.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "appeal.attachment.download")
        )
        == 0
    )
    assert _count(db) == 1


@pytest.mark.parametrize(
    ("data", "name", "status", "message"),
    [
        (
            b"MZ\x90\x00\x03 an executable",
            "发票.pdf",
            422,
            "附件类型不支持：只能上传 PDF、PNG 或 JPEG 文件（按文件内容判断，改扩展名无效）",
        ),
        (
            b"<svg onload=alert(1)>",
            "图.png",
            422,
            "附件类型不支持：只能上传 PDF、PNG 或 JPEG 文件（按文件内容判断，改扩展名无效）",
        ),
        (b"", "空.pdf", 422, "附件是空文件，请重新选择"),
        (PDF + b"\x00" * 4096, "大.pdf", 413, "附件超过大小上限 0.00390625 MB，请压缩或拆分后上传"),
    ],
    ids=["exe-named-pdf", "svg-named-png", "empty", "too-large"],
)
def test_a_forbidden_or_oversized_file_is_refused_in_chinese_and_nothing_is_kept(
    db, client_as, make_user, files, monkeypatch, data, name, status, message
):
    monkeypatch.setattr(attachment_service, "max_bytes", lambda: 4096)
    factories.catalogue(db)
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    a = factories.appeal(db, ent, filer)
    r = _upload(client_as(filer), a.id, data, name=name)
    assert (r.status_code, r.json()["message"]) == (status, message)
    assert _count(db) == 0
    assert not files.root.exists() or not any(p.is_file() for p in files.root.rglob("*"))


def test_attachments_are_refused_at_the_wrong_stage(db, client_as, make_user, files):
    factories.catalogue(db)
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    a = factories.appeal(db, ent, filer)
    handler = client_as(Role.department_handler, department=HANDLER_UNIT)
    # Not yet dispatched to the handler's unit: it does not see the appeal at all.
    assert _upload(handler, a.id, PDF).status_code == 404
    a.status = "closed"
    db.flush()
    r = _upload(client_as(filer), a.id, PDF)
    assert (r.status_code, r.json()["message"]) == (422, "诉求当前状态为“已办结”，已不能补充材料")
    assert _count(db) == 0


def test_an_upload_without_a_credential_is_refused_before_its_body_is_read(app) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app) as anonymous:
        r = anonymous.post(
            "/api/v1/appeal-attachments",
            data={"appeal_id": "1"},
            files={"file": ("a.pdf", PDF, "application/pdf")},
        )
    assert r.status_code == 401
