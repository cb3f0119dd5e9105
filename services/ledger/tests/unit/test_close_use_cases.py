"""Period close, allocation governance and posting, run for real against in-memory fakes."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from habitat_ledger.domain.close.proposal import content_hash
from habitat_ledger.domain.commands import ProposeAllocation, RecordSeal
from habitat_ledger.domain.errors import (
    AllocationNotApproved,
    AllocationNotPending,
    NoPatronage,
    NotReconciled,
    PeriodNotClosing,
    ProposalPending,
)
from habitat_ledger.domain.events import (
    AllocationApproved,
    AllocationPosted,
    AllocationSharePosted,
    PeriodClosed,
    PeriodClosing,
)
from habitat_ledger.service_layer.close.allocations import (
    approve_allocation,
    propose_allocation,
    reject_allocation,
)
from habitat_ledger.service_layer.close.closing import pre_close_report, record_seal, start_close
from habitat_ledger.service_layer.close.posting import announce_shares, post_allocation
from habitat_ledger.service_layer.exports.statements import allocation_statement
from habitat_ledger.service_layer.journal.capital import get_capital_account
from habitat_ledger.service_layer.journal.contributions import book_contribution
from tests.fakes import FakeUnitOfWork
from tests.ledger_builders import DEFAULT_PERIOD_ID, book_command

A, B = uuid.UUID(int=1), uuid.UUID(int=2)
ADMIN, OTHER, THIRD = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


async def booked_period(*entries: tuple[uuid.UUID, str, str]) -> FakeUnitOfWork:
    uow = FakeUnitOfWork().with_period()
    for member, type_, value in entries:
        await book_contribution(book_command(type=type_, book=value, value=value, member_id=member), uow)
    return uow


async def seal_as_ledger(uow: FakeUnitOfWork) -> None:
    totals = {}
    for p in uow.patronage.of(DEFAULT_PERIOD_ID):
        count, value = totals.get(p.member_id, (0, Decimal("0.00")))
        totals[p.member_id] = (count + 1, value + p.value)
    await record_seal(RecordSeal(DEFAULT_PERIOD_ID, totals, 0, Decimal("0.00"), 0), uow)


def proposal(surplus="1000.00", cash="40", by=ADMIN) -> ProposeAllocation:
    weights = {"labor": Decimal("1.0"), "capital": Decimal("0.5"), "property": Decimal("0.5")}
    return ProposeAllocation(DEFAULT_PERIOD_ID, Decimal(surplus), weights, Decimal(cash), by)


async def closing_and_sealed(*entries) -> FakeUnitOfWork:
    uow = await booked_period(*entries)
    await start_close(DEFAULT_PERIOD_ID, ADMIN, uow)
    await seal_as_ledger(uow)
    return uow


class TestStartClose:
    async def test_open_becomes_closing_and_is_announced_once(self):
        uow = await booked_period()
        period = await start_close(DEFAULT_PERIOD_ID, ADMIN, uow)
        again = await start_close(DEFAULT_PERIOD_ID, ADMIN, uow)
        assert (period.status, again.status, period.closing_by) == ("closing", "closing", ADMIN)
        assert [type(e) for e in uow.published] == [PeriodClosing]


class TestPreCloseReport:
    async def test_reports_totals_and_reconciliation(self):
        uow = await booked_period((A, "labor", "100.00"), (A, "capital", "50.00"), (B, "labor", "10.00"))
        report = await pre_close_report(DEFAULT_PERIOD_ID, uow)
        assert (report.members_with_patronage, report.approved_count) == (2, 3)
        assert report.approved_value_by_type["labor"] == Decimal("110.00")
        assert (report.sealed.received, report.sealed.matches) == (False, None)
        await record_seal(RecordSeal(DEFAULT_PERIOD_ID, {A: (2, Decimal("150.00"))}, 2, Decimal("150.00"), 1), uow)
        sealed = (await pre_close_report(DEFAULT_PERIOD_ID, uow)).sealed
        assert (sealed.matches, [d.member_id for d in sealed.differences], sealed.pending_count) == (False, [B], 1)


class TestSeals:
    async def test_the_seal_with_fewer_undecided_wins_whatever_order_they_arrive_in(self):
        """Contributions seals when the close starts and after each decision taken while it closes."""
        uow = await booked_period((A, "labor", "100.00"))
        await start_close(DEFAULT_PERIOD_ID, ADMIN, uow)
        after_decision = RecordSeal(DEFAULT_PERIOD_ID, {A: (1, Decimal("100.00"))}, 1, Decimal("100.00"), 0)
        at_close = RecordSeal(DEFAULT_PERIOD_ID, {}, 0, Decimal("0.00"), 1)
        await record_seal(after_decision, uow)
        await record_seal(at_close, uow)  # older, delivered late: ignored
        sealed = (await pre_close_report(DEFAULT_PERIOD_ID, uow)).sealed
        assert (sealed.matches, sealed.pending_count) == (True, 0)
        await record_seal(after_decision, uow)  # the same state again: kept
        assert (await pre_close_report(DEFAULT_PERIOD_ID, uow)).sealed.matches is True
        assert (await propose_allocation(proposal(), uow, approvals_required=2)).status == "proposed"


class TestProposeAllocation:
    async def test_needs_a_closing_period(self):
        uow = await booked_period((A, "labor", "100.00"))
        with pytest.raises(PeriodNotClosing):
            await propose_allocation(proposal(), uow, approvals_required=2)

    async def test_refused_until_sealed_totals_match(self):
        uow = await booked_period((A, "labor", "100.00"))
        await start_close(DEFAULT_PERIOD_ID, ADMIN, uow)
        with pytest.raises(NotReconciled):
            await propose_allocation(proposal(), uow, approvals_required=2)
        await record_seal(RecordSeal(DEFAULT_PERIOD_ID, {A: (2, Decimal("200.00"))}, 2, Decimal("200.00"), 0), uow)
        with pytest.raises(NotReconciled):
            await propose_allocation(proposal(), uow, approvals_required=2)
        await book_contribution(book_command(type="labor", value="100.00", member_id=A), uow)  # was in flight
        assert (await propose_allocation(proposal(), uow, approvals_required=2)).status == "proposed"

    async def test_records_rows_cash_split_and_content_hash(self):
        uow = await closing_and_sealed((A, "labor", "1000.00"), (B, "capital", "2000.00"))
        record = await propose_allocation(proposal(cash="40"), uow, approvals_required=2)
        assert [(r.member_id, r.allocation, r.cash_portion_amount, r.retained_amount) for r in record.rows] == [
            (A, Decimal("500.00"), Decimal("200.00"), Decimal("300.00")),
            (B, Decimal("500.00"), Decimal("200.00"), Decimal("300.00")),
        ]
        snapshot = await uow.patronage.snapshot(record.period_id)
        assert record.content_hash == content_hash(record.inputs, snapshot, record.rows)
        assert record.patronage_through_seq == snapshot.through_seq == 2
        assert record.contribution_count == 2

    async def test_no_patronage_is_refused(self):
        uow = await closing_and_sealed((A, "labor", "0.00"))
        with pytest.raises(NoPatronage):
            await propose_allocation(proposal(), uow, approvals_required=2)

    async def test_one_proposal_at_a_time_until_rejected(self):
        uow = await closing_and_sealed((A, "labor", "10.00"))
        first = await propose_allocation(proposal(), uow, approvals_required=2)
        with pytest.raises(ProposalPending):
            await propose_allocation(proposal(), uow, approvals_required=2)
        rejected = await reject_allocation(first.id, OTHER, "surplus is wrong", uow)
        assert (rejected.status, rejected.rejection.reason) == ("rejected", "surplus is wrong")
        assert (await propose_allocation(proposal("900.00"), uow, approvals_required=2)).status == "proposed"


class TestApproveAllocation:
    async def test_the_proposer_alone_is_never_enough(self):
        uow = await closing_and_sealed((A, "labor", "10.00"))
        record = await propose_allocation(proposal(), uow, approvals_required=1)
        assert (await approve_allocation(record.id, ADMIN, uow)).status == "proposed"
        assert (await approve_allocation(record.id, OTHER, uow)).status == "approved"
        assert [type(e) for e in uow.published][-1] is AllocationApproved

    async def test_needs_distinct_approvers(self):
        uow = await closing_and_sealed((A, "labor", "10.00"))
        record = await propose_allocation(proposal(), uow, approvals_required=2)
        await approve_allocation(record.id, OTHER, uow)
        again = await approve_allocation(record.id, OTHER, uow)
        assert (again.status, len(again.approvals)) == ("proposed", 1)
        assert (await approve_allocation(record.id, THIRD, uow)).status == "approved"

    async def test_a_rejected_one_cannot_be_approved(self):
        uow = await closing_and_sealed((A, "labor", "10.00"))
        record = await propose_allocation(proposal(), uow, approvals_required=2)
        await reject_allocation(record.id, OTHER, "no", uow)
        with pytest.raises(AllocationNotPending):
            await approve_allocation(record.id, THIRD, uow)


class TestPostAllocation:
    async def approved(self, *entries, cash="40"):
        uow = await closing_and_sealed(*entries)
        record = await propose_allocation(proposal(cash=cash), uow, approvals_required=2)
        for approver in (OTHER, THIRD):
            await approve_allocation(record.id, approver, uow)
        return uow, record

    async def test_credits_members_schedules_cash_and_closes_the_period(self):
        uow, record = await self.approved((A, "labor", "1000.00"), (B, "capital", "2000.00"))
        posted = await post_allocation(record.id, ADMIN, uow)
        assert posted.status == "posted"
        balance = await get_capital_account(A, uow)
        assert (balance.book_balance, balance.tax_balance) == (Decimal("500.00"), Decimal("500.00"))
        assert (await get_capital_account(B, uow)).tax_balance == Decimal("2500.00")  # 2000 capital + 500
        assert sorted(d.amount for d in uow.distributions.rows.values()) == [Decimal("200.00")] * 2
        assert all(d.status == "scheduled" for d in uow.distributions.rows.values())
        assert uow.periods.rows[DEFAULT_PERIOD_ID].status == "closed"
        assert [type(e) for e in uow.published][-2:] == [AllocationPosted, PeriodClosed]
        assert not any(isinstance(e, AllocationSharePosted) for e in uow.published)  # announced after the close

    async def test_each_member_gets_their_share_with_the_statements_sentences(self):
        uow, record = await self.approved((A, "labor", "1000.00"), (B, "capital", "2000.00"))
        async with uow:
            assert await announce_shares(record.id, uow) == 0  # not posted yet: nothing to announce
        await post_allocation(record.id, ADMIN, uow)
        async with uow:
            assert await announce_shares(record.id, uow) == 2
            await uow.commit()
        shares = {e.member_id: e for e in uow.published if isinstance(e, AllocationSharePosted)}
        assert set(shares) == {A, B}
        a = shares[A]
        assert (a.allocation, a.tax_allocation, a.cash_portion_amount, a.retained_amount) == (
            Decimal("500.00"), Decimal("500.00"), Decimal("200.00"), Decimal("300.00"))
        statement = await allocation_statement(record.id, A, uow)
        assert list(a.explanation) == statement.lines  # the mail and the statement page say the same
        assert "Your allocation is 500.00." in a.explanation

    async def test_one_transaction_moves_the_whole_surplus_into_each_members_capital(self):
        uow, record = await self.approved((A, "labor", "1000.00"), (B, "capital", "2000.00"))
        await post_allocation(record.id, ADMIN, uow)
        [posted] = [t for t in uow.journal.transactions if t.source_id == record.id]
        assert sorted((p.basis, p.amount) for p in posted.postings) == [
            ("book", Decimal("-500.00")), ("book", Decimal("-500.00")), ("book", Decimal("1000.00")),
            ("tax", Decimal("-500.00")), ("tax", Decimal("-500.00")), ("tax", Decimal("1000.00")),
        ]
        [announced] = [e for e in uow.published if isinstance(e, AllocationPosted)]
        assert announced.member_count == 2

    async def test_posting_again_changes_nothing(self):
        uow, record = await self.approved((A, "labor", "10.00"))
        await post_allocation(record.id, ADMIN, uow)
        count = len(uow.journal.transactions)
        assert (await post_allocation(record.id, ADMIN, uow)).status == "posted"
        assert len(uow.journal.transactions) == count

    async def test_zero_cash_portion_schedules_nothing(self):
        uow, record = await self.approved((A, "labor", "10.00"), cash="0")
        await post_allocation(record.id, ADMIN, uow)
        assert uow.distributions.rows == {}

    async def test_only_an_approved_allocation_is_posted(self):
        uow = await closing_and_sealed((A, "labor", "10.00"))
        record = await propose_allocation(proposal(), uow, approvals_required=2)
        with pytest.raises(AllocationNotApproved):
            await post_allocation(record.id, ADMIN, uow)
