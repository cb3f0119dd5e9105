import asyncio
import uuid
from decimal import Decimal

import pytest

from habitat_contributions.domain.commands import ApproveContribution, RejectContribution
from habitat_contributions.domain.errors import AlreadyDecided
from habitat_contributions.domain.intake import new_contribution
from habitat_contributions.domain.review_policy import ReviewPolicy
from habitat_contributions.domain.valuation import RateCard
from habitat_contributions.service_layer import handlers, review
from tests.builders import T0, capital, labor
from tests.integration.db import active_member, count, open_q1, outbox_rows

APPROVED_KEY = "contributions.contribution_approved.v1"
REJECTED_KEY = "contributions.contribution_rejected.v1"


async def submitted(container, cmd, **kwargs):
    await active_member(container, cmd.member_id)
    return await handlers.submit_contribution(cmd, container.uow(), card=RateCard(), **kwargs)


class TestUnitOfWork:
    async def test_state_and_outbox_row_commit_together(self, container):
        await open_q1(container)
        c = await submitted(container, labor())
        [row] = await outbox_rows(container)
        assert row.routing_key == "contributions.contribution_submitted.v1"
        assert row.payload["payload"]["contribution_id"] == str(c.id)
        assert row.payload["producer"] == "contributions"

    async def test_nothing_is_written_without_commit(self, container):
        period_id = await open_q1(container)
        async with container.uow() as uow:
            contribution = new_contribution(labor(), period_id=period_id, card=RateCard(), now=T0)
            uow.contributions.add(contribution)
            uow.events.extend(contribution.submitted())
            assert await uow.claim_event("contributions.test", uuid.uuid4())
        for table in ("contribution", "contribution_revision", "inbox", "outbox"):
            assert await count(container, table) == 0

    async def test_stored_contribution_round_trips_exact_money_and_first_revision(self, container):
        await open_q1(container)
        c = await submitted(container, capital(amount="999999999999.99"))
        async with container.uow() as uow:
            stored = await uow.contributions.get(c.id)
        assert str(stored.value) == "999999999999.99" and stored.type == "capital"
        assert [(r.number, r.fields["amount"]) for r in stored.revisions] == [(1, "999999999999.99")]


def approve(container, c, reviewer=None):
    return review.approve_contribution(ApproveContribution(c.id, reviewer or uuid.uuid4()), container.uow())


def reject(container, c):
    cmd = RejectContribution(c.id, uuid.uuid4(), "Not work done for the co-op")
    return review.reject_contribution(cmd, container.uow())


class TestConcurrentDecisions:
    async def test_two_racing_approvals_yield_one_success_one_conflict_and_one_event(self, container):
        await open_q1(container)
        c = await submitted(container, labor())
        results = await asyncio.gather(approve(container, c), approve(container, c), return_exceptions=True)
        assert sorted(type(r).__name__ for r in results) == ["AlreadyDecided", "Contribution"]
        winner = next(r for r in results if not isinstance(r, AlreadyDecided))
        [row] = await outbox_rows(container, APPROVED_KEY)
        assert row.payload["payload"]["approved_by"] == str(winner.decided_by)

    @pytest.mark.parametrize("round_", range(3))
    async def test_approve_racing_reject_exactly_one_decision_and_one_event(self, container, round_):
        await open_q1(container)
        c = await submitted(container, capital())
        results = await asyncio.gather(approve(container, c), reject(container, c), return_exceptions=True)
        assert sum(not isinstance(r, Exception) for r in results) == 1
        assert all(isinstance(r, AlreadyDecided) for r in results if isinstance(r, Exception))
        events = len(await outbox_rows(container, APPROVED_KEY)) + len(await outbox_rows(container, REJECTED_KEY))
        assert events == 1

    async def test_many_racers_still_one_event(self, container):
        await open_q1(container)
        c = await submitted(container, capital())
        results = await asyncio.gather(*(approve(container, c) for _ in range(5)), return_exceptions=True)
        assert sum(not isinstance(r, Exception) for r in results) == 1
        assert len(await outbox_rows(container, APPROVED_KEY)) == 1

    async def test_dual_approval_racers_count_two_distinct_approvers_once(self, container):
        await open_q1(container)
        c = await submitted(container, capital(amount="5000.00"), policy=ReviewPolicy())
        results = await asyncio.gather(*(approve(container, c) for _ in range(3)), return_exceptions=True)
        assert sum(not isinstance(r, Exception) for r in results) == 2
        [row] = await outbox_rows(container, APPROVED_KEY)
        assert row.payload["payload"]["value"] == "5000.00"
        async with container.uow() as uow:
            stored = await uow.contributions.get(c.id)
        assert stored.status == "approved" and len(stored.approvals) == 2


class TestIdempotency:
    async def test_concurrent_same_key_creates_one_contribution(self, container):
        await open_q1(container)
        cmd = labor(idempotency_key="k-1")
        await active_member(container, cmd.member_id)
        results = await asyncio.gather(
            *(handlers.submit_contribution(cmd, container.uow(), card=RateCard()) for _ in range(3))
        )
        assert len({r.id for r in results}) == 1
        assert await count(container, "contribution") == 1 and await count(container, "outbox") == 1
        assert Decimal(results[0].value) == Decimal("800.00")
