"""Gauges refreshed from the database: a worker loop that asks the service's reads and sets the gauges.

Each service supplies one `read` coroutine (its SQL lives in its adapters) returning, per gauge, the full set of
series it should have now. A series read last time and absent now (a period that closed) is removed; a read that
fails (the database is down) is logged and the gauges keep their last values until a later tick succeeds.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

from prometheus_client import Gauge
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from habitat_common.messaging.polling import BackgroundLoop

log = logging.getLogger(__name__)

LabelValues = tuple[str, ...]
# per gauge, every series it should have now: label values -> value (() for an unlabelled gauge)
Readings = Mapping[Gauge, Mapping[LabelValues, float]]
Read = Callable[[], Awaitable[Readings]]


class GaugeRefreshSettings(BaseSettings):
    """HABITAT_METRICS_REFRESH_SECONDS: how often a worker refreshes the gauges computed from the database."""

    model_config = SettingsConfigDict(env_prefix="HABITAT_METRICS_")

    refresh_seconds: float = 15.0


class DatabaseGauges(BackgroundLoop):
    """Runs read() every interval_seconds (at once on start) and applies its readings until stop()."""

    def __init__(self, name: str, read: Read, *, interval_seconds: float | None = None) -> None:
        super().__init__(name)
        self._read = read
        self._interval = interval_seconds if interval_seconds is not None else GaugeRefreshSettings().refresh_seconds
        self._shown: dict[Gauge, set[LabelValues]] = {}
        self.refreshed = 0  # successful refreshes, for tests and logs

    async def run(self) -> None:
        while not self._stopping.is_set():
            await self.refresh()
            await self.pause(self._interval)

    async def refresh(self) -> bool:
        """One read and apply; False (gauges unchanged) when the read failed."""
        try:
            readings = await self._read()
        except Exception:  # the database may be down: keep the last values, try again next tick
            log.warning("%s: reading the gauges failed; keeping the last values", self.name, exc_info=True)
            return False
        for gauge, series in readings.items():
            self._apply(gauge, series)
        self.refreshed += 1
        return True

    def _apply(self, gauge: Gauge, series: Mapping[LabelValues, float]) -> None:
        for labels, value in series.items():
            (gauge.labels(*labels) if labels else gauge).set(value)
        for gone in self._shown.get(gauge, set()) - set(series):
            if gone:
                gauge.remove(*gone)
        self._shown[gauge] = set(series)


@asynccontextmanager
async def connected(bind: AsyncEngine | AsyncConnection) -> AsyncIterator[AsyncConnection]:
    """A connection for one refresh: a new one from an engine (returned to the pool after), or the one given
    (a test's transaction)."""
    if isinstance(bind, AsyncConnection):
        yield bind
        return
    async with bind.connect() as connection:
        yield connection


def single(value: float) -> dict[LabelValues, float]:
    """The readings of an unlabelled gauge."""
    return {(): value}


def by_label(values: Mapping[str, float], known: tuple[str, ...] = ()) -> dict[LabelValues, float]:
    """The readings of a gauge with one label: every known value (0 when the read has none) and any other read."""
    return {(label,): float(values.get(label, 0)) for label in (*known, *values)}
