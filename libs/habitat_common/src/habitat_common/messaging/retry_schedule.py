"""When a failed event is tried again: exponential delays, capped, each spread by a random jitter."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# 1 s doubling to 256 s, then a 300 s cap: ten retries over about 13 minutes (a PostgreSQL restart,
# a failover or a member registered late all fit in it) before a message is dead
DEFAULT_RETRY_DELAYS_SECONDS: tuple[float, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256, 300)
DEFAULT_RETRY_JITTER = 0.2


@dataclass(frozen=True)
class RetrySchedule:
    """The delay before each retry (retry n waits about delays_seconds[n - 1]), each spread by ±jitter."""

    delays_seconds: tuple[float, ...] = DEFAULT_RETRY_DELAYS_SECONDS
    jitter: float = DEFAULT_RETRY_JITTER

    def __post_init__(self) -> None:
        if not self.delays_seconds:
            raise ValueError("a retry schedule needs at least one delay")
        if any(not delay > 0 for delay in self.delays_seconds):
            raise ValueError(f"retry delays must be positive seconds, not {list(self.delays_seconds)}")
        if any(later < earlier for earlier, later in zip(self.delays_seconds, self.delays_seconds[1:])):
            raise ValueError(f"retry delays must not shrink: {list(self.delays_seconds)}")
        if not 0 <= self.jitter < 1:
            raise ValueError(f"jitter is a fraction in [0, 1), not {self.jitter}")

    @property
    def retries(self) -> int:
        """How many times a failed message is tried again (one delayed retry queue each)."""
        return len(self.delays_seconds)

    @property
    def total_seconds(self) -> float:
        """The nominal wait from the first failure to the last retry."""
        return float(sum(self.delays_seconds))

    def exhausted(self, retries_done: int) -> bool:
        """True when a message that failed after retries_done retries gets no further one."""
        return retries_done >= self.retries

    def delay_seconds(self, retry: int, draw: Callable[[], float] = random.random) -> float:
        """The wait before retry number `retry` (1-based): its delay scaled by a factor drawn uniformly
        from [1 - jitter, 1 + jitter], so consumers failing together do not all come back together."""
        if not 1 <= retry <= self.retries:
            raise ValueError(f"retry {retry} is outside the schedule's 1..{self.retries}")
        return self.delays_seconds[retry - 1] * (1 + self.jitter * (2 * draw() - 1))


DEFAULT_RETRY_SCHEDULE = RetrySchedule()


def schedule_of(delays_seconds: Sequence[float], jitter: float) -> RetrySchedule:
    """A validated schedule from settings values (ValueError names what is wrong)."""
    return RetrySchedule(tuple(float(delay) for delay in delays_seconds), float(jitter))
