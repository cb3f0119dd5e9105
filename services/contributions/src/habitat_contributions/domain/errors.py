"""Domain errors: each carries a machine code and a human sentence."""

from __future__ import annotations


class ContributionError(Exception):
    """Base of every rule a request can break."""

    code = "contribution_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidContribution(ContributionError):
    """The submitted data breaks a validation rule (bad amount, hours, rate or description)."""

    code = "invalid_contribution"


class PeriodNotOpen(ContributionError):
    """No open period contains the contribution's date."""

    code = "period_not_open"


class SelfReview(ContributionError):
    """A reviewer tried to decide their own contribution."""

    code = "self_review"


class AlreadyDecided(ContributionError):
    """The contribution is no longer pending, so it cannot be decided again."""

    code = "already_decided"


class ContributionNotFound(ContributionError):
    """No such contribution, or the caller may not see it."""

    code = "not_found"
