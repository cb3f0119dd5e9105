"""The development mailbox (issue 17): a local SMTP server that keeps every mail as an .eml file and says so."""

from __future__ import annotations

import asyncio
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
from habitat_devstack.mailbox import Mailbox, parse, plain_text, recipients, running_mailbox
from habitat_devstack.stack import ROOT


def message(to: str, subject: str, body: str = "Hello.\n", html: str | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "habitat@demo.coop"
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content(body)
    if html:
        mail.add_alternative(html, subtype="html")
    return mail


class Lines(list):
    def __call__(self, line: str) -> None:
        self.append(line)


class TestReceiving:
    def test_a_mail_sent_with_smtplib_is_kept_whole_as_an_eml_file(self, tmp_path: Path) -> None:
        lines = Lines()
        with running_mailbox(tmp_path / "mail", log=lines) as mailbox:
            with smtplib.SMTP(mailbox.host, mailbox.port, timeout=10) as smtp:
                smtp.send_message(message("alice@demo.coop", "Welcome to Habitat", "Choose a password: https://x/y\n",
                                          html="<p>Choose a password</p>"))
            files = mailbox.files()
            assert len(files) == 1 and files[0].parent == tmp_path / "mail" and files[0].suffix == ".eml"
            stored = parse(files[0].read_bytes())
            assert stored["Subject"] == "Welcome to Habitat"
            assert stored["From"] == "habitat@demo.coop"
            assert recipients(stored) == ["alice@demo.coop"]
            assert stored["X-MailFrom"] == "habitat@demo.coop"
            assert plain_text(stored) == "Choose a password: https://x/y\n"
            assert stored.get_body(preferencelist=("html",)).get_content() == "<p>Choose a password</p>\n"
            assert not list((tmp_path / "mail").glob(".*")), "no partial file is left behind"
        assert len(lines) == 1
        time_part, _, rest = lines[0].partition(" ")
        assert time.strptime(time_part, "%H:%M:%S")
        assert rest == f"mail to alice@demo.coop: 'Welcome to Habitat' -> {files[0]}"

    def test_a_mail_sent_with_aiosmtplib_is_found_by_its_envelope_recipient(self, tmp_path: Path) -> None:
        with running_mailbox(tmp_path, log=Lines()) as mailbox:
            mail = message("Steward <steward@demo.coop>", "Review backlog")

            async def send() -> None:
                # the envelope says who gets it, whatever the headers say (a Bcc'd steward)
                await aiosmtplib.send(mail, hostname=mailbox.host, port=mailbox.port, start_tls=False,
                                      recipients=["steward@demo.coop", "auditor@demo.coop"])

            asyncio.run(send())
            found = mailbox.wait_for("AUDITOR@demo.coop", timeout=5)
            assert found["Subject"] == "Review backlog"
            assert recipients(found) == ["steward@demo.coop", "auditor@demo.coop"]
            assert mailbox.messages("someone-else@demo.coop") == []

    def test_a_non_ascii_subject_and_body_arrive_decoded(self, tmp_path: Path) -> None:
        lines = Lines()
        subject = "Réinitialisation du mot de passe — coopérative Ñandú 🌱"
        with running_mailbox(tmp_path, log=lines) as mailbox:
            with smtplib.SMTP(mailbox.host, mailbox.port, timeout=10) as smtp:
                smtp.send_message(message("zoë@demo.coop", subject, "Bonjour Zoë, voici le lien.\n"))
            found = mailbox.wait_for("zoë@demo.coop", timeout=5)
        assert found["Subject"] == subject
        assert plain_text(found) == "Bonjour Zoë, voici le lien.\n"
        assert f"'{subject}'" in lines[0]


class TestConcurrency:
    def test_several_mails_at_once_are_each_kept_and_printed_once(self, tmp_path: Path) -> None:
        lines = Lines()
        count = 20
        with running_mailbox(tmp_path, log=lines) as mailbox:

            async def send_all() -> None:
                await asyncio.gather(*(
                    aiosmtplib.send(message(f"member-{i}@demo.coop", f"Reminder {i}"), hostname=mailbox.host,
                                    port=mailbox.port, start_tls=False)
                    for i in range(count)
                ))

            asyncio.run(send_all())
            subjects = sorted(str(m["Subject"]) for m in mailbox.messages())
            assert len(mailbox.files()) == count
        assert subjects == sorted(f"Reminder {i}" for i in range(count))
        assert len(lines) == count
        for i in range(count):
            assert sum(f"mail to member-{i}@demo.coop: 'Reminder {i}'" in line for line in lines) == 1

    def test_waiting_for_the_second_mail_to_an_address_returns_it_in_order(self, tmp_path: Path) -> None:
        with running_mailbox(tmp_path, log=Lines()) as mailbox:
            with smtplib.SMTP(mailbox.host, mailbox.port, timeout=10) as smtp:
                smtp.send_message(message("bob@demo.coop", "first"))
                smtp.send_message(message("bob@demo.coop", "second"))
            assert mailbox.wait_for("bob@demo.coop", count=2, timeout=5)["Subject"] == "second"
            assert mailbox.wait_for("bob@demo.coop")["Subject"] == "first"

    def test_waiting_for_a_mail_that_never_comes_fails_with_what_was_found(self, tmp_path: Path) -> None:
        with running_mailbox(tmp_path, log=Lines()) as mailbox, pytest.raises(AssertionError, match="0 mail"):
            mailbox.wait_for("nobody@demo.coop", timeout=0.3)


def test_two_mailboxes_run_side_by_side_on_ports_of_their_own(tmp_path: Path) -> None:
    with running_mailbox(tmp_path / "a", log=Lines()) as a, running_mailbox(tmp_path / "b", log=Lines()) as b:
        assert a.port != b.port and a.port > 0
        with smtplib.SMTP(b.host, b.port, timeout=10) as smtp:
            smtp.send_message(message("carol@demo.coop", "only b"))
        b.wait_for("carol@demo.coop", timeout=5)
        assert a.files() == []


def test_the_command_line_server_prints_a_line_per_mail(tmp_path: Path) -> None:
    with running_mailbox(tmp_path / "probe", log=Lines()) as probe:
        port = probe.port  # free a moment ago; the command takes it
    directory = tmp_path / "mail"
    server = subprocess.Popen(
        [sys.executable, "-m", "habitat_devstack.mailbox", "--port", str(port), "--dir", str(directory)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
    )
    try:
        banner = server.stdout.readline()
        assert banner.strip() == f"mailbox: smtp://127.0.0.1:{port}, mail lands in {directory}/"
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(message("dana@demo.coop", "Your share for 2026-Q1"))
        line = server.stdout.readline()
        assert "mail to dana@demo.coop: 'Your share for 2026-Q1' -> " in line
        stored = Path(line.rsplit(" -> ", 1)[1].strip())
        assert stored.parent == directory and parse(stored.read_bytes())["To"] == "dana@demo.coop"
        assert Mailbox("127.0.0.1", port, directory).wait_for("dana@demo.coop", timeout=1)
    finally:
        server.terminate()
        assert server.wait(10) == 0


def test_every_local_stack_points_the_notifications_service_at_its_mailbox(monkeypatch) -> None:
    from habitat_devstack.stack import StackConfig, free_ports
    from habitat_notifications.config import NotificationsSettings

    ports = free_ports()
    config = StackConfig(database_url="postgresql+asyncpg://x@127.0.0.1/db", amqp_url="amqp://g:g@127.0.0.1/", ports=ports)
    for key, value in config.env().items():
        if key.startswith("NOTIFICATIONS_"):
            monkeypatch.setenv(key, value)
    settings = NotificationsSettings()
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.starttls) == ("127.0.0.1", ports["mailbox"], False)
    assert settings.public_url == config.url  # the links in a mail lead back to this stack
