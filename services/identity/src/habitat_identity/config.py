"""Identity settings, read from IDENTITY_* environment variables."""

from __future__ import annotations

from habitat_common.coop import CoopSettings
from habitat_common.settings import AuthSettings, DatabaseSettings, RabbitSettings, TelemetrySettings
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class IdentitySettings(BaseSettings):
    """Everything the identity processes need to run."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", env_nested_delimiter="__", extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    rabbit: RabbitSettings = Field(default_factory=RabbitSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    coop: CoopSettings = Field(default_factory=CoopSettings)
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=900, description="Access token lifetime (<= 15 min)")
    signing_key_passphrase: SecretStr | None = Field(
        default=None,
        description="Encrypts the stored signing keys (IDENTITY_SIGNING_KEY_PASSPHRASE); production requires it",
    )
    public_url: str = Field(
        default="http://localhost:8080", description="Where members sign in (IDENTITY_PUBLIC_URL); in welcome emails"
    )
