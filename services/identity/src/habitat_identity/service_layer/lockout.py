"""Counting sign-in attempts before any password is checked, so parallel guesses cannot outrun the lockout."""

from __future__ import annotations

from datetime import datetime

from habitat_identity.domain.errors import TooManyAttempts
from habitat_identity.domain.throttle import STALE_AFTER, AccountLockout, ClientLimit
from habitat_identity.service_layer.ports import UnitOfWork

PRUNE_PER_ATTEMPT = 100
ACCOUNT_LOCKOUT = AccountLockout()
CLIENT_LIMIT = ClientLimit()


async def count_attempt(uow: UnitOfWork, account_key: str, client_key: str | None, now: datetime) -> None:
    """Lock the counters, refuse with TooManyAttempts while any is blocked, else count this attempt.

    Runs inside the caller's `async with uow`; the caller commits before the slow password check, so
    the row locks are held for milliseconds and every concurrent attempt sees this one's count.
    Counters are always locked account first, then client: two attempts never wait on each other in a cycle.
    """
    account = await uow.throttles.lock(account_key)
    client = await uow.throttles.lock(client_key) if client_key else None
    waits = [wait for throttle in (account, client) if throttle and (wait := throttle.retry_after(now))]
    if waits:
        raise TooManyAttempts(max(waits))
    ACCOUNT_LOCKOUT.record_attempt(account, now)
    if client is not None:
        CLIENT_LIMIT.record_attempt(client, now)
    # attempts create counters, so each one also clears a few dead ones: the table stays small
    await uow.throttles.prune(now, now - STALE_AFTER, PRUNE_PER_ATTEMPT)


async def attempt_succeeded(uow: UnitOfWork, account_key: str, client_key: str | None) -> None:
    """The password was right: the account's run of failures ends and the client's count takes this one back."""
    await uow.throttles.forget(account_key)
    if client_key:
        CLIENT_LIMIT.record_success(await uow.throttles.lock(client_key))
