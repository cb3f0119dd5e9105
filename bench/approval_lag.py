"""Approval → credit lag: approve a burst of N contributions and time each until the ledger books it.

Starts its own stack (temporary database and vhost, real processes behind Caddy), submits N capital
contributions, approves them all concurrently through Caddy, and reads from the databases when each
approval was decided (contributions) and when its credit was recorded (ledger) — both timestamps
from the same PostgreSQL clock. As a reference it measures a raw aio-pika publish → consume round
trip (persistent, publisher confirms) in the same run. Last, it drains a pre-filled backlog: --backlog
approval events published straight to the ledger's queue while its worker is stopped, then the worker
started and timed until every credit is booked; the drain rate is printed with its ratio to the raw
reference's throughput (target ≥ 50%). --ledger-workers 2 runs the ledger worker as two processes.

    .venv/bin/python bench/approval_lag.py [--n 500] [--concurrency 20] [--backlog 10000] [--ledger-workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import aio_pika
import asyncpg
import httpx
from habitat_common.contracts import ContributionApprovedV1, Envelope
from habitat_common.messaging.topology import Subscription
from habitat_devstack.stack import Stack, StackConfig
from stack import percentile, running_stack

LEDGER_APPROVALS = Subscription("ledger", ContributionApprovedV1).queue_name


def report(name: str, lags_ms: list[float], elapsed: float) -> None:
    print(
        f"{name:<34} n={len(lags_ms):>5}  p50={percentile(lags_ms, .5):8.1f} ms  "
        f"p95={percentile(lags_ms, .95):8.1f} ms  max={max(lags_ms):8.1f} ms  "
        f"throughput={len(lags_ms) / elapsed:8.1f}/s"
    )


async def raw_round_trip(amqp_url: str, n: int) -> float:
    """Reference: publish n persistent messages with confirms to a quorum queue and consume them."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue("bench.raw", durable=True, arguments={"x-queue-type": "quorum"})
        lags: list[float] = []
        done = asyncio.Event()

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            lags.append((time.perf_counter() - float(message.body)) * 1000)
            await message.ack()
            if len(lags) == n:
                done.set()

        await queue.consume(on_message)
        started = time.perf_counter()
        for _ in range(n):
            await channel.default_exchange.publish(
                aio_pika.Message(str(time.perf_counter()).encode(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                routing_key="bench.raw",
            )
        await asyncio.wait_for(done.wait(), timeout=120)
        elapsed = time.perf_counter() - started
        report("raw aio-pika publish→consume", lags, elapsed)
        return n / elapsed


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Bench:
    """Drives the stack through Caddy and reads timings from the services' databases."""

    def __init__(self, client: httpx.AsyncClient, database_url: str, concurrency: int) -> None:
        self.client = client
        self.database_url = re.sub(r"^postgresql\+asyncpg://", "postgresql://", database_url)
        self.gate = asyncio.Semaphore(concurrency)
        self.concurrency = concurrency

    async def login(self, email: str, password: str) -> str:
        response = await self.client.post("/api/v1/auth/login", json={"email": email, "password": password})
        response.raise_for_status()
        return response.json()["access_token"]

    async def person(self, admin: str, role: str) -> str:
        email = f"{role}-{secrets.token_hex(4)}@bench.coop"
        created = await self.client.post("/api/v1/members", headers=auth(admin),
                                         json={"email": email, "display_name": f"Bench {role}", "role": role,
                                               "joined_at": "2020-01-01"})
        created.raise_for_status()
        temporary = created.json()["temporary_password"]
        first = await self.login(email, temporary)
        changed = await self.client.post("/api/v1/auth/password", headers=auth(first), json={
            "current_password": temporary, "new_password": "bench-" + secrets.token_hex(8)})
        changed.raise_for_status()
        return changed.json()["access_token"]

    async def submit_many(self, member: str, n: int) -> list[str]:
        async def submit(i: int) -> str:
            async with self.gate:
                response = await self.client.post("/api/v1/contributions", headers=auth(member), json={
                    "type": "capital", "contributed_on": "2026-06-01", "amount": "1.00",
                    "description": f"Benchmark capital contribution number {i}"})
                response.raise_for_status()
                return response.json()["id"]

        return list(await asyncio.gather(*(submit(i) for i in range(n))))

    async def approve_all(self, steward: str, ids: list[str]) -> float:
        async def approve(contribution_id: str) -> None:
            async with self.gate:
                response = await self.client.post(f"/api/v1/contributions/{contribution_id}/approve",
                                                  headers=auth(steward), json={})
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(approve(i) for i in ids))
        return time.perf_counter() - started

    async def credits(self, ids: list[str]) -> list[asyncpg.Record]:
        """(decided_at, recorded_at) per contribution once the ledger booked them all."""
        conn = await asyncpg.connect(self.database_url)
        try:
            query = ("SELECT c.decided_at, j.recorded_at FROM contributions.contribution c "
                     "JOIN ledger.journal_transaction j ON j.source_type = 'contribution' AND j.source_id = c.id "
                     "WHERE c.id = ANY($1::uuid[])")
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                rows = await conn.fetch(query, ids)
                if len(rows) == len(ids):
                    return rows
                await asyncio.sleep(0.2)
        finally:
            await conn.close()
        raise SystemExit(f"only {len(rows)} of {len(ids)} credits arrived within 180 s")


async def prepare(url: str, admin: tuple[str, str], database_url: str, concurrency: int) -> tuple[Bench, str, str]:
    client = httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=concurrency))
    bench = Bench(client, database_url, concurrency)
    admin_token = await bench.login(*admin)
    period = {"name": "bench", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    (await client.post("/api/v1/periods", headers=auth(admin_token), json=period)).raise_for_status()
    member, steward = await bench.person(admin_token, "member"), await bench.person(admin_token, "steward")
    await asyncio.sleep(1.0)  # let the period reach the contributions replica
    return bench, member, steward


async def burst(bench: Bench, member: str, steward: str, n: int) -> None:
    """Phase 1: every process up; approve n at once; lag from each decision to its credit."""
    ids = await bench.submit_many(member, n)
    seconds = await bench.approve_all(steward, ids)
    print(f"approved {n} through Caddy in {seconds:.2f} s ({n / seconds:.1f} approvals/s, "
          f"{bench.concurrency} concurrent)")
    rows = await bench.credits(ids)
    lags = [(r["recorded_at"] - r["decided_at"]).total_seconds() * 1000 for r in rows]
    span = (max(r["recorded_at"] for r in rows) - min(r["decided_at"] for r in rows)).total_seconds()
    report("approval → capital credit (events)", lags, span)
    await where_the_lag_goes(bench, ids)


async def where_the_lag_goes(bench: Bench, ids: list[str]) -> None:
    """The burst's lag in two legs: approval → picked up by the contributions relay (outbox published_at, its
    transaction's start), relayed → the ledger's batch began (inbox processed_at, its transaction's start)."""
    conn = await asyncpg.connect(bench.database_url)
    try:
        rows = await conn.fetch(
            "SELECT c.decided_at, o.published_at, i.processed_at FROM contributions.contribution c"
            " JOIN contributions.outbox o ON o.routing_key = 'contributions.contribution_approved.v1'"
            "  AND (o.payload -> 'payload' ->> 'contribution_id')::uuid = c.id"
            " JOIN ledger.inbox i ON i.consumer = 'ledger.contribution_approved' AND i.event_id = o.event_id"
            " WHERE c.id = ANY($1::uuid[])", ids)
    finally:
        await conn.close()
    legs = {"approval → relayed": [(r[1] - r[0]).total_seconds() * 1000 for r in rows],
            "relayed → ledger batch began": [(r[2] - r[1]).total_seconds() * 1000 for r in rows]}
    print("  where the lag goes: " + "; ".join(
        f"{name} p50={percentile(ms, .5):.0f} ms p95={percentile(ms, .95):.0f} ms" for name, ms in legs.items() if ms))


async def backlog(bench: Bench, member: str, steward: str, n: int, stack: Stack) -> None:
    """Phase 2: ledger worker down while n are approved; time to drain the backlog once it is back."""
    ids = await bench.submit_many(member, n)
    stack.stop("ledger-worker")
    await bench.approve_all(steward, ids)
    started = time.perf_counter()
    stack.start("ledger-worker")
    await asyncio.to_thread(stack.wait_ready, "ledger-worker")
    ready = time.perf_counter()
    rows = await bench.credits(ids)
    drained = max(r["recorded_at"] for r in rows) - min(r["recorded_at"] for r in rows)
    print(f"ledger worker restart → ready in {ready - started:.2f} s; backlog of {n} drained in "
          f"{drained.total_seconds():.2f} s ({n / max(drained.total_seconds(), 1e-9):.1f} events/s)")


def approval(period_id: uuid.UUID, members: list[uuid.UUID], i: int) -> tuple[uuid.UUID, bytes]:
    """A contributions-produced approval of 1.00 capital, spread over the members."""
    contract = ContributionApprovedV1(
        contribution_id=uuid.uuid4(), member_id=members[i % len(members)], period_id=period_id, type="capital",
        contributed_on=date(2026, 6, 1), value=Decimal("1.00"), book_amount=Decimal("1.00"),
        tax_amount=Decimal("1.00"), approved_by=uuid.uuid4(), approved_at=datetime.now(UTC),
    )
    return contract.contribution_id, Envelope.wrap(contract, producer="contributions").model_dump_json().encode()


async def fill_queue(amqp_url: str, bodies: list[bytes]) -> None:
    """Publish straight to the ledger's approval queue (persistent, confirmed), a chunk at a time."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        for start in range(0, len(bodies), 500):
            await asyncio.gather(*(
                channel.default_exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=str(uuid.uuid4()),
                                     content_type="application/json"),
                    routing_key=LEDGER_APPROVALS,
                ) for body in bodies[start:start + 500]
            ))


async def drain(bench: Bench, amqp_url: str, stack: Stack, n: int, raw_per_second: float) -> None:
    """Phase 3: n approval events queued while the ledger worker is down; its drain rate once started."""
    conn = await asyncpg.connect(bench.database_url)
    try:
        period_id = await conn.fetchval("SELECT id FROM ledger.period WHERE name = 'bench'")
        members = [uuid.uuid4() for _ in range(100)]
        ids, bodies = zip(*(approval(period_id, members, i) for i in range(n)), strict=True)
        stack.stop("ledger-worker")
        await fill_queue(amqp_url, list(bodies))
        started = time.perf_counter()
        stack.start("ledger-worker")
        await asyncio.to_thread(stack.wait_ready, "ledger-worker")
        ready = time.perf_counter()
        query = ("SELECT count(*), min(recorded_at), max(recorded_at) FROM ledger.journal_transaction"
                 " WHERE source_type = 'contribution' AND source_id = ANY($1::uuid[])")
        deadline = time.monotonic() + 600
        while (row := await conn.fetchrow(query, list(ids)))[0] < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {row[0]} of {n} backlog credits booked within 600 s")
            await asyncio.sleep(0.2)
        done = time.perf_counter()
    finally:
        await conn.close()
    span = (row[2] - row[1]).total_seconds()
    rate = n / max(span, 1e-9)
    print(f"pre-filled backlog of {n}: worker ready in {ready - started:.2f} s; drained in {span:.2f} s "
          f"({rate:.1f} events/s; {n / (done - ready):.1f}/s ready → last credit) = "
          f"{rate / raw_per_second:.0%} of raw publish→consume ({raw_per_second:.1f}/s, target ≥ 50%)")


async def run_phases(
    config: StackConfig, admin: tuple[str, str], stack: Stack, n: int, concurrency: int, backlog_n: int,
    raw_per_second: float,
) -> None:
    bench, member, steward = await prepare(config.url, admin, config.database_url, concurrency)
    try:
        await burst(bench, member, steward, n)
        await backlog(bench, member, steward, n, stack)
        if backlog_n:
            await drain(bench, config.amqp_url, stack, backlog_n, raw_per_second)
    finally:
        await bench.client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--backlog", type=int, default=10_000, help="pre-filled approval events to drain (0: skip)")
    parser.add_argument("--ledger-workers", type=int, default=1, help="ledger worker processes")
    args = parser.parse_args()
    with running_stack("habitat_bench", workers={"ledger-worker": args.ledger_workers}) as running:
        raw = asyncio.run(raw_round_trip(running.config.amqp_url, args.n))
        asyncio.run(run_phases(running.config, running.admin, running.stack, args.n, args.concurrency,
                               args.backlog, raw))


if __name__ == "__main__":
    main()
