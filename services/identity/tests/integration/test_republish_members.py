"""republish-members: every member's current state to the outbox, harmless to repeat, never overtaking a change."""

import asyncio
import os
import subprocess
import sys
import time
from datetime import datetime

import pytest
from habitat_identity.adapters.orm import member, outbox
from habitat_identity.domain.commands import UpdateMember
from habitat_identity.service_layer import members, republish
from sqlalchemy import func, select, text

from tests.integration.conftest import a_stored_member

pytestmark = pytest.mark.integration

UPDATED = "identity.member_updated.v1"


async def outbox_rows_after(app, last_id: int) -> list:
    async with app.state.container.session_factory() as session:
        query = select(outbox).where(outbox.c.id > last_id).order_by(outbox.c.id)
        return list((await session.execute(query)).all())


async def last_outbox_id(app) -> int:
    async with app.state.container.session_factory() as session:
        return int(await session.scalar(select(func.coalesce(func.max(outbox.c.id), 0))))


async def member_rows(app) -> dict:
    async with app.state.container.session_factory() as session:
        return {row.id: row._asdict() for row in (await session.execute(select(member))).all()}


def expected_payload(row: dict) -> dict:
    keys = ("email", "display_name", "role", "status")
    return {"member_id": str(row["id"]), "joined_at": row["joined_at"].isoformat(), **{k: row[k] for k in keys}}


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "habitat_identity.cli", "republish-members", *args],
        env={**os.environ, "IDENTITY_DATABASE__URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestRepublishMembers:
    async def test_writes_one_member_updated_row_per_member_with_its_current_state(self, app):
        people = [(await a_stored_member(app, role=role))[0] for role in ("member", "steward", "admin") * 3]
        admin = people[2]
        await members.update_member(
            UpdateMember(people[0].id, status="inactive", display_name="Gone"), admin.id, app.state.container.uow()
        )
        await members.update_member(UpdateMember(people[1].id, role="member"), admin.id, app.state.container.uow())
        stored, start = await member_rows(app), await last_outbox_id(app)

        count = await republish.republish_members(app.state.container.uow(), batch_size=4)

        rows = await outbox_rows_after(app, start)
        assert count == len(rows) == 9
        assert {r.routing_key for r in rows} == {UPDATED}
        assert {r.payload["event_type"] for r in rows} == {"identity.member_updated"}
        by_member = {r.payload["payload"]["member_id"]: r.payload["payload"] for r in rows}
        assert by_member == {str(i): expected_payload(row) for i, row in stored.items()}
        assert by_member[str(people[0].id)]["status"] == "inactive"
        assert by_member[str(people[1].id)]["role"] == "member"
        assert all(r.published_at is None for r in rows)  # the relay publishes them

    async def test_running_twice_is_harmless(self, app, database_url):
        for _ in range(3):
            await a_stored_member(app)
        stored, start = await member_rows(app), await last_outbox_id(app)

        first, second = run_cli(database_url), run_cli(database_url, "--batch-size", "2")

        assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
        assert first.stdout.startswith("3 member snapshots written") and second.stdout.startswith("3 member")
        rows = await outbox_rows_after(app, start)
        assert len(rows) == 6 and len({r.event_id for r in rows}) == 6
        snapshots = [r.payload["payload"] for r in rows]
        assert sorted(snapshots[:3], key=str) == sorted(snapshots[3:], key=str)
        assert await member_rows(app) == stored  # not even updated_at moved

    async def test_an_empty_registry_writes_nothing(self, app, database_url):
        done = run_cli(database_url)
        assert done.returncode == 0 and done.stdout.startswith("0 member snapshots"), done.stderr
        assert await outbox_rows_after(app, 0) == []

    def test_refuses_a_batch_size_below_one(self, database_url):
        refused = run_cli(database_url, "--batch-size", "0")
        assert refused.returncode == 2 and "must be at least 1" in refused.stderr


class TestAChangeDuringTheBackfill:
    async def test_waits_for_the_batch_so_its_newer_state_is_stamped_after_the_snapshot(self, app):
        """Without the lock the change could commit between the snapshot's read and its occurred_at: the
        consumers would then keep the older snapshot for good."""
        container = app.state.container
        target, _ = await a_stored_member(app)
        admin, _ = await a_stored_member(app, role="admin")
        start = await last_outbox_id(app)

        backfill = container.uow()
        async with backfill:
            for found in await backfill.members.page_by_id(after=None, limit=10):
                found.republish()  # the old name, read under the batch's lock
            change = asyncio.create_task(
                members.update_member(UpdateMember(target.id, display_name="Renamed"), admin.id, container.uow())
            )
            assert await waiting_on_a_lock(container, change), "the change did not wait for the batch"
            await backfill.commit()
        await change

        rows = await outbox_rows_after(app, start)
        [snapshot] = [
            r.payload
            for r in rows
            if r.payload["payload"]["member_id"] == str(target.id)
            and r.payload["payload"]["display_name"] == "Some Member"
        ]
        [renamed] = [r.payload for r in rows if r.payload["payload"]["display_name"] == "Renamed"]
        assert datetime.fromisoformat(renamed["occurred_at"]) > datetime.fromisoformat(snapshot["occurred_at"])


async def waiting_on_a_lock(container, task: asyncio.Task, deadline_seconds: float = 10.0) -> bool:
    """True once another backend of this database waits on a lock; False if task ends first or time runs out."""
    deadline = time.monotonic() + deadline_seconds
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline and not task.done():
        async with container.engine.connect() as conn:
            if await conn.scalar(query):
                return True
        await asyncio.sleep(0.02)
    return False
