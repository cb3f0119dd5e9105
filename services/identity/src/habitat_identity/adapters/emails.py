"""Email syntax checks with the email-validator package (no DNS lookups)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from habitat_identity.domain.model import normalize_email


def check_email(address: str) -> str:
    """The normalised (lower-case) address, or ValueError saying what is wrong with it."""
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
    return normalize_email(valid.normalized)
