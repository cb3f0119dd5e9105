"""Settings of the ledger service, read from LEDGER_* environment variables."""

from __future__ import annotations

from habitat_common.coop import CoopSettings
from habitat_common.settings import AuthSettings, DatabaseSettings, RabbitSettings, TelemetrySettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LedgerSettings(BaseSettings):
    """E.g. LEDGER_DATABASE__URL, LEDGER_RABBIT__URL, LEDGER_AUTH__JWKS_URL."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_nested_delimiter="__", extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    rabbit: RabbitSettings = Field(default_factory=RabbitSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    coop: CoopSettings = Field(default_factory=CoopSettings, description="HABITAT_COOP_TIME_ZONE: whose today")
    allocation_approvals_required: int = Field(
        default=2, ge=1, description="Distinct admins who must approve an allocation (LEDGER_ALLOCATION_APPROVALS_REQUIRED)"
    )
