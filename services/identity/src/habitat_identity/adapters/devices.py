"""Device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies"), signed with HMAC-SHA256.

A value is `v1.<issued at, unix seconds>.<nonce>.<signature>`; the signature covers those fields and
the account's email, so the cookie names no one and proves the browser signed in to that account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

VERSION = "v1"
CLOCK_SKEW_SECONDS = 60  # replicas' clocks differ a little; a cookie from a second ahead is still good


class HmacDeviceCookies:
    """Issues and checks device cookies with one server secret (the same on every replica)."""

    def __init__(self, secret: bytes, *, max_age_seconds: int, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._max_age = max_age_seconds
        self._clock = clock

    def issue(self, email: str) -> str:
        fields = f"{VERSION}.{int(self._clock())}.{secrets.token_urlsafe(16)}"
        return f"{fields}.{self._sign(fields, email)}"

    def trusts(self, cookie: str | None, email: str) -> bool:
        if not cookie or cookie.count(".") != 3:
            return False
        fields, signature = cookie.rsplit(".", 1)
        version, issued, _nonce = fields.split(".")
        if version != VERSION or not issued.isdigit():
            return False
        if not hmac.compare_digest(signature, self._sign(fields, email)):
            return False
        return -CLOCK_SKEW_SECONDS <= self._clock() - int(issued) < self._max_age

    def _sign(self, fields: str, email: str) -> str:
        mac = hmac.new(self._secret, f"{fields}|{email}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def device_cookie_secret(configured: str | None) -> bytes:
    """The configured secret, or a random one for this process (devices trusted until it restarts)."""
    return configured.encode() if configured else secrets.token_bytes(32)
