"""Hands messages to the SMTP server with aiosmtplib and turns its answer into a Delivery."""

from __future__ import annotations

import logging
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
    """One SMTP conversation per message (STARTTLS and login as configured)."""

    def __init__(self, settings: SmtpSettings, *, sender_name: str) -> None:
        self.settings = settings
        self.sender_name = sender_name

    async def send(self, message: Message) -> Delivery:
        """Send; a refusal or a broken connection is an answer, not an exception."""
        s = self.settings
        mail = build_email(message, sender=s.from_address, sender_name=self.sender_name)
        try:
            await aiosmtplib.send(
                mail,
                hostname=s.host,
                port=s.port,
                use_tls=s.tls,
                start_tls=s.starttls,
                username=s.username,
                password=s.password.get_secret_value() if s.password else None,
                timeout=s.timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            answer, permanent = answer_of(error)
            log.warning("mail %s (%s) refused: %s", message.id, message.kind, answer)
            return Delivery(accepted=False, answer=answer[:2000], permanent=permanent)
        return Delivery(accepted=True)
