"""The import passes judged in the domain: each rule over one resolved row, problems at line and column."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from habitat_contributions.domain.contribution_rows import Header
from habitat_contributions.domain.corrections import Entry, Figures
from habitat_contributions.domain.import_passes import ImportJudgement, pg_timestamp
from habitat_contributions.domain.import_rows import Stored
from habitat_contributions.domain.statuses import ContributionStatus, ContributionType
from tests.builders import MEMBER, PERIOD, STEWARD, T0, import_names, resolved_row

HEADER = Header(1, ("reference", "member_email", "period", "type", "contributed_on", "amount", "fair_market_value",
                    "adjusted_basis", "status", "approver_email", "decided_at", "corrects_reference"))  # fmt: skip
TODAY = date(2026, 2, 11)
PENDING = {"status": "pending", "approver_email": None, "decided_at": None}


def judged(*rows, limit=200, names=None) -> tuple[str | None, list[tuple], int]:
    judgement = ImportJudgement(HEADER, names or import_names(), today=TODAY, limit=limit)
    judgement.feed(rows)
    name, listed, count = judgement.outcome()
    return name, [(p.line, p.column, p.field, p.code) for p in listed], count


def stored(**changes) -> Stored:
    values = {"member_id": MEMBER, "member_email": "a@b.coop", "period_id": PERIOD, "period_name": "2026-Q1",
              "type": "capital", "contributed_on": date(2026, 2, 10), "description": "Imported contribution",
              "hours": None, "rate": None, "amount": Decimal("5.00"), "fair_market_value": None,
              "adjusted_basis": None, "status": "approved", "decided_by": STEWARD, "approver_email": "s@b.coop",
              "decided_at": T0, "corrects_contribution_id": None}  # fmt: skip
    return Stored(**{**values, **changes})


def test_a_valid_row_passes_every_pass():
    assert judged(resolved_row()) == (None, [], 0)


def test_dates_after_today_or_before_joining_point_at_contributed_on():
    later = datetime(2026, 2, 13, tzinfo=UTC)
    rows = [resolved_row(2, contributed_on=date(2026, 2, 11), decided_at=later),
            resolved_row(3, contributed_on=date(2026, 2, 12), decided_at=later)]  # fmt: skip
    assert judged(*rows)[1] == [(3, 5, "contributed_on", "contributed_in_future")]
    assert judged(resolved_row(4), names=import_names(joined_at=date(2026, 2, 11)))[1] == [
        (4, 5, "contributed_on", "contributed_before_joining")
    ]
    assert judged(resolved_row(5), names=import_names(joined_at=date(2026, 2, 10))) == (None, [], 0)


def test_only_the_first_failing_pass_is_reported_sorted_by_line_column_and_code():
    rows = [
        resolved_row(2, first_line=1, amount=Decimal(0)),  # business and reconciliation
        resolved_row(3, member_email="s@b.coop"),  # the steward decided their own
        resolved_row(4, type="labor", hours=Decimal(25), amount=None),
    ]
    assert judged(*rows) == ("business", [
        (2, 6, "amount", "non_positive_amount"),
        (3, 10, "approver_email", "self_review"),
        (4, 4, "hours", "hours_out_of_range"),  # no hours nor rate column: pointed at through type
        (4, 4, "rate", "missing_field"),
    ], 4)  # fmt: skip
    assert judged(*rows, resolved_row(5, period="2027-Q9"))[0] == "references"


def test_problems_are_counted_beyond_the_listed_ones():
    name, listed, count = judged(*(resolved_row(n, member_email="x@b.coop") for n in range(2, 12)), limit=3)
    assert (name, len(listed), count) == ("references", 3, 10)


def test_every_code_is_snake_case():
    references = [resolved_row(2, member_email="n@b.coop", approver_email="g@b.coop", corrects_reference="X"),
                  resolved_row(3, approver_email="x@b.coop")]  # fmt: skip
    business = [resolved_row(2, status="pending", amount=Decimal(-1), decided_at=datetime(2026, 1, 1, tzinfo=UTC),
                             contributed_on=date(2026, 4, 1))]  # fmt: skip
    codes = {code for batch in (references, business) for *_, code in judged(*batch)[1]}
    assert len(codes) >= 10 and all(code.replace("_", "").isalpha() and code.islower() for code in codes)


def test_a_reference_imported_before_is_compared_field_by_field():
    same = resolved_row(2, stored=stored(), description="Imported contribution")
    changed = resolved_row(3, stored=stored(amount=Decimal("100.00"), decided_at=datetime(2026, 2, 11, tzinfo=UTC)),
                           description="Imported contribution")  # fmt: skip
    judgement = ImportJudgement(HEADER, import_names(), today=TODAY)
    judgement.feed([same, changed])
    name, listed, _ = judgement.outcome()
    assert name == "reconciliation" and [(p.line, p.field) for p in listed] == [(3, "amount"), (3, "decided_at")]
    assert "with amount 100.00, not 5;" in listed[0].message
    assert "with decided_at 2026-02-11 00:00:00+00, not 2026-02-10 12:00:00+00;" in listed[1].message


def test_approved_rows_into_a_sealed_period_are_refused_but_pending_ones_are_not():
    rows = [resolved_row(2), resolved_row(3, **PENDING)]
    assert judged(*rows, names=import_names(period_status="closing")) == (
        "reconciliation",
        [(2, 3, "period", "period_closed")],
        1,
    )


def test_corrections_are_bounded_in_line_order():
    original = Entry(uuid.uuid4(), MEMBER, ContributionType.CAPITAL, ContributionStatus.APPROVED, None,
                     Figures(Decimal(5), Decimal(5), Decimal(5)))  # fmt: skip
    minus = {"corrects_reference": "C-1", "target": original, "approved_before": Figures(), "amount": Decimal(-3)}
    assert judged(resolved_row(2, **minus), resolved_row(3, **minus)) == (
        "business",
        [(3, 6, "amount", "correction_below_zero")],
        1,
    )


def test_timestamps_are_written_as_postgresql_does():
    assert pg_timestamp(datetime(2026, 2, 9, 23, 59, 59, tzinfo=UTC)) == "2026-02-09 23:59:59+00"
    assert pg_timestamp(datetime(2026, 2, 9, 23, 59, 59, 120000, tzinfo=UTC)) == "2026-02-09 23:59:59.12+00"


@pytest.mark.parametrize(
    ("stored_field", "other", "field"),
    [("member_id", uuid.uuid4(), "member_email"), ("period_id", uuid.uuid4(), "period"), ("type", "labor", "type"),
     ("contributed_on", date(2026, 2, 9), "contributed_on"), ("description", "Other", "description"),
     ("hours", Decimal(1), "hours"), ("rate", Decimal(1), "rate"), ("amount", Decimal(6), "amount"),
     ("fair_market_value", Decimal(1), "fair_market_value"), ("adjusted_basis", Decimal(1), "adjusted_basis"),
     ("status", "rejected", "status"), ("decided_by", uuid.uuid4(), "approver_email"),
     ("decided_at", datetime(2026, 2, 12, tzinfo=UTC), "decided_at"),
     ("corrects_contribution_id", uuid.uuid4(), "corrects_reference")],
)  # fmt: skip
def test_every_field_of_a_reference_imported_before_is_compared(stored_field, other, field):
    row = resolved_row(2, stored=stored(**{stored_field: other}), description="Imported contribution")
    assert judged(row) == ("reconciliation", [(2, HEADER.column(field) or 1, field, "conflicts_with_import")], 1)

