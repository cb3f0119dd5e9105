"""Domain errors: each carries a machine code, a kind (an ErrorKind value) and a human sentence."""

from __future__ import annotations

from dataclasses import asdict


class ContributionError(Exception):
    """Base of every rule a request can break."""

    code = "contribution_error"
    kind = "invalid"  # every subclass names its own: a test fails otherwise

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def details(self) -> dict:
        """Fields the API answer adds to the error object beside code and message."""
        return {}

    def headers(self) -> dict[str, str]:
        """Headers the API answer carries."""
        return {}


class InvalidContribution(ContributionError):
    """The submitted data breaks a validation rule (bad amount, hours, rate, description or correction)."""

    code = "invalid_contribution"
    kind = "unprocessable"


class PeriodNotOpen(ContributionError):
    """No period contains the contribution's date (or its period is closing or closed: code period_closed)."""

    code = "period_not_open"
    kind = "conflict"


class MemberNotActive(ContributionError):
    """Only active members may submit contributions."""

    code = "member_not_active"
    kind = "forbidden"


class SelfReview(ContributionError):
    """A reviewer tried to decide their own contribution."""

    code = "self_review"
    kind = "forbidden"


class NotSubmitter(ContributionError):
    """A steward or admin tried to edit or answer for someone else's contribution."""

    code = "not_submitter"
    kind = "forbidden"


class AlreadyDecided(ContributionError):
    """The contribution is no longer open for this action (decided, or approved already by this reviewer)."""

    code = "already_decided"
    kind = "conflict"


class StaleRevision(ContributionError):
    """The reviewer decided on a revision the submitter has since replaced by an edit."""

    code = "stale_revision"
    kind = "conflict"


class IdempotencyConflict(ContributionError):
    """The idempotency key was used before with a different request body."""

    code = "idempotency_conflict"
    kind = "conflict"


class ContributionNotFound(ContributionError):
    """No such contribution, or the caller may not see it."""

    code = "not_found"
    kind = "not_found"


class MemberNotFound(ContributionError):
    """No such member, or the caller may not see their contributions."""

    code = "not_found"
    kind = "not_found"


class InvalidImport(ContributionError):
    """An import file failed one validation pass; nothing was written. problems lists at most 200 of count."""

    code = "invalid_csv"
    kind = "unprocessable"

    def __init__(self, pass_name: str, count: int, problems: list) -> None:
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun} in the {pass_name} pass; nothing was written.")
        self.pass_name = pass_name
        self.count = count
        self.problems = problems

    def details(self) -> dict:
        return {"pass": self.pass_name, "error_count": self.count, "errors": [asdict(p) for p in self.problems]}
