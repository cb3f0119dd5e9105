"""Intake at scale: 100,000 contributions across 1,000 members, read and written through Caddy.

Prints p50/p95 of the review queue, a member's list and the intake dashboard (sequential
requests through Caddy → gateway → contributions), then sustained submissions/s through Caddy
with wrk (p50/p95/p99). Targets (issue 4): reads p95 ≤ 50 ms; submissions ≥ 300/s, p95 ≤ 100 ms.

The 998 other members and the 100,000 historical rows are written straight into the contributions
schema with one INSERT … SELECT (as if their events had arrived); the member and steward that
sign in are real, created through the API.

    .venv/bin/python bench/intake.py [--rows 100000] [--seconds 15] [--connections 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
from stack import percentile, running_stack

SEED = """
WITH ids AS (SELECT array_agg(member_id ORDER BY member_id) AS m FROM contributions.member_replica)
INSERT INTO contributions.contribution (id, member_id, period_id, type, contributed_on, description, hours, rate,
    amount, fair_market_value, adjusted_basis, value, book_amount, tax_amount, status, submitted_at, decided_at,
    decided_by, approvals_required)
SELECT gen_random_uuid(), ids.m[1 + (g % array_length(ids.m, 1))], $1::uuid,
    (ARRAY['labor', 'capital', 'property'])[1 + g % 3], date '2026-01-01' + (g % 300),
    'Historical contribution number ' || g,
    CASE WHEN g % 3 = 0 THEN 2 END, CASE WHEN g % 3 = 0 THEN 100 END, CASE WHEN g % 3 = 1 THEN 50 END,
    CASE WHEN g % 3 = 2 THEN 80 END, CASE WHEN g % 3 = 2 THEN 60 END,
    CASE g % 3 WHEN 0 THEN 200 WHEN 1 THEN 50 ELSE 80 END,
    CASE g % 3 WHEN 0 THEN 0 WHEN 1 THEN 50 ELSE 80 END,
    CASE g % 3 WHEN 0 THEN 0 WHEN 1 THEN 50 ELSE 60 END,
    (ARRAY['approved', 'approved', 'approved', 'pending', 'rejected', 'clarification_requested'])[1 + g % 6],
    now() - (g % 2000) * interval '1 hour',
    CASE WHEN g % 6 IN (0, 1, 2, 4) THEN now() - (g % 2000) * interval '1 hour' + interval '5 hours' END,
    CASE WHEN g % 6 IN (0, 1, 2, 4) THEN $2::uuid END, 1
FROM generate_series(1, $3::int) AS g, ids
"""

SUBMIT_LUA = """
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"type":"capital","contributed_on":"2026-06-01","amount":"%%d.00",'
    .. '"description":"Load test capital contribution %%d"}', 1 + counter %% 500, counter)
  return wrk.format("POST", "/api/v1/contributions", {["Content-Type"]="application/json",
    ["Authorization"]="Bearer %s"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %%d %%d %%d %%.1f %%.1f %%.1f %%.1f\\n", summary.requests, summary.errors.status,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def person(client: httpx.AsyncClient, admin: str, role: str) -> tuple[str, str]:
    email = f"{role}-{secrets.token_hex(4)}@bench.coop"
    created = await client.post("/api/v1/members", headers=auth(admin),
                                json={"email": email, "display_name": f"Bench {role}", "role": role,
                                "joined_at": "2020-01-01"})
    created.raise_for_status()
    temporary = created.json()["temporary_password"]
    first = (await client.post("/api/v1/auth/login", json={"email": email, "password": temporary})).json()
    changed = await client.post("/api/v1/auth/password", headers=auth(first["access_token"]), json={
        "current_password": temporary, "new_password": "zq-bench-" + secrets.token_hex(8)})
    changed.raise_for_status()
    return created.json()["id"], changed.json()["access_token"]


async def timed_reads(client: httpx.AsyncClient, name: str, path: str, token: str, n: int) -> None:
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.get(path, headers=auth(token))
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    print(f"{name:<28} n={n}  p50={percentile(latencies, .5):7.1f} ms  p95={percentile(latencies, .95):7.1f} ms")


async def prepare(url: str, admin: tuple[str, str], database_url: str, rows: int) -> dict:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        login = await client.post("/api/v1/auth/login", json={"email": admin[0], "password": admin[1]})
        admin_token = login.json()["access_token"]
        period = await client.post("/api/v1/periods", headers=auth(admin_token),
                                   json={"name": "bench", "starts_on": "2026-01-01", "ends_on": "2026-12-31"})
        period.raise_for_status()
        member_id, member = await person(client, admin_token, "member")
        steward_id, steward = await person(client, admin_token, "steward")
    conn = await asyncpg.connect(re.sub(r"^postgresql\+asyncpg://", "postgresql://", database_url))
    try:
        for _ in range(100):  # the period and both members reach the replicas as events
            ready = await conn.fetchval(
                "SELECT count(*) FROM contributions.period_replica WHERE period_id = $1", period.json()["id"]
            ) and await conn.fetchval(
                "SELECT count(*) FROM contributions.member_replica WHERE status = 'active'") >= 3
            if ready:
                break
            await asyncio.sleep(0.1)
        await conn.execute("""
            INSERT INTO contributions.member_replica (member_id, email, display_name, role, status, updated_at)
            SELECT gen_random_uuid(), 'm' || g || '@bench.coop', 'Member ' || g, 'member', 'active', now()
            FROM generate_series(1, 997) AS g""")
        started = time.perf_counter()
        await conn.execute(SEED, period.json()["id"], steward_id, rows)
        await conn.execute("ANALYZE contributions.contribution")
        print(f"seeded {rows} contributions across 1,000 members in {time.perf_counter() - started:.1f} s")
    finally:
        await conn.close()
    return {"period_id": period.json()["id"], "member": member, "steward": steward}


async def reads(url: str, people: dict, n: int) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        await client.get("/api/v1/review-queue", headers=auth(people["steward"]))  # warm the pools
        await timed_reads(client, "review queue (50 oldest)", "/api/v1/review-queue?limit=50", people["steward"], n)
        await timed_reads(client, "member's list (50 newest)", "/api/v1/contributions?limit=50", people["member"], n)
        await timed_reads(client, "intake dashboard", f"/api/v1/periods/{people['period_id']}/intake",
                          people["steward"], n)


def submissions(url: str, token: str, seconds: int, connections: int) -> None:
    wrk = shutil.which("wrk")
    if not wrk:
        print("submissions: wrk not installed (apt-get install -y wrk); skipped")
        return
    script = Path(tempfile.mkdtemp()) / "submit.lua"
    script.write_text(SUBMIT_LUA % token)
    out = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("WRK "))
    count, errors, micros, p50, p95, p99, worst = line.split()[1:]
    rate = int(count) / (int(micros) / 1e6)
    print(f"submissions through Caddy      {rate:7.1f}/s over {seconds} s at {connections} connections "
          f"(non-2xx: {errors})  p50={p50} ms  p95={p95} ms  p99={p99} ms  max={worst} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--contributions-workers", type=int, default=1,
                        help="uvicorn processes for the contributions HTTP service (compose: --scale)")
    args = parser.parse_args()
    workers = {"contributions": args.contributions_workers}
    print(f"contributions HTTP processes: {args.contributions_workers}")
    with running_stack("habitat_bench_intake", workers) as running:
        people = asyncio.run(prepare(running.config.url, running.admin, running.config.database_url, args.rows))
        asyncio.run(reads(running.config.url, people, args.reads))
        submissions(running.config.url, people["member"], args.seconds, args.connections)
        print(json.dumps({"log_dir": str(running.config.log_dir)}))


if __name__ == "__main__":
    main()
