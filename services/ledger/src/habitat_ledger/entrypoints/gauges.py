"""The ledger's gauges refreshed from the database by the worker: capital and periods."""

from __future__ import annotations

from habitat_common.database_gauges import DatabaseGauges, Readings, by_label, connected
from habitat_common.metrics import BASES, CAPITAL_NEGATIVE, CAPITAL_TOTAL, PERIODS
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from habitat_ledger.adapters.metric_queries import capital_by_basis, periods_by_status
from habitat_ledger.domain.periods.period import PeriodStatus


def ledger_gauges(bind: AsyncEngine | AsyncConnection, *, interval_seconds: float | None = None) -> DatabaseGauges:
    """The loop that sets habitat_capital_total and habitat_capital_accounts_negative per basis (dollars as a
    float: a gauge, not the books) and habitat_periods per status."""

    async def read() -> Readings:
        async with connected(bind) as connection:
            capital = await capital_by_basis(connection)
            periods = await periods_by_status(connection)
        return {
            CAPITAL_TOTAL: by_label({basis: float(c.total) for basis, c in capital.items()}, BASES),
            CAPITAL_NEGATIVE: by_label({basis: c.negative_accounts for basis, c in capital.items()}, BASES),
            PERIODS: by_label(periods, tuple(str(s) for s in PeriodStatus)),
        }

    return DatabaseGauges("ledger-gauges", read, interval_seconds=interval_seconds)
