import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from habitat_common.contracts import ContributionSubmittedV1, Envelope, MemberUpdatedV1, PeriodOpenedV1
from habitat_notifications import bootstrap
from habitat_notifications.entrypoints.scheduler import ReminderScheduler
from tests.integration.db import deliver, registered, rejected, rows, send_all

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a Monday after the weekly hour, in 2026-Q4


def at_now(settings) -> bootstrap.Container:
    return bootstrap.build(settings, clock=lambda: NOW)


async def open_q4(container) -> uuid.UUID:
    payload = PeriodOpenedV1(
        period_id=uuid.uuid4(), name="2026-Q4", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31), status="open"
    )
    await deliver(container, Envelope.wrap(payload, producer="ledger"))
    return payload.period_id


async def submitted(container, member_id, period_id, *, days_ago: float = 0) -> Envelope:
    payload = ContributionSubmittedV1(
        contribution_id=uuid.uuid4(),
        member_id=member_id,
        period_id=period_id,
        type="labor",
        contributed_on=date(2026, 11, 2),
        value=Decimal("100.00"),
    )
    envelope = Envelope.wrap(payload, producer="contributions")
    envelope = envelope.model_copy(update={"occurred_at": NOW - timedelta(days=days_ago)})
    await deliver(container, envelope)
    return envelope


async def make_steward(container, member_id, email):
    payload = MemberUpdatedV1(
        member_id=member_id,
        email=email,
        display_name="Sam",
        role="steward",
        status="active",
        joined_at=date(2026, 1, 1),
    )
    await deliver(container, Envelope.wrap(payload, producer="identity"))


async def runs(container) -> list:
    async with container.engine.connect() as conn:
        return list((await conn.execute(text("SELECT kind, key, mailed FROM notifications.reminder_run"))).all())


class TestWeeklyReminder:
    async def test_mails_exactly_the_non_submitters_once_with_two_workers_and_two_triggers(
        self, container, settings, client, keys, mailbox
    ):
        first, second = at_now(settings), at_now(settings)
        try:
            period_id = await open_q4(first)
            busy, idle_one, idle_two = [await registered(first) for _ in range(3)]
            await submitted(first, busy, period_id)
            await asyncio.gather(ReminderScheduler(first).tick(), ReminderScheduler(second).tick())
            client.headers["Authorization"] = f"Bearer {keys.mint(uuid.uuid4(), 'admin')}"
            client.app.state.container = first
            answers = [(await client.post("/notifications/runs", json={"kind": "weekly_reminder"})).json()]
            answers.append((await client.post("/notifications/runs", json={"kind": "weekly_reminder"})).json())
            assert [a["ran"] for a in answers] == [False, False]
            assert answers[0]["key"] == f"2026-W50:{period_id}"
            weekly = await rows(first, "kind = 'weekly_reminder'")
            assert sorted(r.recipient_id for r in weekly) == sorted([idle_one, idle_two])
            assert [(k, m) for k, _, m in await runs(first) if k == "weekly_reminder"] == [("weekly_reminder", 2)]
            await send_all(first)
            assert len([m for m in mailbox.received if m["X-Habitat-Kind"] == "weekly_reminder"]) == 2
            # a restarted worker finds the week's slot done
            assert await ReminderScheduler(at_now(settings)).tick() == 0
        finally:
            await first.engine.dispose()
            await second.engine.dispose()

    async def test_an_admin_trigger_runs_the_slot_before_its_hour_and_no_open_period_runs_nothing(
        self, settings, client, keys
    ):
        early = bootstrap.build(settings, clock=lambda: NOW.replace(hour=6))
        try:
            client.app.state.container = early
            admin = {"Authorization": f"Bearer {keys.mint(uuid.uuid4(), 'admin')}"}
            nothing = (await client.post("/notifications/runs", json={"kind": "weekly_reminder"}, headers=admin)).json()
            assert (nothing["ran"], nothing["key"]) == (False, None)
            await open_q4(early)
            await registered(early)
            assert await ReminderScheduler(early).tick() == 0  # before the hour
            ran = (await client.post("/notifications/runs", json={"kind": "weekly_reminder"}, headers=admin)).json()
            assert (ran["ran"], ran["mailed"]) == (True, 1)
            member = await client.post(
                "/notifications/runs",
                json={"kind": "weekly_reminder"},
                headers={"Authorization": f"Bearer {keys.mint(uuid.uuid4(), 'steward')}"},
            )
            assert member.status_code == 403
        finally:
            await early.engine.dispose()


class TestStewardDigest:
    async def test_stewards_hear_of_undecided_contributions_past_the_review_target(self, container, settings, mailbox):
        container = at_now(settings)  # the fixture emptied the tables
        try:
            period_id = await open_q4(container)
            author = await registered(container)
            steward = await registered(container, email="steward@example.coop")
            await make_steward(container, steward, "steward@example.coop")
            await submitted(container, author, period_id, days_ago=3)
            await submitted(container, author, period_id, days_ago=4)
            decided = await submitted(container, author, period_id, days_ago=5)
            await submitted(container, author, period_id, days_ago=1)  # within the target
            rejection = rejected(author)
            payload = rejection.payload.model_copy(update={"contribution_id": decided.payload.contribution_id})
            await deliver(container, rejection.model_copy(update={"payload": payload}))
            assert await ReminderScheduler(container).tick() == 2  # this week's reminder and today's digest
            await send_all(container)
            [digest] = [m for m in mailbox.received if m["X-Habitat-Kind"] == "steward_digest"]
            assert digest["To"] == "steward@example.coop"
            assert "2 contribution(s)" in digest["Subject"]
            assert "the oldest for 96 hours" in " ".join(digest.get_body(("plain",)).get_content().split())
        finally:
            await container.engine.dispose()
