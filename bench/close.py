"""Period close at scale: 10,000 members, 1,000,000 approved contributions in one period.

Runs on a temporary database (habitat_common.testing.temporary_database), migrated with Alembic.
The contributions are generated inside PostgreSQL (INSERT ... SELECT generate_series) straight into
the ledger's patronage table, with the members' capital accounts their approval would have opened;
the period is closing with sealed totals equal to the ledger's own.
Proposal and posting run through the service-layer use cases (not HTTP) and are compared with one
plain SQL `SELECT member_id, SUM(value) ... GROUP BY member_id` over the same rows.

    .venv/bin/python bench/close.py [--members 10000] [--contributions 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

from alembic import command
from alembic.config import Config
from habitat_common.runtime import settle_startup_objects
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database
from habitat_ledger.bootstrap import build
from habitat_ledger.config import LedgerSettings
from habitat_ledger.domain.commands import OpenPeriod, ProposeAllocation
from habitat_ledger.service_layer.close.allocations import approve_allocation, propose_allocation
from habitat_ledger.service_layer.close.closing import start_close
from habitat_ledger.service_layer.close.periods import open_period
from habitat_ledger.service_layer.close.posting import post_allocation
from sqlalchemy import text

ALEMBIC_INI = Path(__file__).parents[1] / "services" / "ledger" / "alembic.ini"
ADMIN, SECOND = uuid.uuid4(), uuid.uuid4()

MEMBERS = """
CREATE TEMP TABLE bench_member AS
SELECT n, gen_random_uuid() AS id FROM generate_series(0, :members - 1) AS n
"""
CONTRIBUTIONS = """
INSERT INTO ledger.patronage (contribution_id, member_id, period_id, type, value, recorded_at)
SELECT gen_random_uuid(), m.id, :period_id,
       (ARRAY['labor', 'capital', 'property'])[1 + g % 3],
       CASE WHEN g % 997 = 0 THEN -((g % 50) + 1)::numeric(14, 2)       -- a few negative corrections
            ELSE (((g::bigint * 7919) % 100000) / 100.0 + 1)::numeric(14, 2) END,
       now()
  FROM generate_series(0, :contributions - 1) AS g
  JOIN bench_member m ON m.n = g % :members
"""
SEAL = """
INSERT INTO ledger.period_seal (period_id, members, total_count, total_value, pending_count, received_at)
SELECT :period_id, jsonb_object_agg(member_id::text, jsonb_build_array(n, total::text)), sum(n), sum(total), 0, now()
  FROM (SELECT member_id, count(*) AS n, sum(value) AS total
          FROM ledger.patronage WHERE period_id = :period_id GROUP BY member_id) AS per_member
"""
# Approved capital and property contributions are credited to the member's capital account when they
# are approved, so by the close every member here has one (the journal of those credits is not
# generated: the close neither reads nor rewrites it).
CAPITAL_ACCOUNTS = """
INSERT INTO ledger.account (id, code, kind, member_id)
SELECT gen_random_uuid(), 'member:' || id || '\\:capital', 'member_capital', id FROM bench_member
"""
REFERENCE = "SELECT member_id, SUM(value) FROM ledger.patronage WHERE period_id = :period_id GROUP BY member_id"


async def timed(label: str, work):
    started = time.perf_counter()
    result = await work
    elapsed = time.perf_counter() - started
    print(f"{label:<44} {elapsed:8.2f} s")
    return result, elapsed


async def run(url: str, members: int, contributions: int) -> None:
    ledger = build(LedgerSettings(database=DatabaseSettings(url=url, pool_size=4, max_overflow=2)))
    settle_startup_objects()  # as the ledger's processes do once started
    period = await open_period(OpenPeriod("bench", date(2026, 1, 1), date(2026, 3, 31), ADMIN), ledger.uow())
    async with ledger.engine.begin() as conn:
        await conn.execute(text(MEMBERS), {"members": members})
        _, _ = await timed(
            f"generate {contributions:,} contributions (SQL)",
            conn.execute(text(CONTRIBUTIONS), {"period_id": period.id, "members": members, "contributions": contributions}),
        )
        await conn.execute(text(CAPITAL_ACCOUNTS))
    # as autovacuum would after a bulk insert: statistics, and a visibility map for index-only scans
    async with ledger.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE ledger.patronage"))
        await conn.execute(text("CHECKPOINT"))  # the generated rows' WAL is flushed now, not during the timings
    await start_close(period.id, ADMIN, ledger.uow())
    async with ledger.engine.begin() as conn:
        await conn.execute(text(SEAL), {"period_id": period.id})

    async def reference():
        async with ledger.engine.connect() as conn:
            return (await conn.execute(text(REFERENCE), {"period_id": period.id})).all()

    rows, t_reference = await timed("reference: SELECT member_id, SUM(value) GROUP BY", reference())
    proposal = ProposeAllocation(
        period.id, Decimal("250000.00"),
        {"labor": Decimal("1.0"), "capital": Decimal("0.5"), "property": Decimal("0.5")}, Decimal(30), ADMIN,
    )
    allocation, t_propose = await timed("propose (use case)", propose_allocation(proposal, ledger.uow(), approvals_required=2))
    for approver in (ADMIN, SECOND):
        await approve_allocation(allocation.id, approver, ledger.uow())
    posted, t_post = await timed("post (use case, one transaction)", post_allocation(allocation.id, ADMIN, ledger.uow()))

    async with ledger.engine.connect() as conn:
        ids = await conn.scalar(
            text("SELECT count(*) FROM ledger.patronage WHERE period_id = :period AND seq <= :through"),
            {"period": period.id, "through": allocation.patronage_through_seq})
        credited = await conn.scalar(
            text("SELECT -sum(amount) FROM ledger.posting p JOIN ledger.journal_transaction t ON t.id = p.transaction_id"
                 " WHERE t.source_id = :id AND p.basis = 'book' AND p.amount < 0"), {"id": allocation.id})
    assert posted.status == "posted" and ids == contributions and credited == proposal.surplus
    assert sum(r.allocation for r in allocation.rows) == proposal.surplus
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"members with rows {len(allocation.rows):,} (reference {len(rows):,}); contributions behind the record {ids:,}")
    print(f"allocated and credited {credited} = surplus; content hash {allocation.content_hash[:16]}…")
    print(f"ratio propose / reference        {t_propose / t_reference:6.1f}x   (target <= 5x)")
    print(f"ratio post / reference           {t_post / t_reference:6.1f}x")
    print(f"ratio (propose + post) / reference {(t_propose + t_post) / t_reference:4.1f}x")
    print(f"peak memory (ru_maxrss)          {peak_mb:6.0f} MB  (target <= 500 MB)")
    await ledger.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--contributions", type=int, default=1_000_000)
    args = parser.parse_args()
    with temporary_database("ledger_bench") as url:
        config = Config(str(ALEMBIC_INI))
        config.attributes["database_url"] = url
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
        asyncio.run(run(url, args.members, args.contributions))


if __name__ == "__main__":
    main()
