"""Approval → credit lag: approve a burst of N contributions and time each until the ledger books it.

Starts its own stack (temporary database and vhost, real processes behind Caddy), submits N capital
contributions, approves them all concurrently through Caddy, and reads from the databases when each
approval was decided (contributions) and when its credit was recorded (ledger) — both timestamps
from the same PostgreSQL clock. As a reference it measures a raw aio-pika publish → consume round
trip (persistent, publisher confirms) in the same run.

    .venv/bin/python bench/approval_lag.py [--n 500] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aio_pika
import asyncpg
import httpx

from habitat_common.testing import temporary_database, temporary_vhost
from habitat_devstack.stack import ROOT, Stack, StackConfig, free_ports, migrate


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(name: str, lags_ms: list[float], elapsed: float) -> None:
    print(
        f"{name:<34} n={len(lags_ms):>5}  p50={percentile(lags_ms, .5):8.1f} ms  "
        f"p95={percentile(lags_ms, .95):8.1f} ms  max={max(lags_ms):8.1f} ms  "
        f"throughput={len(lags_ms) / elapsed:8.1f}/s"
    )


async def raw_round_trip(amqp_url: str, n: int) -> None:
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
        report("raw aio-pika publish→consume", lags, time.perf_counter() - started)


async def burst(url: str, admin: tuple[str, str], n: int, concurrency: int, database_url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        async def login(email: str, password: str) -> str:
            response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
            response.raise_for_status()
            return response.json()["access_token"]

        async def person(token: str, role: str) -> str:
            email = f"{role}-{secrets.token_hex(4)}@bench.coop"
            created = await client.post("/api/v1/members", headers=auth(token),
                                        json={"email": email, "display_name": f"Bench {role}", "role": role})
            created.raise_for_status()
            temporary = created.json()["temporary_password"]
            first = await login(email, temporary)
            changed = await client.post("/api/v1/auth/password", headers=auth(first),
                                        json={"current_password": temporary, "new_password": "bench-" + secrets.token_hex(8)})
            changed.raise_for_status()
            return changed.json()["access_token"]

        def auth(token: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {token}"}

        admin_token = await login(*admin)
        period = {"name": "bench", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
        (await client.post("/api/v1/periods", headers=auth(admin_token), json=period)).raise_for_status()
        member, steward = await person(admin_token, "member"), await person(admin_token, "steward")
        await asyncio.sleep(1.0)  # let the period reach the contributions replica
        ids = []
        for i in range(n):
            response = await client.post("/api/v1/contributions", headers=auth(member), json={
                "type": "capital", "contributed_on": "2026-06-01", "amount": "1.00",
                "description": f"Benchmark capital contribution number {i}"})
            response.raise_for_status()
            ids.append(response.json()["id"])
        print(f"submitted {n} contributions; approving them in a burst ({concurrency} concurrent)")

        gate = asyncio.Semaphore(concurrency)

        async def approve(contribution_id: str) -> None:
            async with gate:
                response = await client.post(f"/api/v1/contributions/{contribution_id}/approve",
                                             headers=auth(steward), json={})
                response.raise_for_status()

        await asyncio.gather(*(approve(i) for i in ids))

    conn = await asyncpg.connect(re.sub(r"^postgresql\+asyncpg://", "postgresql://", database_url))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            booked = await conn.fetchval(
                "SELECT count(*) FROM ledger.journal_transaction WHERE source_type = 'contribution'")
            if booked >= n:
                break
            await asyncio.sleep(0.2)
        rows = await conn.fetch(
            "SELECT c.decided_at, j.recorded_at FROM contributions.contribution c "
            "JOIN ledger.journal_transaction j ON j.source_type = 'contribution' AND j.source_id = c.id "
            "WHERE c.id = ANY($1::uuid[])", ids)
    finally:
        await conn.close()
    if len(rows) < n:
        raise SystemExit(f"only {len(rows)} of {n} credits arrived within 120 s")
    lags = [(r["recorded_at"] - r["decided_at"]).total_seconds() * 1000 for r in rows]
    span = (max(r["recorded_at"] for r in rows) - min(r["decided_at"] for r in rows)).total_seconds()
    report("approval → capital credit (events)", lags, span)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    with temporary_database("habitat_bench") as database_url, temporary_vhost("habitat_bench") as amqp_url:
        config = StackConfig(database_url=database_url, amqp_url=amqp_url, ports=free_ports(),
                             log_dir=Path(tempfile.mkdtemp(prefix="habitat-bench-")))
        migrate(config)
        admin = ("admin@bench.coop", "bench-" + secrets.token_urlsafe(16))
        subprocess.run([sys.executable, "-m", "habitat_identity.cli", "ensure-admin", "--email", admin[0],
                        "--password", admin[1], "--display-name", "Bench Admin"],
                       env=config.env(), check=True, cwd=ROOT, capture_output=True)
        stack = Stack(config)
        try:
            stack.start_all()
            asyncio.run(raw_round_trip(amqp_url, args.n))
            asyncio.run(burst(config.url, admin, args.n, args.concurrency, database_url))
        finally:
            stack.stop_all()


if __name__ == "__main__":
    main()
