import uuid

import pytest
from habitat_identity.domain.commands import ChangePassword, UpdateMember
from habitat_identity.domain.errors import CannotChangeSelf, InvalidRefreshToken
from habitat_identity.service_layer import auth, feeds, members

from tests.builders import a_member
from tests.fakes import FakeHasher, FakeIssuer, FakeStrength, FakeUnitOfWork

PASSWORD = "correct horse battery"
ADMIN_ID = uuid.uuid4()


async def sign_in(uow, member, issuer=None):
    return await auth.login(member.email, PASSWORD, uow, FakeHasher(), issuer or FakeIssuer())


def entries(uow):
    return [(r.member_id, r.session_id, r.not_before is not None) for r in uow.revocations.entries]


class TestSessionIds:
    async def test_each_sign_in_is_a_new_session_and_refresh_keeps_it(self):
        member, issuer = a_member(), FakeIssuer()
        uow = FakeUnitOfWork([member])
        first, second = await sign_in(uow, member, issuer), await sign_in(uow, member, issuer)
        refreshed = await auth.refresh(first.refresh_token, uow, issuer)
        assert issuer.sessions == [first.session_id, second.session_id, first.session_id]
        assert first.session_id != second.session_id and refreshed.session_id == first.session_id


class TestRevocationEntries:
    async def test_logout_revokes_its_session(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        pair = await sign_in(uow, member)
        await auth.logout(pair.refresh_token, uow)
        assert entries(uow) == [(member.id, pair.session_id, False)]

    async def test_refresh_token_reuse_revokes_the_session(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        pair = await sign_in(uow, member)
        await auth.refresh(pair.refresh_token, uow, FakeIssuer())
        with pytest.raises(InvalidRefreshToken):
            await auth.refresh(pair.refresh_token, uow, FakeIssuer())
        assert entries(uow) == [(member.id, pair.session_id, False)]

    async def test_password_change_revokes_the_other_sessions_not_the_new_one(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        other, current = await sign_in(uow, member), await sign_in(uow, member)
        command = ChangePassword(member.id, PASSWORD, "violet-harbor-engine")
        new = await auth.change_password(command, uow, FakeHasher(), FakeIssuer(), FakeStrength())
        revoked = {session for _, session, _ in entries(uow)}
        assert revoked == {other.session_id, current.session_id} and new.session_id not in revoked

    async def test_deactivation_and_role_change_revoke_tokens_issued_before(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        await members.update_member(UpdateMember(member.id, role="steward"), ADMIN_ID, uow)
        await members.update_member(UpdateMember(member.id, display_name="Renamed"), ADMIN_ID, uow)
        await members.update_member(UpdateMember(member.id, status="inactive"), ADMIN_ID, uow)
        assert entries(uow) == [(member.id, None, True), (member.id, None, True)]

    async def test_feed_pages_by_cursor(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        for _ in range(3):
            await auth.logout((await sign_in(uow, member)).refresh_token, uow)
        cursor, first, _ = await feeds.revocations_after(0, uow, auth.utcnow())
        again, rest, _ = await feeds.revocations_after(2, uow, auth.utcnow())
        assert (cursor, [e.id for e in first]) == (3, [1, 2, 3])
        assert (again, [e.id for e in rest]) == (3, [3])
        assert await feeds.revocations_after(3, uow, auth.utcnow()) == (3, [], False)

    async def test_a_cursor_beyond_every_id_issued_says_reset(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        await auth.logout((await sign_in(uow, member)).refresh_token, uow)
        # the poller read up to 40 from a database since restored from a backup that had issued one id
        assert await feeds.revocations_after(40, uow, auth.utcnow()) == (1, [], True)
        assert await feeds.revocations_after(1, uow, auth.utcnow()) == (1, [], False)


class TestSelfChange:
    @pytest.mark.parametrize("change", [{"role": "steward"}, {"status": "inactive"}])
    async def test_an_admin_cannot_demote_or_deactivate_themselves(self, change):
        admin = a_member(role="admin")
        uow = FakeUnitOfWork([admin])
        with pytest.raises(CannotChangeSelf):
            await members.update_member(UpdateMember(admin.id, **change), admin.id, uow)
        assert (admin.role, admin.status, uow.commits) == ("admin", "active", 0)

    async def test_an_admin_may_rename_themselves(self):
        admin = a_member(role="admin")
        uow = FakeUnitOfWork([admin])
        await members.update_member(UpdateMember(admin.id, role="admin", display_name="New Name"), admin.id, uow)
        assert admin.display_name == "New Name"
