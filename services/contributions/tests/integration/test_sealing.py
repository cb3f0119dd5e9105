"""Period closing → sealed totals (incl. negative corrections), closed; and index use at volume."""

import asyncio
import hashlib
import uuid
from datetime import date

from sqlalchemy import func, select, text

from habitat_common.contracts import Envelope, PeriodClosedV1, PeriodClosingV1
from habitat_contributions.adapters import orm
from habitat_contributions.domain.commands import ApproveContribution, RejectContribution, RequestClarification
from habitat_contributions.domain.errors import ContributionError
from habitat_contributions.service_layer import review
from tests.builders import capital, labor
from tests.integration.db import count, open_q1, outbox_rows
from tests.integration.test_consumers import handlers_by_event
from tests.integration.test_uow import submitted

SEALED = "contributions.period_sealed.v1"


def closing(period_id) -> Envelope:
    payload = PeriodClosingV1(
        period_id=period_id, name="2026-Q1", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31)
    )
    return Envelope.wrap(payload, producer="ledger")


class TestPeriodSealing:
    async def test_sealed_totals_per_member_include_negative_corrections_once(self, container):
        period_id = await open_q1(container)
        ann, bob, steward = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        original = await submitted(container, capital(ann, amount="500.00"))
        await review.approve_contribution(ApproveContribution(original.id, steward), container.uow())
        fix = await submitted(container, capital(ann, amount="-120.00", corrects_contribution_id=original.id))
        await review.approve_contribution(ApproveContribution(fix.id, steward), container.uow())
        work = await submitted(container, labor(bob, hours="2"))
        await review.approve_contribution(ApproveContribution(work.id, steward), container.uow())
        await submitted(container, labor(bob, hours="1"))  # pending, not counted
        handle = handlers_by_event(container)[PeriodClosingV1]
        envelope = closing(period_id)
        assert [await handle(envelope), await handle(envelope)] == [True, False]
        [row] = await outbox_rows(container, SEALED)
        sealed = row.payload["payload"]
        totals = {m["member_id"]: (m["approved_count"], m["approved_value"]) for m in sealed["members"]}
        assert totals == {str(ann): (2, "380.00"), str(bob): (1, "200.00")}
        assert (sealed["total_count"], sealed["total_value"], sealed["pending_count"]) == (3, "580.00", 1)
        async with container.uow() as uow:
            assert (await uow.periods.get_for_update(period_id)).status == "closing"
        closed = Envelope.wrap(PeriodClosedV1(period_id=period_id, name="2026-Q1"), producer="ledger")
        assert await handlers_by_event(container)[PeriodClosedV1](closed) is True
        async with container.uow() as uow:
            assert (await uow.periods.get_for_update(period_id)).status == "closed"
        assert await count(container, "inbox") == 2


class TestDecisionsWhileClosing:
    """A contribution submitted just before the close started is still decided, and each final decision
    announces the period's totals again, so the ledger never waits on something nobody may decide."""

    async def test_approving_and_rejecting_reseal_with_one_fewer_undecided(self, container):
        period_id = await open_q1(container)
        ann, bob, steward = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        late = await submitted(container, capital(ann, amount="75.00"))
        doubtful = await submitted(container, labor(bob, hours="3"))
        await handlers_by_event(container)[PeriodClosingV1](closing(period_id))
        [first] = await outbox_rows(container, SEALED)
        assert first.payload["payload"]["pending_count"] == 2

        try:
            await review.request_clarification(
                RequestClarification(doubtful.id, steward, "Which days were these?"), container.uow())
        except ContributionError as error:
            assert error.code == "period_closed"  # the member could no longer answer
        else:
            raise AssertionError("a question was asked in a closing period")

        await review.approve_contribution(ApproveContribution(late.id, steward), container.uow())
        await review.reject_contribution(RejectContribution(doubtful.id, steward, "Counted in 2025-Q4"), container.uow())
        seals = [row.payload["payload"] for row in await outbox_rows(container, SEALED)]
        assert [(s["pending_count"], s["total_count"], s["total_value"]) for s in seals] == [
            (2, 0, "0.00"), (1, 1, "75.00"), (0, 1, "75.00"),
        ]

    async def test_decisions_taken_at_once_are_counted_one_after_the_other(self, container):
        period_id = await open_q1(container)
        steward = uuid.uuid4()
        waiting = [await submitted(container, capital(uuid.uuid4(), amount="10.00")) for _ in range(4)]
        await handlers_by_event(container)[PeriodClosingV1](closing(period_id))
        await asyncio.gather(*(
            review.approve_contribution(ApproveContribution(c.id, steward), container.uow()) for c in waiting
        ))
        seals = [row.payload["payload"] for row in await outbox_rows(container, SEALED)]
        # each decision saw the ones before it: no two seals claim the same state
        assert sorted((s["pending_count"], s["total_count"]) for s in seals) == [(0, 4), (1, 3), (2, 2), (3, 1), (4, 0)]

    async def test_a_closed_period_takes_no_decision(self, container):
        period_id = await open_q1(container)
        left = await submitted(container, capital(uuid.uuid4(), amount="5.00"))
        await handlers_by_event(container)[PeriodClosingV1](closing(period_id))
        closed = Envelope.wrap(PeriodClosedV1(period_id=period_id, name="2026-Q1"), producer="ledger")
        await handlers_by_event(container)[PeriodClosedV1](closed)
        try:
            await review.approve_contribution(ApproveContribution(left.id, uuid.uuid4()), container.uow())
        except ContributionError as error:
            assert error.code == "period_closed"
        else:
            raise AssertionError("a contribution of a closed period was approved")
        assert len(await outbox_rows(container, SEALED)) == 1


SEED = """
INSERT INTO contributions.contribution (id, member_id, period_id, type, contributed_on, description, hours, rate,
    value, book_amount, tax_amount, status, submitted_at, decided_at, approvals_required)
SELECT gen_random_uuid(), md5('m' || (i % 1000))::uuid, md5('p' || (i % 10))::uuid, 'labor', date '2026-02-01',
    'Seeded work for the index check', 1, 100, 100, 0, 0,
    (ARRAY['pending','approved','approved','rejected','clarification_requested'])[1 + i % 5],
    now() - make_interval(mins => i), CASE WHEN i % 5 IN (1, 2, 3) THEN now() END, 1
FROM generate_series(1, 20000) AS i
"""


class TestIndexesAtVolume:
    async def test_queue_list_and_dashboard_queries_use_indexes(self, container):
        async with container.engine.begin() as conn:
            await conn.execute(text(SEED))
            await conn.execute(text("ANALYZE contributions.contribution"))
        period_id = uuid.UUID(bytes=bytes.fromhex(hashlib.md5(b"p3").hexdigest()))
        member_id = uuid.UUID(bytes=bytes.fromhex(hashlib.md5(b"m7").hexdigest()))
        plans = []
        async with container.engine.connect() as conn:

            async def explain(statement, params=None):
                compiled = statement.compile(conn.sync_engine, compile_kwargs={"literal_binds": True})
                plans.append("\n".join(r[0] for r in await conn.execute(text(f"EXPLAIN {compiled}"), params or {})))

            c = orm.contribution.c
            await explain(select(c.id).where(c.status == "pending").order_by(c.submitted_at).limit(50))
            await explain(select(c.id).where(c.member_id == member_id).order_by(c.submitted_at.desc()).limit(50))
            await explain(
                select(c.type, c.status, func.count(), func.sum(c.value))
                .where(c.period_id == period_id)
                .group_by(c.type, c.status)
            )
        for plan in plans:
            assert "Index" in plan and "Seq Scan on contribution" not in plan, plan
