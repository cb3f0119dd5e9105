"""Settings of the contributions service (environment variables CONTRIBUTIONS_*)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from habitat_common.coop import CoopSettings
from habitat_common.settings import (
    AuthSettings,
    DatabaseSettings,
    MessagingSettings,
    RabbitSettings,
    TelemetrySettings,
)


class ContributionsDatabaseSettings(DatabaseSettings):
    """A pool as large as the concurrency the gateway sends: overflow connections are closed on return, and
    opening one per request under load (asyncpg connect and a PostgreSQL backend) costs more than the request."""

    pool_size: int = 24


class ContributionsSettings(BaseSettings):
    """Infrastructure blocks plus the co-op's labor rate card."""

    model_config = SettingsConfigDict(env_prefix="CONTRIBUTIONS_", env_nested_delimiter="__", extra="ignore")

    database: DatabaseSettings = Field(default_factory=ContributionsDatabaseSettings)
    rabbit: RabbitSettings = Field(default_factory=RabbitSettings)
    messaging: MessagingSettings = Field(
        default_factory=MessagingSettings,
        description="CONTRIBUTIONS_MESSAGING__RETENTION_DAYS: how long published outbox rows and processed-event ids stay",
    )
    auth: AuthSettings = Field(default_factory=AuthSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    coop: CoopSettings = Field(default_factory=CoopSettings, description="HABITAT_COOP_*: the co-op's time zone")
    rate_default: Decimal = Field(default=Decimal("100.00"), decimal_places=2, description="Labor rate per hour")
    rate_min: Decimal = Field(default=Decimal("75.00"), decimal_places=2, description="Lowest allowed labor rate")
    rate_max: Decimal = Field(default=Decimal("150.00"), decimal_places=2, description="Highest allowed labor rate")
    dual_approval_threshold: Decimal = Field(
        default=Decimal("5000.00"), gt=0, decimal_places=2, description="From this value on, two approvers are needed"
    )
    review_target_hours: int = Field(default=48, gt=0, description="Review target; older pending items are overdue")

    @field_validator("database", mode="before")
    @classmethod
    def _our_pool_size(cls, value: object) -> object:
        # environment variables arrive as a dict: give them this service's defaults
        return ContributionsDatabaseSettings(**value) if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _rates_in_order(self) -> ContributionsSettings:
        if not self.rate_min <= self.rate_default <= self.rate_max:
            raise ValueError("CONTRIBUTIONS_RATE_MIN <= RATE_DEFAULT <= RATE_MAX is required")
        return self
