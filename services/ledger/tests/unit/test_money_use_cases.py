"""Distributions, reversals, pending events, the member replica, K-1 and the hledger export, on fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from habitat_ledger.domain.commands import CompleteDistribution, ReplicateMember, ScheduleDistribution
from habitat_ledger.domain.errors import (
    AlreadyReversed,
    DistributionNotScheduled,
    InvalidDistribution,
    PeriodLocked,
    WouldOverdrawCapital,
)
from habitat_ledger.domain.events import DistributionCompleted
from habitat_ledger.domain.journal.transactions import Basis
from habitat_ledger.service_layer.distributions.distributions import (
    cancel_distribution,
    complete_distribution,
    schedule_distribution,
)
from habitat_ledger.service_layer.exports.exports import journal_export, k1_data
from habitat_ledger.service_layer.exports.statements import capital_statement
from habitat_ledger.service_layer.journal.capital import get_capital_account
from habitat_ledger.service_layer.journal.contributions import book_contribution, list_exceptions
from habitat_ledger.service_layer.journal.members import replicate_member
from habitat_ledger.service_layer.journal.reversals import reverse_transaction
from tests.fakes import FakeStatementReads, FakeUnitOfWork, opening_balance
from tests.ledger_builders import DEFAULT_PERIOD_ID, book_command

ADMIN, MEMBER = uuid.uuid4(), uuid.uuid4()


async def member_with(amount: str = "500.00") -> FakeUnitOfWork:
    uow = FakeUnitOfWork().with_period()
    await book_contribution(book_command(book=amount, member_id=MEMBER), uow)
    return uow


async def scheduled(uow, amount="200.00"):
    return await schedule_distribution(ScheduleDistribution(MEMBER, Decimal(amount), "ach", date(2026, 4, 1), ADMIN), uow)


def complete(distribution, override=None, paid_on=date(2026, 4, 2)):
    return CompleteDistribution(distribution.id, "ACH-1", paid_on, override, ADMIN)


class TestDistributions:
    @pytest.mark.parametrize("amount", ["0.00", "-0.01", "1000000000000.00"])
    async def test_an_amount_outside_zero_to_the_money_maximum_is_refused_and_nothing_written(self, amount):
        uow = await member_with()
        command = ScheduleDistribution(MEMBER, Decimal(amount), "ach", date(2026, 4, 1), uuid.uuid4())
        with pytest.raises(InvalidDistribution):
            await schedule_distribution(command, uow)
        assert uow.distributions.rows == {}
        ok = ScheduleDistribution(MEMBER, Decimal("999999999999.99"), "ach", date(2026, 4, 1), uuid.uuid4())
        assert (await schedule_distribution(ok, uow)).amount == Decimal("999999999999.99")

    async def test_completing_debits_capital_on_both_bases(self):
        uow = await member_with()
        done = await complete_distribution(complete(await scheduled(uow)), uow)
        balance = await get_capital_account(MEMBER, uow)
        assert (done.status, balance.book_balance, balance.tax_balance) == ("completed", Decimal("300.00"), Decimal("300.00"))
        assert isinstance(uow.published[-1], DistributionCompleted)

    async def test_overdrawing_needs_an_override_which_is_recorded(self):
        uow = await member_with("100.00")
        distribution = await scheduled(uow)
        with pytest.raises(WouldOverdrawCapital):
            await complete_distribution(complete(distribution), uow)
        assert uow.distributions.rows[distribution.id].status == "scheduled"
        done = await complete_distribution(complete(distribution, "DRO signed 2026-04-01"), uow)
        assert (done.override_reason, (await get_capital_account(MEMBER, uow)).book_balance) == (
            "DRO signed 2026-04-01", Decimal("-100.00"),
        )

    async def test_completing_twice_debits_once(self):
        uow = await member_with()
        distribution = await scheduled(uow)
        await complete_distribution(complete(distribution), uow)
        await complete_distribution(complete(distribution), uow)
        assert (await get_capital_account(MEMBER, uow)).book_balance == Decimal("300.00")

    async def test_only_a_scheduled_one_is_cancelled(self):
        uow = await member_with()
        distribution = await scheduled(uow)
        cancelled = await cancel_distribution(distribution.id, "duplicate", ADMIN, uow)
        assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "duplicate")
        with pytest.raises(DistributionNotScheduled):
            await complete_distribution(complete(distribution), uow)

    async def test_a_payment_dated_in_a_closed_period_is_refused(self):
        uow = await member_with()
        uow.periods.rows[DEFAULT_PERIOD_ID].status = "closed"
        with pytest.raises(PeriodLocked):
            await complete_distribution(complete(await scheduled(uow), paid_on=date(2026, 2, 1)), uow)


class TestReverseTransaction:
    async def test_a_reversal_negates_and_references_the_original_once(self):
        uow = FakeUnitOfWork().with_period()
        original = await opening_balance(uow, MEMBER, "500.00")
        reversal = await reverse_transaction(original.id, "entered twice", ADMIN, uow, occurred_on=date(2026, 4, 1))
        assert (reversal.reverses_id, reversal.source_type, reversal.recorded_by) == (original.id, "reversal", ADMIN)
        assert sorted(p.amount for p in reversal.postings) == sorted(-p.amount for p in original.postings)
        assert (await get_capital_account(MEMBER, uow)).book_balance == Decimal("0.00")
        with pytest.raises(AlreadyReversed):
            await reverse_transaction(original.id, "again", ADMIN, uow, occurred_on=date(2026, 4, 1))


class TestPendingEvents:
    async def test_a_contribution_for_an_unknown_period_waits(self):
        uow = FakeUnitOfWork()
        command = book_command(book="70.00", member_id=MEMBER)
        assert await book_contribution(command, uow) is True
        assert [e.reason for e in await list_exceptions(uow)] == ["unknown_period"]
        assert not await book_contribution(command, uow)  # a redelivery is still a duplicate
        assert uow.patronage.rows == {} and uow.journal.transactions == []

    async def test_waiting_events_are_applied_for_the_period_that_opens(self):
        uow = FakeUnitOfWork()
        await book_contribution(book_command(book="70.00", member_id=MEMBER), uow)
        uow.with_period()  # the period now exists
        from habitat_ledger.service_layer.journal.contributions import apply_waiting_contributions

        assert await apply_waiting_contributions(uow, period_id=DEFAULT_PERIOD_ID) == 1
        assert (await get_capital_account(MEMBER, uow)).book_balance == Decimal("70.00")
        assert await list_exceptions(uow) == []

    async def test_a_contribution_dated_in_a_closed_period_is_kept_as_an_exception(self):
        uow = FakeUnitOfWork().with_period()
        uow.periods.rows[DEFAULT_PERIOD_ID].status = "closed"
        await book_contribution(book_command(book="70.00", member_id=MEMBER), uow)
        assert [e.reason for e in await list_exceptions(uow)] == ["period_closed"]
        assert (await get_capital_account(MEMBER, uow)).book_balance == Decimal("0.00")


class TestMemberReplica:
    async def test_an_older_event_never_overwrites_a_newer_state(self):
        uow, now = FakeUnitOfWork(), datetime.now(UTC)
        await replicate_member(ReplicateMember(MEMBER, "a@x", "Ana B", "active", now), uow)
        assert not await replicate_member(ReplicateMember(MEMBER, "a@x", "Ana", "pending", now - timedelta(1)), uow)
        assert (await uow.members.get(MEMBER)).display_name == "Ana B"


class TestStatement:
    async def test_running_balances_and_names(self):
        uow = await member_with("100.00")
        await book_contribution(book_command(type="property", book="300.00", tax="120.00", member_id=MEMBER), uow)
        await replicate_member(ReplicateMember(MEMBER, "a@x", "Ana", "active", datetime.now(UTC)), uow)
        statement = await capital_statement(MEMBER, FakeStatementReads(uow), as_of=date(2026, 12, 31))
        assert statement.display_name == "Ana"
        assert [(line.book_balance, line.tax_balance) for line in statement.lines] == [
            (Decimal("100.00"), Decimal("100.00")), (Decimal("400.00"), Decimal("220.00")),
        ]


class TestK1:
    async def test_item_l_carries_beginning_forward_and_ties(self):
        uow = FakeUnitOfWork().with_period(None, date(2025, 1, 1), date(2025, 12, 31))
        await book_contribution(book_command(book="100.00", member_id=MEMBER, contributed_on=date(2025, 6, 1)), uow)
        uow.with_period(uuid.uuid4(), date(2026, 1, 1), date(2026, 3, 31))
        period_2026 = next(p.id for p in uow.periods.rows.values() if p.starts_on.year == 2026)
        await book_contribution(
            book_command(book="50.00", member_id=MEMBER, period_id=period_2026, contributed_on=date(2026, 2, 1)), uow
        )
        [row] = await k1_data(2026, uow)
        assert (row.tax.beginning, row.tax.contributed, row.tax.ending, row.tax.difference) == (
            Decimal("100.00"), Decimal("50.00"), Decimal("150.00"), Decimal("0.00"),
        )
        assert row.item_j.capital_ending == Decimal("100.0000")


class TestHledgerExport:
    async def test_member_capital_postings_carry_balance_assertions(self):
        uow = await member_with("100.00")
        await book_contribution(book_command(book="0.10", member_id=MEMBER), uow)
        await replicate_member(ReplicateMember(MEMBER, "a@x", "Ana: B", "active", datetime.now(UTC)), uow)
        text = await journal_export(Basis.TAX, uow)
        assert f"account equity:capital:M00001  ; type: E, member: {MEMBER}, name: Ana: B" in text
        assert text.count("= -100.10 USD") == 1 and text.count("= -100.00 USD") == 1
        assert "assets:cash" in text
