"""Sign-in throughput and latency of identity with its real argon2id parameters.

Starts identity's HTTP app with uvicorn on an ephemeral port against a temporary, migrated
database, creates N members through the create-member use case, then runs K sign-ins at a given
concurrency with httpx and prints throughput, p50/p95/max latency, the argon2 parameters, and the
projected time of a 1,000-member Monday-morning burst at the measured throughput.

    .venv/bin/python bench/signin.py [--members 200] [--signins 500] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import statistics
import time
from pathlib import Path

import httpx
import uvicorn
from alembic import command
from alembic.config import Config
from habitat_common.settings import DatabaseSettings
from habitat_common.testing import temporary_database
from habitat_identity.config import IdentitySettings
from habitat_identity.domain.commands import CreateMember
from habitat_identity.entrypoints.http import create_app
from habitat_identity.service_layer import members

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "identity" / "alembic.ini"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def run(url: str, args: argparse.Namespace) -> None:
    settings = IdentitySettings(database=DatabaseSettings(url=url, pool_size=10, max_overflow=5))
    app = create_app(settings)
    container = app.state.container
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one log line per request would skew the timing
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)

    started = time.perf_counter()
    created = await asyncio.gather(
        *(
            members.create_member(
                CreateMember(f"bench{n}@example.org", f"Bench Member {n}", "member"),
                None,
                container.uow(),
                container.hasher,
            )
            for n in range(args.members)
        )
    )
    print(f"created {len(created)} members in {time.perf_counter() - started:.1f} s")
    credentials = [(c.member.email, c.temporary_password) for c in created]

    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(args.signins):
        queue.put_nowait(n)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            n = queue.get_nowait()
            email, password = credentials[n % len(credentials)]
            start = time.perf_counter()
            response = await client.post("/auth/login", json={"email": email, "password": password})
            latencies.append(time.perf_counter() - start)
            response.raise_for_status()

    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - started

    server.should_exit = True
    await serving
    # the parameters the service's own hasher used, read from a hash it makes (PHC string: $argon2id$v=19$m=..,t=..,p=..$)
    parameters = (await container.hasher.hash("bench")).split("$")[3]
    await container.engine.dispose()

    ms = [x * 1000 for x in latencies]
    throughput = len(latencies) / elapsed
    print(
        f"argon2id {parameters} (m in KiB); "
        f"{os.cpu_count()} CPUs"
    )
    print(f"sign-ins: {len(latencies)} at concurrency {args.concurrency} in {elapsed:.1f} s = {throughput:.1f}/s")
    print(
        f"latency: p50={percentile(ms, 0.5):.0f} ms  p95={percentile(ms, 0.95):.0f} ms  max={max(ms):.0f} ms"
        f"  mean={statistics.mean(ms):.0f} ms"
    )
    print(f"Monday burst: 1,000 sign-ins would take ~{1000 / throughput:.0f} s at this throughput")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--signins", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with temporary_database("identity_bench") as url:
        config = Config(str(ALEMBIC_INI))
        config.set_main_option("sqlalchemy.url", url)
        command.upgrade(config, "head")
        asyncio.run(run(url, args))


if __name__ == "__main__":
    main()
