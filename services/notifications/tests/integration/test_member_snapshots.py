"""identity's republish-members backfill as this replica receives it: MemberUpdatedV1 snapshots of every member,
possibly twice, possibly older than what an ordinary event already told us. The replica ends at the newest state."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from habitat_common.contracts import Envelope, MemberDeactivatedV1, MemberUpdatedV1
from tests.integration.db import SURPLUS, deliver, rows, send_all, share

pytestmark = pytest.mark.integration

T1 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
T2 = T1 + timedelta(minutes=5)


def snapshot(member_id: uuid.UUID, at: datetime, **overrides) -> Envelope:
    """A MemberUpdatedV1 as identity stamps it, occurred_at fixed so the order is the test's."""
    values = {
        "email": "ada@example.coop",
        "display_name": "Ada",
        "role": "member",
        "status": "active",
        "joined_at": date(2026, 1, 1),
    }
    payload = MemberUpdatedV1(member_id=member_id, **{**values, **overrides})
    return Envelope.wrap(payload, producer="identity").model_copy(update={"occurred_at": at})


async def replica(container, member_id: uuid.UUID) -> tuple:
    async with container.uow() as uow:
        found = await uow.members.get(member_id)
    assert found is not None
    return found.email, found.display_name, found.role, found.status, found.updated_at


class TestMemberSnapshots:
    async def test_a_snapshot_fills_an_empty_replica_and_the_member_hears_from_us(self, container, mailbox):
        member_id = uuid.uuid4()
        await deliver(container, snapshot(member_id, T1, email="known@example.coop"))
        assert await replica(container, member_id) == ("known@example.coop", "Ada", "member", "active", T1)
        await deliver(container, Envelope.wrap(share(uuid.uuid4(), member_id, SURPLUS), producer="ledger"))
        await send_all(container)
        assert [r.recipient_id for r in await rows(container)] == [member_id]
        assert len(mailbox.to("known@example.coop")) == 1

    async def test_the_same_snapshot_twice_leaves_the_member_as_it_says(self, container):
        member_id = uuid.uuid4()
        first, second_run = snapshot(member_id, T1, role="steward"), snapshot(member_id, T2, role="steward")
        assert await deliver(container, first) is True
        assert await deliver(container, second_run) is True
        assert await deliver(container, first) is False  # a redelivery: the inbox says done
        assert await replica(container, member_id) == ("ada@example.coop", "Ada", "steward", "active", T2)

    async def test_an_older_snapshot_after_a_newer_state_changes_nothing(self, container):
        member_id = uuid.uuid4()
        newer = snapshot(member_id, T2, email="new@example.coop", display_name="Ada L.", role="admin")
        await deliver(container, newer)
        await deliver(container, snapshot(member_id, T1))
        assert await replica(container, member_id) == ("new@example.coop", "Ada L.", "admin", "active", T2)

    async def test_an_older_snapshot_after_a_deactivation_keeps_the_member_inactive(self, container):
        member_id = uuid.uuid4()
        gone = Envelope.wrap(MemberDeactivatedV1(member_id=member_id), producer="identity")
        await deliver(container, gone.model_copy(update={"occurred_at": T2}))
        await deliver(container, snapshot(member_id, T1, status="active"))
        # the snapshot only fills what the deactivation did not say; the member stays out of reach
        assert await replica(container, member_id) == ("ada@example.coop", "Ada", "member", "inactive", T2)

    async def test_a_change_after_the_snapshot_wins(self, container):
        member_id = uuid.uuid4()
        await deliver(container, snapshot(member_id, T1))
        await deliver(container, snapshot(member_id, T2, status="inactive", display_name="Ada (left)"))
        assert await replica(container, member_id) == ("ada@example.coop", "Ada (left)", "member", "inactive", T2)
