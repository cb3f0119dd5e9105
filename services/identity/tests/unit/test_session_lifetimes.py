"""Issue 13: sessions end at an absolute limit and after idling; a racing second tab keeps the session."""

from datetime import timedelta

import pytest
from habitat_identity.adapters.successors import FernetPairSealer
from habitat_identity.domain.errors import InvalidRefreshToken
from habitat_identity.domain.sessions import SessionPolicy, SessionRules
from habitat_identity.service_layer import auth

from tests.builders import a_member
from tests.fakes import FakeClock, FakeHasher, FakeIssuer, FakeUnitOfWork

PASSWORD = "correct horse battery"
RULES = SessionRules(
    web=SessionPolicy(absolute=timedelta(hours=12), idle=timedelta(minutes=30)),
    api=SessionPolicy(absolute=timedelta(days=30), idle=timedelta(days=7)),
    reuse_grace=timedelta(seconds=10),
)


async def signed_in(uow, member, clock, kind="web"):
    return await auth.login(
        member.email, PASSWORD, uow, FakeHasher(), FakeIssuer(), clock=clock, session_kind=kind, rules=RULES
    )


async def refreshed(uow, token, clock, sealer=None):
    return await auth.refresh(token, uow, FakeIssuer(), rules=RULES, sealer=sealer, clock=clock)


class TestLifetimes:
    @pytest.mark.parametrize("kind, idle", [("web", timedelta(minutes=30)), ("api", timedelta(days=7))])
    async def test_a_refresh_token_expires_after_the_kinds_idle_timeout(self, kind, idle):
        member, clock = a_member(), FakeClock()
        uow = FakeUnitOfWork([member])
        pair = await signed_in(uow, member, clock, kind)
        assert pair.refresh_expires_at == clock.now() + idle
        clock.advance(idle.total_seconds() + 1)
        with pytest.raises(InvalidRefreshToken):
            await refreshed(uow, pair.refresh_token, clock)

    async def test_an_active_web_session_is_refreshed_but_never_past_twelve_hours(self):
        member, clock = a_member(), FakeClock()
        uow = FakeUnitOfWork([member])
        started = clock.now()
        token = (await signed_in(uow, member, clock)).refresh_token
        for _ in range(24):  # every 29 minutes, for 11 h 36 min
            clock.advance(29 * 60)
            pair = await refreshed(uow, token, clock)
            token = pair.refresh_token
        assert pair.refresh_expires_at == started + timedelta(hours=12)  # capped, not now + 30 min
        clock.advance(23 * 60)
        last = await refreshed(uow, token, clock)
        assert last.refresh_expires_at == started + timedelta(hours=12)
        clock.advance(60)  # 12 h after sign-in: the session is over however active
        with pytest.raises(InvalidRefreshToken):
            await refreshed(uow, last.refresh_token, clock)

    async def test_an_api_family_lives_at_most_thirty_days(self):
        member, clock = a_member(), FakeClock()
        uow = FakeUnitOfWork([member])
        started = clock.now()
        token = (await signed_in(uow, member, clock, "api")).refresh_token
        for _ in range(4):
            clock.advance(timedelta(days=6).total_seconds())
            pair = await refreshed(uow, token, clock)
            token = pair.refresh_token
        assert pair.refresh_expires_at == started + timedelta(days=30)  # day 24: capped, not day 31
        clock.advance(timedelta(days=6).total_seconds())
        with pytest.raises(InvalidRefreshToken):
            await refreshed(uow, token, clock)


async def rotated_once():
    """A web session refreshed once: (uow, clock, sealer, first pair, second pair)."""
    member, clock, sealer = a_member(), FakeClock(), FernetPairSealer()
    uow = FakeUnitOfWork([member])
    first = await signed_in(uow, member, clock)
    second = await refreshed(uow, first.refresh_token, clock, sealer)
    return uow, clock, sealer, first, second


class TestTwoTabs:
    async def test_the_previous_token_answers_once_more_with_the_same_pair_within_the_grace(self):
        uow, clock, sealer, first, second = await rotated_once()
        clock.advance(3)
        assert await refreshed(uow, first.refresh_token, clock, sealer) == second
        with pytest.raises(InvalidRefreshToken):  # a third use is reuse: the family ends
            await refreshed(uow, first.refresh_token, clock, sealer)
        with pytest.raises(InvalidRefreshToken):
            await refreshed(uow, second.refresh_token, clock, sealer)
        assert {r.session_id for r in uow.revocations.entries} == {first.session_id}

    async def test_after_the_grace_the_previous_token_is_reuse_and_ends_the_family(self):
        uow, clock, sealer, first, second = await rotated_once()
        clock.advance(11)
        with pytest.raises(InvalidRefreshToken):
            await refreshed(uow, first.refresh_token, clock, sealer)
        with pytest.raises(InvalidRefreshToken):
            await refreshed(uow, second.refresh_token, clock, sealer)

    async def test_once_the_new_token_was_used_the_old_one_is_no_longer_the_previous(self):
        uow, clock, sealer, first, second = await rotated_once()
        await refreshed(uow, second.refresh_token, clock, sealer)
        with pytest.raises(InvalidRefreshToken):
            await refreshed(uow, first.refresh_token, clock, sealer)

    async def test_the_sealed_pair_opens_only_with_the_token_it_was_traded_for(self):
        uow, _, sealer, first, second = await rotated_once()
        [old] = [t for t in uow.refresh_tokens.tokens.values() if t.successor_sealed]
        assert second.refresh_token not in old.successor_sealed
        assert sealer.open(old.successor_sealed, "another token") is None
        assert sealer.open(old.successor_sealed, first.refresh_token) == second
