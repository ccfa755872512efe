"""The in-app inbox of enterprises (``notify``: at most one message per dedupe key) and e-mails queued with the
change they announce (outbox), delivered through a pluggable channel.

A message is an ``outbox_message`` row written in the caller's transaction, so it exists exactly when the change
does. Delivery (``deliver_pending``) runs from the appeals sweeper loop: it claims each row with a
compare-and-set on ``attempts`` and marks it sent, so several workers never send one message twice (a crash
between the SMTP answer and the commit can repeat one message: at-least-once, the usual outbox guarantee).
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from srdi.db.base import utcnow
from srdi.notification import repository
from srdi.notification.exceptions import NotificationNotFound
from srdi.notification.models import Notification, OutboxMessage

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,}$")
MAX_ATTEMPTS = 5


def notify(
    db: Session, enterprise_id: int, *, kind: str, title: str, body: str, link: str | None, dedupe_key: str
) -> Notification | None:
    """One message per (enterprise, dedupe key): a recomputation never repeats a notification."""
    if repository.notification_exists(db, enterprise_id, dedupe_key):
        return None
    row = Notification(
        enterprise_id=enterprise_id, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key
    )
    db.add(row)
    return row


def notify_once(
    db: Session,
    *,
    enterprise_id: int | None = None,
    user_id: int | None = None,
    kind: str,
    title: str,
    body: str,
    link: str | None,
    dedupe_key: str,
) -> bool:
    """One message per (enterprise or account, dedupe key), safe with several workers: the unique constraint is
    the claim. ``INSERT … ON CONFLICT DO NOTHING``: a second worker inserting the same key waits for the first
    one's commit (PostgreSQL; SQLite serialises writers) and then inserts nothing, without an error that would
    end its transaction. True when this call wrote the message."""
    if (enterprise_id is None) == (user_id is None):
        raise ValueError("a notification goes to an enterprise or to an account")
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Notification).values(
        enterprise_id=enterprise_id, user_id=user_id, kind=kind, title=title, body=body, link=link,
        dedupe_key=dedupe_key, created_at=utcnow(),
    )  # fmt: skip
    # RETURNING rather than rowcount, which a driver may report as -1 for ON CONFLICT DO NOTHING.
    return db.execute(stmt.on_conflict_do_nothing().returning(Notification.id)).first() is not None


def notifications_of_user(db: Session, user_id: int, limit: int = 100) -> list[Notification]:
    """The messages addressed to one account (not to its enterprise), newest first."""
    q = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.scalars(q).all())


def notifications_of(db: Session, enterprise_id: int) -> list[Notification]:
    return repository.notifications(db, enterprise_id)


def mark_read(db: Session, notification_id: int, enterprise_ids: Sequence[int] | None) -> Notification:
    row = db.get(Notification, notification_id)
    if row is None or (enterprise_ids is not None and row.enterprise_id not in enterprise_ids):
        raise NotificationNotFound(notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
    return row


def valid_email(address: str) -> bool:
    return bool(EMAIL_RE.match(address))


def queue_email(db: Session, recipient: str, subject: str, body: str) -> OutboxMessage | None:
    if not valid_email(recipient):
        return None
    row = OutboxMessage(channel="email", recipient=recipient, subject=subject[:200], body=body, attempts=0)
    db.add(row)
    return row


class EmailChannel(Protocol):
    def send(self, recipient: str, subject: str, body: str) -> None: ...


@dataclass
class SmtpChannel:
    host: str
    port: int = 25
    sender: str = "noreply@srdi.local"
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 20.0

    def send(self, recipient: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = recipient
        msg["Subject"] = subject
        msg.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(msg)


def deliver_pending(db: Session, channel: EmailChannel, *, limit: int = 100) -> int:
    """Send up to ``limit`` pending e-mails; each row is claimed by one worker. Returns how many were sent."""
    rows = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = 0
    for row in rows:
        claimed = db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row.id,
                OutboxMessage.attempts == row.attempts,
                OutboxMessage.sent_at.is_(None),
            )
            .values(attempts=row.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            continue
        try:
            channel.send(row.recipient, row.subject, row.body)
        except (OSError, smtplib.SMTPException) as exc:
            db.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(last_error=str(exc)[:500])
            )
            continue
        db.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(sent_at=utcnow()))
        sent += 1
    return sent
