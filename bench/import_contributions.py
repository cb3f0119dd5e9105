"""Historical contributions import: rows/s through Caddy → gateway → contributions, against a plain COPY.

Starts its own stack (temporary database and vhost, real processes behind Caddy), onboards members
and opens the 2025 quarters through the public API, then writes a CSV of N historical contributions
(80 % approved, 10 % pending, 10 % rejected; labor, capital and property) and:

- reference: a plain asyncpg COPY of the same file into a scratch table of text columns;
- floor: the same rows inserted once more into the contribution table itself (INSERT ... SELECT, rolled
  back): what writing them costs with the table's indexes, before any parsing, check, child row or event;
- import: POST /api/v1/imports/contributions, the file streamed from disk, timed until the
  contributions service answers (it answers after its transaction committed);
- ledger: how long after that answer until the ledger has booked every approved row (its
  patronage rows, read from its own schema);
- memory: the contributions service's and the gateway's peak RSS (VmHWM) after a small import and
  after the full one — flat in file size when the import streams;
- stages: where the import's time went, from the service's own habitat_import_stage_seconds histogram
  (format = reading, parsing and staging the file; resolve; summarize; judge = the domain's passes, with the
  write of each part they found clean alongside; write = the last part, the run and its events; commit), each
  also as a multiple of the floor;
- database share: the import's own statements for a file of new rows (the staging COPY, locks and resolve,
  the summary, the write of every line, the run), parsed beforehand and run back to back with nothing of
  Python's between them, rolled back: what no arrangement of the Python work around them can go below.

    .venv/bin/python bench/import_contributions.py [--rows 100000] [--small 10000] [--members 200]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import re
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
from habitat_common.settings import DatabaseSettings
from habitat_contributions.bootstrap import build
from habitat_contributions.config import ContributionsSettings
from habitat_contributions.domain.import_problems import ProblemLog
from habitat_contributions.service_layer.contribution_file import ContributionFile
from habitat_contributions.service_layer.importing import RESOLVED_CHUNK
from prometheus_client.parser import text_string_to_metric_families
from stack import running_stack

QUARTERS = [("2025-Q1", date(2025, 1, 1), date(2025, 3, 31)), ("2025-Q2", date(2025, 4, 1), date(2025, 6, 30)),
            ("2025-Q3", date(2025, 7, 1), date(2025, 9, 30)), ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31))]
COLUMNS = ["reference", "member_email", "period", "type", "contributed_on", "description", "hours", "rate", "amount",
           "fair_market_value", "adjusted_basis", "status", "approver_email", "decided_at"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def write_file(path: Path, prefix: str, rows: int, members: int, approver: str) -> int:
    """The CSV, and how many of its rows are approved."""
    approved = 0
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for i in range(rows):
            name, starts, ends = QUARTERS[i % 4]
            on = starts + timedelta(days=(i // 4) % ((ends - starts).days + 1))
            kind = ("labor", "capital", "property")[i % 3]
            status = "approved" if i % 10 < 8 else ("pending" if i % 10 == 8 else "rejected")
            approved += status == "approved"
            decided = "" if status == "pending" else f"{on + timedelta(days=3)}T10:00:00Z"
            writer.writerow([
                f"{prefix}-{i:07d}", f"m{i % members}@bench.coop", name, kind, on.isoformat(), "Imported work",
                "4.5" if kind == "labor" else "", "22.00" if kind == "labor" else "",
                f"{(i % 500) + 10}.00" if kind == "capital" else "",
                f"{(i % 900) + 100}.00" if kind == "property" else "", f"{(i % 800) + 50}.00" if kind == "property" else "",
                status, "" if status == "pending" else approver, decided,
            ])
    return approved


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


async def wait_for(conn: asyncpg.Connection, query: str, expected: int, timeout: float = 120.0) -> float:
    started = time.perf_counter()
    while (found := await conn.fetchval(query)) < expected:
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"{query!r}: {found} of {expected} after {timeout:.0f} s")
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def prepare(url: str, admin: tuple[str, str], conn: asyncpg.Connection, members: int) -> str:
    roster = "email,display_name,role,joined_at\n" + "".join(
        f"m{i}@bench.coop,Member {i},member,2020-01-01\n" for i in range(members))
    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        token = (await client.post("/api/v1/auth/login", json={"email": admin[0], "password": admin[1]})).json()[
            "access_token"]
        started = time.perf_counter()
        (await client.post("/api/v1/members/import", content=roster, params={"dry_run": "false"},
                           headers={**auth(token), "Content-Type": "text/csv"})).raise_for_status()
        for name, starts, ends in QUARTERS:
            (await client.post("/api/v1/periods", headers=auth(token), json={
                "name": name, "starts_on": starts.isoformat(), "ends_on": ends.isoformat()})).raise_for_status()
    await wait_for(conn, "SELECT count(*) FROM contributions.member_replica", members + 1)
    await wait_for(conn, "SELECT count(*) FROM contributions.period_replica", len(QUARTERS))
    print(f"onboarded {members} members and opened {len(QUARTERS)} periods in {time.perf_counter() - started:.1f} s")
    return token


async def copy_reference(conn: asyncpg.Connection, path: Path) -> float:
    await conn.execute("CREATE TABLE IF NOT EXISTS public.bench_copy (" + ", ".join(f"{c} text" for c in COLUMNS) + ")")
    await conn.execute("TRUNCATE public.bench_copy")
    started = time.perf_counter()
    await conn.copy_to_table("bench_copy", source=str(path), schema_name="public", format="csv", header=True)
    return time.perf_counter() - started


async def table_floor(conn: asyncpg.Connection, prefix: str) -> float:
    """The bare write under the import: the same rows INSERT ... SELECT'ed into contribution once more (new ids
    and references; its indexes and constraints, no checks, children or events), rolled back."""
    columns = [r["column_name"] for r in await conn.fetch(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'contributions' AND table_name = 'contribution' ORDER BY ordinal_position")]
    fresh = {"id": "gen_random_uuid()", "import_reference": "'floor-' || import_reference"}
    statement = (
        f"INSERT INTO contributions.contribution ({', '.join(columns)})"
        f" SELECT {', '.join(fresh.get(c, c) for c in columns)} FROM contributions.contribution"
        f" WHERE import_reference LIKE '{prefix}-%'"
    )
    transaction = conn.transaction()
    await transaction.start()
    try:
        started = time.perf_counter()
        await conn.execute(statement)
        return time.perf_counter() - started
    finally:
        await transaction.rollback()


async def written_in_parts(store, import_id: uuid.UUID, actor: uuid.UUID, rows: int) -> int:
    """Every line written as the import writes them: RESOLVED_CHUNK lines per statement (the header is line 1)."""
    written = 0
    for first in range(2, rows + 2, RESOLVED_CHUNK):
        written += await store.write_lines(import_id, actor_id=actor, first=first, last=first + RESOLVED_CHUNK - 1)
    return written


async def database_share(database_url: str, path: Path, actor: uuid.UUID) -> dict[str, float]:
    """The import's own statements for the file (new rows), with nothing of Python's between them: the file is
    parsed first, then staged, locked and resolved, summarized, every line written and the run recorded in one
    transaction, timed, and rolled back."""
    file = ContributionFile(ProblemLog())
    data = path.read_bytes()
    batches = [batch for start in range(0, len(data), 256 * 1024) if (batch := file.feed(data[start:start + 256 * 1024]))]
    if batch := file.close():
        batches.append(batch)
    rows = sum(map(len, batches))

    async def staged():
        for batch in batches:
            yield batch

    steps: dict[str, float] = {}

    async def timed(step: str, work):
        started = time.perf_counter()
        done = await work
        steps[step] = time.perf_counter() - started
        return done

    # the service's own composition root: its engine's session settings, its import store
    contributions = build(ContributionsSettings(database=DatabaseSettings(url=database_url, pool_size=1)))
    import_id = uuid.uuid4()
    try:
        async with contributions.import_store() as store:  # leaving it uncommitted rolls it back
            await timed("staging", store.stage(staged()))
            await timed("resolve", store.resolve())
            await timed("summarize", store.summarize())
            created = await timed("write", written_in_parts(store, import_id, actor, rows))
            await timed("run", store.record_run(import_id, actor_id=actor, rows=rows, created=created))
    finally:
        await contributions.reads.close()
        await contributions.engine.dispose()
    if created != rows:
        raise RuntimeError(f"the database share wrote {created} of {rows} rows")
    return steps


async def upload(url: str, token: str, path: Path) -> tuple[float, dict]:
    async def chunks():
        with path.open("rb") as stream:
            while chunk := stream.read(256 * 1024):
                yield chunk

    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        started = time.perf_counter()
        response = await client.post("/api/v1/imports/contributions", content=chunks(), params={"dry_run": "false"},
                                     headers={**auth(token), "Content-Type": "text/csv"})
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"import refused: {response.status_code} {response.text[:2000]}")
    return elapsed, response.json()


def stage_seconds(service_url: str) -> dict[str, float]:
    """Seconds spent so far in each import stage, summed over imports (the service's /metrics)."""
    text = httpx.get(service_url + "/metrics", timeout=10).text
    return {sample.labels["stage"]: sample.value
            for family in text_string_to_metric_families(text) if family.name == "habitat_import_stage_seconds"
            for sample in family.samples if sample.name.endswith("_sum")}


async def run(running, rows: int, small: int, members: int) -> None:
    dsn = re.sub(r"^postgresql\+asyncpg://", "postgresql://", running.config.database_url)
    conn = await asyncpg.connect(dsn)
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        token = await prepare(running.config.url, running.admin, conn, members)
        pids = {name: running.stack.processes[name].pid for name in ("contributions", "gateway")}
        booked_so_far = 0
        for label, prefix, n in (("small", "S", small), ("full", "F", rows)):
            path = folder / f"{label}.csv"
            approved = write_file(path, prefix, n, members, running.admin[0])
            size_mb = path.stat().st_size / 1024 / 1024
            t_copy = await copy_reference(conn, path)
            stages_before = stage_seconds(running.config.service_url("contributions"))
            t_import, report = await upload(running.config.url, token, path)
            stages = {stage: seconds - stages_before.get(stage, 0.0)
                      for stage, seconds in stage_seconds(running.config.service_url("contributions")).items()}
            assert report["summary"]["created"] == n, report["summary"]
            booked_so_far += approved
            t_ledger = await wait_for(conn, "SELECT count(*) FROM ledger.patronage", booked_so_far,
                                      timeout=max(120.0, n / 1000))
            memory = ", ".join(f"{name} {peak_rss_mb(pid):.0f} MB" for name, pid in pids.items())
            print(f"{label:>5}: {n:>8,} rows ({size_mb:5.1f} MB, {approved:,} approved)")
            print(f"       reference COPY into a scratch table   {t_copy:7.2f} s  ({n / t_copy:>9,.0f} rows/s)")
            print(f"       import until committed (via Caddy)     {t_import:7.2f} s  ({n / t_import:>9,.0f} rows/s)"
                  f"   target >= 50,000 rows/s")
            print(f"       ratio import / COPY                    {t_import / t_copy:7.1f}x   target <= 5x")
            print(f"       ledger caught up after the answer      {t_ledger:7.2f} s   target <= 30 s")
            print(f"       peak RSS so far (VmHWM): {memory}")
            t_floor = await table_floor(conn, prefix)  # once the ledger is done, not to share the machine with it
            print(f"       floor: same rows INSERT..SELECT into contribution {t_floor:5.2f} s  ({n / t_floor:>9,.0f} rows/s,"
                  f" {t_floor / t_copy:.1f}x COPY; the import takes {t_import / t_floor:.1f}x this floor,"
                  f" target <= 1.5x)")
            print("       stages (s, and x floor): " + ", ".join(
                f"{stage} {seconds:.2f} ({seconds / t_floor:.2f}x)" for stage, seconds in stages.items()))
            if label == "full":
                fresh = folder / "fresh.csv"
                write_file(fresh, "D", n, members, running.admin[0])
                admin = await conn.fetchval("SELECT member_id FROM contributions.member_replica WHERE email = $1",
                                            running.admin[0])
                await conn.execute("VACUUM contributions.contribution")  # the floor's rolled-back rows, as before it
                steps = await database_share(running.config.database_url, fresh, admin)
                t_share = sum(steps.values())
                print(f"       database share: the import's statements back to back, no Python between  {t_share:5.2f} s"
                      f"  ({t_share / t_floor:.2f}x floor: the target leaves {1.5 - t_share / t_floor:.2f}x floor"
                      " for all the Python work it does not hide)")
                print("       database share by step (s, and x floor): " + ", ".join(
                    f"{step} {seconds:.2f} ({seconds / t_floor:.2f}x)" for step, seconds in steps.items()))
        rerun_started = time.perf_counter()
        _, again = await upload(running.config.url, token, folder / "full.csv")
        print(f"re-run of the full file: {again['summary']['unchanged']:,} unchanged, {again['summary']['created']} created"
              f" in {time.perf_counter() - rerun_started:.2f} s")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=200)
    args = parser.parse_args()
    with running_stack("bench_import") as running:
        asyncio.run(run(running, args.rows, args.small, args.members))


if __name__ == "__main__":
    main()
