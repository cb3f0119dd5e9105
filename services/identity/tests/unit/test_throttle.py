import pytest
from habitat_identity.domain.commands import ChangePassword
from habitat_identity.domain.errors import InvalidCredentials, InvalidPassword, TooManyAttempts
from habitat_identity.domain.throttle import AccountLockout, ClientLimit, LoginThrottle, client_key
from habitat_identity.service_layer import auth

from tests.builders import a_member
from tests.fakes import FakeClock, FakeHasher, FakeIssuer, FakeStrength, FakeUnitOfWork

PASSWORD = "correct horse battery"


async def attempt(uow, clock, email, password="wrong password!", client="10.0.0.1"):
    """The outcome of one sign-in: "ok", "bad" or the Retry-After seconds."""
    try:
        await auth.login(email, password, uow, FakeHasher(), FakeIssuer(), client=client, clock=clock)
    except InvalidCredentials:
        return "bad"
    except TooManyAttempts as blocked:
        return blocked.retry_after_seconds
    return "ok"


class TestAccountLockout:
    @pytest.mark.parametrize("known", [True, False])
    async def test_five_failures_lock_for_30s_for_known_and_unknown_emails_alike(self, known):
        member = a_member(email="ada@example.org")
        uow, clock = FakeUnitOfWork([member] if known else []), FakeClock()
        outcomes = [await attempt(uow, clock, "ada@example.org") for _ in range(6)]
        assert outcomes == ["bad"] * 5 + [30]
        clock.advance(29)
        assert await attempt(uow, clock, "ADA@example.org", PASSWORD) == 1
        clock.advance(1)
        assert await attempt(uow, clock, "ada@example.org", PASSWORD) == ("ok" if known else "bad")

    async def test_each_further_failure_doubles_the_lock_up_to_15_minutes(self):
        uow, clock = FakeUnitOfWork([a_member(email="ada@example.org")]), FakeClock()
        for _ in range(5):
            await attempt(uow, clock, "ada@example.org")
        locks = []
        for _ in range(7):
            wait = await attempt(uow, clock, "ada@example.org")
            locks.append(wait)
            clock.advance(wait)
            assert await attempt(uow, clock, "ada@example.org") == "bad"
        assert locks == [30, 60, 120, 240, 480, 900, 900]

    async def test_attempts_while_locked_neither_check_the_password_nor_extend_the_lock(self):
        member = a_member(email="ada@example.org")
        uow, clock = FakeUnitOfWork([member]), FakeClock()
        for _ in range(5):
            await attempt(uow, clock, member.email)
        clock.advance(10)
        assert await attempt(uow, clock, member.email, PASSWORD) == 20  # even the right password waits

    async def test_a_success_resets_the_count(self):
        member = a_member(email="ada@example.org")
        uow, clock = FakeUnitOfWork([member]), FakeClock()
        for _ in range(4):
            await attempt(uow, clock, member.email)
        assert await attempt(uow, clock, member.email, PASSWORD) == "ok"
        assert [await attempt(uow, clock, member.email) for _ in range(5)] == ["bad"] * 5

    def test_an_old_run_of_failures_is_forgotten(self):
        policy, clock, throttle = AccountLockout(), FakeClock(), LoginThrottle("account:x")
        for _ in range(4):
            policy.record_attempt(throttle, clock.now())
        clock.advance(2 * 3600)
        policy.record_attempt(throttle, clock.now())
        assert throttle.failures == 1 and throttle.retry_after(clock.now()) is None


class TestClientLimit:
    async def test_twenty_failures_from_one_client_in_five_minutes_block_it_for_any_email(self):
        uow, clock = FakeUnitOfWork([a_member(email="ada@example.org")]), FakeClock()
        for n in range(20):
            assert await attempt(uow, clock, f"guess{n}@example.org") == "bad"
            clock.advance(1)
        assert await attempt(uow, clock, "ada@example.org", PASSWORD) == 300 - 20
        assert await attempt(uow, clock, "ada@example.org", PASSWORD, client="10.0.0.2") == "ok"
        clock.advance(300 - 20)
        assert await attempt(uow, clock, "ada@example.org", PASSWORD) == "ok"

    def test_a_new_window_starts_after_five_minutes(self):
        policy, clock, throttle = ClientLimit(), FakeClock(), LoginThrottle("client:x")
        for _ in range(19):
            policy.record_attempt(throttle, clock.now())
        clock.advance(300)
        policy.record_attempt(throttle, clock.now())
        assert throttle.failures == 1 and throttle.retry_after(clock.now()) is None

    async def test_an_office_signing_in_together_is_never_limited_by_its_successes(self):
        members = [a_member() for _ in range(30)]
        uow, clock = FakeUnitOfWork(members), FakeClock()
        assert [await attempt(uow, clock, m.email, PASSWORD) for m in members] == ["ok"] * 30


class TestClientKey:
    @pytest.mark.parametrize(
        "address, key",
        [
            ("203.0.113.7", "203.0.113.7"),
            ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
            ("2001:DB8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"),
            ("::ffff:203.0.113.7", "203.0.113.7"),
            ("not an address", "not an address"),
            ("", "unknown"),
        ],
    )
    def test_ipv4_by_address_ipv6_by_its_64(self, address, key):
        assert client_key(address) == key

    async def test_addresses_of_one_ipv6_64_share_one_limit(self):
        uow, clock = FakeUnitOfWork([a_member(email="ada@example.org")]), FakeClock()
        for n in range(20):
            assert await attempt(uow, clock, f"guess{n}@example.org", client=f"2001:db8:1:2::{n + 1:x}") == "bad"
        assert await attempt(uow, clock, "ada@example.org", PASSWORD, client="2001:db8:1:2:ffff::9") == 300
        assert await attempt(uow, clock, "ada@example.org", PASSWORD, client="2001:db8:1:3::1") == "ok"


class TestChangePasswordCountsTowardTheLockout:
    async def test_five_wrong_current_passwords_lock_the_account_for_sign_in_and_change_alike(self):
        member = a_member(email="ada@example.org")
        uow, clock = FakeUnitOfWork([member]), FakeClock()

        async def change(current):
            command = ChangePassword(member.id, current, "violet-harbor-engine")
            try:
                await auth.change_password(command, uow, FakeHasher(), FakeIssuer(), FakeStrength(), clock=clock)
            except InvalidPassword:
                return "bad"
            except TooManyAttempts as blocked:
                return blocked.retry_after_seconds
            return "ok"

        assert [await change("not it at all") for _ in range(5)] == ["bad"] * 5
        assert await change(PASSWORD) == 30
        assert await attempt(uow, clock, member.email, PASSWORD) == 30
        clock.advance(30)
        assert await change(PASSWORD) == "ok"
