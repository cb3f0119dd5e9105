"""One path books approved contributions (issue 18): the same rows through book_contribution one at a time and
through book_contribution_batch at once leave the same journal, patronage, totals and pending events on
PostgreSQL; and so do the contributions that waited, once their period opens."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from habitat_ledger.domain.periods.period import Period
from habitat_ledger.service_layer.journal.contribution_batches import book_contribution_batch
from habitat_ledger.service_layer.journal.contributions import apply_waiting_contributions, book_contribution
from tests.ledger_builders import book_command

ADMIN = uuid.UUID("00000000-0000-0000-0000-00000000ad01")
NOW = datetime(2026, 8, 1, 12, tzinfo=UTC)
# Q1 closed (so the lock date is March 31), Q2 open, Q3 unknown until it opens
Q1, Q2, Q3 = (uuid.UUID(f"00000000-0000-0000-0000-0000000000{n}") for n in ("a1", "a2", "a3"))
PERIODS = {
    Q1: ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "closed"),
    Q2: ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "open"),
}
Q3_DATES = (date(2026, 7, 1), date(2026, 9, 30))
# Q2's contributions are dated around the lock date: those on or before it are exceptions
FIRST_DAY = {Q1: date(2026, 3, 1), Q2: date(2026, 3, 28), Q3: date(2026, 7, 1)}
MEMBERS = [uuid.UUID(f"00000000-0000-0000-0000-0000000000b{n}") for n in range(3)]
IDS = [uuid.UUID(f"00000000-0000-0000-0000-0000000000c{n}") for n in range(8)]  # few, so some repeat

JOURNAL = text(
    "SELECT t.source_type, t.source_id, t.member_id, t.occurred_on, t.description, t.reverses_id,"
    " a.code, p.basis, p.amount"
    " FROM ledger.posting p JOIN ledger.journal_transaction t ON t.id = p.transaction_id"
    " JOIN ledger.account a ON a.id = p.account_id ORDER BY t.source_id, p.basis, a.code, p.amount"
)
PATRONAGE = text(
    "SELECT contribution_id, member_id, period_id, type, value, corrects_contribution_id"
    " FROM ledger.patronage ORDER BY contribution_id"
)
# not through_seq: numbered by a sequence, which a rolled-back world does not give back
TOTALS = text(
    "SELECT period_id, member_id, type, count, value, id_digest FROM ledger.patronage_total"
    " ORDER BY period_id, member_id, type"
)
PENDING = text(
    "SELECT kind, key, period_id, reason, payload, applied_at IS NOT NULL FROM ledger.pending_event ORDER BY key"
)
ADD_PERIOD = text(
    "INSERT INTO ledger.period (id, name, starts_on, ends_on, status, created_at, created_by)"
    " VALUES (:id, :name, :starts_on, :ends_on, :status, :at, :by)"
)

AMOUNTS = st.sampled_from(["0.00", "10.00", "123.45", "-5.00"])
ROWS = st.lists(
    st.tuples(
        st.sampled_from(IDS),
        st.sampled_from(["labor", "capital", "property"]),
        st.sampled_from([Q1, Q2, Q3]),
        st.integers(0, 8),
        AMOUNTS,
        AMOUNTS,
        st.sampled_from(MEMBERS),
    ),
    min_size=1,
    max_size=8,
)


def commands(rows):
    return [
        book_command(
            type=type_,
            book=book,
            tax=tax,
            value=book if type_ != "labor" else "40.00",
            member_id=member,
            period_id=period,
            contribution_id=contribution,
            contributed_on=FIRST_DAY[period] + timedelta(days=day),
        )
        for contribution, type_, period, day, book, tax, member in rows
    ]


async def state(connection) -> tuple[list[tuple], ...]:
    return tuple(
        [
            [tuple(r) for r in (await connection.execute(q)).all()]
            for q in (JOURNAL, PATRONAGE, TOTALS, PENDING)
        ]
    )


async def world(connection, uow_factory, book) -> tuple:
    """Run book in a savepoint over the same periods; what it returned, and the state before and after Q3 opens."""
    savepoint = await connection.begin_nested()
    try:
        for period_id, (name, starts_on, ends_on, status) in PERIODS.items():
            await connection.execute(
                ADD_PERIOD,
                {
                    "id": period_id,
                    "name": name,
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "status": status,
                    "at": NOW,
                    "by": ADMIN,
                },
            )
        changed = await book()
        booked = await state(connection)
        uow = uow_factory()
        async with uow:  # as open_period does, with the period id the contributions named
            period = Period.open(
                name="2026-Q3", starts_on=Q3_DATES[0], ends_on=Q3_DATES[1], created_by=ADMIN, now=NOW
            )
            period.id = Q3
            await uow.periods.add(period)
            applied = await apply_waiting_contributions(uow, period_id=Q3, now=NOW)
            await uow.commit()
        return changed, booked, applied, await state(connection)
    finally:
        await savepoint.rollback()


class TestOneBookingPath:
    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(rows=ROWS)
    # on the lock date, the day after it, and a repeat of the first (the first one counts)
    @example(
        rows=[
            (IDS[0], "property", Q2, 3, "10.00", "-5.00", MEMBERS[0]),
            (IDS[1], "capital", Q2, 4, "10.00", "0.00", MEMBERS[0]),
            (IDS[0], "labor", Q3, 0, "0.00", "0.00", MEMBERS[1]),
        ]
    )
    async def test_one_at_a_time_books_what_a_batch_books(self, connection, uow_factory, rows):
        batch = commands(rows)

        async def one_at_a_time() -> set[uuid.UUID]:
            changed = set()
            for command in batch:
                uow = uow_factory()
                async with uow:
                    if await book_contribution(command, uow, now=NOW):
                        changed.add(command.contribution_id)
                    await uow.commit()
            return changed

        async def at_once() -> set[uuid.UUID]:
            uow = uow_factory()
            async with uow:
                outcome = await book_contribution_batch(batch, uow, now=NOW)
                await uow.commit()
            return set(outcome.changed_ids)

        single = await world(connection, uow_factory, one_at_a_time)
        bulk = await world(connection, uow_factory, at_once)
        assert single == bulk
        changed, (_, patronage, _, pending), applied, (_, patronage_after, _, pending_after) = single
        # each new one booked or set aside, repeats skipped
        assert changed == {c.contribution_id for c in batch}
        waiting = [p for p in pending if p[3] == "unknown_period"]
        assert applied == len(waiting) and all(p[-1] for p in pending_after if p[3] == "unknown_period")
        assert len(patronage_after) == len(patronage) + len(waiting)
