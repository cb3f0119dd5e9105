"""Identity settings, read from IDENTITY_* environment variables."""

from __future__ import annotations

import os
from datetime import timedelta

from habitat_common.coop import CoopSettings
from habitat_common.settings import (
    AuthSettings,
    DatabaseSettings,
    MessagingSettings,
    RabbitSettings,
    TelemetrySettings,
)
from habitat_common.web.client_address import LOOPBACK, TrustedProxies
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from habitat_identity.domain.sessions import SessionPolicy, SessionRules


class SessionSettings(BaseModel):
    """How long sessions live (IDENTITY_SESSIONS__*): the web UI's and API clients' refresh-token families."""

    web_absolute_seconds: int = Field(default=12 * 3600, ge=60, description="A web UI session ends this long after sign-in")
    web_idle_seconds: int = Field(default=30 * 60, ge=60, description="... or this long after its last refresh")
    api_absolute_seconds: int = Field(default=30 * 24 * 3600, ge=60, description="An API refresh family's limit")
    api_idle_seconds: int = Field(default=7 * 24 * 3600, ge=60, description="... and its idle timeout")
    reuse_grace_seconds: float = Field(
        default=10.0,
        ge=0,
        le=60,
        description="A refresh token just traded in answers once more within this, with the same pair (two tabs)",
    )

    def rules(self) -> SessionRules:
        return SessionRules(
            web=SessionPolicy(timedelta(seconds=self.web_absolute_seconds), timedelta(seconds=self.web_idle_seconds)),
            api=SessionPolicy(timedelta(seconds=self.api_absolute_seconds), timedelta(seconds=self.api_idle_seconds)),
            reuse_grace=timedelta(seconds=self.reuse_grace_seconds),
        )


class IdentitySettings(BaseSettings):
    """Everything the identity processes need to run."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", env_nested_delimiter="__", extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    rabbit: RabbitSettings = Field(default_factory=RabbitSettings)
    messaging: MessagingSettings = Field(
        default_factory=MessagingSettings,
        description="IDENTITY_MESSAGING__RETENTION_DAYS: how long published outbox rows and processed-event ids stay",
    )
    auth: AuthSettings = Field(default_factory=AuthSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    coop: CoopSettings = Field(default_factory=CoopSettings)
    sessions: SessionSettings = Field(default_factory=SessionSettings)
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=900, description="Access token lifetime (<= 15 min)")
    signing_key_passphrase: SecretStr | None = Field(
        default=None,
        description="Encrypts the stored signing keys (IDENTITY_SIGNING_KEY_PASSPHRASE); production requires it",
    )
    public_url: str = Field(
        default="http://localhost:8080", description="Where members sign in (IDENTITY_PUBLIC_URL); in welcome emails"
    )
    # ---- sign-in and passwords
    trusted_proxies: TrustedProxies = Field(
        default=LOOPBACK,
        description="Peers whose X-Forwarded-For is believed (IDENTITY_TRUSTED_PROXIES, comma-separated addresses"
        " or networks: the gateway's); never `*`",
    )
    device_cookie_secret: SecretStr | None = Field(
        default=None,
        description="Signs device cookies (IDENTITY_DEVICE_COOKIE_SECRET, shared by every identity replica);"
        " unset: a random one per process, so devices are trusted only until it restarts",
    )
    device_cookie_days: int = Field(default=180, ge=1, le=400, description="How long a device cookie is trusted")
    temporary_password_days: int = Field(
        default=7, ge=1, le=90, description="A temporary password (new member, import) signs in for this long"
    )
    password_reset_minutes: int = Field(
        default=30, ge=5, le=24 * 60, description="A forgot-password link works this long (IDENTITY_PASSWORD_RESET_MINUTES)"
    )
    invitation_days: int = Field(
        default=7, ge=1, le=90, description="An invitation link (new member, import, re-invite) works this long"
    )
    password_hash_concurrency: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="argon2 hashes/verifications run at once per process (default: the CPU count)",
    )
    import_max_rows: int = Field(default=5000, ge=1, description="Rows one roster import request may carry")

    @property
    def password_reset_ttl(self) -> timedelta:
        return timedelta(minutes=self.password_reset_minutes)

    @property
    def invitation_ttl(self) -> timedelta:
        return timedelta(days=self.invitation_days)
