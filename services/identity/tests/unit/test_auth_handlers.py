from datetime import timedelta

import pytest
from habitat_identity.domain.commands import ChangePassword
from habitat_identity.domain.errors import (
    InvalidCredentials,
    InvalidPassword,
    InvalidRefreshToken,
    TemporaryPasswordExpired,
    WeakPassword,
)
from habitat_identity.domain.events import MemberUpdated
from habitat_identity.service_layer import auth

from tests.builders import a_member
from tests.fakes import FakeClock, FakeHasher, FakeIssuer, FakeStrength, FakeUnitOfWork

PASSWORD = "correct horse battery"


async def signed_in(uow, member, issuer=None):
    return await auth.login(member.email, PASSWORD, uow, FakeHasher(), issuer or FakeIssuer())


class TestLogin:
    async def test_right_password_returns_tokens_and_stores_hashed_refresh_token(self):
        member = a_member(email="Ada@Example.org")
        uow, issuer = FakeUnitOfWork([member]), FakeIssuer()
        pair = await auth.login("ADA@example.org", PASSWORD, uow, FakeHasher(), issuer)
        assert pair.access_token == "access-1" and pair.expires_in == 900 and not pair.must_change_password
        assert issuer.issued == [(member.id, "member", False)]
        [stored] = uow.refresh_tokens.tokens.values()
        assert stored.token_hash != pair.refresh_token and stored.member_id == member.id

    async def test_unknown_email_runs_a_dummy_verify_and_fails_like_a_wrong_password(self):
        hasher = FakeHasher()
        with pytest.raises(InvalidCredentials):
            await auth.login("nobody@example.org", PASSWORD, FakeUnitOfWork(), hasher, FakeIssuer())
        assert hasher.dummy_verifies == 1

    @pytest.mark.parametrize("status, password", [("active", "wrong password!"), ("inactive", PASSWORD)])
    async def test_wrong_password_or_inactive_member_is_refused(self, status, password):
        member = a_member(status=status)
        with pytest.raises(InvalidCredentials):
            await auth.login(member.email, password, FakeUnitOfWork([member]), FakeHasher(), FakeIssuer())

    async def test_pending_member_gets_a_password_change_token(self):
        member = a_member(status="pending", must_change_password=True)
        issuer = FakeIssuer()
        pair = await signed_in(FakeUnitOfWork([member]), member, issuer)
        assert pair.must_change_password and issuer.issued[0][2] is True


class TestRefresh:
    async def test_refresh_rotates_within_the_family(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        first = await signed_in(uow, member)
        second = await auth.refresh(first.refresh_token, uow, FakeIssuer())
        assert second.refresh_token != first.refresh_token
        old, new = uow.refresh_tokens.tokens.values()
        assert old.rotated_at is not None and new.rotated_at is None and old.family_id == new.family_id

    async def test_reusing_a_rotated_token_revokes_the_family(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        first = await signed_in(uow, member)
        second = await auth.refresh(first.refresh_token, uow, FakeIssuer())
        with pytest.raises(InvalidRefreshToken):
            await auth.refresh(first.refresh_token, uow, FakeIssuer())
        assert all(t.revoked_at is not None for t in uow.refresh_tokens.tokens.values())
        with pytest.raises(InvalidRefreshToken):
            await auth.refresh(second.refresh_token, uow, FakeIssuer())

    async def test_unknown_token_is_refused(self):
        with pytest.raises(InvalidRefreshToken):
            await auth.refresh("nope", FakeUnitOfWork(), FakeIssuer())

    async def test_deactivated_member_cannot_refresh(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        pair = await signed_in(uow, member)
        member.status = "inactive"
        with pytest.raises(InvalidRefreshToken):
            await auth.refresh(pair.refresh_token, uow, FakeIssuer())


class TestLogout:
    async def test_logout_revokes_the_token(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        pair = await signed_in(uow, member)
        await auth.logout(pair.refresh_token, uow)
        with pytest.raises(InvalidRefreshToken):
            await auth.refresh(pair.refresh_token, uow, FakeIssuer())


class TestChangePassword:
    async def test_pending_member_is_activated_other_sessions_end_and_new_tokens_returned(self):
        member = a_member(status="pending", must_change_password=True)
        uow = FakeUnitOfWork([member])
        old = await signed_in(uow, member)
        command = ChangePassword(member.id, PASSWORD, "violet-harbor-engine")
        pair = await auth.change_password(command, uow, FakeHasher(), FakeIssuer(), FakeStrength())
        assert member.status == "active" and not pair.must_change_password
        assert member.password_hash == "hashed:violet-harbor-engine"
        assert [type(e) for e in uow.published] == [MemberUpdated]
        with pytest.raises(InvalidRefreshToken):
            await auth.refresh(old.refresh_token, uow, FakeIssuer())
        await auth.refresh(pair.refresh_token, uow, FakeIssuer())

    async def test_wrong_current_password_is_refused(self):
        member = a_member()
        command = ChangePassword(member.id, "not it at all", "violet-harbor-engine")
        with pytest.raises(InvalidPassword):
            await auth.change_password(command, FakeUnitOfWork([member]), FakeHasher(), FakeIssuer(), FakeStrength())

    async def test_weak_new_password_is_refused_and_nothing_changes(self):
        member = a_member()
        uow = FakeUnitOfWork([member])
        with pytest.raises(WeakPassword):
            await auth.change_password(
                ChangePassword(member.id, PASSWORD, "short"), uow, FakeHasher(), FakeIssuer(), FakeStrength()
            )
        assert member.password_hash == f"hashed:{PASSWORD}" and uow.published == []


class TestTemporaryPasswordExpiry:
    async def test_an_expired_temporary_password_is_refused_with_its_own_message_only_when_right(self):
        clock = FakeClock()
        member = a_member(status="pending", must_change_password=True)
        member.temporary_password_expires_at = clock.now() + timedelta(days=7)
        uow = FakeUnitOfWork([member])
        clock.advance(7 * 24 * 3600)
        with pytest.raises(InvalidCredentials):
            await auth.login(member.email, "wrong password!", uow, FakeHasher(), FakeIssuer(), clock=clock)
        with pytest.raises(TemporaryPasswordExpired, match="Ask an admin"):
            await auth.login(member.email, PASSWORD, uow, FakeHasher(), FakeIssuer(), clock=clock)
        with pytest.raises(TemporaryPasswordExpired):
            await auth.change_password(
                ChangePassword(member.id, PASSWORD, "violet-harbor-engine"), uow, FakeHasher(), FakeIssuer(),
                FakeStrength(), clock=clock,
            )

    async def test_a_chosen_password_clears_the_expiry(self):
        clock = FakeClock()
        member = a_member(status="pending", must_change_password=True)
        member.temporary_password_expires_at = clock.now() + timedelta(days=7)
        uow = FakeUnitOfWork([member])
        command = ChangePassword(member.id, PASSWORD, "violet-harbor-engine")
        await auth.change_password(command, uow, FakeHasher(), FakeIssuer(), FakeStrength(), clock=clock)
        clock.advance(30 * 24 * 3600)
        assert member.temporary_password_expires_at is None
        await auth.login(member.email, "violet-harbor-engine", uow, FakeHasher(), FakeIssuer(), clock=clock)
