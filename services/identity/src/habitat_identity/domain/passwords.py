"""The password policy for passwords members choose themselves."""

from __future__ import annotations

from dataclasses import dataclass

from habitat_identity.domain.errors import WeakPassword

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn scale 0-4: 3 means "safely unguessable" (about 10^10 guesses)
# Shorter email local parts or names ("a@x.org", "Al") would forbid most passwords without adding safety.
MIN_PERSONAL_PART = 3


@dataclass(frozen=True)
class Strength:
    """An estimate of how guessable a password is (zxcvbn's score and feedback)."""

    score: int
    warning: str = ""
    suggestions: tuple[str, ...] = ()


def check_password_policy(
    new_password: str, *, email: str, display_name: str, strength: Strength, current: str | None = None
) -> None:
    """Raise WeakPassword with a sentence saying why, or return when the password is acceptable."""
    if len(new_password) < MIN_LENGTH:
        raise WeakPassword(f"The password must be at least {MIN_LENGTH} characters long.")
    if len(new_password) > MAX_LENGTH:
        raise WeakPassword(f"The password must be at most {MAX_LENGTH} characters long.")
    lowered = new_password.lower()
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= MIN_PERSONAL_PART and local_part in lowered:
        raise WeakPassword("The password must not contain your email address.")
    name = display_name.strip().lower()
    if len(name) >= MIN_PERSONAL_PART and name in lowered:
        raise WeakPassword("The password must not contain your display name.")
    if current is not None and new_password == current:
        raise WeakPassword("The new password must differ from the current one.")
    if strength.score < MIN_SCORE:
        advice = " ".join(part for part in (strength.warning, *strength.suggestions) if part)
        raise WeakPassword(f"The password is too easy to guess. {advice}".strip())
