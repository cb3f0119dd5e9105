"""The intake dashboard's time-to-decision figures equal PostgreSQL's avg / percentile_cont over every decision."""

import random
import uuid

import pytest
from sqlalchemy import text

from tests.integration.db import open_q1

ROWS = text(
    """
    INSERT INTO contributions.contribution (id, member_id, period_id, type, contributed_on, description, amount,
        value, book_amount, tax_amount, status, submitted_at, decided_at, decided_by, approvals_required)
    SELECT gen_random_uuid(), gen_random_uuid(), :period_id, 'capital', date '2026-02-01', 'Seeded capital', 50,
        50, 50, 50, s.status, timestamptz '2026-02-01 09:00+00',
        timestamptz '2026-02-01 09:00+00' + s.seconds * interval '1 second', gen_random_uuid(), 1
    FROM unnest(CAST(:statuses AS text[]), CAST(:seconds AS float8[])) AS s(status, seconds)
    """
)
EXPECTED = text(
    """
    SELECT avg(extract(epoch FROM decided_at - submitted_at) / 3600),
           percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM decided_at - submitted_at) / 3600)
    FROM contributions.contribution
    WHERE period_id = :period_id AND status IN ('approved', 'rejected')
    """
)


@pytest.mark.parametrize("decided", [0, 1, 2, 20, 21, 157])
async def test_mean_and_p95_hours_match_postgres_aggregates(container, decided):
    period_id = await open_q1(container)
    rng = random.Random(decided)
    statuses = [rng.choice(["approved", "rejected"]) for _ in range(decided)] + ["pending"] * 5
    seconds = [round(rng.uniform(60, 400_000), 6) for _ in range(decided)] + [rng.uniform(0, 99) for _ in range(5)]
    async with container.engine.begin() as conn:
        await conn.execute(ROWS, {"period_id": period_id, "statuses": statuses, "seconds": seconds})
        other = uuid.uuid4()  # another period's decisions do not count
        await conn.execute(ROWS, {"period_id": other, "statuses": ["approved"], "seconds": [9e6]})
        mean, p95 = (await conn.execute(EXPECTED, {"period_id": period_id})).one()
    figures = await container.contribution_views.intake(period_id)
    if decided == 0:
        assert figures.mean_hours_to_decision is None and figures.p95_hours_to_decision is None
        return
    assert figures.mean_hours_to_decision == pytest.approx(float(mean), rel=1e-12)
    assert figures.p95_hours_to_decision == pytest.approx(p95, rel=1e-12)
    assert sum(n for _, status, n, _ in figures.by_type_status if status != "pending") == decided
