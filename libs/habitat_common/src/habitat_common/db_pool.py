"""Connection pool metrics: a pool class that times acquisitions and counts waiters, and a collector.

habitat_db_pool_size, habitat_db_pool_connections_in_use and habitat_db_pool_waiting are read from the live
pools of the process at each scrape (summed per service), so they are never stale; the acquire histogram
(habitat_common.metrics.DB_POOL_ACQUIRE) is observed on every checkout from the pool.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.pool.base import ConnectionPoolEntry

from habitat_common.metrics import DB_POOL_ACQUIRE

_LIVE_POOLS: weakref.WeakSet[Any] = weakref.WeakSet()  # MeteredPool, habitat_common.read_pool.ReadPool


def register_pool(pool: Any) -> None:
    """Count a pool that is not an engine's (it has service, waiting, capacity() and checkedout())."""
    _LIVE_POOLS.add(pool)


class MeteredPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's asyncio queue pool, measured. The service label is a class attribute (see metered_pool) so
    that the pool a dispose() recreates keeps it."""

    service = "habitat"
    # SQLAlchemy names a pool's logger after its class; keep it under "sqlalchemy" (quiet below WARNING)
    _sqla_logger_namespace = "sqlalchemy.pool.impl.AsyncAdaptedQueuePool"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.waiting = 0
        _LIVE_POOLS.add(self)

    def capacity(self) -> int:
        """Connections the pool may hold at once: pool_size + max_overflow."""
        return self.size() + max(self._max_overflow, 0)

    def _do_get(self) -> ConnectionPoolEntry:
        # In asyncio nothing else runs between this check and the queue's get: a caller that finds every
        # connection checked out is one that will wait for a checkin.
        full = self._max_overflow > -1 and self.checkedout() >= self.capacity()
        started = time.perf_counter()
        if full:
            self.waiting += 1
        try:
            return super()._do_get()
        finally:
            if full:
                self.waiting -= 1
            DB_POOL_ACQUIRE.labels(self.service).observe(time.perf_counter() - started)

    def recreate(self) -> MeteredPool:
        """The fresh pool of engine.dispose(); this one no longer counts."""
        _LIVE_POOLS.discard(self)
        return super().recreate()

    def dispose(self) -> None:
        """Close the pool's connections; a disposed pool no longer counts."""
        _LIVE_POOLS.discard(self)
        super().dispose()


@lru_cache
def metered_pool(service: str) -> type[MeteredPool]:
    """The pool class of an engine of service (one class per service, so its pools carry the label)."""
    DB_POOL_ACQUIRE.labels(service)
    return type(f"MeteredPool_{service}", (MeteredPool,), {"service": service})


class PoolCollector(Collector):
    """The pool gauges of every live pool in the process, summed per service."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The three pool gauges, one series per service with a live pool."""
        size = GaugeMetricFamily("habitat_db_pool_size", "Pool capacity (pool_size + max_overflow)", labels=["service"])
        in_use = GaugeMetricFamily(
            "habitat_db_pool_connections_in_use", "Pooled connections checked out now", labels=["service"]
        )
        waiting = GaugeMetricFamily(
            "habitat_db_pool_waiting", "Callers waiting for a pooled connection now", labels=["service"]
        )
        totals: dict[str, list[int]] = {}
        for pool in list(_LIVE_POOLS):
            sums = totals.setdefault(pool.service, [0, 0, 0])
            sums[0] += pool.capacity()
            sums[1] += pool.checkedout()
            sums[2] += pool.waiting
        for service, (capacity, checked_out, waiters) in sorted(totals.items()):
            size.add_metric([service], capacity)
            in_use.add_metric([service], checked_out)
            waiting.add_metric([service], waiters)
        yield from (size, in_use, waiting)

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # with describe() the registry need not call collect() at registration, and checks names for clashes
        yield GaugeMetricFamily("habitat_db_pool_size", "", labels=["service"])
        yield GaugeMetricFamily("habitat_db_pool_connections_in_use", "", labels=["service"])
        yield GaugeMetricFamily("habitat_db_pool_waiting", "", labels=["service"])


REGISTRY.register(PoolCollector())
