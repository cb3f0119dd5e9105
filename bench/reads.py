"""Read paths under load: the contributions page, /me and the member dashboard, direct and through Caddy.

Starts its own stack (temporary database and vhost, real processes behind Caddy), seeds one period
with --contributions contributions over --members members (one member, the one signed in, has
--own of them, 2 in 3 approved so the ledger has their credits), then runs wrk (2 threads, 16
connections) against

  contributions page (50 rows)  direct to the contributions service, and through Caddy (gateway)
  /me                           direct to identity, and through Caddy
  member dashboard              direct to the gateway, and through Caddy: answered from the gateway's dashboard
                                cache (one member polling: every answer after the first is a hit), and direct to
                                a second gateway started here with the cache off (every answer composed from
                                the three services), for the same-run comparison
  reference                     a minimal FastAPI + asyncpg handler returning the same 50 rows
                                (bench/reads_reference.py), started here under uvicorn with the
                                services' worker count

Each target is warmed up, then measured in --rounds rounds taken in turn (--seconds in all per target),
so a change in the machine's other load falls on every target alike. Prints requests/s and p50/p95/p99
per target, the CPU each request cost in each process (from /proc: Caddy, gateway, services, the
PostgreSQL backends of the bench's database), and the ratios issue 18 names (direct ÷ reference,
Caddy ÷ direct). Needs wrk (apt-get install wrk).

    .venv/bin/python bench/reads.py [--seconds 12] [--rounds 3] [--connections 16] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from approval_lag import Bench, auth
from cpu import CpuMeter
from habitat_devstack.stack import HTTP_PROTOCOL, ROOT, free_ports
from stack import running_stack

HERE = Path(__file__).resolve().parent
LUA = """
wrk.headers["Authorization"] = "Bearer {token}"
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) failed = 0 end
function response(status, headers, body) if status >= 300 then failed = failed + 1 end end
done = function(summary, latency, requests)
  local e, statuses = summary.errors, 0
  for _, thread in ipairs(threads) do statuses = statuses + thread:get("failed") end
  io.write(string.format("RESULT %d %d %d %d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, statuses))
  local points = {{}}
  for q = 0.5, 99.5, 0.5 do table.insert(points, latency:percentile(q)) end
  io.write("QUANTILES " .. table.concat(points, " ") .. "\\n")
end
"""
QUANTILES = [q / 2 for q in range(1, 200)]  # the 0.5 % steps the Lua script writes
# the processes whose CPU a request costs (PostgreSQL's: the backends connected to the bench's database)
STACK_PROCESSES = ("caddy", "gateway", "identity", "contributions", "ledger")


@dataclass(frozen=True)
class Round:
    """One wrk run: requests, seconds, latency quantiles (ms, at QUANTILES), failures, CPU seconds by process."""

    requests: int
    seconds: float
    quantiles_ms: list[float]
    errors: int  # connect, read, write errors and timeouts (5 s)
    failed: int  # answers other than 2xx
    cpu: dict[str, float]


@dataclass(frozen=True)
class Figures:
    name: str
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    failed: int
    cpu_ms: dict[str, float]  # CPU milliseconds per request, by process

    @classmethod
    def of(cls, name: str, rounds: list[Round]) -> Figures:
        """The rounds of one target together: requests over the summed time; each round's quantiles weighted
        by its requests."""
        requests = sum(r.requests for r in rounds)
        points = sorted((value, r.requests) for r in rounds for value in r.quantiles_ms)

        def quantile(q: float) -> float:
            wanted, seen = q * requests * len(QUANTILES), 0
            for value, weight in points:
                seen += weight
                if seen >= wanted:
                    return value
            return points[-1][0]

        cpu = {name: 1000 * sum(r.cpu.get(name, 0.0) for r in rounds) / max(requests, 1) for name in rounds[0].cpu}
        return cls(
            name,
            requests / sum(r.seconds for r in rounds),
            quantile(0.5),
            quantile(0.95),
            quantile(0.99),
            sum(r.errors for r in rounds),
            sum(r.failed for r in rounds),
            cpu,
        )

    def line(self) -> str:
        return (
            f"{self.name:<36} {self.rps:9.1f} req/s   p50={self.p50_ms:7.1f} ms  p95={self.p95_ms:7.1f} ms  "
            f"p99={self.p99_ms:7.1f} ms  errors={self.errors} non-2xx={self.failed}"
        )

    def cpu_line(self) -> str:
        parts = "  ".join(f"{name} {ms:.2f}" for name, ms in self.cpu_ms.items() if ms >= 0.005)
        return f"{self.name:<36} {sum(self.cpu_ms.values()):6.2f} ms = {parts}"


def wrk(url: str, token: str, seconds: float, args: argparse.Namespace, meter: CpuMeter | None = None) -> Round:
    """One wrk run against url with the bearer token."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(token=token))
    try:
        command = [
            "wrk",
            "-t",
            str(args.threads),
            "-c",
            str(args.connections),
            "-s",
            script.name,
            "--timeout",
            "5s",
            "-d",
            f"{seconds}s",
            url,
        ]
        before = meter.snapshot() if meter else {}
        out = subprocess.run(command, check=True, capture_output=True, text=True)
        after = meter.snapshot() if meter else {}
    finally:
        os.unlink(script.name)
    result = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+)", out.stdout)
    quantiles = re.search(r"QUANTILES (.+)", out.stdout)
    if not result or not quantiles:
        raise SystemExit(f"wrk gave no result for {url}:\n{out.stdout}\n{out.stderr}")
    requests, micros, errors, failed = map(int, result.groups())
    cpu = CpuMeter.used(before, after) if meter else {}
    return Round(requests, micros / 1e6, [float(v) / 1000 for v in quantiles.group(1).split()], errors, failed, cpu)


def measure(
    targets: dict[str, tuple[str, str]], token: str, args: argparse.Namespace, meter: CpuMeter
) -> dict[str, Figures]:
    """Each target warmed up, then measured in --rounds rounds taken in turn, so a change in the machine's
    other load falls on every target alike rather than on whichever ran at that moment."""
    for _, url in targets.values():
        wrk(url, token, 2, args)
    rounds: dict[str, list[Round]] = {key: [] for key in targets}
    for _ in range(args.rounds):
        for key, (_, url) in targets.items():
            rounds[key].append(wrk(url, token, max(1, round(args.seconds / args.rounds)), args, meter))
    return {key: Figures.of(name, rounds[key]) for key, (name, _) in targets.items()}


async def seed(bench: Bench, database_url: str, admin: str, args: argparse.Namespace) -> tuple[str, str]:
    """The signed-in member's own contributions through the API (2 in 3 approved, credited by the ledger);
    everybody else's straight into the table. Returns (member token, member id)."""
    period = {"name": "bench", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    (await bench.client.post("/api/v1/periods", headers=auth(admin), json=period)).raise_for_status()
    member, steward = await bench.person(admin, "member"), await bench.person(admin, "steward")
    await asyncio.sleep(1.0)  # let the period reach the contributions replica
    ids = await bench.submit_many(member, args.own)
    await bench.approve_all(steward, ids[: args.own * 2 // 3])
    await bench.credits(ids[: args.own * 2 // 3])
    me = (await bench.client.get("/api/v1/me", headers=auth(member))).json()
    conn = await asyncpg.connect(bench.database_url)
    try:
        period_id = await conn.fetchval(
            "SELECT period_id FROM contributions.contribution WHERE id = $1", uuid.UUID(ids[0])
        )
        await _bulk_contributions(conn, period_id, args.contributions - args.own, args.members - 1)
    finally:
        await conn.close()
    return member, me["id"]


async def _bulk_contributions(conn: asyncpg.Connection, period_id: uuid.UUID, n: int, members: int) -> None:
    others = [uuid.uuid4() for _ in range(members)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        at = start + timedelta(minutes=37 * i)
        rows.append(
            (
                uuid.uuid4(),
                others[i % members],
                period_id,
                at.date(),
                at,
                f"Bulk-seeded capital contribution number {i}",
                random.randint(100, 90000) / 100,
            )
        )
    async with conn.transaction():
        await conn.executemany(
            "INSERT INTO contributions.contribution (id, member_id, period_id, type, contributed_on, description,"
            " amount, value, book_amount, tax_amount, status, submitted_at, approvals_required)"
            " VALUES ($1, $2, $3, 'capital', $4, $6, $7, $7, $7, $7, 'pending', $5, 1)",
            rows,
        )
        await conn.executemany(
            "INSERT INTO contributions.contribution_revision (contribution_id, number, fields, edited_at, edited_by)"
            " VALUES ($1, 1, jsonb_build_object('description', $3::text, 'amount', $4::text), $2, $5)",
            [(r[0], r[4], r[5], f"{r[6]:.2f}", r[1]) for r in rows],
        )
    await conn.execute("ANALYZE contributions.contribution; ANALYZE contributions.contribution_revision")


def start_uvicorn(factory: str, what: str, *, env: dict[str, str], workers: int, app_dir: Path | None = None,
                  options: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    """An app under uvicorn on a free port, once its /readyz answers; (the process, its URL)."""
    port = free_ports()["gateway"]
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, *(["--app-dir", str(app_dir)] if app_dir else []),
               "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--workers", str(workers),
               "--log-level", "warning", *options]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"{what} did not start")


def start_reference(database_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, READS_REFERENCE_DSN=database_url)
    return start_uvicorn("reads_reference:create_app", "the reference app", env=env, workers=workers, app_dir=HERE)


def start_uncached_gateway(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, str]:
    """A second gateway on the stack's services with the dashboard cache off (GATEWAY_DASHBOARD_CACHE_ENTRIES=0)."""
    env = env | {"GATEWAY_DASHBOARD_CACHE_ENTRIES": "0"}
    # run as the stack runs the gateway; the reference keeps uvicorn's own protocol, as a textbook app would
    return start_uvicorn("habitat_gateway.app:create_app", "the uncached gateway", env=env, workers=workers,
                         options=("--http", HTTP_PROTOCOL))


def cache_answers(gateway_url: str) -> dict[str, float]:
    """The gateway's habitat_dashboard_cache_answers_total by outcome."""
    text = httpx.get(gateway_url + "/metrics", timeout=10).text
    return {
        found.group(1): float(found.group(2))
        for found in re.finditer(r'^habitat_dashboard_cache_answers_total\{outcome="(\w+)"\} (\S+)$', text, re.MULTILINE)
    }


def ratio(name: str, part: Figures, whole: Figures, target: float) -> str:
    value = part.rps / whole.rps
    return f"{name:<52} {value * 100:6.1f}%   (target ≥ {target * 100:.0f}%: {'met' if value >= target else 'NOT met'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=12, help="per target (over all rounds), after a 2 s warm-up")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per target, the targets taken in turn")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes per HTTP service and the reference")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--contributions", type=int, default=10_000)
    parser.add_argument("--own", type=int, default=60, help="contributions of the signed-in member")
    args = parser.parse_args()
    workers = {name: args.workers for name in ("identity", "contributions", "ledger", "gateway")}
    with running_stack("habitat_bench_reads", workers=workers) as running:
        config = running.config
        database_url = re.sub(r"^postgresql\+asyncpg://", "postgresql://", config.database_url)

        async def prepare() -> tuple[str, str]:
            client = httpx.AsyncClient(base_url=config.url, timeout=60, limits=httpx.Limits(max_connections=8))
            bench = Bench(client, config.database_url, 8)
            try:
                return await seed(bench, database_url, await bench.login(*running.admin), args)
            finally:
                await client.aclose()

        token, member_id = asyncio.run(prepare())
        print(
            f"seeded {args.contributions} contributions over {args.members} members ({args.own} of the "
            f"signed-in member's); wrk -t{args.threads} -c{args.connections}, {args.rounds} rounds of "
            f"{max(1, round(args.seconds / args.rounds))} s per target, "
            f"{args.workers} worker(s) per service; load average {os.getloadavg()[0]:.1f}"
        )
        reference, reference_url = start_reference(database_url, args.workers)
        uncached, uncached_url = start_uncached_gateway(config.env(), args.workers)
        meter = CpuMeter(
            {name: running.stack.processes[name].pid for name in STACK_PROCESSES}
            | {"reference": reference.pid, "gateway-uncached": uncached.pid},
            database_url.rsplit("/", 1)[1],
        )
        page = f"/contributions?member_id={member_id}&limit=50"
        targets = {
            "reference": ("reference (FastAPI + asyncpg, 50 rows)", reference_url + page),
            "page_direct": ("contributions page direct", config.service_url("contributions") + page),
            "page_caddy": ("contributions page via Caddy", config.url + "/api/v1" + page),
            "me_direct": ("/me direct (identity)", config.service_url("identity") + "/me"),
            "me_caddy": ("/me via Caddy", config.url + "/api/v1/me"),
            "dashboard_gateway": (
                "member dashboard direct (gateway)",
                config.service_url("gateway") + "/api/v1/me/dashboard",
            ),
            "dashboard": ("member dashboard via Caddy", config.url + "/api/v1/me/dashboard"),
            "dashboard_composed": (
                "member dashboard direct, composed (cache off)",
                uncached_url + "/api/v1/me/dashboard",
            ),
        }
        gateway = config.service_url("gateway")
        before = cache_answers(gateway)
        try:
            figures = measure(targets, token, args, meter)
        finally:
            for process in (reference, uncached):
                process.terminate()
                process.wait(10)
        after = cache_answers(gateway)
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        for f in figures.values():
            print(f.line())
        print("CPU ms per request, by process (the machine's other load inflates them too):")
        for f in figures.values():
            print("  " + f.cpu_line())
        print(ratio("contributions page direct ÷ reference", figures["page_direct"], figures["reference"], 0.5))
        print(ratio("contributions page via Caddy ÷ direct", figures["page_caddy"], figures["page_direct"], 0.5))
        print(ratio("/me via Caddy ÷ direct", figures["me_caddy"], figures["me_direct"], 0.5))
        outcomes = {name: after.get(name, 0) - before.get(name, 0) for name in ("hit", "miss", "bypass")}
        print("dashboard cache answers during the run: " + ", ".join(f"{k} {v:.0f}" for k, v in outcomes.items()))
        composed = figures["dashboard_composed"]
        print(f"{'dashboard direct, cached ÷ composed':<52} {figures['dashboard_gateway'].rps / composed.rps:6.2f}×")
        dashboard = figures["dashboard"]
        met = dashboard.rps >= 500 and dashboard.p95_ms <= 100
        print(
            f"{'dashboard ≥ 500 req/s at p95 ≤ 100 ms':<52} {dashboard.rps:6.1f} req/s p95 {dashboard.p95_ms:.1f} ms"
            f"   ({'met' if met else 'NOT met'})"
        )
        if any(f.errors or f.failed for f in figures.values()):
            raise SystemExit("some requests failed (errors above): the figures are not comparable")


if __name__ == "__main__":
    main()
