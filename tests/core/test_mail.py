"""Mail: into the on-disk outbox without a server, through a real (local) SMTP server when configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from typer.testing import CliRunner

from backoffice.cli import app
from backoffice.core import errors, mail
from backoffice.settings import Settings
from tests.conftest import _free_port


class _Kept(Message):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[object] = []

    def handle_message(self, message: object) -> None:
        self.received.append(message)


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Kept]]:
    handler = _Kept()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def test_without_a_server_mail_goes_to_the_outbox(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    message_id = mail.send(settings.mail(), "maria@example.gr", "Your code", "Κωδικός: 482913")
    listed = mail.outbox(settings.mail())
    assert [(m.to, m.subject) for m in listed] == [("maria@example.gr", "Your code")]
    assert listed[0].body().strip() == "Κωδικός: 482913"
    assert message_id.startswith("<")
    result = CliRunner().invoke(app, ["outbox"], env={"BACKOFFICE_VAR_DIR": str(tmp_path)})
    assert result.exit_code == 0 and "maria@example.gr" in result.output and "Your code" in result.output
    shown = CliRunner().invoke(app, ["outbox", "--show", "last"], env={"BACKOFFICE_VAR_DIR": str(tmp_path)})
    assert shown.exit_code == 0 and "482913" in shown.output


def test_with_a_server_mail_is_sent_and_the_outbox_stays_empty(tmp_path: Path,
                                                              smtp_server: tuple[int, _Kept]) -> None:
    port, handler = smtp_server
    settings = Settings(var_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=port, mail_from="symphony@example.com")
    mail.send(settings.mail(), "maria@example.gr", "Your code", "482913")
    assert len(handler.received) == 1
    received = handler.received[0]
    assert received["To"] == "maria@example.gr" and received["From"] == "symphony@example.com"  # type: ignore[index]
    assert mail.outbox(settings.mail()) == []


def test_a_server_that_cannot_be_reached_is_an_error_not_a_lost_message(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=1)
    with pytest.raises(mail.MailUnavailable):
        mail.send(settings.mail(), "maria@example.gr", "Your code", "482913")


@pytest.mark.parametrize("to, subject", [("not-an-address", "x"), ("a@b.gr\nBcc: x@y.z", "x"),
                                         ("a@b.gr, c@d.gr", "x"), ("a@b.gr", "two\nlines")])
def test_header_injection_and_bad_addresses_are_refused(tmp_path: Path, to: str, subject: str) -> None:
    with pytest.raises(errors.Invalid):
        mail.send(Settings(var_dir=tmp_path).mail(), to, subject, "body")
    assert mail.outbox(Settings(var_dir=tmp_path).mail()) == []


def test_a_bad_security_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="SMTP_SECURITY"):
        Settings(smtp_security="maybe")
