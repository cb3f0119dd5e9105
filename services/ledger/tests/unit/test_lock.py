"""Closed means closed: the lock date, what it refuses, and reversals of workflow entries, on fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from habitat_ledger.domain.commands import (
    CompleteDistribution,
    ProposeAllocation,
    RecordSeal,
    ScheduleDistribution,
)
from habitat_ledger.domain.errors import (
    PendingContributions,
    PeriodBeforeLock,
    PeriodLocked,
    ReversalBelongsToWorkflow,
)
from habitat_ledger.domain.periods.lock import ensure_after_lock, lock_date, lock_of
from habitat_ledger.domain.periods.period import Period, PeriodStatus
from habitat_ledger.service_layer.close.allocations import propose_allocation
from habitat_ledger.service_layer.close.closing import record_seal, start_close
from habitat_ledger.service_layer.close.periods import open_period
from habitat_ledger.service_layer.distributions.distributions import (
    complete_distribution,
    schedule_distribution,
)
from habitat_ledger.service_layer.journal.contributions import book_contribution
from habitat_ledger.service_layer.journal.reversals import reverse_transaction
from tests.fakes import FakeUnitOfWork, opening_balance
from tests.ledger_builders import DEFAULT_PERIOD_ID, book_command, open_period_command

ADMIN, MEMBER = uuid.uuid4(), uuid.uuid4()


def period(name: str, starts_on: date, ends_on: date, status: PeriodStatus = PeriodStatus.CLOSED) -> Period:
    found = Period.open(name=name, starts_on=starts_on, ends_on=ends_on, created_by=ADMIN, now=datetime.now(UTC))
    found.status = status
    return found


Q1 = period("2026-Q1", date(2026, 1, 1), date(2026, 3, 31))
Q2_OPEN = period("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), PeriodStatus.OPEN)
Q3 = period("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))


class TestLockDate:
    def test_nothing_is_locked_without_a_closed_period_or_an_issued_year(self):
        assert lock_date([Q2_OPEN], []) is None
        ensure_after_lock(date(1990, 1, 1), lock_of([Q2_OPEN], []))

    def test_the_end_of_the_latest_closed_period_is_refused_and_the_day_after_allowed(self):
        lock = lock_of([Q1, Q2_OPEN], [])
        assert lock.through == date(2026, 3, 31)
        with pytest.raises(PeriodLocked, match="2026-03-31, the end of closed period 2026-Q1"):
            ensure_after_lock(date(2026, 3, 31), lock, "A reversal")
        ensure_after_lock(date(2026, 4, 1), lock)

    def test_a_day_in_a_gap_or_before_the_closed_period_is_locked_too(self):
        lock = lock_of([Q1, Q2_OPEN, Q3], [])  # Q2 open between closed Q1 and closed Q3
        assert lock.through == date(2026, 9, 30)
        for day in (date(2026, 5, 15), date(2025, 6, 1)):
            with pytest.raises(PeriodLocked):
                ensure_after_lock(day, lock)

    def test_an_issued_year_later_than_the_latest_closed_period_locks_through_december_31(self):
        lock = lock_of([Q1], [2026])
        assert (lock.through, lock.because) == (date(2026, 12, 31), "the end of 2026, whose K-1s were issued")
        with pytest.raises(PeriodLocked, match="K-1s were issued"):
            ensure_after_lock(date(2026, 12, 31), lock)
        ensure_after_lock(date(2027, 1, 1), lock)

    def test_closed_and_issued_both_the_later_wins(self):
        assert lock_date([Q1, Q3], [2025]) == date(2026, 9, 30)
        assert lock_date([Q1, Q3], [2025, 2026]) == date(2026, 12, 31)
        assert lock_date([], [2024, 2025]) == date(2025, 12, 31)


def closed_q1() -> FakeUnitOfWork:
    uow = FakeUnitOfWork().with_period()
    uow.periods.rows[DEFAULT_PERIOD_ID].status = PeriodStatus.CLOSED
    return uow


class TestWhatTheLockRefuses:
    async def test_a_backdated_reversal_is_refused_after_the_lock_allowed(self):
        uow = closed_q1()
        original = await opening_balance(uow, MEMBER, "100.00")
        with pytest.raises(PeriodLocked):
            await reverse_transaction(original.id, "typo", ADMIN, uow, occurred_on=date(2026, 3, 31))
        with pytest.raises(PeriodLocked):  # the default date is today, here inside an issued year
            uow.k1_issues.years.add(2026)
            await reverse_transaction(original.id, "typo", ADMIN, uow, today=date(2026, 12, 31))
        reversal = await reverse_transaction(original.id, "typo", ADMIN, uow, today=date(2027, 1, 1))
        assert reversal.occurred_on == date(2027, 1, 1)

    async def test_a_payment_in_the_gap_before_a_closed_period_is_refused(self):
        uow = FakeUnitOfWork().with_period(starts_on=date(2026, 4, 1), ends_on=date(2026, 6, 30))
        await book_contribution(book_command(book="500.00", member_id=MEMBER, contributed_on=date(2026, 4, 2)), uow)
        uow.periods.rows[DEFAULT_PERIOD_ID].status = PeriodStatus.CLOSED
        scheduled = await schedule_distribution(
            ScheduleDistribution(MEMBER, Decimal("10.00"), "ach", date(2026, 1, 5), ADMIN), uow
        )
        with pytest.raises(PeriodLocked):  # no period contains March 1, but it is before the lock
            await complete_distribution(CompleteDistribution(scheduled.id, "ACH-1", date(2026, 3, 1), None, ADMIN), uow)
        done = await complete_distribution(CompleteDistribution(scheduled.id, "ACH-1", None, None, ADMIN), uow,
                                           today=date(2026, 7, 1))
        assert done.paid_on == date(2026, 7, 1)

    async def test_no_period_starts_on_or_before_the_lock_date(self):
        uow = closed_q1()
        with pytest.raises(PeriodBeforeLock):
            await open_period(open_period_command("2026-Q1b", date(2026, 3, 31), date(2026, 4, 30)), uow)
        uow.k1_issues.years.add(2026)
        with pytest.raises(PeriodBeforeLock, match="2026-12-31"):
            await open_period(open_period_command("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)), uow)
        opened = await open_period(open_period_command("2027-Q1", date(2027, 1, 1), date(2027, 3, 31)), uow)
        assert opened.status == PeriodStatus.OPEN


class TestReversalsOfWorkflowEntries:
    async def test_a_contribution_entry_points_to_a_correction(self):
        uow = FakeUnitOfWork().with_period()
        command = book_command(book="500.00", member_id=MEMBER)
        await book_contribution(command, uow)
        with pytest.raises(ReversalBelongsToWorkflow, match=f"submit a correction of contribution {command.contribution_id}"):
            await reverse_transaction(uow.journal.transactions[0].id, "wrong", ADMIN, uow, occurred_on=date(2026, 4, 1))

    async def test_a_distribution_entry_points_to_the_payment_workflow(self):
        uow = FakeUnitOfWork().with_period()
        await book_contribution(book_command(book="500.00", member_id=MEMBER), uow)
        scheduled = await schedule_distribution(
            ScheduleDistribution(MEMBER, Decimal("10.00"), "ach", date(2026, 3, 1), ADMIN), uow
        )
        await complete_distribution(CompleteDistribution(scheduled.id, "ACH-1", date(2026, 3, 2), None, ADMIN), uow)
        paid = uow.journal.transactions[-1]
        with pytest.raises(ReversalBelongsToWorkflow, match=f"distribution {scheduled.id}.*capital contribution"):
            await reverse_transaction(paid.id, "bounced", ADMIN, uow, occurred_on=date(2026, 4, 1))
        assert uow.journal.transactions[-1] is paid

    async def test_a_reversal_is_not_reversed_again(self):
        uow = FakeUnitOfWork()
        original = await opening_balance(uow, MEMBER, "100.00")
        reversal = await reverse_transaction(original.id, "typo", ADMIN, uow, occurred_on=date(2026, 4, 1))
        with pytest.raises(ReversalBelongsToWorkflow, match="import it again"):
            await reverse_transaction(reversal.id, "undo", ADMIN, uow, occurred_on=date(2026, 4, 1))


class TestNoProposalWhileUndecided:
    async def test_a_seal_reporting_undecided_contributions_refuses_the_proposal(self):
        uow = FakeUnitOfWork().with_period()
        await book_contribution(book_command(type="labor", value="100.00", member_id=MEMBER), uow)
        await start_close(DEFAULT_PERIOD_ID, ADMIN, uow)
        sealed = {MEMBER: (1, Decimal("100.00"))}
        await record_seal(RecordSeal(DEFAULT_PERIOD_ID, sealed, 1, Decimal("100.00"), 1), uow)
        weights = {"labor": Decimal("1.0"), "capital": Decimal("0.5"), "property": Decimal("0.5")}
        command = ProposeAllocation(DEFAULT_PERIOD_ID, Decimal("1000.00"), weights, Decimal(0), ADMIN)
        with pytest.raises(PendingContributions, match="1 contribution"):
            await propose_allocation(command, uow, approvals_required=2)
        await record_seal(RecordSeal(DEFAULT_PERIOD_ID, sealed, 1, Decimal("100.00"), 0), uow)
        assert (await propose_allocation(command, uow, approvals_required=2)).status == "proposed"


class TestContributionsUnderTheLock:
    async def test_one_dated_on_or_before_the_lock_in_an_open_period_is_kept_as_an_exception(self):
        uow = FakeUnitOfWork().with_period()  # 2026-Q1, open
        uow.k1_issues.years.add(2026)  # e.g. issued while the period was left open
        await book_contribution(book_command(book="70.00", member_id=MEMBER), uow)
        assert [e.reason for e in await uow.pending.unresolved()] == ["period_closed"]
        assert uow.journal.transactions == [] and uow.patronage.rows == {}

    def test_a_batch_keeps_those_on_or_before_the_lock_and_books_the_rest(self):
        from habitat_ledger.domain.journal.contribution_batch import plan_bookings

        early = book_command(book="10.00", contributed_on=date(2026, 3, 31))
        late = book_command(book="20.00", contributed_on=date(2026, 4, 1))
        plan = plan_bookings([early, late], recorded=set(), period_locked={DEFAULT_PERIOD_ID: False},
                             now=datetime.now(UTC), locked_through=date(2026, 3, 31))
        assert [(e.key, e.reason) for e in plan.pending] == [(early.contribution_id, "period_closed")]
        assert plan.patronage.contribution_ids == [late.contribution_id]
