"""Rule 10, corrections are bounded: a correction keeps its original's type, corrects an approved contribution of
the same member, and the original plus all its approved corrections never goes below zero, on each figure the
contribution carries: patronage value, book credit (property: fair market value) and tax credit (property:
adjusted basis). A property correction may therefore fix the basis alone.

Checked at submission and edit (against the corrections approved so far) and again at approval, with the
original locked so that two corrections approved at once are summed one after the other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from habitat_contributions.domain.errors import InvalidContribution
from habitat_contributions.domain.model import Contribution
from habitat_contributions.domain.statuses import ContributionStatus, ContributionType
from habitat_contributions.domain.valuation import ZERO

FIGURES = ("value", "book_amount", "tax_amount")
# Per type, each figure that can go below zero: the submitted field a refusal points at and how to name it
# (labor has no capital credit; its value comes from hours).
_FMV, _BASIS = ("fair_market_value", "fair market value"), ("adjusted_basis", "adjusted basis")
FIGURE_FIELD = {
    ContributionType.LABOR: {"value": ("hours", "value (hours x rate)")},
    ContributionType.CAPITAL: dict.fromkeys(FIGURES, ("amount", "amount")),
    ContributionType.PROPERTY: {"value": _FMV, "book_amount": _FMV, "tax_amount": _BASIS},
}


class CorrectionRefused(InvalidContribution):
    """A correction breaks rule 10; field is the submitted field the refusal is about."""

    code = "invalid_correction"

    def __init__(self, message: str, *, code: str, field: str) -> None:
        super().__init__(message, code=code)
        self.field = field


@dataclass(frozen=True)
class Figures:
    """What a contribution (or several) counts for: patronage value and capital credit on each basis."""

    value: Decimal = ZERO
    book_amount: Decimal = ZERO
    tax_amount: Decimal = ZERO

    @property
    def known(self) -> bool:
        return all(getattr(self, name) is not None for name in FIGURES)

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, name) + getattr(other, name) for name in FIGURES))


@dataclass(frozen=True)
class Entry:
    """The facts of a contribution the rule looks at."""

    id: uuid.UUID | None
    member_id: uuid.UUID | None
    type: ContributionType
    status: ContributionStatus
    corrects: uuid.UUID | str | None
    figures: Figures

    @classmethod
    def of(cls, contribution: Contribution) -> Entry:
        return cls(
            id=contribution.id,
            member_id=contribution.member_id,
            type=ContributionType(contribution.type),
            status=ContributionStatus(contribution.status),
            corrects=contribution.corrects_contribution_id,
            figures=Figures(contribution.value, contribution.book_amount, contribution.tax_amount),
        )


TARGET = "corrects_contribution_id"


def check_correction(correction: Entry, original: Entry | None, approved_corrections: Figures) -> None:
    """Raise CorrectionRefused unless `correction` may correct `original`, given the sum of the original's
    corrections approved so far (not counting this one)."""
    if original is None:
        raise CorrectionRefused(
            "corrects_contribution_id must name one of your approved contributions; there is no such contribution.",
            code="unknown_correction_target",
            field=TARGET,
        )
    if original.member_id != correction.member_id:
        raise CorrectionRefused(
            "A correction must be of the same member's contribution; this one belongs to another member.",
            code="correction_of_other_member",
            field=TARGET,
        )
    if original.corrects is not None:
        raise CorrectionRefused(
            f"That contribution is itself a correction; correct the original ({original.corrects}) instead.",
            code="correction_of_correction",
            field=TARGET,
        )
    if original.status != ContributionStatus.APPROVED:
        raise CorrectionRefused(
            f"Only an approved contribution can be corrected; this one is {original.status}"
            + (" (edit it instead)." if original.status != ContributionStatus.REJECTED else "."),
            code="correction_of_unapproved",
            field=TARGET,
        )
    if correction.type != original.type:
        raise CorrectionRefused(
            f"A correction keeps its original's type: this corrects a {original.type} contribution, "
            f"so it must be {original.type}, not {correction.type}.",
            code="correction_type_mismatch",
            field="type",
        )
    so_far = original.figures + approved_corrections
    after = so_far + correction.figures
    for figure in FIGURES:
        if getattr(after, figure) < ZERO and getattr(correction.figures, figure) < ZERO:
            field, name = FIGURE_FIELD[original.type][figure]
            raise CorrectionRefused(
                f"This correction would take the {name} of the corrected contribution below zero: "
                f"{getattr(so_far, figure):.2f} with the corrections approved so far, "
                f"{getattr(correction.figures, figure):.2f} in this one.",
                code="correction_below_zero",
                field=field,
            )
