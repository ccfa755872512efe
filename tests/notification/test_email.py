"""E-mail notifications: queued with the change (outbox), delivered over SMTP to a server started by the test."""

from __future__ import annotations

from contextlib import contextmanager
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from srdi.appeal import service, tasks
from srdi.appeal.enums import AppealAction, Channel
from srdi.auth.enums import Role
from srdi.notification import service as notification_service
from srdi.notification.models import OutboxMessage
from tests.appeal import factories


@pytest.fixture
def smtp_server():  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self) -> None:
            self.messages: list[tuple[list[str], bytes]] = []

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def _subject(raw: bytes) -> str:
    return str(make_header(decode_header(message_from_bytes(raw)["Subject"])))


def test_each_step_mails_the_contact_once_over_smtp(db, make_user, smtp_server):
    controller, inbox = smtp_server
    factories.catalogue(db)
    ent = factories.enterprise(db)
    filer = make_user(Role.enterprise, enterprise_id=ent.id)
    a = service.file_appeal(
        db,
        ent,
        service.AppealData(
            title="申请贴息贷款",
            content="想了解专精特新企业贷款贴息政策。",
            category_key="financing",
            channel=Channel.web,
            contact_email="finance@example.com",
        ),
        actor=filer,
        now=factories.TUESDAY,
    )
    service.transition(
        db,
        a.id,
        service.TransitionInput(AppealAction.accept),
        actor=make_user(Role.admin),
        now=factories.TUESDAY,
    )
    channel = notification_service.SmtpChannel(host=controller.hostname, port=controller.port)

    @contextmanager
    def same_session():  # type: ignore[no-untyped-def]
        yield db

    assert tasks.deliver_email(same_session, channel) == 2
    assert tasks.deliver_email(same_session, channel) == 0
    assert [(to, _subject(raw)) for to, raw in inbox.messages] == [
        (["finance@example.com"], "您的诉求“申请贴息贷款”已提交"),
        (["finance@example.com"], "您的诉求已受理"),
    ]
    rows = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.attempts, r.sent_at is not None) for r in rows] == [(1, True), (1, True)]


def test_an_unreachable_server_keeps_the_message_for_a_retry(db):
    notification_service.queue_email(db, "a@example.com", "测试", "正文")
    db.flush()
    channel = notification_service.SmtpChannel(host="127.0.0.1", port=1, timeout=2)
    assert notification_service.deliver_pending(db, channel) == 0
    row = db.scalars(select(OutboxMessage)).one()
    assert (row.attempts, row.sent_at) == (1, None)
    assert row.last_error


def test_a_malformed_contact_email_is_refused_and_nothing_is_filed(db, make_user):
    from srdi.appeal.exceptions import InvalidAppeal

    factories.catalogue(db)
    ent = factories.enterprise(db)
    with pytest.raises(InvalidAppeal) as exc:
        service.file_appeal(
            db,
            ent,
            service.AppealData(title="融资", content="想了解贷款贴息政策", contact_email="not-an-address"),
            actor=make_user(Role.enterprise, enterprise_id=ent.id),
            now=factories.TUESDAY,
        )
    assert exc.value.message_zh == "联系邮箱格式不正确"
    assert db.scalars(select(OutboxMessage)).all() == []
