"""The mail outbox: an email is a ``mail_outbox`` row first, written in the
transaction that caused it, and sent afterwards, so a mail server outage
loses nothing and a rolled-back change sends nothing.

* ``send_due`` sends due rows with its own session. A failure leaves the row
  pending with a growing back-off (2, 4, 8 … 300 minutes: the search outbox's
  curve in minutes); after MAIL_MAX_ATTEMPTS the row is marked failed. Rows are
  taken with a lease and each outcome is committed on its own (core.outbox.take):
  any number of workers, and a killed one resends at most the mail it was sending.
* Transport: SMTP through Flask-Mail when MAIL_SERVER is set; otherwise each
  mail is written to ``instance/mail/*.eml`` (development: no server needed).
* ``NOTIFY_SYNC = "inline"`` (development) sends right after each commit that
  wrote outbox rows, never raising into the request; ``"worker"``
  (production) leaves it to ``flask notify worker``.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import smtplib
from contextlib import closing
from email.utils import parseaddr
from typing import Callable, Iterator, NamedTuple

from flask import Flask, current_app, has_app_context
from flask_mail import Connection, Message
from sqlalchemy.orm import Session

from portal.core.clock import utcnow
from portal.core.extensions import db, mail
from portal.core.outbox import InlineDrain, backoff, drain_all, status_counts, take
from portal.models.notifications import MailOutbox, MailStatus

log = logging.getLogger(__name__)
RETRY_UNIT = 60  # the search outbox waits seconds, mail waits minutes


def retry_delay(attempts: int) -> dt.timedelta:
    return backoff(attempts) * RETRY_UNIT


class MailFile(NamedTuple):
    """A file sent with a mail: ``content_type`` is "type/subtype" (no parameters)."""

    filename: str
    content_type: str
    data: bytes


def _encode_files(files: list[MailFile] | None) -> str | None:
    if not files:
        return None
    return json.dumps([{"filename": f.filename, "content_type": f.content_type,
                        "data": base64.b64encode(f.data).decode("ascii")} for f in files])


def files_of(row: MailOutbox) -> list[MailFile]:
    """The files kept with an outbox row (none when there are none)."""
    if not row.attachments:
        return []
    return [MailFile(f["filename"], f["content_type"], base64.b64decode(f["data"]))
            for f in json.loads(row.attachments)]


def queue(recipient: str, subject: str, body_text: str, body_html: str = "", locale: str = "ru",
          user_id: int | None = None, session: Session | None = None,
          attachments: list[MailFile] | None = None) -> MailOutbox:
    """Add an outbox row to ``session`` (default: db.session); the caller commits.
    ``attachments`` are kept in the row, so every retry sends them too."""
    now = utcnow()
    row = MailOutbox(recipient=recipient, subject=" ".join(subject.split())[:255], body_text=body_text,
                     body_html=body_html, locale=locale, user_id=user_id, status=MailStatus.PENDING,
                     attempts=0, next_attempt_at=now, created_at=now, attachments=_encode_files(attachments))
    (session or db.session).add(row)
    return row


# --- transports ------------------------------------------------------------------------------

class _SmtpConnection(Connection):
    """Flask-Mail's connection with a socket timeout (a hung server must not hang a request)."""

    timeout = 30.0

    def configure_host(self) -> smtplib.SMTP:
        cls = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = cls(self.mail.server, self.mail.port, timeout=self.timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _smtp(app: Flask) -> Connection:
    # Settings are read on every run (not frozen at start-up), and TESTING does not
    # silently suppress sending: only an explicit MAIL_SUPPRESS_SEND does.
    connection = _SmtpConnection(mail.init_mail(app.config, app.debug))
    connection.timeout = float(app.config["MAIL_TIMEOUT"])
    return connection


class _MailFolder:
    """Writes each message to ``instance/mail/`` instead of sending it."""

    def __init__(self, app: Flask):
        self.folder = os.path.join(app.instance_path, "mail")

    def __enter__(self):
        os.makedirs(self.folder, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, message: Message) -> None:
        name = message.msgId.strip("<>").partition("@")[0]  # outbox.<row id>.<created>
        path = os.path.join(self.folder, f"{utcnow():%Y%m%d-%H%M%S}-{name}.eml")
        with open(path, "wb") as fh:
            fh.write(message.as_bytes())
        log.info("mail: written to %s (to %s: %s)", path, ", ".join(message.recipients), message.subject)


def encoded_words(text: str, limit: int = 39) -> str:
    """A non-ASCII header value as RFC 2047 encoded words, folded one per line,
    with every space inside a word. Python's email folding (via Flask-Mail's
    ``Header`` and the SMTP policy) may put a space on a fold between two
    encoded words, where readers drop it: "қызметінің жауабы" arrived as
    "қызметініңжауабы". ``limit`` bytes per word keep each line under 78."""
    chunks, current = [], b""
    for char in text:
        encoded = char.encode("utf-8")
        if current and len(current) + len(encoded) > limit:
            chunks.append(current)
            current = b""
        current += encoded
    chunks.append(current)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(chunk).decode('ascii')}?=" for chunk in chunks)


class _Message(Message):
    def _message(self):
        msg = super()._message()
        if self.subject and not self.subject.isascii():
            del msg["Subject"]
            msg.set_raw("Subject", encoded_words(self.subject))  # emitted as is, not refolded
        return msg


def _message(app: Flask, row: MailOutbox) -> Message:
    sender = app.config["MAIL_DEFAULT_SENDER"] or "noreply@localhost"
    message = _Message(subject=row.subject, recipients=[row.recipient], body=row.body_text,
                      html=row.body_html or None, sender=sender,
                      extra_headers={"Content-Language": row.locale, "Auto-Submitted": "auto-generated"})
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message.msgId = f"<outbox.{row.id}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"  # same id on a retry
    for file in files_of(row):
        message.attach(file.filename, file.content_type, file.data)
    return message


def _deliver(app: Flask, rows: list[MailOutbox], go_on: Callable[[], bool] = lambda: True
             ) -> Iterator[tuple[MailOutbox, str | None]]:
    """Send ``rows`` one by one over one connection, yielding each row with None (sent)
    or the error, as soon as it is known; stops before a row when ``go_on()`` is False."""
    use_smtp = bool(app.config["MAIL_SERVER"])
    waiting = list(rows)
    try:
        with (_smtp(app) if use_smtp else _MailFolder(app)) as transport:
            while waiting and go_on():
                row = waiting[0]
                try:
                    transport.send(_message(app, row))
                    error = None
                except Exception as exc:  # this row only (e.g. a refused recipient)
                    error = _describe(exc)
                waiting.pop(0)
                yield row, error
            waiting = []  # stopped early: the rest is not attempted (the caller gives it back)
    except Exception as exc:  # connecting (or quitting) failed: every row not yet sent
        for row in waiting:
            yield row, _describe(exc)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


# --- sending ---------------------------------------------------------------------------------

def send_due(app: Flask | None = None, now: dt.datetime | None = None, limit: int = 100,
             lease: float | None = None) -> tuple[int, int]:
    """Send pending rows that are due. Returns (sent, failed).

    The rows are taken with a lease (core.outbox.take) and each outcome is committed
    right after its row was handed to the mail server: a worker killed mid-batch sends
    at most its current row again (another worker takes the rest when ``lease`` ends)."""
    app = app or current_app._get_current_object()
    if not has_app_context():
        with app.app_context():
            return send_due(app, now, limit, lease)
    now = now or utcnow()
    max_attempts = int(app.config["MAIL_MAX_ATTEMPTS"])
    sent = failed = 0
    first_error = None
    with Session(db.engine, expire_on_commit=False) as session:
        batch = take(session, MailOutbox, (MailOutbox.status == MailStatus.PENDING,), now, limit, lease,
                     margin=float(app.config["MAIL_TIMEOUT"]))
        if batch is None:
            return 0, 0
        with batch, closing(_deliver(app, batch.rows, go_on=lambda: not batch.expired())) as outcomes:
            for row, error in outcomes:
                attempts = row.attempts + 1
                if error is None:
                    batch.finish(row.id, status=MailStatus.SENT, sent_at=utcnow(), last_error=None,
                                 attempts=attempts)
                    sent += 1
                    continue
                failed += 1
                first_error = first_error or error
                gave_up = attempts >= max_attempts
                batch.finish(row.id, attempts=attempts, last_error=error,
                             **({"status": MailStatus.FAILED} if gave_up
                                else {"next_attempt_at": now + retry_delay(attempts)}))
    if failed:
        log.warning("mail: %d of %d failed (%s); retrying later", failed, len(batch), first_error)
    return sent, failed


def drain(app: Flask | None = None, now: dt.datetime | None = None, lease: float | None = None) -> tuple[int, int]:
    """Send batch after batch until nothing is due or a batch sends nothing."""
    return drain_all(send_due, app, now, lease=lease)


def backlog(session: Session | None = None) -> dict[str, int]:
    """Counts by status, plus how many pending rows have failed at least once."""
    return status_counts(session or db.session, MailOutbox, MailStatus.ALL, MailStatus.PENDING)


# --- inline sending after commit ---------------------------------------------------------------

_inline = InlineDrain("mail", "NOTIFY_SYNC", lambda app: drain(app))


def register(app: Flask) -> None:
    _inline.register(watch=MailOutbox)
