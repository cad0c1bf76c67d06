"""Building and sending email without Flask: a stable Message-ID, both parts, SMTP and the development folder."""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, replace
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from app import mail
from app.mail import MailSettings, PermanentMailError, build_message, message_id_for, send
from app.models import NotificationStatus
from tests.jobs.outbox_fixtures import notification, queue_staff_prompt, received, run_worker
from tests.servers import free_port


@dataclass
class Row:
    message_id: str
    recipient_email: str = "vsh@la.example.org"
    recipient_name: str | None = "Vivian Head"
    subject: str = "New placement\nfor a looked-after pupil"
    body_text: str = "A new placement starts on Monday.\n"
    body_html: str | None = "<p>A new placement starts on <strong>Monday</strong>.</p>"


def _settings(**overrides) -> MailSettings:
    base = MailSettings(backend="smtp", mail_from="AP Hub <aphub@example.org>", domain="aphub.example.org",
                        folder=Path("/nonexistent"), smtp_host="127.0.0.1", smtp_port=25, smtp_timeout=5)
    return replace(base, **overrides)


def test_message_id_is_deterministic_per_dedupe_key():
    one = message_id_for("placement-commissioned:41:la:7", "aphub.example.org")
    assert one == message_id_for("placement-commissioned:41:la:7", "aphub.example.org")
    assert one.startswith("<aphub-") and one.endswith("@aphub.example.org>")
    assert one != message_id_for("placement-commissioned:41:vsh:7", "aphub.example.org")
    assert one != message_id_for("placement-commissioned:42:la:7", "aphub.example.org")


def test_a_built_message_has_both_parts_and_keeps_its_message_id_when_built_again():
    row = Row(message_id=message_id_for("k", "aphub.example.org"))
    first, second = build_message(row, _settings()), build_message(row, _settings())
    assert first["Message-ID"] == second["Message-ID"] == row.message_id
    assert first["From"] == "AP Hub <aphub@example.org>"
    assert first["To"] == "Vivian Head <vsh@la.example.org>"
    assert first["Subject"] == "New placement for a looked-after pupil"
    assert first["Date"] and first["Auto-Submitted"] == "auto-generated"
    assert first.get_body(("plain",)).get_content() == "A new placement starts on Monday.\n"
    assert "<strong>Monday</strong>" in first.get_body(("html",)).get_content()
    plain_only = build_message(replace(row, body_html=None), _settings())
    assert plain_only.get_content_type() == "text/plain"


def test_settings_come_from_the_config_and_refuse_an_unknown_backend(app):
    settings = MailSettings.from_config(app.config)
    assert (settings.backend, settings.smtp_host, settings.domain) == ("smtp", "127.0.0.1", "aphub.example.org")
    with pytest.raises(ValueError, match="MAIL_BACKEND must be 'smtp' or 'folder'"):
        MailSettings.from_config({**app.config, "MAIL_BACKEND": "pigeon"})


def test_smtp_delivery_reaches_the_server(smtp_sink):
    send(build_message(Row(message_id="<m-1@aphub.example.org>"), _settings(smtp_port=smtp_sink.port)),
         _settings(smtp_port=smtp_sink.port))
    (msg,) = received(smtp_sink)
    assert msg["Message-ID"] == "<m-1@aphub.example.org>" and msg["X-Envelope-To"] == "vsh@la.example.org"
    smtp_sink.clear()


def test_a_temporary_refusal_raises_for_a_retry(smtp_sink):
    smtp_sink.refuse = True
    try:
        with pytest.raises(smtplib.SMTPDataError) as caught:
            send(build_message(Row(message_id="<m-2@x>"), _settings()), _settings(smtp_port=smtp_sink.port))
        assert mail.describe_error(caught.value) == "SMTP refused: 451 4.3.0 try again later"
    finally:
        smtp_sink.clear()


def test_an_unreachable_server_raises_for_a_retry():
    with pytest.raises(OSError) as caught:
        send(build_message(Row(message_id="<m-3@x>"), _settings()), _settings(smtp_port=free_port()))
    assert mail.describe_error(caught.value).startswith("could not reach the mail server")


class _RejectingHandler:
    """An SMTP server that refuses every recipient for good (550), as for a mistyped address."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 no such mailbox"


@pytest.fixture
def rejecting_smtp():
    from aiosmtpd.controller import Controller

    controller = Controller(_RejectingHandler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port
    controller.stop()


def test_a_permanent_refusal_fails_the_notification_at_once(app, world, rejecting_smtp, monkeypatch):
    with pytest.raises(PermanentMailError, match="550"):
        send(build_message(Row(message_id="<m-4@x>"), _settings()), _settings(smtp_port=rejecting_smtp))
    monkeypatch.setitem(app.config, "SMTP_PORT", rejecting_smtp)
    nid = queue_staff_prompt(world)
    run_worker()
    row = notification(nid)
    assert row.status is NotificationStatus.FAILED and row.attempts == 1 and row.next_attempt_at is None
    assert "550" in row.last_error and "no such mailbox" in row.last_error


def test_the_development_folder_backend_writes_an_eml_and_says_so_once(tmp_path, caplog):
    folder = tmp_path / "mail"
    settings = _settings(backend="folder", folder=folder)
    caplog.set_level(logging.WARNING, logger="app.mail")
    for n in (1, 2):
        send(build_message(Row(message_id=f"<aphub-notification-{n}-abc@aphub.example.org>"), settings), settings)
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2 and not list(folder.glob("*.part"))
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == "<aphub-notification-1-abc@aphub.example.org>"
    assert parsed.get_body(("plain",)).get_content() == "A new placement starts on Monday.\n"
    notices = [r.getMessage() for r in caplog.records if "MAIL_BACKEND=folder" in r.getMessage()]
    assert notices == [f"MAIL_BACKEND=folder: email is not sent; each message is written as an .eml file in {folder}"]


def test_a_worker_in_development_writes_the_notification_to_the_folder(app, world, smtp_sink, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "folder")
    monkeypatch.setitem(app.config, "MAIL_FOLDER", tmp_path / "dev-mail")
    nid = queue_staff_prompt(world)
    run_worker()
    (eml,) = (tmp_path / "dev-mail").glob("*.eml")
    assert notification(nid).message_id in eml.read_text()
    assert notification(nid).status is NotificationStatus.SENT and smtp_sink.messages == []
