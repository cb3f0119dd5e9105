"""Direct SQL helpers for asserting what integration tests left in the database."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from habitat_contributions.bootstrap import Container
from habitat_contributions.domain.commands import RecordMember
from habitat_contributions.service_layer import importing, replicas
from tests.builders import T0, record_period


async def outbox_rows(container: Container, routing_key: str | None = None) -> list:
    query = "SELECT event_id, routing_key, payload FROM contributions.outbox"
    params = {}
    if routing_key:
        query += " WHERE routing_key = :rk"
        params["rk"] = routing_key
    async with container.engine.connect() as conn:
        return list((await conn.execute(text(query + " ORDER BY id"), params)).all())


async def announce_imports(container: Container) -> int:
    """Put committed imports' pending events into the outbox, as the worker's loop does; how many."""
    return await importing.announce_imports(container.import_events(), batches=1000)


async def count(container: Container, table: str) -> int:
    async with container.engine.connect() as conn:
        return (await conn.execute(text(f"SELECT count(*) FROM contributions.{table}"))).scalar_one()


async def open_q1(container: Container, **overrides):
    """Store an open 2026-Q1 period replica, as the period-opened consumer would."""
    cmd = record_period(**overrides)
    async with container.uow() as uow:
        await replicas.record_period(cmd, uow)
        await uow.commit()
    return cmd.period_id


async def active_member(
    container: Container, member_id=None, *, role: str = "member", name: str | None = None, joined_at=None
):
    """Store an active member replica, as the member-registered consumer would; returns the id."""
    member_id = member_id or uuid.uuid4()
    cmd = RecordMember(
        member_id=member_id,
        occurred_at=T0,
        email=f"{member_id.hex[:8]}@example.coop",
        display_name=name or f"Member {member_id.hex[:4]}",
        role=role,
        status="active",
        joined_at=joined_at,
    )
    async with container.uow() as uow:
        await replicas.record_member(cmd, uow)
        await uow.commit()
    return member_id
