"""Submitting looks up member and period in one statement and holds the period against sealing."""

import uuid
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.integration.db import active_member, open_q1

DAY = date(2026, 2, 1)


class TestMemberAndPeriod:
    async def test_known_member_and_the_open_period_first(self, container):
        await open_q1(container, status="closed", starts_on=date(2026, 1, 1))
        open_id = await open_q1(container, starts_on=date(2026, 1, 15))
        member_id = await active_member(container)
        async with container.uow() as uow:
            member, period = await uow.lookups.member_and_period(member_id, DAY)
        assert (member.member_id, member.is_active) == (member_id, True)
        assert (period.period_id, period.status, period.accepts(DAY)) == (open_id, "open", True)

    async def test_unknown_member_and_no_period(self, container):
        async with container.uow() as uow:
            assert await uow.lookups.member_and_period(uuid.uuid4(), DAY) == (None, None)

    async def test_the_period_stays_share_locked_until_the_submission_ends(self, container):
        period_id = await open_q1(container)
        member_id = await active_member(container)
        lock = text("SELECT 1 FROM contributions.period_replica WHERE period_id = :p FOR UPDATE")
        async with container.uow() as uow:
            await uow.lookups.member_and_period(member_id, DAY)
            async with container.engine.connect() as sealer:
                await sealer.execute(text("SET lock_timeout = '200ms'"))
                with pytest.raises(DBAPIError, match="lock timeout"):
                    await sealer.execute(lock, {"p": period_id})
        async with container.engine.connect() as sealer:
            assert (await sealer.execute(lock, {"p": period_id})).scalar() == 1
