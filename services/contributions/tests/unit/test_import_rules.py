"""Live intake's rules on an import file's rows: the same domain functions, problems at line and column."""

from __future__ import annotations

import uuid
from decimal import Decimal

from habitat_contributions.domain.contribution_rows import Header
from habitat_contributions.domain.corrections import Entry, Figures
from habitat_contributions.domain.import_rules import CorrectionRow, correction_problems
from habitat_contributions.domain.statuses import ContributionStatus, ContributionType

HEADER = Header(1, ("reference", "member_email", "period", "type", "contributed_on", "amount", "fair_market_value",
                    "adjusted_basis", "status", "corrects_reference"))  # fmt: skip
ANA = uuid.uuid4()
ORIGINAL = uuid.uuid4()


def entry(kind="capital", value="500", tax=None, *, status="approved", member=ANA, id=None) -> Entry:
    figures = Figures(Decimal(value), Decimal(value), Decimal(tax if tax is not None else value))
    return Entry(id, member, ContributionType(kind), ContributionStatus(status), None, figures)


def row(line, correction, original=None, before=None) -> CorrectionRow:
    return CorrectionRow(line, correction, original or entry(id=ORIGINAL), before or Figures())


def found(problems) -> list[tuple]:
    return [(p.line, p.column, p.field, p.code) for p in problems]


def test_approved_correction_rows_count_in_line_order_for_the_rows_after_them():
    rows = [row(3, entry(value="-300")), row(2, entry(value="-200")), row(4, entry(value="-0.01"))]
    assert found(correction_problems(rows, HEADER)) == [(4, 6, "amount", "correction_below_zero")]


def test_a_refused_row_does_not_count():
    rows = [row(2, entry(value="-600")), row(3, entry(value="-500"))]
    assert found(correction_problems(rows, HEADER)) == [(2, 6, "amount", "correction_below_zero")]


def test_pending_rows_are_checked_but_do_not_count():
    rows = [row(2, entry(value="-500", status="pending")), row(3, entry(value="-500"))]
    assert found(correction_problems(rows, HEADER)) == []


def test_corrections_approved_before_in_the_database_count():
    before = Figures(Decimal(-450), Decimal(-450), Decimal(-450))
    assert found(correction_problems([row(2, entry(value="-51"), before=before)], HEADER)) == [
        (2, 6, "amount", "correction_below_zero")
    ]


def test_target_problems_point_at_corrects_reference_and_the_type_at_type():
    rows = [row(2, entry(value="-1"), entry(status="rejected", id=ORIGINAL)),
            row(3, entry(value="-1"), entry(member=uuid.uuid4(), id=uuid.uuid4())),
            row(4, entry("labor", "-1"), entry(id=uuid.uuid4())),
            row(5, entry("property", "0", "-900"), entry("property", "1200", "800", id=uuid.uuid4()))]  # fmt: skip
    assert found(correction_problems(rows, HEADER)) == [
        (2, 10, "corrects_reference", "correction_of_unapproved"),
        (3, 10, "corrects_reference", "correction_of_other_member"),
        (4, 4, "type", "correction_type_mismatch"),
        (5, 8, "adjusted_basis", "correction_below_zero"),
    ]
