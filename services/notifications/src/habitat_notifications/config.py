"""Settings of the notifications service (environment variables NOTIFICATIONS_*)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from habitat_common.coop import CoopSettings
from habitat_common.messaging.batching import BatchSettings
from habitat_common.settings import (
    AuthSettings,
    DatabaseSettings,
    MessagingSettings,
    RabbitSettings,
    TelemetrySettings,
)
from habitat_notifications.domain.backoff import RetryPolicy
from habitat_notifications.domain.schedule import ReminderSchedule


class SmtpSettings(BaseModel):
    """NOTIFICATIONS_SMTP__HOST, __PORT, __STARTTLS, __TLS, __USERNAME, __PASSWORD, __FROM_ADDRESS,
    __TIMEOUT_SECONDS: the server mail is handed to."""

    host: str = Field(default="127.0.0.1", description="SMTP server (relay) host")
    port: int = Field(default=587, ge=1, le=65535, description="587 (submission, STARTTLS), 465 (TLS), 25")
    starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS (required when true)")
    tls: bool = Field(default=False, description="Implicit TLS from the first byte (port 465); excludes starttls")
    username: str | None = Field(default=None, description="Login, when the server requires one")
    password: SecretStr | None = Field(default=None, description="Password for username")
    from_address: str = Field(default="habitat@localhost", description="Envelope and From address")
    timeout_seconds: float = Field(default=30.0, gt=0, description="Per SMTP command")

    @field_validator("username", "password", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # compose passes ${NOTIFICATIONS_SMTP_USERNAME:-}: an empty login means "no login", not a login as ""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _one_tls_mode(self) -> SmtpSettings:
        if self.password is not None and self.username is None:
            raise ValueError("NOTIFICATIONS_SMTP__PASSWORD is set without NOTIFICATIONS_SMTP__USERNAME")
        if self.tls and self.starttls:
            raise ValueError("NOTIFICATIONS_SMTP__TLS and __STARTTLS exclude each other: set STARTTLS=false for TLS")
        return self


class SenderSettings(BaseModel):
    """NOTIFICATIONS_SENDER__*: the sender loop and its retries."""

    max_attempts: int = Field(default=8, ge=1, description="Attempts before a mail is failed for good")
    retry_base_seconds: float = Field(default=30.0, gt=0, description="Wait after the first refused attempt")
    retry_max_seconds: float = Field(default=3600.0, gt=0, description="Longest wait between attempts")
    retry_jitter: float = Field(default=0.2, ge=0, lt=1, description="Up to this fraction of a wait is random")
    interval_seconds: float = Field(default=1.0, gt=0, description="Pause of the loop after a round with work")
    batch_size: int = Field(default=20, ge=1, description="Messages per round (one transaction each)")

    def policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_attempts,
            base=timedelta(seconds=self.retry_base_seconds),
            maximum=timedelta(seconds=max(self.retry_max_seconds, self.retry_base_seconds)),
            jitter=self.retry_jitter,
        )


class ReminderSettings(BaseModel):
    """NOTIFICATIONS_REMINDERS__*: when reminder runs are due, in the co-op's time zone (HABITAT_COOP_TIME_ZONE)."""

    weekly_weekday: int = Field(default=0, ge=0, le=6, description="Day of the weekly reminder, 0 = Monday")
    weekly_hour: int = Field(default=9, ge=0, le=23, description="Hour of the weekly and final-week reminders")
    final_week_days: int = Field(default=7, ge=1, description="The final-week push goes this many days before the end")
    digest_hour: int = Field(default=8, ge=0, le=23, description="Hour of the daily steward digest")
    review_target_hours: int = Field(default=48, gt=0, description="As CONTRIBUTIONS_REVIEW_TARGET_HOURS")
    check_interval_seconds: float = Field(default=60.0, gt=0, description="How often the worker looks for due runs")

    def schedule(self) -> ReminderSchedule:
        return ReminderSchedule(
            weekly_weekday=self.weekly_weekday,
            weekly_hour=self.weekly_hour,
            final_week_days=self.final_week_days,
            digest_hour=self.digest_hour,
            review_target=timedelta(hours=self.review_target_hours),
        )


class NotificationsSettings(BaseSettings):
    """Infrastructure blocks, the SMTP server, the sender loop, and what mails say about the co-op."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", env_nested_delimiter="__", extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    rabbit: RabbitSettings = Field(default_factory=RabbitSettings)
    messaging: MessagingSettings = Field(
        default_factory=MessagingSettings,
        description="NOTIFICATIONS_MESSAGING__RETENTION_DAYS: how long published outbox rows and processed-event ids stay",
    )
    batching: BatchSettings = Field(
        default_factory=BatchSettings,
        description="NOTIFICATIONS_BATCHING__SIZE / __WAIT_MS / __IN_FLIGHT: events applied per unit of work by each"
        " consumer of the worker",
    )
    auth: AuthSettings = Field(default_factory=AuthSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    coop: CoopSettings = Field(default_factory=CoopSettings, description="HABITAT_COOP_*: the co-op's time zone")
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    sender: SenderSettings = Field(default_factory=SenderSettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    coop_name: str = Field(default="Habitat", min_length=1, description="The co-op's name, in every mail")
    public_url: str = Field(
        default="http://localhost:8080", description="Where members reach Habitat; every link in a mail starts here"
    )
