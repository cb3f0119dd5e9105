"""Reset and invitation links: the token rules (domain) and the use cases over fakes."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from habitat_identity.domain.commands import ChangePassword, CreateMember
from habitat_identity.domain.errors import (
    InvalidMemberChange,
    InvalidPasswordToken,
    PasswordTokenExpired,
    PasswordTokenUsed,
    TooManyAttempts,
    WeakPassword,
)
from habitat_identity.domain.events import InvitationIssued, MemberRegistered, MemberUpdated, PasswordResetRequested
from habitat_identity.domain.password_tokens import (
    INVITATION,
    RESET,
    RESET_TTL,
    hash_password_token,
    issue_password_token,
)
from habitat_identity.domain.throttle import LoginThrottle
from habitat_identity.service_layer import auth, members, recovery

from tests.builders import a_member
from tests.fakes import FakeClock, FakeHasher, FakeIssuer, FakeStrength, FakeUnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NEW_PASSWORD = "quiet river under stone bridges"


def raw_token_of(member) -> str:
    """The raw token the last event on the member carries (what the mail would hold)."""
    return member.events[-1].token


class TestPasswordToken:
    def test_the_raw_token_is_random_and_only_its_sha256_is_kept(self):
        member = a_member()
        first = issue_password_token(member, RESET, NOW, RESET_TTL)
        raw = raw_token_of(member)
        second = issue_password_token(member, RESET, NOW, RESET_TTL)
        assert len(raw) >= 43 and raw != raw_token_of(member)
        assert first.token_hash == hashlib.sha256(raw.encode()).hexdigest() == hash_password_token(raw)
        assert raw not in (first.token_hash, second.token_hash)

    def test_the_event_carries_the_raw_token_and_expiry_to_the_mailer(self):
        member = a_member(email="ada@example.org", display_name="Ada")
        token = issue_password_token(member, INVITATION, NOW, timedelta(days=7))
        [event] = member.events
        assert isinstance(event, InvitationIssued)
        assert (event.member_id, event.email, event.display_name) == (member.id, "ada@example.org", "Ada")
        assert event.expires_at == token.expires_at == NOW + timedelta(days=7)

    def test_it_expires_after_its_lifetime(self):
        token = issue_password_token(a_member(), RESET, NOW, RESET_TTL)
        token.check_usable(RESET, NOW + RESET_TTL - timedelta(seconds=1))
        with pytest.raises(PasswordTokenExpired):
            token.use(RESET, NOW + RESET_TTL)

    def test_it_is_used_once(self):
        token = issue_password_token(a_member(), RESET, NOW, RESET_TTL)
        token.use(RESET, NOW)
        with pytest.raises(PasswordTokenUsed):
            token.use(RESET, NOW)

    def test_a_superseded_or_other_purpose_token_is_invalid(self):
        token = issue_password_token(a_member(), INVITATION, NOW, RESET_TTL)
        with pytest.raises(InvalidPasswordToken) as wrong_purpose:
            token.check_usable(RESET, NOW)
        assert type(wrong_purpose.value) is InvalidPasswordToken
        token.revoked_at = NOW
        with pytest.raises(InvalidPasswordToken):
            token.check_usable(INVITATION, NOW)

    def test_a_deactivated_member_gets_no_link(self):
        with pytest.raises(InvalidMemberChange):
            issue_password_token(a_member(status="inactive"), RESET, NOW, RESET_TTL)


class TestRequestPasswordReset:
    async def test_a_member_gets_a_link_and_older_unused_links_die(self):
        member = a_member(email="ada@example.org")
        uow, clock = FakeUnitOfWork([member]), FakeClock(NOW)
        assert await recovery.request_password_reset("ADA@example.org", uow, clock=clock)
        first = uow.published[-1].token
        assert await recovery.request_password_reset("ada@example.org", uow, clock=clock)
        events = [e for e in uow.published if isinstance(e, PasswordResetRequested)]
        assert len(events) == 2 and events[0].token == first and events[1].expires_at == NOW + RESET_TTL
        with pytest.raises(InvalidPasswordToken):
            await recovery.set_password_with_token(first, NEW_PASSWORD, RESET, uow, FakeHasher(), FakeStrength(),
                                                   clock=clock)
        await recovery.set_password_with_token(events[1].token, NEW_PASSWORD, RESET, uow, FakeHasher(),
                                               FakeStrength(), clock=clock)

    @pytest.mark.parametrize("who", ["nobody", "inactive"])
    async def test_unknown_and_inactive_addresses_get_nothing(self, who):
        inactive = a_member(email="gone@example.org", status="inactive")
        uow = FakeUnitOfWork([inactive])
        email = "nobody@example.org" if who == "nobody" else "gone@example.org"
        assert not await recovery.request_password_reset(email, uow, clock=FakeClock(NOW))
        assert (uow.published, uow.password_tokens.tokens, uow.commits) == ([], {}, 0)


class TestAdmitResetRequest:
    async def test_an_address_asked_for_too_often_is_admitted_no_more_but_not_told(self):
        uow = FakeUnitOfWork()
        answers = [await recovery.admit_reset_request("a@example.org", f"10.0.0.{n}", uow, NOW) for n in range(7)]
        assert answers == [True] * 5 + [False] * 2
        assert await recovery.admit_reset_request("a@example.org", "10.0.0.9", uow, NOW + timedelta(hours=1))

    async def test_a_client_asking_too_often_is_refused_with_retry_after(self):
        uow = FakeUnitOfWork()
        for n in range(20):
            assert await recovery.admit_reset_request(f"m{n}@example.org", "2001:db8::1", uow, NOW)
        with pytest.raises(TooManyAttempts) as refused:
            await recovery.admit_reset_request("m99@example.org", "2001:db8::2", uow, NOW)  # the same /64
        assert refused.value.retry_after_seconds == 15 * 60
        assert await recovery.admit_reset_request("m99@example.org", "192.0.2.7", uow, NOW)

    async def test_its_counters_never_touch_the_sign_in_lockout(self):
        uow = FakeUnitOfWork()
        await recovery.admit_reset_request("a@example.org", "192.0.2.7", uow, NOW)
        assert set(uow.throttles.rows) == {"reset-client:192.0.2.7", "reset-email:a@example.org"}
        assert all(isinstance(t, LoginThrottle) for t in uow.throttles.rows.values())


class TestSetPasswordWithToken:
    async def test_reset_sets_the_password_ends_every_session_and_is_audited(self):
        member = a_member(email="ada@example.org", must_change_password=True, status="pending")
        uow, clock = FakeUnitOfWork([member]), FakeClock(NOW)
        await auth.login("ada@example.org", "correct horse battery", uow, FakeHasher(), FakeIssuer())
        uow.throttles.rows["account:ada@example.org"] = LoginThrottle("account:ada@example.org", failures=4)
        await recovery.request_password_reset("ada@example.org", uow, clock=clock)
        raw = uow.published[-1].token
        clock.advance(60)
        done = await recovery.set_password_with_token(raw, NEW_PASSWORD, RESET, uow, FakeHasher(), FakeStrength(),
                                                      clock=clock)
        assert done.password_hash == f"hashed:{NEW_PASSWORD}" and done.status == "active"
        assert not done.must_change_password
        assert all(t.revoked_at == clock.now() for t in uow.refresh_tokens.tokens.values())
        assert [r.not_before for r in uow.revocations.entries] == [clock.now()]
        assert "account:ada@example.org" not in uow.throttles.rows
        assert isinstance(uow.published[-1], MemberUpdated) and uow.published[-1].status == "active"
        [entry] = [e for e in uow.audit.entries if e.action == "member.password_reset"]
        assert (entry.actor_id, entry.subject_id, entry.after) == (member.id, member.id, {"status": "active"})
        with pytest.raises(PasswordTokenUsed):
            await recovery.set_password_with_token(raw, "yet another long passphrase", RESET, uow, FakeHasher(),
                                                   FakeStrength(), clock=clock)

    async def test_a_refused_password_leaves_the_link_usable(self):
        member = a_member(email="ada@example.org", display_name="Ada Lovelace")
        uow, clock = FakeUnitOfWork([member]), FakeClock(NOW)
        await recovery.request_password_reset("ada@example.org", uow, clock=clock)
        raw = uow.published[-1].token
        for weak in ("short", "my name is ada lovelace", "a weak passphrase here"):
            with pytest.raises(WeakPassword):
                await recovery.set_password_with_token(raw, weak, RESET, uow, FakeHasher(), FakeStrength(),
                                                       clock=clock)
        await recovery.set_password_with_token(raw, NEW_PASSWORD, RESET, uow, FakeHasher(), FakeStrength(),
                                               clock=clock)

    async def test_an_expired_or_unknown_link_is_refused(self):
        member = a_member(email="ada@example.org")
        uow, clock = FakeUnitOfWork([member]), FakeClock(NOW)
        await recovery.request_password_reset("ada@example.org", uow, clock=clock)
        clock.advance(RESET_TTL.total_seconds())
        with pytest.raises(PasswordTokenExpired):
            await recovery.set_password_with_token(uow.published[-1].token, NEW_PASSWORD, RESET, uow, FakeHasher(),
                                                   FakeStrength(), clock=clock)
        with pytest.raises(InvalidPasswordToken):
            await recovery.set_password_with_token("made-up", NEW_PASSWORD, RESET, uow, FakeHasher(),
                                                   FakeStrength(), clock=clock)
        assert member.password_hash == "hashed:correct horse battery"

    async def test_a_member_deactivated_after_the_mail_cannot_use_it(self):
        member = a_member(email="ada@example.org")
        uow, clock = FakeUnitOfWork([member]), FakeClock(NOW)
        await recovery.request_password_reset("ada@example.org", uow, clock=clock)
        member.status = "inactive"
        with pytest.raises(InvalidPasswordToken):
            await recovery.set_password_with_token(uow.published[-1].token, NEW_PASSWORD, RESET, uow, FakeHasher(),
                                                   FakeStrength(), clock=clock)

    async def test_changing_the_password_kills_links_still_in_the_mailbox(self):
        member = a_member(email="ada@example.org")
        uow, clock = FakeUnitOfWork([member]), FakeClock(NOW)
        await recovery.request_password_reset("ada@example.org", uow, clock=clock)
        raw = uow.published[-1].token
        change = ChangePassword(member.id, "correct horse battery", NEW_PASSWORD)
        await auth.change_password(change, uow, FakeHasher(), FakeIssuer(), FakeStrength(), clock=clock)
        with pytest.raises(InvalidPasswordToken):
            await recovery.set_password_with_token(raw, "yet another long passphrase", RESET, uow, FakeHasher(),
                                                   FakeStrength(), clock=clock)


class TestInvitations:
    async def test_a_new_member_is_invited_unless_the_admin_says_not_to(self):
        uow = FakeUnitOfWork()
        admin = uuid.uuid4()
        invited = await members.create_member(CreateMember("new@example.org", "New", "member", date(2026, 1, 1)),
                                              admin, uow, FakeHasher(), invitation_ttl=timedelta(days=3))
        assert [type(e) for e in uow.published] == [MemberRegistered, InvitationIssued]
        assert invited.invitation is not None and invited.invitation.purpose == INVITATION
        assert invited.invitation.expires_at - invited.invitation.created_at == timedelta(days=3)
        assert [e.action for e in uow.audit.entries] == ["member.created", "member.invited"]
        quiet = await members.create_member(CreateMember("quiet@example.org", "Quiet", "member"), admin, uow,
                                            FakeHasher(), send_invitation=False)
        assert quiet.invitation is None and len(uow.password_tokens.tokens) == 1

    async def test_accepting_sets_the_first_password_and_activates(self):
        uow = FakeUnitOfWork()
        created = await members.create_member(CreateMember("new@example.org", "New", "member"), None, uow,
                                              FakeHasher())
        raw = uow.published[-1].token
        with pytest.raises(InvalidPasswordToken):  # an invitation is not a reset link
            await recovery.set_password_with_token(raw, NEW_PASSWORD, RESET, uow, FakeHasher(), FakeStrength())
        member = await recovery.set_password_with_token(raw, NEW_PASSWORD, INVITATION, uow, FakeHasher(),
                                                        FakeStrength())
        assert member.id == created.member.id and member.status == "active" and not member.must_change_password
        assert "member.invitation_accepted" in [e.action for e in uow.audit.entries]

    async def test_a_re_invitation_kills_the_older_links(self):
        uow = FakeUnitOfWork()
        created = await members.create_member(CreateMember("new@example.org", "New", "member"), None, uow,
                                              FakeHasher())
        old = uow.published[-1].token
        token = await recovery.invite_member(created.member.id, uuid.uuid4(), uow, clock=FakeClock(NOW))
        assert token.expires_at == NOW + timedelta(days=7)
        with pytest.raises(InvalidPasswordToken):
            await recovery.set_password_with_token(old, NEW_PASSWORD, INVITATION, uow, FakeHasher(), FakeStrength(),
                                                   clock=FakeClock(NOW))
        await recovery.set_password_with_token(uow.published[-1].token, NEW_PASSWORD, INVITATION, uow, FakeHasher(),
                                               FakeStrength(), clock=FakeClock(NOW))

    async def test_an_inactive_member_is_not_invited(self):
        member = a_member(status="inactive")
        with pytest.raises(InvalidMemberChange):
            await recovery.invite_member(member.id, None, FakeUnitOfWork([member]))
