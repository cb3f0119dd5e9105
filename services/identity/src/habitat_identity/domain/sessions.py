"""How long a session (a refresh-token family) lives: an absolute limit and an idle timeout per kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SESSION_KINDS = ("web", "api")


@dataclass(frozen=True)
class SessionPolicy:
    """A session ends `absolute` after it began, or `idle` after its last refresh, whichever is first."""

    absolute: timedelta
    idle: timedelta

    def token_expiry(self, started_at: datetime, now: datetime) -> datetime:
        """When a refresh token issued now stops working; a refresh never reaches past the absolute limit."""
        return min(now + self.idle, started_at + self.absolute)


@dataclass(frozen=True)
class SessionRules:
    """The web UI's sessions (kept by the gateway in cookies) and API clients' refresh-token families."""

    web: SessionPolicy = SessionPolicy(absolute=timedelta(hours=12), idle=timedelta(minutes=30))
    api: SessionPolicy = SessionPolicy(absolute=timedelta(days=30), idle=timedelta(days=7))
    # A refresh token just traded in answers once more within this, with the same pair (two tabs at once).
    reuse_grace: timedelta = timedelta(seconds=10)

    def policy(self, kind: str) -> SessionPolicy:
        return self.web if kind == "web" else self.api
