"""Settings blocks shared by every service; each service nests them in its own BaseSettings."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from habitat_common.messaging.retry_schedule import (
    DEFAULT_RETRY_DELAYS_SECONDS,
    DEFAULT_RETRY_JITTER,
    RetrySchedule,
    schedule_of,
)


class DatabaseSettings(BaseModel):
    """Where the service's schema lives."""

    url: SecretStr = Field(default=SecretStr("postgresql+asyncpg://postgres@127.0.0.1:5432/habitat"))
    pool_size: int = 10
    max_overflow: int = 10
    read_pool_size: int = Field(
        default=4,
        ge=1,
        description="Connections of the HTTP process's asyncpg pool for hot reads (habitat_common.read_pool), on top"
        " of pool_size + max_overflow; reads hold one ~1 ms, so a few serve thousands a second",
    )
    connect_timeout_seconds: float = Field(
        default=1.5, gt=0, description="A connection attempt gives up after this long (an unreachable database: 503 fast)"
    )
    command_timeout_seconds: float | None = Field(
        default=60.0, gt=0, description="A statement waiting longer than this on the server fails instead of hanging"
    )
    pool_recycle_seconds: int = Field(
        default=1800, description="Pooled connections older than this are replaced (before server or proxy idle timeouts)"
    )


class RabbitSettings(BaseModel):
    """Broker connection and the knobs of our topology."""

    url: SecretStr = Field(default=SecretStr("amqp://guest:guest@127.0.0.1:5672/"))
    delivery_limit: int = Field(default=5, description="Deliveries before a message is dead-lettered")
    prefetch_count: int = Field(
        default=16,
        description="Unacknowledged deliveries a consumer holds and handles at once (unlimited, a backlog of"
        " thousands would all be taken and run at once)",
    )
    declare_topology: bool = Field(
        default=True,
        description="Declare exchanges and queues at start; false where provisioning declared them and the"
        " service's own broker user may only publish its events and consume its queues",
    )
    relay_interval_seconds: float = 0.05
    relay_batch_size: int = 100
    retry_delays_seconds: tuple[float, ...] = Field(
        default=DEFAULT_RETRY_DELAYS_SECONDS,
        description="Wait before each retry of an event whose handling failed (a JSON list in the env, e.g."
        " LEDGER_RABBIT__RETRY_DELAYS_SECONDS='[1, 2, 4]'); one delayed retry queue each, so provisioning"
        " declares as many; once all are spent the event is dead-lettered",
    )
    retry_jitter: float = Field(
        default=DEFAULT_RETRY_JITTER, description="Each retry delay is spread by up to this fraction either way"
    )

    @model_validator(mode="after")
    def _schedule_is_valid(self) -> RabbitSettings:
        self.retry_schedule  # noqa: B018 - refuses an empty, non-positive or shrinking schedule
        return self

    @property
    def retry_schedule(self) -> RetrySchedule:
        return schedule_of(self.retry_delays_seconds, self.retry_jitter)


class MessagingSettings(BaseModel):
    """How long the messaging bookkeeping is kept (e.g. LEDGER_MESSAGING__RETENTION_DAYS): published outbox rows
    and inbox (processed-event) rows older than this are pruned by the worker; unpublished rows never are."""

    retention_days: int = Field(
        default=30, ge=1,
        description="Days published outbox rows and processed-event ids are kept; a redelivery or dead-letter replay"
        " of an event older than this is no longer recognised as a duplicate",
    )
    prune_interval_seconds: float = Field(default=600.0, gt=0, description="Pause between pruning rounds")
    prune_batch_size: int = Field(default=1000, ge=1, description="Rows deleted per transaction")


class AuthSettings(BaseModel):
    """How access tokens are verified."""

    jwks_url: str = "http://127.0.0.1:8101/.well-known/jwks.json"
    issuer: str = "habitat-identity"
    audience: str = "habitat"
    revocations_url: str | None = Field(
        default="http://127.0.0.1:8101/auth/revocations",
        description="identity's revocation feed; None disables polling (tests of a service on its own)",
    )
    revocations_poll_seconds: float = 1.0
    revocations_stale_after_seconds: float | None = Field(
        default=None,
        description="Not ready (/readyz 503) when the feed has not answered for this long; default 3 x the poll interval",
    )
    revocations_overlap_seconds: float = Field(
        default=60.0,
        description="Each poll re-reads the entries of this last stretch: ids are taken before commit, so an entry"
        " committed after a later one would otherwise be skipped",
    )
    jwks_cache_seconds: float = Field(
        default=300.0,
        gt=0,
        description="The cached key set is fetched again (replaced whole) after this long; a retired key stops"
        " verifying within it",
    )

    @property
    def revocations_stale_after(self) -> float:
        return self.revocations_stale_after_seconds or 3 * self.revocations_poll_seconds


def log_level_of(name: str) -> str:
    """A standard level name, upper case; a typo fails at start instead of logging at the wrong level."""
    level = name.strip().upper()
    level = "WARNING" if level == "WARN" else level
    if level not in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG", "NOTSET"):
        raise ValueError(f"{name!r} is not a log level (CRITICAL, ERROR, WARNING, INFO, DEBUG)")
    return level


def logger_levels_of(spec: str) -> dict[str, str]:
    """'sqlalchemy.engine=INFO, aiormq=WARNING' as {logger: LEVEL}; an empty spec is {}."""
    levels = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        logger, equals, level = item.partition("=")
        if not equals or not logger.strip():
            raise ValueError(f"{item!r}: per-logger levels are written logger=LEVEL, comma-separated")
        levels[logger.strip()] = log_level_of(level)
    return levels


class TelemetrySettings(BaseModel):
    """Logging and tracing (the OTLP export is configured by the standard OTEL_* variables, see tracing.py)."""

    log_level: str = Field(default="INFO", description="Root level of every process of the service")
    worker_log_level: str | None = Field(
        default=None, description="Root level of the worker process instead of log_level (the HTTP process keeps it)"
    )
    log_levels: str = Field(
        default="",
        description="Per-logger levels for every process, e.g. 'sqlalchemy.engine=INFO,aiormq=WARNING'; a logger"
        " not named follows the root level",
    )
    trace_console: bool = False
    trace_sample_ratio: float = Field(
        default=0.1, ge=0, le=1, description="Share of locally started traces recorded; callers' sampled traces always are"
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        return log_level_of(value)

    @field_validator("worker_log_level")
    @classmethod
    def _known_worker_level(cls, value: str | None) -> str | None:
        return log_level_of(value) if value else None  # empty (compose's `:-` default) is unset

    @field_validator("log_levels")
    @classmethod
    def _known_levels(cls, value: str) -> str:
        logger_levels_of(value)
        return value

    def root_level(self, process: str) -> str:
        """The root level of process ("http" or "worker")."""
        return (self.worker_log_level if process == "worker" else None) or self.log_level

    def logger_levels(self) -> dict[str, str]:
        """log_levels as {logger: LEVEL}."""
        return logger_levels_of(self.log_levels)
