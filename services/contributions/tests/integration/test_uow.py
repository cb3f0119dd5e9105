import asyncio
import uuid

import pytest

from habitat_contributions.domain.commands import ApproveContribution
from habitat_contributions.domain.errors import AlreadyDecided
from habitat_contributions.domain.intake import new_contribution
from habitat_contributions.domain.valuation import RateCard
from habitat_contributions.service_layer import handlers
from tests.builders import T0, capital, labor
from tests.integration.db import count, open_q1, outbox_rows

APPROVED_KEY = "contributions.contribution_approved.v1"


class TestUnitOfWork:
    async def test_state_and_outbox_row_commit_together(self, container):
        await open_q1(container)
        c = await handlers.submit_contribution(labor(), container.uow(), card=RateCard())
        [row] = await outbox_rows(container)
        assert row.routing_key == "contributions.contribution_submitted.v1"
        assert row.payload["payload"]["contribution_id"] == str(c.id)
        assert row.payload["producer"] == "contributions"

    async def test_nothing_is_written_without_commit(self, container):
        period_id = await open_q1(container)
        async with container.uow() as uow:
            contribution = new_contribution(labor(), period_id=period_id, card=RateCard(), now=T0)
            uow.contributions.add(contribution)
            uow.events.append(contribution.submitted())
            assert await uow.claim_event("contributions.test", uuid.uuid4())
        for table in ("contribution", "inbox", "outbox"):
            assert await count(container, table) == 0

    async def test_stored_contribution_round_trips_exact_money(self, container):
        await open_q1(container)
        c = await handlers.submit_contribution(capital(amount="999999999999.99"), container.uow(), card=RateCard())
        async with container.uow() as uow:
            stored = await uow.contributions.get(c.id)
        assert str(stored.value) == "999999999999.99" and stored.type == "capital"


class TestConcurrentApproval:
    async def test_two_racing_approvals_yield_one_success_one_conflict_and_one_event(self, container):
        await open_q1(container)
        c = await handlers.submit_contribution(labor(), container.uow(), card=RateCard())
        results = await asyncio.gather(
            handlers.approve_contribution(ApproveContribution(c.id, uuid.uuid4()), container.uow()),
            handlers.approve_contribution(ApproveContribution(c.id, uuid.uuid4()), container.uow()),
            return_exceptions=True,
        )
        assert sorted(type(r).__name__ for r in results) == ["AlreadyDecided", "Contribution"]
        assert len(await outbox_rows(container, APPROVED_KEY)) == 1
        winner = next(r for r in results if not isinstance(r, AlreadyDecided))
        [row] = await outbox_rows(container, APPROVED_KEY)
        assert row.payload["payload"]["approved_by"] == str(winner.decided_by)

    @pytest.mark.parametrize("racers", [5])
    async def test_many_racers_still_one_event(self, container, racers):
        await open_q1(container)
        c = await handlers.submit_contribution(capital(), container.uow(), card=RateCard())
        results = await asyncio.gather(
            *(
                handlers.approve_contribution(ApproveContribution(c.id, uuid.uuid4()), container.uow())
                for _ in range(racers)
            ),
            return_exceptions=True,
        )
        assert sum(not isinstance(r, Exception) for r in results) == 1
        assert all(isinstance(r, AlreadyDecided) for r in results if isinstance(r, Exception))
        assert len(await outbox_rows(container, APPROVED_KEY)) == 1
