"""Sums of amounts may pass the bound of one amount (found by the state machine, issue 14).

Each amount is at most 999,999,999,999.99 (NUMERIC(14, 2)); a period's sealed total and an import's
totals add several of them, so they were refused by the column that stored them: the seal's consumer
failed on every delivery, and the period could never be proposed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from habitat_common.contracts import Envelope, PeriodSealedV1
from habitat_common.contracts.contributions import SealedMemberTotal

from habitat_ledger.domain.commands import ProposeAllocation, ReplicateMember
from habitat_ledger.domain.distributions.money_move import ApprovalPolicy
from habitat_ledger.entrypoints.consumers import contribution_approved_handler, period_sealed_handler
from habitat_ledger.service_layer.close.allocations import propose_allocation
from habitat_ledger.service_layer.close.closing import start_close
from habitat_ledger.service_layer.close.periods import open_period
from habitat_ledger.service_layer.distributions import money_moves
from habitat_ledger.service_layer.journal.members import replicate_member
from tests.ledger_builders import approved, envelope, open_period_command

MAX = Decimal("999999999999.99")
ADMIN, SECOND_ADMIN = uuid.UUID(int=1), uuid.UUID(int=2)


def sealed(period_id: uuid.UUID, members: list[uuid.UUID]) -> Envelope:
    contract = PeriodSealedV1(
        period_id=period_id,
        members=[SealedMemberTotal(member_id=m, approved_count=1, approved_value=MAX) for m in members],
        total_count=len(members),
        total_value=MAX * len(members),
        pending_count=0,
    )
    wrapped = Envelope.wrap(contract, producer="contributions")
    return Envelope[PeriodSealedV1].model_validate_json(wrapped.model_dump_json())


async def test_a_period_whose_approved_total_passes_one_amount_seals_and_is_proposed(uow_factory):
    period = await open_period(open_period_command(), uow_factory())
    members = [uuid.uuid4(), uuid.uuid4()]
    book = contribution_approved_handler(uow_factory)
    for member_id in members:
        assert await book(
            envelope(approved("capital", book=str(MAX), member_id=member_id, period_id=period.id))
        )
    await start_close(period.id, ADMIN, uow_factory())

    assert await period_sealed_handler(uow_factory)(sealed(period.id, members)) is True

    command = ProposeAllocation(period.id, Decimal("1000.01"), {}, Decimal(0), ADMIN)
    allocation = await propose_allocation(command, uow_factory(), approvals_required=2)
    assert sorted(row.allocation for row in allocation.rows) == [Decimal("500.00"), Decimal("500.01")]


async def test_opening_balances_whose_total_passes_one_amount_are_imported(uow_factory):
    members = [(uuid.uuid4(), f"big{n}@example.org") for n in range(2)]
    for member_id, email in members:
        uow = uow_factory()
        async with uow:
            await replicate_member(ReplicateMember(member_id, email, "Big", "active", datetime.now(UTC)), uow)
            await uow.commit()
    csv = "member_email,book_balance,tax_balance,as_of,note\n" + "".join(
        f"{email},{MAX},{MAX},2025-12-31,\n" for _, email in members
    )

    async def chunks():
        yield csv.encode()

    report, move = await money_moves.request_capital_import(
        chunks(),
        uow_factory(),
        dry_run=False,
        requested_by=ADMIN,
        policy=ApprovalPolicy(),
        today=date(2026, 6, 30),
    )
    assert report.summary.book_total == report.summary.tax_total == MAX * 2
    executed = await money_moves.approve_move(move.id, SECOND_ADMIN, uow_factory(), today=date(2026, 6, 30))
    assert executed.status == "executed"
