"""Two people move money (PRODUCT.md rule 12): the money move's approvals and its use cases, on fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from habitat_ledger.domain.commands import CompleteDistribution, ScheduleDistribution
from habitat_ledger.domain.distributions.money_move import (
    ApprovalPolicy,
    MoneyMove,
    MoneyMoveKind,
    MoneyMoveStatus,
)
from habitat_ledger.domain.errors import (
    AlreadyReversed,
    MoneyMoveNotPending,
    MoneyMovePending,
    OwnDistribution,
    PeriodLocked,
    WouldOverdrawCapital,
)
from habitat_ledger.service_layer.distributions.distributions import schedule_distribution
from habitat_ledger.service_layer.distributions.money_moves import (
    approve_move,
    reject_move,
    request_completion,
    request_reversal,
)
from habitat_ledger.service_layer.journal.capital import get_capital_account
from habitat_ledger.service_layer.journal.contributions import book_contribution
from tests.fakes import FakeUnitOfWork, opening_balance
from tests.ledger_builders import DEFAULT_PERIOD_ID, book_command

ADMIN, ADMIN2, ADMIN3, MEMBER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
NOW = datetime(2026, 4, 2, 12, tzinfo=UTC)
TWO = ApprovalPolicy()


def move(required: int = 2, single_admin_coop: bool = False) -> MoneyMove:
    return MoneyMove.request(
        kind=MoneyMoveKind.REVERSE_TRANSACTION, target_id=uuid.uuid4(), parameters={"reason": "typo"}, by=ADMIN, at=NOW,
        policy=ApprovalPolicy(required, single_admin_coop),
    )


class TestApprovals:
    def test_the_request_is_the_requesters_approval_and_never_enough_alone(self):
        requested = move()
        assert ([a.by for a in requested.approvals], requested.status) == ([ADMIN], MoneyMoveStatus.REQUESTED)
        assert requested.approve(ADMIN, NOW) is None  # approving again changes nothing
        assert requested.status == MoneyMoveStatus.REQUESTED

    def test_a_second_distinct_admin_approves(self):
        requested = move()
        requested.approve(ADMIN2, NOW)
        assert requested.status == MoneyMoveStatus.APPROVED

    def test_three_required_need_three_distinct_admins(self):
        requested = move(3)
        requested.approve(ADMIN2, NOW)
        requested.approve(ADMIN2, NOW)
        assert requested.status == MoneyMoveStatus.REQUESTED
        requested.approve(ADMIN3, NOW)
        assert requested.status == MoneyMoveStatus.APPROVED

    def test_one_approval_only_in_a_single_admin_coop_and_it_is_marked(self):
        with pytest.raises(ValueError):
            ApprovalPolicy(1)
        alone = move(1, single_admin_coop=True)
        assert (alone.status, alone.single_admin) == (MoneyMoveStatus.APPROVED, True)
        assert move(2, single_admin_coop=True).single_admin is False

    def test_a_rejected_move_is_not_approved_and_a_rejection_needs_a_reason(self):
        requested = move()
        requested.reject(ADMIN2, NOW, "wrong member")
        assert (requested.status, requested.rejection.reason) == (MoneyMoveStatus.REJECTED, "wrong member")
        with pytest.raises(MoneyMoveNotPending):
            requested.approve(ADMIN3, NOW)
        with pytest.raises(MoneyMoveNotPending):
            requested.mark_executed(NOW, None)

    def test_the_same_request_has_the_same_content_hash_whoever_asks(self):
        same = [
            MoneyMove.request(kind=MoneyMoveKind.REVERSE_TRANSACTION, target_id=DEFAULT_PERIOD_ID,
                              parameters={"reason": "typo", "occurred_on": "2026-04-01"}, by=by, at=NOW, policy=TWO)
            for by in (ADMIN, ADMIN2)
        ]
        assert same[0].content_hash == same[1].content_hash and len(same[0].content_hash) == 64


async def member_with(amount: str = "500.00") -> FakeUnitOfWork:
    uow = FakeUnitOfWork().with_period()
    await book_contribution(book_command(book=amount, member_id=MEMBER), uow)
    return uow


async def scheduled(uow, amount="200.00", member=MEMBER):
    return await schedule_distribution(ScheduleDistribution(member, Decimal(amount), "ach", date(2026, 4, 1), ADMIN), uow)


def complete(distribution, by=ADMIN, override=None, paid_on=date(2026, 4, 2)):
    return CompleteDistribution(distribution.id, "ACH-1", paid_on, override, by)


class TestCompletion:
    async def test_nothing_is_paid_until_a_second_admin_approves(self):
        uow = await member_with()
        distribution = await scheduled(uow)
        requested = await request_completion(complete(distribution), uow, policy=TWO, now=NOW)
        assert (requested.status, uow.distributions.rows[distribution.id].status) == ("requested", "scheduled")
        assert (await get_capital_account(MEMBER, uow)).book_balance == Decimal("500.00")
        assert (await approve_move(requested.id, ADMIN, uow, now=NOW)).status == "requested"
        done = await approve_move(requested.id, ADMIN2, uow, now=NOW)
        assert (done.status, done.result_id) == ("executed", distribution.id)
        assert (uow.distributions.rows[distribution.id].status, uow.distributions.rows[distribution.id].completed_by) == (
            "completed", ADMIN,
        )
        assert (await get_capital_account(MEMBER, uow)).book_balance == Decimal("300.00")
        again = await approve_move(requested.id, ADMIN2, uow, now=NOW)  # a retried approval: paid once
        assert again.status == "executed"
        assert (await get_capital_account(MEMBER, uow)).book_balance == Decimal("300.00")

    async def test_nobody_schedules_completes_or_approves_a_payment_to_themselves(self):
        uow = await member_with()
        with pytest.raises(OwnDistribution):
            await schedule_distribution(ScheduleDistribution(ADMIN, Decimal(5), "ach", date(2026, 4, 1), ADMIN), uow)
        distribution = await scheduled(uow, member=ADMIN2)  # e.g. scheduled by an allocation's posting
        with pytest.raises(OwnDistribution):
            await request_completion(complete(distribution, by=ADMIN2), uow, policy=TWO, now=NOW)
        requested = await request_completion(complete(distribution, override="advance"), uow, policy=TWO, now=NOW)
        with pytest.raises(OwnDistribution):
            await approve_move(requested.id, ADMIN2, uow, now=NOW)

    async def test_an_overdraw_needs_the_override_and_the_override_is_approved_with_it(self):
        uow = await member_with("100.00")
        distribution = await scheduled(uow)
        with pytest.raises(WouldOverdrawCapital):
            await request_completion(complete(distribution), uow, policy=TWO, now=NOW)
        requested = await request_completion(complete(distribution, override="DRO signed"), uow, policy=TWO, now=NOW)
        assert requested.parameters["override_reason"] == "DRO signed"
        await approve_move(requested.id, ADMIN2, uow, now=NOW)
        assert uow.distributions.rows[distribution.id].override_reason == "DRO signed"

    async def test_the_execution_checks_again(self):
        uow = await member_with()
        distribution = await scheduled(uow)
        requested = await request_completion(complete(distribution), uow, policy=TWO, now=NOW)
        uow.periods.rows[DEFAULT_PERIOD_ID].ends_on = date(2026, 4, 30)
        uow.periods.rows[DEFAULT_PERIOD_ID].status = "closed"  # closed while the request waited
        with pytest.raises(PeriodLocked):
            await approve_move(requested.id, ADMIN2, uow, now=NOW)
        assert uow.distributions.rows[distribution.id].status == "scheduled"

    async def test_the_execution_checks_the_overdraw_again(self):
        uow = await member_with()
        first, second = await scheduled(uow, "300.00"), await scheduled(uow, "300.00")
        waiting = await request_completion(complete(first), uow, policy=TWO, now=NOW)
        paid = await request_completion(complete(second), uow, policy=TWO, now=NOW)
        await approve_move(paid.id, ADMIN2, uow, now=NOW)  # 200.00 left: the first would overdraw now
        with pytest.raises(WouldOverdrawCapital):
            await approve_move(waiting.id, ADMIN2, uow, now=NOW)
        assert (await get_capital_account(MEMBER, uow)).book_balance == Decimal("200.00")

    async def test_one_request_waits_per_distribution(self):
        uow = await member_with()
        distribution = await scheduled(uow)
        first = await request_completion(complete(distribution), uow, policy=TWO, now=NOW)
        assert (await request_completion(complete(distribution), uow, policy=TWO, now=NOW)).id == first.id
        with pytest.raises(MoneyMovePending):
            await request_completion(complete(distribution, paid_on=date(2026, 4, 3)), uow, policy=TWO, now=NOW)
        rejected = await reject_move(first.id, ADMIN2, "wrong reference", uow, now=NOW)
        assert (rejected.status, rejected.rejection.by) == ("rejected", ADMIN2)
        with pytest.raises(MoneyMoveNotPending):
            await approve_move(first.id, ADMIN3, uow, now=NOW)
        assert uow.distributions.rows[distribution.id].status == "scheduled"

    async def test_a_single_admin_coop_pays_at_once_and_says_so(self):
        uow = await member_with()
        distribution = await scheduled(uow)
        alone = ApprovalPolicy(1, single_admin_coop=True)
        done = await request_completion(complete(distribution), uow, policy=alone, now=NOW)
        assert (done.status, done.single_admin, uow.money_moves.rows[done.id].single_admin) == ("executed", True, True)
        assert uow.distributions.rows[distribution.id].status == "completed"


class TestReversal:
    async def test_a_reversal_needs_the_second_admin_and_happens_once(self):
        uow = FakeUnitOfWork().with_period()
        original = await opening_balance(uow, MEMBER, "500.00")
        requested = await request_reversal(original.id, "entered twice", ADMIN, uow, policy=TWO,
                                           occurred_on=date(2026, 4, 1), now=NOW)
        assert not await uow.journal.is_reversed(original.id)
        done = await approve_move(requested.id, ADMIN2, uow, now=NOW)
        assert await uow.journal.is_reversed(original.id) and done.result_id is not None
        assert (await get_capital_account(MEMBER, uow)).book_balance == Decimal("0.00")
        with pytest.raises(AlreadyReversed):
            await request_reversal(original.id, "again", ADMIN, uow, policy=TWO, occurred_on=date(2026, 4, 1), now=NOW)

    async def test_a_reversal_done_while_another_waited_is_not_done_twice(self):
        uow = FakeUnitOfWork().with_period()
        original = await opening_balance(uow, MEMBER, "500.00")
        first = await request_reversal(original.id, "typo", ADMIN, uow, policy=TWO, occurred_on=date(2026, 4, 1), now=NOW)
        await reject_move(first.id, ADMIN, "withdrawn", uow, now=NOW)  # the requester withdraws it
        second = await request_reversal(original.id, "typo", ADMIN2, uow, policy=TWO, occurred_on=date(2026, 4, 1), now=NOW)
        uow.money_moves.rows[first.id].status = MoneyMoveStatus.REQUESTED  # as if both had waited at once
        await approve_move(second.id, ADMIN, uow, now=NOW)
        with pytest.raises(AlreadyReversed):
            await approve_move(first.id, ADMIN2, uow, now=NOW)
        assert (await get_capital_account(MEMBER, uow)).book_balance == Decimal("0.00")
