"""Domain errors; each carries a machine code, a kind (an ErrorKind value) and the human sentence the API shows."""

from __future__ import annotations

from dataclasses import asdict


class IdentityError(Exception):
    """Base of every identity domain error."""

    code = "bad_request"
    kind = "invalid"  # every subclass names its own: a test fails otherwise
    message = "The request cannot be completed."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message

    def details(self) -> dict:
        """Fields the API answer adds beside the error object (identity's body shape)."""
        return {}

    def headers(self) -> dict[str, str]:
        """Headers the API answer carries."""
        return {}


class InvalidCredentials(IdentityError):
    code = "invalid_credentials"
    kind = "unauthorized"
    message = "The email or password is wrong."


class InvalidRefreshToken(IdentityError):
    code = "invalid_refresh_token"
    kind = "unauthorized"
    message = "The refresh token is invalid, expired or revoked."


class InvalidPassword(IdentityError):
    code = "invalid_password"
    kind = "invalid"
    message = "The current password is wrong."


class WeakPassword(IdentityError):
    code = "weak_password"
    kind = "unprocessable"
    message = "The new password does not meet the password policy."


class EmailTaken(IdentityError):
    code = "email_taken"
    kind = "conflict"
    message = "A member with this email already exists."


class MemberNotFound(IdentityError):
    code = "not_found"
    kind = "not_found"
    message = "No such member."


class InvalidMemberChange(IdentityError):
    code = "invalid_member_change"
    kind = "unprocessable"
    message = "This change to the member is not allowed."


class CannotChangeSelf(IdentityError):
    code = "cannot_change_self"
    kind = "conflict"
    message = "Admins cannot demote or deactivate themselves; ask another admin."


class TooManyAttempts(IdentityError):
    code = "too_many_attempts"
    kind = "too_many"
    message = "Too many failed sign-ins. Wait a moment and try again."

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__()
        self.retry_after_seconds = retry_after_seconds

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


class TemporaryPasswordExpired(IdentityError):
    code = "temporary_password_expired"
    kind = "forbidden"
    message = "Your temporary password has expired. Ask an admin to issue you a new one."


class InvalidPasswordToken(IdentityError):
    """The link is unknown, was superseded by a newer one, or is for another purpose."""

    code = "invalid_token"
    kind = "invalid"
    message = "This link is not valid (a newer one may have been sent). Ask for a new one."


class PasswordTokenUsed(InvalidPasswordToken):
    code = "token_used"
    kind = "invalid"
    message = "This link was already used. Ask for a new one if you need to set your password again."


class PasswordTokenExpired(InvalidPasswordToken):
    code = "token_expired"
    kind = "invalid"
    message = "This link has expired. Ask for a new one."


class RosterTooLarge(IdentityError):
    """A roster has more rows than one import may create or update."""

    code = "too_many_rows"
    kind = "too_large"

    def __init__(self, rows: int, max_rows: int) -> None:
        super().__init__(
            f"The file has {rows:,} rows; one import takes at most {max_rows:,}. Split it into smaller files."
        )


class InvalidCsv(IdentityError):
    """A roster file failed validation; nothing was imported."""

    code = "invalid_csv"
    kind = "unprocessable"

    def __init__(self, errors: list) -> None:
        super().__init__(f"The file has {len(errors)} error(s); nothing was imported.")
        self.errors = errors

    def details(self) -> dict:
        return {"errors": [asdict(error) for error in self.errors]}
