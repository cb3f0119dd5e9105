"""Batch approval is one unit of work (issue 18): one lock statement, each item judged on its own, one commit;
a single approval is a batch of one. On PostgreSQL."""

import asyncio
import uuid

import pytest
from sqlalchemy import event

from habitat_common.contracts import PeriodClosingV1
from habitat_contributions.domain.commands import ApproveContribution, EditContribution
from habitat_contributions.domain.model import Viewer
from habitat_contributions.domain.valuation import RateCard
from habitat_contributions.service_layer import handlers, review
from tests.builders import capital, labor
from tests.integration.db import open_q1, outbox_rows
from tests.integration.test_consumers import handlers_by_event
from tests.integration.test_http import auth
from tests.integration.test_sealing import SEALED, closing
from tests.integration.test_uow import APPROVED_KEY, submitted

pytestmark = pytest.mark.integration


async def stored(container, contribution_id):
    async with container.uow() as uow:
        return await uow.contributions.get(contribution_id)


async def approved_events(container) -> dict[str, int]:
    """Per contribution id, how many approval events the outbox holds."""
    counted: dict[str, int] = {}
    for row in await outbox_rows(container, APPROVED_KEY):
        key = row.payload["payload"]["contribution_id"]
        counted[key] = counted.get(key, 0) + 1
    return counted


async def edited(container, c):
    cmd = EditContribution(c.id, c.member_id, {"hours": "6"})
    return await handlers.edit_contribution(cmd, Viewer(c.member_id, False), container.uow(), card=RateCard())


class TestMixedBatch:
    async def test_each_item_has_its_result_the_ok_ones_commit_and_the_refused_ones_are_unchanged(self, container):
        await open_q1(container)
        steward = uuid.uuid4()
        ok = await submitted(container, labor())
        missing = uuid.uuid4()
        own = await submitted(container, labor(steward))
        stale = await edited(container, await submitted(container, labor()))
        decided = await submitted(container, labor())
        await review.approve_contribution(ApproveContribution(decided.id, uuid.uuid4()), container.uow())
        dual = await submitted(container, capital(amount="6000.00"))
        ids = [ok.id, missing, own.id, stale.id, decided.id, dual.id]

        results = await review.batch_approve(
            ids, steward, container.uow, note="Checked", expected_revisions={stale.id: 1, ok.id: 1}
        )

        assert [r.id for r in results] == ids
        outcome = [(r.ok, r.status, r.error.code if r.error else None) for r in results]
        assert outcome == [
            (True, "approved", None),
            (False, None, "not_found"),
            (False, None, "self_review"),
            (False, None, "stale_revision"),
            (False, None, "already_decided"),
            (True, "pending", None),  # the first of two required approvals
        ]
        ok_now, dual_now = await stored(container, ok.id), await stored(container, dual.id)
        assert (ok_now.status, ok_now.decided_by, ok_now.decision_note) == ("approved", steward, "Checked")
        assert (dual_now.status, [a.reviewer_id for a in dual_now.approvals]) == ("pending", [steward])
        for refused in (own, stale):
            now = await stored(container, refused.id)
            assert (now.status, now.approvals, now.thread) == ("pending", [], [])
        assert (await stored(container, stale.id)).revision == 2
        assert (await stored(container, decided.id)).decided_by != steward
        assert await approved_events(container) == {str(decided.id): 1, str(ok.id): 1}

    async def test_a_repeated_id_is_approved_once(self, container):
        await open_q1(container)
        a, b = await submitted(container, labor()), await submitted(container, labor())
        results = await review.batch_approve([a.id, a.id, b.id, a.id], uuid.uuid4(), container.uow)
        assert [(r.id, r.status) for r in results] == [(a.id, "approved"), (b.id, "approved")]
        assert await approved_events(container) == {str(a.id): 1, str(b.id): 1}

    async def test_an_empty_batch_opens_no_transaction(self, container):
        def refuse():
            raise AssertionError("a unit of work was opened")

        assert await review.batch_approve([], uuid.uuid4(), refuse) == []

    async def test_dual_approval_by_two_batches_of_distinct_stewards(self, container):
        await open_q1(container)
        big = await submitted(container, capital(amount="6000.00"))
        first = await review.batch_approve([big.id], uuid.uuid4(), container.uow)
        second = await review.batch_approve([big.id], uuid.uuid4(), container.uow)
        assert (first[0].status, second[0].status) == ("pending", "approved")
        assert await approved_events(container) == {str(big.id): 1}


class TestBatchOverHttp:
    async def test_an_empty_batch_is_refused_and_a_repeated_id_answered_once(self, client, keys, container):
        await open_q1(container)
        steward = auth(keys, uuid.uuid4(), "steward")
        empty = await client.post("/contributions/batch-approve", json={"ids": []}, headers=steward)
        assert empty.status_code == 422
        c = await submitted(container, labor())
        twice = {"ids": [str(c.id), str(c.id)], "expected_revisions": {str(c.id): 1}}
        response = await client.post("/contributions/batch-approve", json=twice, headers=steward)
        assert response.status_code == 200, response.text
        assert response.json()["results"] == [{"id": str(c.id), "ok": True, "status": "approved", "error": None}]


class TestCorrectionsInOneBatch:
    async def test_a_later_correction_sees_the_earlier_ones_approved_in_the_same_batch(self, container):
        await open_q1(container)
        ann, steward = uuid.uuid4(), uuid.uuid4()
        original = await submitted(container, capital(ann, amount="500.00"))
        await review.approve_contribution(ApproveContribution(original.id, steward), container.uow())
        fixes = [
            await submitted(container, capital(ann, amount="-300.00", corrects_contribution_id=original.id))
            for _ in range(2)
        ]
        results = await review.batch_approve([f.id for f in fixes], steward, container.uow)
        assert [(r.ok, r.error.code if r.error else None) for r in results] == [
            (True, None),
            (False, "correction_below_zero"),
        ]
        assert (await stored(container, fixes[1].id)).status == "pending"


class TestConcurrentBatches:
    @pytest.mark.parametrize("round_", range(3))
    async def test_overlapping_batches_in_opposite_orders_never_deadlock_and_approve_each_once(self, container, round_):
        await open_q1(container)
        shared = [await submitted(container, labor()) for _ in range(6)]
        only_a, only_b = await submitted(container, labor()), await submitted(container, labor())
        forward = [only_a.id] + [c.id for c in shared]
        backward = [c.id for c in reversed(shared)] + [only_b.id]
        a, b = await asyncio.gather(
            review.batch_approve(forward, uuid.uuid4(), container.uow),
            review.batch_approve(backward, uuid.uuid4(), container.uow),
        )
        won = {r.id for r in a + b if r.ok}
        assert won == {c.id for c in shared} | {only_a.id, only_b.id}
        assert sum(r.ok for r in a + b) == len(won)  # each approved exactly once
        assert {r.error.code for r in a + b if not r.ok} <= {"already_decided"}
        assert await approved_events(container) == {str(i): 1 for i in won}

    async def test_corrections_whose_originals_sit_in_the_other_batch_never_deadlock(self, container):
        await open_q1(container)
        ann, bob, steward = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        originals = [await submitted(container, capital(m, amount="500.00")) for m in (ann, bob)]
        await review.batch_approve([o.id for o in originals], steward, container.uow)
        fix_ann, fix_bob = [
            await submitted(container, capital(o.member_id, amount="-100.00", corrects_contribution_id=o.id))
            for o in originals
        ]
        # each batch holds (and is refused) the original the other batch's correction must lock
        a, b = await asyncio.gather(
            review.batch_approve([originals[0].id, fix_bob.id], uuid.uuid4(), container.uow),
            review.batch_approve([originals[1].id, fix_ann.id], uuid.uuid4(), container.uow),
        )
        assert [(r.ok, r.error.code if r.error else None) for r in a + b] == [
            (False, "already_decided"),
            (True, None),
            (False, "already_decided"),
            (True, None),
        ]


class TestClosingPeriod:
    async def test_a_batch_in_a_closing_period_reseals_it_once_after_its_decisions(self, container):
        period_id = await open_q1(container)
        steward = uuid.uuid4()
        waiting = [await submitted(container, capital(uuid.uuid4(), amount="10.00")) for _ in range(3)]
        big = await submitted(container, capital(uuid.uuid4(), amount="6000.00"))
        await handlers_by_event(container)[PeriodClosingV1](closing(period_id))
        results = await review.batch_approve([c.id for c in waiting] + [big.id], steward, container.uow)
        assert [r.status for r in results] == ["approved"] * 3 + ["pending"]
        seals = [row.payload["payload"] for row in await outbox_rows(container, SEALED)]
        assert [(s["pending_count"], s["total_count"], s["total_value"]) for s in seals] == [
            (4, 0, "0.00"),
            (1, 3, "30.00"),
        ]

    async def test_a_first_of_two_approvals_alone_does_not_reseal(self, container):
        period_id = await open_q1(container)
        big = await submitted(container, capital(uuid.uuid4(), amount="6000.00"))
        await handlers_by_event(container)[PeriodClosingV1](closing(period_id))
        [result] = await review.batch_approve([big.id], uuid.uuid4(), container.uow)
        assert result.status == "pending"
        assert len(await outbox_rows(container, SEALED)) == 1


class TestStatements:
    async def test_a_batch_costs_the_same_statements_whatever_its_size(self, container):
        await open_q1(container)

        async def statements_for(n: int) -> int:
            batch = [(await submitted(container, labor())).id for _ in range(n)]
            seen: list[str] = []

            def record(conn, cursor, statement, *args):
                seen.append(statement)

            event.listen(container.engine.sync_engine, "before_cursor_execute", record)
            try:
                results = await review.batch_approve(batch, uuid.uuid4(), container.uow)
            finally:
                event.remove(container.engine.sync_engine, "before_cursor_execute", record)
            assert all(r.ok for r in results)
            return len(seen)

        assert await statements_for(2) == await statements_for(30)


class TestTheDecisionsTime:
    async def test_is_taken_once_the_rows_are_locked_not_when_the_request_began(self, container):
        """An approval that waited on the row lock is decided after whatever held the lock committed."""
        from sqlalchemy import text

        await open_q1(container)
        c = await submitted(container, labor())
        async with container.engine.connect() as holder:
            await holder.execute(
                text("SELECT id FROM contributions.contribution WHERE id = :id FOR UPDATE"), {"id": c.id}
            )
            approving = asyncio.create_task(
                review.approve_contribution(ApproveContribution(c.id, uuid.uuid4()), container.uow())
            )
            await asyncio.sleep(0.3)  # not a speed claim: only so that the approval is surely waiting on the lock
            assert not approving.done()
            released_at = (await holder.execute(text("SELECT clock_timestamp()"))).scalar_one()
            await holder.commit()
        approved = await approving
        assert approved.decided_at >= released_at
