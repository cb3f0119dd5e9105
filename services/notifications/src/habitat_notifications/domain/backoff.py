"""When a mail the SMTP server refused for now is tried again: exponential backoff with jitter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """attempt n (1-based) failed: wait base * 2**(n-1), at most maximum, less up to `jitter` of it at random,
    so that mails refused together (a server restart) do not all come back in the same second.
    After max_attempts failed attempts the mail is failed for good."""

    max_attempts: int = 8
    base: timedelta = timedelta(seconds=30)
    maximum: timedelta = timedelta(hours=1)
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base <= timedelta(0) or self.maximum < self.base:
            raise ValueError("max_attempts >= 1 and 0 < base <= maximum are required")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1)")

    def delay(self, attempts: int, random: float) -> timedelta:
        """The wait after the attempts-th failed attempt; random is uniform in [0, 1)."""
        exponent = min(attempts - 1, 32)  # 2**32 * any base is past every maximum already
        capped = min(self.base * (2**exponent), self.maximum)
        return capped * (1 - self.jitter * random)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
