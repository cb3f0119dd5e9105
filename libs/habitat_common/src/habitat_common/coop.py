"""Settings of the co-op a deployment serves, shared by every service (HABITAT_COOP_* variables)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class CoopSettings(BaseSettings):
    """E.g. HABITAT_COOP_TIME_ZONE=America/Denver: "today" is the co-op's today, not the server's."""

    model_config = SettingsConfigDict(env_prefix="HABITAT_COOP_", extra="ignore")

    time_zone: str = Field(default="UTC", description="IANA time zone in which default dates (today) are taken")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. UTC, America/Denver)") from error
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def today(self, now: datetime | None = None) -> date:
        """The co-op's calendar date at `now` (default: the current instant)."""
        return today_in(self.zone, now)


def today_in(zone: ZoneInfo, now: datetime | None = None) -> date:
    """The calendar date in `zone` at the instant `now` (aware; default: the current instant)."""
    return (now or datetime.now(UTC)).astimezone(zone).date()
