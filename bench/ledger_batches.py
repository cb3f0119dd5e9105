"""Time the ContributionsImportedV1 handler: 100 batches of 1,000 approved contributions, committed.

Creates a temporary database (native PostgreSQL, or HABITAT_TEST_PG_ADMIN_URL), migrates it, opens
one period and feeds the handler the batches one after another, as the worker would; about two
thirds of the rows are capital or property. Then re-delivers them all (duplicates) and prints both,
with the per-batch time at the start and at the end of the run: a query whose cost grows with the
ledger (as the commit-time balance check's did before ledger migration 0009) shows as a ratio above 1.

    .venv/bin/python bench/ledger_batches.py [--batches 100] [--size 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from statistics import median

from alembic import command
from alembic.config import Config
from habitat_common.contracts import ContributionsImportedV1, Envelope, ImportedContribution
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database
from habitat_ledger.bootstrap import build
from habitat_ledger.config import LedgerSettings
from habitat_ledger.domain.commands import OpenPeriod
from habitat_ledger.entrypoints.consumers import contributions_imported_handler
from habitat_ledger.service_layer.close.periods import open_period
from sqlalchemy import text

ALEMBIC_INI = Path(__file__).parents[1] / "services" / "ledger" / "alembic.ini"
TYPES = ("labor", "capital", "property")


def contribution(member: uuid.UUID, period_id: uuid.UUID, rng: random.Random) -> ImportedContribution:
    kind = rng.choice(TYPES)
    value = Decimal(rng.randint(100, 500_000)) / 100
    book, tax = {"labor": (Decimal("0.00"), Decimal("0.00")), "capital": (value, value),
                 "property": (value, (value * Decimal("0.6")).quantize(Decimal("0.01")))}[kind]
    return ImportedContribution(
        contribution_id=uuid.uuid4(), member_id=member, period_id=period_id, type=kind,
        contributed_on=date(2026, 1, 1) + timedelta(days=rng.randint(0, 89)), value=value, book_amount=book,
        tax_amount=tax, approved_by=uuid.uuid4(), approved_at=datetime.now(UTC),
    )


def envelopes(period_id: uuid.UUID, batches: int, size: int) -> list[Envelope]:
    rng = random.Random(7)
    members = [uuid.uuid4() for _ in range(1000)]
    import_id = uuid.uuid4()
    out = []
    for number in range(1, batches + 1):
        rows = [contribution(rng.choice(members), period_id, rng) for _ in range(size)]
        contract = ContributionsImportedV1(import_id=import_id, batch=number, batches=batches, contributions=rows)
        out.append(Envelope[ContributionsImportedV1].model_validate_json(
            Envelope.wrap(contract, producer="contributions").model_dump_json()
        ))
    return out


async def run(url: str, batches: int, size: int) -> None:
    ledger = build(LedgerSettings(database=DatabaseSettings(url=url)))
    try:
        period = await open_period(OpenPeriod("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), uuid.uuid4()), ledger.uow())
        messages = envelopes(period.id, batches, size)
        handle = contributions_imported_handler(ledger.uow)
        for label, stream in (("first delivery", messages),
                              ("redelivery, new event ids", [m.model_copy(update={"event_id": uuid.uuid4()}) for m in messages])):
            started = time.perf_counter()
            per_batch = []
            for message in stream:
                t0 = time.perf_counter()
                await handle(message)
                per_batch.append(time.perf_counter() - t0)
            elapsed = time.perf_counter() - started
            tenth = max(1, len(per_batch) // 10)
            first, last = median(per_batch[:tenth]), median(per_batch[-tenth:])
            print(f"{label:<28} {batches} x {size}: {elapsed:6.2f} s total, {batches * size / elapsed:8.0f} rows/s,"
                  f" batch p50 {median(per_batch) * 1000:5.0f} ms, max {max(per_batch) * 1000:5.0f} ms;"
                  f" p50 of the first tenth {first * 1000:4.0f} ms, of the last {last * 1000:4.0f} ms"
                  f" ({last / first:.1f}x: about 1 when booking does not slow down as the ledger grows)")
        async with ledger.engine.connect() as conn:
            counts = {t: await conn.scalar(text(f"SELECT count(*) FROM ledger.{t}"))
                      for t in ("patronage", "journal_transaction", "posting")}
        print("rows:", counts)
    finally:
        await ledger.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--size", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("HABITAT_TEST_NATIVE", "1")
    with temporary_database("ledger_bench") as url:
        config = Config(str(ALEMBIC_INI))
        config.attributes["database_url"] = url
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
        asyncio.run(run(url, args.batches, args.size))


if __name__ == "__main__":
    main()
