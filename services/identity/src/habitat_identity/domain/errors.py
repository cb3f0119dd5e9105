"""Domain errors; each carries a human sentence the API shows as the message."""

from __future__ import annotations


class IdentityError(Exception):
    """Base of every identity domain error."""

    message = "The request cannot be completed."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message


class InvalidCredentials(IdentityError):
    message = "The email or password is wrong."


class InvalidRefreshToken(IdentityError):
    message = "The refresh token is invalid, expired or revoked."


class InvalidPassword(IdentityError):
    message = "The current password is wrong."


class WeakPassword(IdentityError):
    message = "The new password does not meet the password policy."


class EmailTaken(IdentityError):
    message = "A member with this email already exists."


class MemberNotFound(IdentityError):
    message = "No such member."


class InvalidMemberChange(IdentityError):
    message = "This change to the member is not allowed."


class CannotChangeSelf(IdentityError):
    message = "Admins cannot demote or deactivate themselves; ask another admin."


class TooManyAttempts(IdentityError):
    message = "Too many failed sign-ins. Wait a moment and try again."

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__()
        self.retry_after_seconds = retry_after_seconds


class TemporaryPasswordExpired(IdentityError):
    message = "Your temporary password has expired. Ask an admin to issue you a new one."


class InvalidPasswordToken(IdentityError):
    """The link is unknown, was superseded by a newer one, or is for another purpose."""

    message = "This link is not valid (a newer one may have been sent). Ask for a new one."


class PasswordTokenUsed(InvalidPasswordToken):
    message = "This link was already used. Ask for a new one if you need to set your password again."


class PasswordTokenExpired(InvalidPasswordToken):
    message = "This link has expired. Ask for a new one."


class RosterTooLarge(IdentityError):
    """A roster has more rows than one import may create or update."""

    def __init__(self, rows: int, max_rows: int) -> None:
        super().__init__(
            f"The file has {rows:,} rows; one import takes at most {max_rows:,}. Split it into smaller files."
        )


class InvalidCsv(IdentityError):
    """A roster file failed validation; nothing was imported."""

    def __init__(self, errors: list) -> None:
        super().__init__(f"The file has {len(errors)} error(s); nothing was imported.")
        self.errors = errors
