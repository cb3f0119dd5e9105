"""Every Prometheus metric Habitat exports (the catalog), and helpers that pre-initialise known label values.

Names and label sets are a contract with the alert rules and dashboards: change them only together.
A labelled series whose label values are known in advance is created at 0 when a process starts
(preinitialise), so queries see a series before the first event. A metric without labels is exported only by the
processes that preinitialise it (those that own it), not by every process that imports this module.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

LONG_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

# --- HTTP -------------------------------------------------------------------------------------------------
HTTP_LATENCY = Histogram(
    "habitat_http_request_duration_seconds",
    "HTTP request latency (API requests only: long-running routes are in habitat_http_long_request_duration_seconds)",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
HTTP_LONG_LATENCY = Histogram(
    "habitat_http_long_request_duration_seconds",
    "Duration of long-running HTTP requests (imports, exports, period close, allocation propose/post)",
    ["service", "method", "route", "status"],
    buckets=LONG_BUCKETS,
)
HTTP_IN_FLIGHT = Gauge("habitat_http_requests_in_flight", "HTTP requests being served now", ["service"])
DASHBOARD_CACHE_ANSWERS = Counter(
    "habitat_dashboard_cache_answers_total",
    "Member dashboards the gateway answered: hit (from the cache), miss (composed and kept), bypass (composed, not"
    " kept: a member change feed is quiet, or the member changed while it was composed)",
    ["outcome"],
)

# --- messaging --------------------------------------------------------------------------------------------
EVENTS_PUBLISHED = Counter("habitat_events_published_total", "Events relayed from the outbox", ["service", "event"])
EVENTS_CONSUMED = Counter(
    "habitat_events_consumed_total", "Events handled by a consumer", ["consumer", "event", "outcome"]
)
EVENTS_FAILED = Counter("habitat_events_failed_total", "Event deliveries that failed", ["consumer", "event", "reason"])
RETRIES_SCHEDULED = Counter(
    "habitat_event_retries_scheduled_total", "Failed deliveries put in a delayed retry queue", ["consumer", "event"]
)
EVENT_LAG = Histogram(
    "habitat_event_lag_seconds",
    "Seconds from an event's occurred_at to its effect applied by a consumer",
    ["consumer", "event"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600),
)
EVENTS_REDELIVERED = Counter(
    "habitat_events_redelivered_total", "Deliveries that are a retry or a broker redelivery", ["consumer", "event"]
)
MESSAGING_ROWS_PRUNED = Counter(
    "habitat_messaging_rows_pruned_total", "Outbox and inbox rows pruned past the retention", ["service", "table"]
)
OUTBOX_BACKLOG = Gauge("habitat_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_LAG = Gauge("habitat_outbox_oldest_unpublished_seconds", "Age of the oldest unpublished row", ["service"])
IMPORT_EVENTS_PENDING = Gauge(
    "habitat_import_events_pending", "Events of committed imports not yet written to the outbox", ["service"]
)
IMPORT_EVENTS_LAG = Gauge(
    "habitat_import_events_oldest_pending_seconds", "Age of the oldest committed import with events still to write",
    ["service"],
)

# --- database pool (values of the gauges come from habitat_common.db's collector) -------------------------
DB_POOL_ACQUIRE = Histogram(
    "habitat_db_pool_acquire_seconds",
    "Time to obtain a pooled database connection (waiting for a free one, or opening a new one)",
    ["service"],
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5),
)

# --- business: identity -----------------------------------------------------------------------------------
SIGNIN_OUTCOMES = ("success", "failure", "throttled")
SIGNIN_ATTEMPTS = Counter("habitat_signin_attempts_total", "Sign-in attempts by outcome", ["outcome"])
MEMBERS = Gauge("habitat_members", "Members by status (from the database)", ["status"])

# --- business: contributions ------------------------------------------------------------------------------
CHANNELS = ("api", "import")
CONTRIBUTIONS_SUBMITTED = Counter(
    "habitat_contributions_submitted_total", "Contributions recorded, by type and channel", ["type", "channel"]
)
CONTRIBUTIONS_DECIDED = Counter(
    "habitat_contributions_decided_total", "Review decisions taken, by contribution type and decision",
    ["type", "decision"],
)
IMPORT_STAGES = ("format", "resolve", "judge", "summarize", "write", "commit")
IMPORT_STAGE_SECONDS = Histogram(
    "habitat_import_stage_seconds",
    "Seconds a contributions import spent in each stage (format: reading, parsing and staging the file)",
    ["stage"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
REVIEW_PENDING = Gauge("habitat_review_pending", "Contributions awaiting review (from the database)", ["type"])
REVIEW_OLDEST_PENDING = Gauge(
    "habitat_review_oldest_pending_seconds", "Age of the oldest contribution awaiting review (0 when none)",
    registry=None,
)
PERIOD_MEMBERS_ACTIVE = Gauge(
    "habitat_period_members_active", "Active members who may contribute in an open period", ["period"]
)
PERIOD_MEMBERS_SUBMITTED = Gauge(
    "habitat_period_members_submitted", "Members with at least one contribution in an open period", ["period"]
)
PERIOD_PARTICIPATION = Gauge(
    "habitat_period_participation_ratio", "Share of active members who contributed in an open period (0..1)",
    ["period"],
)
PERIOD_SECONDS_TO_DEADLINE = Gauge(
    "habitat_period_seconds_to_deadline", "Seconds until an open period's end (negative once past)", ["period"]
)

# --- business: ledger -------------------------------------------------------------------------------------
BASES = ("book", "tax")
CAPITAL_TOTAL = Gauge("habitat_capital_total", "Sum of members' capital accounts in dollars (float)", ["basis"])
CAPITAL_NEGATIVE = Gauge(
    "habitat_capital_accounts_negative", "Members' capital accounts with a negative balance", ["basis"]
)
PERIODS = Gauge("habitat_periods", "Ledger periods by status (from the database)", ["status"])
ALLOCATIONS_POSTED = Counter(
    "habitat_allocations_posted_total", "Patronage allocations posted to the journal", registry=None
)
DISTRIBUTIONS_POSTED = Counter(
    "habitat_distributions_posted_total", "Distributions paid and posted to the journal", registry=None
)

# --- business: notifications ------------------------------------------------------------------------------
# queued: written; retried: refused for now, tried again later; sent, failed (attempts spent), bounced (5xx)
MAIL_OUTCOMES = ("queued", "sent", "retried", "failed", "bounced")
MAIL_BACKLOG_STATUSES = ("queued", "failed", "bounced")
NOTIFICATIONS_MESSAGES = Counter(
    "habitat_notifications_messages_total", "Mails written and each sending attempt's outcome", ["kind", "status"]
)
NOTIFICATIONS_BACKLOG = Gauge(
    "habitat_notifications_backlog", "Mails not sent: queued, failed, bounced (from the database)", ["status"]
)
NOTIFICATIONS_OLDEST_QUEUED = Gauge(
    "habitat_notifications_oldest_queued_seconds", "Age of the oldest queued mail (from the database)",
    registry=None,
)

# --- imports ----------------------------------------------------------------------------------------------
IMPORT_OUTCOMES = ("committed", "refused")
ROW_OUTCOMES = ("accepted", "rejected")
IMPORTS = Counter("habitat_imports_total", "File imports by outcome", ["service", "kind", "outcome"])
IMPORT_ROWS = Counter("habitat_import_rows_total", "Rows of file imports by outcome", ["service", "kind", "outcome"])
IMPORT_DURATION = Histogram(
    "habitat_import_duration_seconds", "Duration of a file import, from first byte to answer", ["service", "kind"],
    buckets=LONG_BUCKETS,
)

# --- dead letters -----------------------------------------------------------------------------------------
DEAD_LETTERS = Gauge("habitat_dead_letters", "Dead letters waiting for an operator (status dead)", ["queue"])


_EXPORTED: set[int] = set()


def preinitialise(metric: MetricWrapperBase, *label_sets: Iterable[str]) -> None:
    """Create the series of metric for the cross product of the label value lists (a counter or histogram at 0;
    a gauge is left at its value or 0), so the series exist before the first event. A metric without labels is
    registered for export by this process (once)."""
    if not label_sets:
        if not metric._labelnames and id(metric) not in _EXPORTED:
            REGISTRY.register(metric)
            _EXPORTED.add(id(metric))
        return
    combos: list[tuple[str, ...]] = [()]
    for values in label_sets:
        combos = [(*combo, value) for combo in combos for value in values]
    for combo in combos:
        metric.labels(*combo)


def preinitialise_imports(service: str, kinds: Sequence[str]) -> None:
    """Import series of a service's import kinds: every outcome of imports and rows, and the duration."""
    preinitialise(IMPORTS, [service], kinds, IMPORT_OUTCOMES)
    preinitialise(IMPORT_ROWS, [service], kinds, ROW_OUTCOMES)
    preinitialise(IMPORT_DURATION, [service], kinds)


def record_import(
    service: str, kind: str, *, committed: bool, accepted: int, rejected: int, seconds: float
) -> None:
    """One finished import: its outcome, its rows accepted (committed) or rejected (refused), its duration."""
    IMPORTS.labels(service, kind, "committed" if committed else "refused").inc()
    if accepted:
        IMPORT_ROWS.labels(service, kind, "accepted").inc(accepted)
    if rejected:
        IMPORT_ROWS.labels(service, kind, "rejected").inc(rejected)
    IMPORT_DURATION.labels(service, kind).observe(seconds)


@dataclass
class ImportRun:
    """What an import route tells measured_import once the import succeeded: how many rows it accepted."""

    accepted: int = 0


@contextmanager
def measured_import(
    service: str,
    kind: str,
    *,
    refusals: type[BaseException] | tuple[type[BaseException], ...],
    rejected_rows: Callable[[BaseException], int],
    enabled: bool = True,
) -> Iterator[ImportRun]:
    """Time the import run in the block and record it: committed with run.accepted rows when the block ends,
    refused with rejected_rows(error) rows when it raises one of refusals. Other errors (the database is down)
    are not an outcome of the file and are not counted; nor is anything when not enabled (a dry run)."""
    run = ImportRun()
    started = time.perf_counter()
    try:
        yield run
    except refusals as error:
        if enabled:
            seconds = time.perf_counter() - started
            record_import(service, kind, committed=False, accepted=0, rejected=rejected_rows(error), seconds=seconds)
        raise
    if enabled:
        seconds = time.perf_counter() - started
        record_import(service, kind, committed=True, accepted=run.accepted, rejected=0, seconds=seconds)
