"""Posting is all or nothing: concurrent posts yield one posting; a failure midway leaves nothing."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import uuid
from datetime import date
from decimal import Decimal

import pytest
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database
from sqlalchemy import text

from habitat_ledger.bootstrap import build
from habitat_ledger.config import LedgerSettings
from habitat_ledger.domain.close.proposal import ContributionGroup, groups_sha256
from habitat_ledger.domain.commands import ProposeAllocation, RecordSeal
from habitat_ledger.domain.errors import StaleProposal
from habitat_ledger.service_layer.close.allocations import approve_allocation, propose_allocation
from habitat_ledger.service_layer.close.closing import record_seal, start_close
from habitat_ledger.service_layer.close.periods import open_period
from habitat_ledger.service_layer.close.posting import post_allocation
from habitat_ledger.service_layer.journal.contributions import book_contribution
from tests.ledger_builders import book_command, open_period_command
from tests.ledger_db import alembic

ADMIN, OTHER = uuid.uuid4(), uuid.uuid4()
YEARS = itertools.count(2100)  # a period of its own per test: periods may not overlap
WEIGHTS = {"labor": Decimal("1.0"), "capital": Decimal("0.5"), "property": Decimal("0.5")}


@pytest.fixture(scope="module")
def committing_url():
    with temporary_database("ledger_posting") as url:
        alembic(url, ("upgrade", "head"))
        yield url


@pytest.fixture
async def ledger(committing_url):
    ledger = build(LedgerSettings(database=DatabaseSettings(url=committing_url)))
    yield ledger
    await ledger.engine.dispose()


async def approved_allocation(ledger, members: int = 5) -> uuid.UUID:
    """A fresh period (its own year) with contributions, closing, sealed, proposed and approved."""
    year = next(YEARS)
    period = await open_period(open_period_command(f"P{uuid.uuid4().hex[:8]}", date(year, 1, 1), date(year, 3, 31)), ledger.uow())
    totals = {}
    async with ledger.uow() as uow:
        for i in range(members):
            member, value = uuid.uuid4(), f"{100 + i}.00"
            await book_contribution(book_command(type="labor", value=value, member_id=member, period_id=period.id,
                                                 contributed_on=date(year, 2, 1)), uow)
            totals[member] = (1, Decimal(value))
        await record_seal(RecordSeal(period.id, totals, members, sum(v for _, v in totals.values()), 0), uow)
        await uow.commit()
    await start_close(period.id, ADMIN, ledger.uow())
    command = ProposeAllocation(period.id, Decimal("1000.00"), WEIGHTS, Decimal(50), ADMIN)
    allocation = await propose_allocation(command, ledger.uow(), approvals_required=2)
    for approver in (ADMIN, OTHER):
        await approve_allocation(allocation.id, approver, ledger.uow())
    return allocation.id


async def posted_rows(ledger, allocation_id: uuid.UUID) -> tuple[int, int, str]:
    async with ledger.engine.connect() as conn:
        transactions = await conn.scalar(
            text("SELECT count(*) FROM ledger.journal_transaction WHERE source_type = 'allocation' AND source_id = :id"),
            {"id": allocation_id},
        )
        distributions = await conn.scalar(
            text("SELECT count(*) FROM ledger.distribution WHERE allocation_id = :id"), {"id": allocation_id}
        )
        status = await conn.scalar(text("SELECT status FROM ledger.allocation WHERE id = :id"), {"id": allocation_id})
    return transactions, distributions, status


class TestConcurrentPost:
    async def test_two_posts_at_once_post_exactly_once(self, ledger):
        allocation_id = await approved_allocation(ledger)
        first, second = await asyncio.gather(
            post_allocation(allocation_id, ADMIN, ledger.uow()), post_allocation(allocation_id, OTHER, ledger.uow())
        )
        assert (first.status, second.status) == ("posted", "posted")
        assert await posted_rows(ledger, allocation_id) == (1, 5, "posted")
        async with ledger.engine.connect() as conn:
            events = await conn.scalar(
                text("SELECT count(*) FROM ledger.outbox WHERE routing_key = 'ledger.allocation_posted.v1'"
                     " AND payload->'payload'->>'allocation_id' = :id"),
                {"id": str(allocation_id)},
            )
        assert events == 1


class FailingDistributions(Exception):
    pass


class TestFailureMidway:
    async def test_a_failure_after_the_journal_writes_leaves_nothing_posted(self, ledger):
        allocation_id = await approved_allocation(ledger)
        uow = ledger.uow()
        original_enter = uow._enter_repositories

        def enter(session):
            original_enter(session)

            async def explode(_records):
                raise FailingDistributions("disk full")

            uow.allocation_postings.schedule_cash = explode

        uow._enter_repositories = enter
        with pytest.raises(FailingDistributions):
            await post_allocation(allocation_id, ADMIN, uow)
        assert await posted_rows(ledger, allocation_id) == (0, 0, "approved")
        posted = await post_allocation(allocation_id, ADMIN, ledger.uow())  # and a retry then succeeds
        assert posted.status == "posted"
        assert await posted_rows(ledger, allocation_id) == (1, 5, "posted")


class TestContentHash:
    async def test_the_database_hash_equals_the_documented_canonical_json(self, ledger):
        allocation_id = await approved_allocation(ledger, members=3)
        async with ledger.uow() as uow:
            allocation = await uow.allocations.get(allocation_id)
        async with ledger.engine.connect() as conn:  # the groups afresh from the rows, not the running totals
            groups = (await conn.execute(
                text("SELECT member_id, type, count(*), sum(value), sum(uuid_hash_extended(contribution_id, 0))"
                     " FROM ledger.patronage WHERE period_id = :p AND seq <= :s GROUP BY 1, 2"),
                {"p": allocation.period_id, "s": allocation.patronage_through_seq},
            )).all()
        fingerprint = groups_sha256([ContributionGroup(m, t, n, v, int(d)) for m, t, n, v, d in groups])
        contributions = {"through_seq": allocation.patronage_through_seq, "groups_sha256": fingerprint}
        document = {"contributions": contributions, "inputs": allocation.inputs,
                    "rows": [row.canonical() for row in allocation.rows]}
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
        assert allocation.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
        assert sum(g[2] for g in groups) == allocation.contribution_count == 3

    async def test_the_record_names_exactly_the_rows_it_saw(self, ledger):
        allocation_id = await approved_allocation(ledger, members=4)
        async with ledger.uow() as uow:
            allocation = await uow.allocations.get(allocation_id)
            seen = await uow.patronage.contribution_ids(allocation.period_id, allocation.patronage_through_seq)
        assert len(seen) == 4
        async with ledger.engine.connect() as conn:  # patronage is append-only: the set cannot change under it
            with pytest.raises(Exception, match="append-only"):
                await conn.execute(text("DELETE FROM ledger.patronage WHERE contribution_id = :id"), {"id": seen[0]})

    async def test_a_contribution_booked_after_the_proposal_makes_it_stale(self, ledger):
        allocation_id = await approved_allocation(ledger, members=2)
        async with ledger.uow() as uow:
            allocation = await uow.allocations.get(allocation_id)
            period = await uow.periods.get(allocation.period_id)
        async with ledger.engine.begin() as conn:  # a late approval booked straight into the closing period
            await conn.execute(
                text("INSERT INTO ledger.patronage (contribution_id, member_id, period_id, type, value, recorded_at)"
                     " VALUES (gen_random_uuid(), gen_random_uuid(), :p, 'labor', 5, now())"),
                {"p": period.id},
            )
        with pytest.raises(StaleProposal):
            await post_allocation(allocation_id, ADMIN, ledger.uow())
        assert await posted_rows(ledger, allocation_id) == (0, 0, "approved")
