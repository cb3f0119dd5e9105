import pytest
from habitat_identity.domain.events import MemberUpdated
from habitat_identity.service_layer import republish

from tests.builders import a_member
from tests.fakes import FakeUnitOfWork


def state(member) -> MemberUpdated:
    return MemberUpdated(member.id, member.email, member.display_name, member.role, member.status, member.joined_at)


class TestRepublishMembers:
    async def test_every_member_is_announced_once_with_its_current_state(self):
        people = [a_member(), a_member(role="steward", status="pending"), a_member(status="inactive")]
        people += [a_member() for _ in range(4)]
        uow = FakeUnitOfWork(people)
        count = await republish.republish_members(uow, batch_size=3)
        assert count == 7
        assert sorted(uow.published, key=lambda e: e.member_id) == sorted(map(state, people), key=lambda e: e.member_id)
        assert uow.commits == 3  # 3 + 3 + 1: one transaction per batch

    async def test_a_full_last_batch_ends_on_an_empty_page(self):
        uow = FakeUnitOfWork([a_member() for _ in range(4)])
        assert await republish.republish_members(uow, batch_size=2) == 4
        assert len(uow.published) == 4

    async def test_no_members_announces_nothing(self):
        uow = FakeUnitOfWork()
        assert await republish.republish_members(uow) == 0
        assert uow.published == []

    async def test_changes_no_member(self):
        member = a_member(status="pending", must_change_password=True)
        before = dict(vars(member))
        await republish.republish_members(FakeUnitOfWork([member]))
        assert {k: v for k, v in vars(member).items() if k != "events"} == {
            k: v for k, v in before.items() if k != "events"
        }

    async def test_refuses_an_empty_batch(self):
        with pytest.raises(ValueError):
            await republish.republish_members(FakeUnitOfWork(), batch_size=0)
