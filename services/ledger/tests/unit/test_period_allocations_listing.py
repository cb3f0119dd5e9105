"""Listing a period's proposals, newest first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.fakes import FakeAllocations


class TestIdsForPeriod:
    async def test_newest_first_and_only_that_period(self) -> None:
        from types import SimpleNamespace

        repo = FakeAllocations()
        period, other = uuid.uuid4(), uuid.uuid4()
        now = datetime.now(UTC)
        older = SimpleNamespace(id=uuid.uuid4(), period_id=period, proposed_at=now - timedelta(hours=1))
        newer = SimpleNamespace(id=uuid.uuid4(), period_id=period, proposed_at=now)
        elsewhere = SimpleNamespace(id=uuid.uuid4(), period_id=other, proposed_at=now)
        for record in (older, newer, elsewhere):
            repo.rows[record.id] = record
        assert await repo.ids_for_period(period) == [newer.id, older.id]
