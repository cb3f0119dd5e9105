"""Settings of the ledger service, read from LEDGER_* environment variables."""

from __future__ import annotations

from habitat_common.coop import CoopSettings
from habitat_common.messaging.batching import BatchSettings
from habitat_common.settings import (
    AuthSettings,
    DatabaseSettings,
    MessagingSettings,
    RabbitSettings,
    TelemetrySettings,
)
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class LedgerSettings(BaseSettings):
    """E.g. LEDGER_DATABASE__URL, LEDGER_RABBIT__URL, LEDGER_AUTH__JWKS_URL."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_nested_delimiter="__", extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    rabbit: RabbitSettings = Field(default_factory=RabbitSettings)
    messaging: MessagingSettings = Field(
        default_factory=MessagingSettings,
        description="LEDGER_MESSAGING__RETENTION_DAYS: how long published outbox rows and processed-event ids stay",
    )
    batching: BatchSettings = Field(
        default_factory=BatchSettings,
        description="LEDGER_BATCHING__SIZE / __WAIT_MS / __IN_FLIGHT: approvals booked per unit of work by the worker",
    )
    auth: AuthSettings = Field(default_factory=AuthSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    coop: CoopSettings = Field(default_factory=CoopSettings, description="HABITAT_COOP_TIME_ZONE: whose today")
    allocation_approvals_required: int = Field(
        default=2, ge=1, description="Distinct admins who must approve an allocation (LEDGER_ALLOCATION_APPROVALS_REQUIRED)"
    )
    money_move_approvals_required: int = Field(
        default=2, ge=1,
        description="Distinct admins who approve completing a distribution (with any overdraw override), a reversal or"
        " an opening-balance import (LEDGER_MONEY_MOVE_APPROVALS_REQUIRED); 1 only with LEDGER_SINGLE_ADMIN_COOP=true",
    )
    single_admin_coop: bool = Field(
        default=False,
        description="The co-op has one admin, who moves money alone; each such move is marked single_admin"
        " (LEDGER_SINGLE_ADMIN_COOP)",
    )

    @model_validator(mode="after")
    def _one_approval_only_for_a_single_admin_coop(self) -> LedgerSettings:
        if self.money_move_approvals_required == 1 and not self.single_admin_coop:
            raise ValueError(
                "LEDGER_MONEY_MOVE_APPROVALS_REQUIRED=1 needs LEDGER_SINGLE_ADMIN_COOP=true: two people move money."
            )
        return self
