"""Email: build a message from an outbox row and hand it to SMTP, or, in development, to a folder.

Nothing here needs Flask: a worker passes `MailSettings` (made once from the app's config) and a row.
"""
from __future__ import annotations

import hashlib
import logging
import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Protocol

from app.clock import now

log = logging.getLogger(__name__)

SMTP = "smtp"
FOLDER = "folder"


@dataclass(frozen=True)
class MailSettings:
    backend: str  # smtp | folder
    mail_from: str
    domain: str
    folder: Path
    smtp_host: str
    smtp_port: int
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout: int = 20

    @classmethod
    def from_config(cls, config) -> MailSettings:
        """From a Flask config (or any mapping with the same keys)."""
        backend = config["MAIL_BACKEND"]
        if backend not in (SMTP, FOLDER):
            raise ValueError(f"MAIL_BACKEND must be 'smtp' or 'folder', got {backend!r}")
        return cls(
            backend=backend, mail_from=config["MAIL_FROM"], domain=config["MAIL_DOMAIN"],
            folder=Path(config["MAIL_FOLDER"]), smtp_host=config["SMTP_HOST"], smtp_port=int(config["SMTP_PORT"]),
            smtp_username=config.get("SMTP_USERNAME"), smtp_password=config.get("SMTP_PASSWORD"),
            smtp_starttls=bool(config.get("SMTP_STARTTLS")), smtp_timeout=int(config.get("SMTP_TIMEOUT", 20)),
        )


class Outgoing(Protocol):
    """What a message is built from: a `Notification` row has these."""

    message_id: str
    recipient_email: str
    recipient_name: str | None
    subject: str
    body_text: str
    body_html: str | None


def message_id_for(dedupe_key: str, domain: str) -> str:
    """Deterministic, so a resend after a worker died is recognisably the same message to the recipient's
    mail system (the one window no outbox can close: accepted by SMTP, not yet recorded as sent). Made from
    the dedupe key, which is unique, so it is known before the row has an id (no flush per message)."""
    digest = hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:32]
    return f"<aphub-{digest}@{domain}>"


def build_message(outgoing: Outgoing, settings: MailSettings) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = formataddr((outgoing.recipient_name or "", outgoing.recipient_email))
    # One line only: a newline in a subject would be a header injection.
    msg["Subject"] = " ".join(outgoing.subject.split())
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = outgoing.message_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies should not answer it
    msg.set_content(outgoing.body_text)
    if outgoing.body_html:
        msg.add_alternative(outgoing.body_html, subtype="html")
    return msg


class PermanentMailError(Exception):
    """The mail server refused the message for good (a 5xx reply): retrying will not help."""


def send(msg: EmailMessage, settings: MailSettings) -> None:
    """Deliver one message. Raises on failure: `PermanentMailError` for a 5xx refusal, otherwise the
    `smtplib.SMTPException` or `OSError` (a retry may succeed)."""
    if settings.backend == FOLDER:
        _write_to_folder(msg, settings.folder)
    else:
        _send_smtp(msg, settings)


def _send_smtp(msg: EmailMessage, settings: MailSettings) -> None:
    server = _connect(settings)
    _transmit(server, msg, settings)
    _quit(server)


def _connect(settings: MailSettings) -> smtplib.SMTP:
    server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
    try:
        if settings.smtp_starttls:
            server.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            server.login(settings.smtp_username, settings.smtp_password or "")
    except smtplib.SMTPResponseException as exc:
        _close(server)
        if 500 <= exc.smtp_code < 600:
            raise PermanentMailError(_describe(exc)) from exc
        raise
    except BaseException:
        _close(server)
        raise
    return server


def _transmit(server: smtplib.SMTP, msg: EmailMessage, settings: MailSettings) -> None:
    """One message on an open connection. On any failure the connection is closed (its state is unknown)."""
    try:
        server.send_message(msg, from_addr=parseaddr(settings.mail_from)[1])
    except smtplib.SMTPResponseException as exc:
        _close(server)
        if 500 <= exc.smtp_code < 600:
            raise PermanentMailError(_describe(exc)) from exc
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        _close(server)
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(500 <= c < 600 for c in codes):
            raise PermanentMailError(f"recipient refused: {exc.recipients}") from exc
        raise
    except BaseException:
        _close(server)
        raise


def _quit(server: smtplib.SMTP) -> None:
    # Accepted. A failing QUIT changes nothing: return at once so the caller records it as sent.
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        _close(server)


class MailConnection:
    """One SMTP connection for many messages: a sweep's emails go over it one after another instead of one
    connection (and one TLS handshake and login) each (issue 18). Each `send` is still one message with its
    own outcome; after a failure the connection is dropped and the next message opens a new one. Use as a
    context manager; the folder backend needs no connection."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._server: smtplib.SMTP | None = None
        self.connections = 0  # opened so far (the benchmark and the tests read it)

    def send(self, msg: EmailMessage) -> None:
        if self.settings.backend == FOLDER:
            _write_to_folder(msg, self.settings.folder)
            return
        if self._server is None:
            self._server = _connect(self.settings)
            self.connections += 1
        server, self._server = self._server, None  # dropped unless the message goes through
        _transmit(server, msg, self.settings)
        self._server = server

    def close(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            _quit(server)

    def __enter__(self) -> MailConnection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _close(server: smtplib.SMTP) -> None:
    try:
        server.close()
    except OSError:
        pass


def _describe(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}"


def describe_error(exc: BaseException) -> str:
    """A line for the outbox's last_error, readable by the trustee."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP refused: {_describe(exc)}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"SMTP refused the recipient: {exc.recipients}"
    if isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException):
        return f"could not reach the mail server: {exc}"
    return f"{type(exc).__name__}: {exc}"


_announced_folders: set[Path] = set()


def announce_folder_backend(folder: Path) -> None:
    """Development writes mail to a folder; say so once per process, loudly enough to be noticed."""
    if folder not in _announced_folders:
        _announced_folders.add(folder)
        log.warning("MAIL_BACKEND=folder: email is not sent; each message is written as an .eml file in %s",
                    folder)


def _write_to_folder(msg: EmailMessage, folder: Path) -> Path:
    announce_folder_backend(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now().strftime("%Y%m%dT%H%M%S%fZ")
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in msg["Message-ID"].strip("<>"))
    target = folder / f"{stamp}-{name}.eml"
    # Written whole or not at all: a reader never sees half a message.
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(msg.as_bytes())
    os.replace(tmp, target)
    return target
