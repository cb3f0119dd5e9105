"""Use cases run for real against in-memory fakes."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from decimal import Decimal

import pytest

from habitat_ledger.adapters.translators import to_book_contribution, to_contracts
from habitat_ledger.domain.errors import PeriodNameTaken, PeriodNotFound, PeriodOverlap
from habitat_ledger.domain.events import PeriodOpened
from habitat_ledger.entrypoints.consumers import contribution_approved_handler
from habitat_ledger.service_layer.close.periods import get_period, list_periods, open_period
from habitat_ledger.service_layer.journal.capital import get_capital_account
from habitat_ledger.service_layer.journal.contributions import book_contribution
from tests.fakes import FakeUnitOfWork
from tests.ledger_builders import approved, book_command, envelope, open_period_command


class TestOpenPeriod:
    async def test_opens_and_announces_the_period(self):
        uow = FakeUnitOfWork()
        period = await open_period(open_period_command(), uow)
        assert await uow.periods.get(period.id) is period
        assert uow.published == [PeriodOpened(period.id, "2026-Q1", date(2026, 1, 1), date(2026, 3, 31))]

    async def test_overlapping_dates_are_refused(self):
        uow = FakeUnitOfWork()
        await open_period(open_period_command(), uow)
        with pytest.raises(PeriodOverlap):
            await open_period(open_period_command("late", date(2026, 3, 31), date(2026, 6, 30)), uow)
        assert len(uow.published) == 1

    async def test_a_taken_name_is_refused(self):
        uow = FakeUnitOfWork()
        await open_period(open_period_command(), uow)
        with pytest.raises(PeriodNameTaken):
            await open_period(open_period_command("2026-Q1", date(2027, 1, 1), date(2027, 3, 31)), uow)


class TestReadPeriods:
    async def test_lists_earliest_first(self):
        uow = FakeUnitOfWork()
        await open_period(open_period_command("Q2", date(2026, 4, 1), date(2026, 6, 30)), uow)
        await open_period(open_period_command("Q1", date(2026, 1, 1), date(2026, 3, 31)), uow)
        assert [p.name for p in await list_periods(uow)] == ["Q1", "Q2"]

    async def test_unknown_period_is_not_found(self):
        with pytest.raises(PeriodNotFound):
            await get_period(uuid.uuid4(), FakeUnitOfWork())


class TestBookContribution:
    async def balance(self, uow, member_id, as_of=None):
        return await get_capital_account(member_id, uow, as_of=as_of)

    async def test_cash_credits_500_on_both_bases(self):
        uow, member = FakeUnitOfWork().with_period(), uuid.uuid4()
        assert await book_contribution(book_command(type="capital", book="500.00", member_id=member), uow)
        balance = await self.balance(uow, member)
        assert (balance.book_balance, balance.tax_balance) == (Decimal("500.00"), Decimal("500.00"))

    async def test_property_book_at_fmv_tax_at_basis(self):
        uow, member = FakeUnitOfWork().with_period(), uuid.uuid4()
        await book_contribution(
            book_command(type="property", book="1000.00", tax="600.00", member_id=member), uow
        )
        balance = await self.balance(uow, member)
        assert (balance.book_balance, balance.tax_balance) == (Decimal("1000.00"), Decimal("600.00"))

    async def test_labor_is_patronage_only(self):
        uow, member = FakeUnitOfWork().with_period(), uuid.uuid4()
        command = dataclasses.replace(  # capital amounts on a labor event are ignored, not credited
            book_command(type="labor", value="750.00", member_id=member),
            book_amount=Decimal("750.00"),
            tax_amount=Decimal("750.00"),
        )
        assert await book_contribution(command, uow)
        assert uow.journal.transactions == []
        assert uow.patronage.rows[command.contribution_id].value == Decimal("750.00")
        balance = await self.balance(uow, member)
        assert (balance.book_balance, balance.tax_balance) == (Decimal("0.00"), Decimal("0.00"))

    async def test_the_same_contribution_is_booked_once(self):
        uow = FakeUnitOfWork().with_period()
        command = book_command()
        assert await book_contribution(command, uow)
        assert not await book_contribution(command, uow)
        assert len(uow.journal.transactions) == 1

    async def test_cents_add_up_exactly(self):
        uow, member = FakeUnitOfWork().with_period(), uuid.uuid4()
        for amount in ("0.10", "0.20", "0.30"):
            await book_contribution(book_command(book=amount, member_id=member), uow)
        assert (await self.balance(uow, member)).book_balance == Decimal("0.60")

    async def test_balance_as_of_a_date_ignores_later_transactions(self):
        uow, member = FakeUnitOfWork().with_period(), uuid.uuid4()
        await book_contribution(
            book_command(book="100.00", member_id=member, contributed_on=date(2026, 1, 5)), uow
        )
        await book_contribution(
            book_command(book="50.00", member_id=member, contributed_on=date(2026, 2, 5)), uow
        )
        balance = await self.balance(uow, member, as_of=date(2026, 1, 31))
        assert (balance.book_balance, balance.as_of) == (Decimal("100.00"), date(2026, 1, 31))


class TestContributionApprovedConsumer:
    async def test_duplicate_delivery_has_effect_once(self):
        uow, contract = FakeUnitOfWork().with_period(), approved()
        handle = contribution_approved_handler(lambda: uow)
        message = envelope(contract)
        assert await handle(message) is True
        assert await handle(message) is False
        assert len(uow.journal.transactions) == 1 and uow.commits == 1

    async def test_a_new_event_id_for_a_booked_contribution_is_a_duplicate(self):
        uow, contract = FakeUnitOfWork().with_period(), approved()
        handle = contribution_approved_handler(lambda: uow)
        assert await handle(envelope(contract)) is True
        assert await handle(envelope(contract)) is False
        assert len(uow.journal.transactions) == 1


class TestTranslators:
    def test_period_opened_becomes_period_opened_v1(self):
        event = PeriodOpened(uuid.uuid4(), "2026-Q1", date(2026, 1, 1), date(2026, 3, 31))
        [contract] = to_contracts(event)
        assert contract.routing_key() == "ledger.period_opened.v1"
        assert (contract.period_id, contract.status) == (event.period_id, "open")

    def test_contribution_approved_becomes_a_command(self):
        contract = approved(type="property", book="1000.00", tax="600.00")
        command = to_book_contribution(contract)
        assert (command.book_amount, command.tax_amount) == (Decimal("1000.00"), Decimal("600.00"))
