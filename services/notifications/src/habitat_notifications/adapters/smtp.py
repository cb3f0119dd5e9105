"""Hands messages to the SMTP server with aiosmtplib, one connection a sending round, and turns each answer into a
Delivery."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from habitat_notifications.config import SmtpSettings
from habitat_notifications.domain.messages import Delivery, Message

log = logging.getLogger(__name__)

# A 5xx to the recipient or to the data is the mailbox refusing for good (a bounce). A 5xx elsewhere (auth,
# sender) is our configuration, fixed by an operator: retried like a 4xx, so one typo does not bounce everyone.
_RECIPIENT_REFUSALS = (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError)


def build_email(message: Message, *, sender: str, sender_name: str) -> EmailMessage:
    """The MIME message: text and HTML alternatives, a stable Message-ID (a retry is the same mail), and
    List-Unsubscribe on non-essential mail."""
    mail = EmailMessage()
    mail["From"] = Address(display_name=sender_name, addr_spec=sender)
    mail["To"] = message.recipient_email
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(message.created_at)
    domain = sender.rpartition("@")[2] or "habitat.local"
    mail["Message-ID"] = f"<{message.id}@{domain}>"
    if message.unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
    mail["X-Habitat-Kind"] = message.kind
    mail.set_content(message.text_body)
    mail.add_alternative(message.html_body, subtype="html")
    return mail


def answer_of(error: Exception) -> tuple[str, bool]:
    """The server's answer as text ("550 5.1.1 no such user") and whether it is permanent."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        first = error.recipients[0]
        return f"{first.code} {first.message}", 500 <= first.code < 600
    if isinstance(error, aiosmtplib.SMTPResponseException):
        permanent = isinstance(error, _RECIPIENT_REFUSALS) and 500 <= error.code < 600
        return f"{error.code} {error.message}", permanent
    return f"{type(error).__name__}: {error}", False


class SmtpMailer:
    """Hands messages to the SMTP server (STARTTLS and login as configured): one connection per sending round,
    opened at its first message and opened again after the server dropped it."""

    def __init__(self, settings: SmtpSettings, *, sender_name: str) -> None:
        self.settings = settings
        self.sender_name = sender_name
        self._local_hostname: str | None = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SmtpConversation]:
        """A conversation for one round; quits politely at the end."""
        if self._local_hostname is None:
            # aiosmtplib would otherwise ask the resolver for our name (in a thread) on every connection
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        conversation = SmtpConversation(self.settings, self.sender_name, self._local_hostname)
        try:
            yield conversation
        finally:
            await conversation.close()


class SmtpConversation:
    """One connection to the server, reused message after message."""

    def __init__(self, settings: SmtpSettings, sender_name: str, local_hostname: str) -> None:
        self.settings = settings
        self.sender_name = sender_name
        self.local_hostname = local_hostname
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, message: Message) -> Delivery:
        """Send; a refusal or a broken connection is an answer, not an exception."""
        mail = build_email(message, sender=self.settings.from_address, sender_name=self.sender_name)
        try:
            client = await self._connected()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            self._drop()  # greeting, STARTTLS or login failed: the next message starts a fresh connection
            return _refused(message, error)
        try:
            await client.send_message(mail)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            if not _answered_on_a_live_connection(error, client):
                self._drop()
            return _refused(message, error)
        return Delivery(accepted=True)

    async def close(self) -> None:
        """QUIT when connected; a server that went away meanwhile is not an error."""
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            local_hostname=self.local_hostname,
            use_tls=s.tls,
            start_tls=s.starttls,
            username=s.username,
            password=s.password.get_secret_value() if s.password else None,
            timeout=s.timeout_seconds,
        )
        self._client = client
        await client.connect()
        return client

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            client.close()


def _refused(message: Message, error: Exception) -> Delivery:
    answer, permanent = answer_of(error)
    log.warning("mail %s (%s) refused: %s", message.id, message.kind, answer)
    return Delivery(accepted=False, answer=answer[:2000], permanent=permanent)


def _answered_on_a_live_connection(error: Exception, client: aiosmtplib.SMTP) -> bool:
    """The server refused this message and the conversation goes on (aiosmtplib reset the envelope); a 421 is the
    server closing the conversation."""
    answered = isinstance(error, aiosmtplib.SMTPResponseException | aiosmtplib.SMTPRecipientsRefused)
    closing = isinstance(error, aiosmtplib.SMTPResponseException) and error.code == 421
    return answered and not closing and client.is_connected
