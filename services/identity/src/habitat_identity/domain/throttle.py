"""Brute-force throttling of sign-ins: per-account lockout with back-off, and a per-client limit.

State is kept per key ("account:<email>" whether or not the account exists, "client:<ip>" with an
IPv6 client keyed by its /64), so an unknown email is throttled exactly like a known one.
Every attempt is counted before its password is checked; a success then takes its count back.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class LoginThrottle:
    """Failed sign-ins counted under one key."""

    key: str
    failures: int = 0
    locked_until: datetime | None = None
    window_started_at: datetime | None = None

    def retry_after(self, now: datetime) -> int | None:
        """Whole seconds until attempts are allowed again, or None when not blocked."""
        if self.locked_until is None or self.locked_until <= now:
            return None
        return max(1, math.ceil((self.locked_until - now).total_seconds()))


# Longer than any policy's window (AccountLockout.forget_after, ClientLimit.window): a counter not
# locked and untouched for this long no longer changes any answer and can be deleted.
STALE_AFTER = timedelta(hours=2)


@dataclass(frozen=True)
class AccountLockout:
    """After `threshold` consecutive failures lock for `base`, doubling with each further failure up to `cap`."""

    threshold: int = 5
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(minutes=15)
    # A run of failures this old (and not locked now) starts over, so rare typos never add up to a lockout.
    forget_after: timedelta = timedelta(hours=1)

    def key(self, email: str) -> str:
        return f"account:{email}"

    def record_attempt(self, throttle: LoginThrottle, now: datetime) -> None:
        """Count an attempt as failed until its password proves right (then the counter is forgotten)."""
        stale = throttle.window_started_at is None or now - throttle.window_started_at > self.forget_after
        if stale and throttle.retry_after(now) is None:
            throttle.failures, throttle.window_started_at = 0, now
        throttle.failures += 1
        beyond = throttle.failures - self.threshold
        if beyond >= 0:
            throttle.locked_until = now + min(self.base * 2 ** min(beyond, 30), self.cap)


@dataclass(frozen=True)
class ClientLimit:
    """At most `max_failures` failed sign-ins per client per `window`."""

    max_failures: int = 20
    window: timedelta = timedelta(minutes=5)

    def key(self, client: str) -> str:
        return f"client:{client_key(client)}"

    def record_attempt(self, throttle: LoginThrottle, now: datetime) -> None:
        """Count an attempt as failed until its password proves right (then record_success takes it back)."""
        if throttle.window_started_at is None or now - throttle.window_started_at >= self.window:
            throttle.failures, throttle.window_started_at, throttle.locked_until = 0, now, None
        throttle.failures += 1
        if throttle.failures >= self.max_failures:
            throttle.locked_until = throttle.window_started_at + self.window

    def record_success(self, throttle: LoginThrottle) -> None:
        """A counted attempt succeeded: it is no failure, so an office signing in together is never blocked."""
        throttle.failures = max(0, throttle.failures - 1)
        if throttle.failures < self.max_failures:
            throttle.locked_until = None


@dataclass(frozen=True)
class RequestLimit:
    """At most `max_requests` per `window` under one key (password-reset requests per email, per client).

    Unlike sign-ins, every request counts (there is no password that proves it right)."""

    prefix: str
    max_requests: int
    window: timedelta

    def key(self, subject: str) -> str:
        return f"{self.prefix}:{subject}"

    def allows(self, throttle: LoginThrottle, now: datetime) -> bool:
        """Count this request; False when it is over the limit (then it must have no effect)."""
        if throttle.window_started_at is None or now - throttle.window_started_at >= self.window:
            throttle.failures, throttle.window_started_at, throttle.locked_until = 0, now, None
        if throttle.failures >= self.max_requests:
            return False
        throttle.failures += 1
        if throttle.failures >= self.max_requests:
            throttle.locked_until = throttle.window_started_at + self.window
        return True


IPV6_CLIENT_PREFIX = 64  # one IPv6 subscriber gets a whole /64: its addresses are one client


def client_key(address: str) -> str:
    """The client an address belongs to: an IPv4 address, or the /64 network of an IPv6 one."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return address[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, IPV6_CLIENT_PREFIX), strict=False))
    return str(ip)
