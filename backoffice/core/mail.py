"""Sending mail: through a real SMTP server when one is configured, otherwise into an on-disk outbox.

Every part of backoffice that mails someone (one-time codes, contact tokens) sends through
``send``. The outbox is a directory of RFC 5322 ``.eml`` files, newest last, that
``backoffice outbox`` lists and shows: on a machine with no mail server nothing is lost and a
developer can read what would have been sent.

Message bodies carry secrets (codes, tokens): they are never logged.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid, parsedate_to_datetime
from pathlib import Path

from .errors import CoreError, Invalid

log = logging.getLogger("backoffice.mail")

SECURITY = ("none", "starttls", "tls")
MAX_SUBJECT = 200
MAX_BODY = 100_000


class MailUnavailable(CoreError):
    """The configured SMTP server could not take the message (it was not sent)."""

    code = "MailUnavailable"


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes: ``smtp_host`` empty means the outbox directory."""

    outbox: Path
    sender: str = "backoffice@localhost"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    security: str = "none"  # none | starttls | tls
    timeout: float = 10.0


@dataclass(frozen=True)
class OutboxMessage:
    id: str
    to: str
    subject: str
    date: datetime
    path: Path

    def body(self) -> str:
        message = BytesParser(policy=policy.default).parsebytes(self.path.read_bytes())
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


def _message(settings: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    if not to or "@" not in to or any(c in to for c in "\r\n,;<>"):
        raise Invalid.field("to", f"{to!r} is not one e-mail address", "InvalidEmail")
    if any(c in subject for c in "\r\n") or len(subject) > MAX_SUBJECT:
        raise Invalid.field("subject", "A subject is one line of at most 200 characters", "InvalidValue")
    if len(body) > MAX_BODY:
        raise Invalid.field("body", f"A message body is at most {MAX_BODY} characters", "InvalidValue")
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or "localhost")
    message.set_content(body)
    return message


def send(settings: MailSettings, to: str, subject: str, body: str) -> str:
    """Send one plain-text message; returns its Message-ID. Raises MailUnavailable if the SMTP
    server refuses it or cannot be reached (nothing is written to the outbox then: it was not sent)."""
    message = _message(settings, to, subject, body)
    if not settings.smtp_host:
        _to_outbox(settings.outbox, message)
        log.info("Mail to %s (%s) written to the outbox", to, subject)
        return str(message["Message-ID"])
    try:
        if settings.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.timeout,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # The server's reply may quote the message; the log says only who and where.
        log.warning("Mail to %s could not be sent through %s:%s (%s)", to, settings.smtp_host, settings.smtp_port,
                    type(exc).__name__)
        raise MailUnavailable(f"The mail server {settings.smtp_host} could not take the message") from exc
    log.info("Mail to %s (%s) sent through %s", to, subject, settings.smtp_host)
    return str(message["Message-ID"])


def _to_outbox(outbox: Path, message: EmailMessage) -> None:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    name = f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    temporary = outbox / f".{name}.tmp"
    # Written aside and renamed, so a reader never sees half a message.
    temporary.write_bytes(message.as_bytes(policy=policy.SMTP))
    os.replace(temporary, outbox / name)


def outbox(settings_or_path: MailSettings | Path) -> list[OutboxMessage]:
    """The messages in the outbox, oldest first."""
    directory = settings_or_path.outbox if isinstance(settings_or_path, MailSettings) else settings_or_path
    if not directory.is_dir():
        return []
    found = []
    parser = BytesParser(policy=policy.default)
    for path in sorted(directory.glob("*.eml")):
        headers = parser.parsebytes(path.read_bytes(), headersonly=True)
        try:
            date = parsedate_to_datetime(str(headers["Date"]))
        except (TypeError, ValueError):
            date = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        found.append(OutboxMessage(path.stem, str(headers["To"] or ""), str(headers["Subject"] or ""), date, path))
    return found
