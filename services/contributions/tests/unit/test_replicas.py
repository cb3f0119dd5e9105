import uuid
from datetime import date, timedelta

from habitat_contributions.domain.commands import RecordMember
from habitat_contributions.service_layer import replicas
from tests.builders import T0, record_period
from tests.fakes import FakeUnitOfWork


def member_event(member_id, at, **facts):
    values = {"email": "ada@example.coop", "display_name": "Ada", "role": "member", "status": "pending"}
    return RecordMember(member_id=member_id, occurred_at=at, **{**values, **facts})


class TestRecordMember:
    async def test_newer_event_overwrites(self):
        uow, member_id = FakeUnitOfWork(), uuid.uuid4()
        await replicas.record_member(member_event(member_id, T0), uow)
        await replicas.record_member(member_event(member_id, T0 + timedelta(seconds=1), status="active"), uow)
        assert uow.members.rows[member_id].status == "active"
        assert uow.members.rows[member_id].updated_at == T0 + timedelta(seconds=1)

    async def test_older_event_is_ignored(self):
        uow, member_id = FakeUnitOfWork(), uuid.uuid4()
        await replicas.record_member(member_event(member_id, T0, status="active", role="steward"), uow)
        await replicas.record_member(member_event(member_id, T0 - timedelta(hours=1)), uow)
        replica = uow.members.rows[member_id]
        assert (replica.status, replica.role, replica.updated_at) == ("active", "steward", T0)

    async def test_deactivation_before_registration_keeps_inactive_and_learns_the_profile(self):
        uow, member_id = FakeUnitOfWork(), uuid.uuid4()
        await replicas.record_member(RecordMember(member_id=member_id, occurred_at=T0, status="inactive"), uow)
        await replicas.record_member(member_event(member_id, T0 - timedelta(days=1), status="pending"), uow)
        replica = uow.members.rows[member_id]
        assert (replica.status, replica.email, replica.updated_at) == ("inactive", "ada@example.coop", T0)

    async def test_the_joining_date_is_kept_and_updated(self):
        uow, member_id = FakeUnitOfWork(), uuid.uuid4()
        await replicas.record_member(member_event(member_id, T0, joined_at=date(2026, 1, 5)), uow)
        await replicas.record_member(member_event(member_id, T0 + timedelta(1), joined_at=date(2026, 1, 4)), uow)
        assert uow.members.rows[member_id].joined_at == date(2026, 1, 4)


class TestRecordPeriod:
    async def test_upserts_and_ignores_older_announcements(self):
        uow, period_id = FakeUnitOfWork(), uuid.uuid4()
        await replicas.record_period(record_period(period_id, name="Q1"), uow)
        await replicas.record_period(record_period(period_id, name="Q1 renamed", occurred_at=T0 + timedelta(1)), uow)
        await replicas.record_period(record_period(period_id, name="stale", occurred_at=T0 - timedelta(1)), uow)
        assert uow.periods.rows[period_id].name == "Q1 renamed"
