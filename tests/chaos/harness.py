"""The fault suite's workload and its Jepsen-style count.

A recipe creates members, has them submit capital contributions and approves them through the public
API while a fault is injected, waits for quiescence, then reads both databases (read-only SQL) and counts:
lost (approved, never credited), duplicated (credited more than once), unexpected (credited, never approved).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import unquote

import asyncpg
import httpx

from tests.e2e.conftest import eventually

FULL = os.environ.get("HABITAT_CHAOS_FULL", "") not in ("", "0", "false")
MEMBERS = int(os.environ.get("HABITAT_CHAOS_MEMBERS", "100" if FULL else "5"))
APPROVALS = int(os.environ.get("HABITAT_CHAOS_APPROVALS", "1000" if FULL else "50"))
QUIESCENCE_TIMEOUT = float(os.environ.get("HABITAT_CHAOS_QUIESCENCE_SECONDS", "300"))
SETTLED_FOR = 5.0
THREADS = 4
APPROVE_CHUNK = 25


@dataclass
class Result:
    """One row of the fault suite's table."""

    recipe: str
    workload: str
    lost: int
    duplicated: int
    unexpected: int
    recovery_seconds: float
    notes: str = ""

    @property
    def ok(self) -> bool:
        return self.lost == self.duplicated == self.unexpected == 0


RESULTS: list[Result] = []
HEADER = "| recipe | workload | lost | duplicated | unexpected | recovery s |"


def table(results: Iterable[Result]) -> str:
    lines = [HEADER, "| --- | --- | ---: | ---: | ---: | ---: |"]
    lines += [
        f"| {r.recipe} | {r.workload} | {r.lost} | {r.duplicated} | {r.unexpected} | {r.recovery_seconds:.1f} |"
        for r in results
    ]
    return "\n".join(lines)


def pg_url(database_url: str) -> str:
    return re.sub(r"^postgresql\+asyncpg://", "postgresql://", database_url)


def query(database_url: str, sql: str, *args) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(pg_url(database_url), timeout=5)
        try:
            return await conn.fetch(sql, *args, timeout=10)
        finally:
            await conn.close()

    return asyncio.run(run())


@dataclass
class Snapshot:
    approved: set[str]
    credited: dict[str, int]  # contribution id -> patronage rows (its primary key: 0 or 1)
    journal: dict[str, int]  # contribution id -> journal transactions booking it
    unpublished: int
    last_credit: float | None  # epoch seconds of the newest credit

    def key(self) -> tuple:
        return len(self.approved), sum(self.credited.values()), sum(self.journal.values()), self.unpublished

    def count(self, subject: set[str] | None = None) -> tuple[int, int, int]:
        """lost, duplicated, unexpected; subject: only these contributions (the recipe's own)."""
        approved = self.approved if subject is None else self.approved & subject
        credited = set(self.credited) if subject is None else set(self.credited) & subject
        lost = len(approved - credited)
        duplicated = sum(n - 1 for n in self.credited.values() if n > 1)
        duplicated += sum(n - 1 for n in self.journal.values() if n > 1)
        unexpected = len(set(self.credited) - self.approved)
        return lost, duplicated, unexpected


def snapshot(database_url: str) -> Snapshot:
    """Both services' view, read straight from their schemas (the administrator's URL)."""
    approved = {str(r["id"]) for r in query(database_url, "SELECT id FROM contributions.contribution WHERE status = 'approved'")}
    credited = {
        str(r["contribution_id"]): r["n"]
        for r in query(database_url, "SELECT contribution_id, count(*) AS n FROM ledger.patronage GROUP BY 1")
    }
    journal = {
        str(r["source_id"]): r["n"]
        for r in query(
            database_url,
            "SELECT source_id, count(*) AS n FROM ledger.journal_transaction WHERE source_type = 'contribution'"
            " GROUP BY 1",
        )
    }
    unpublished = sum(
        query(database_url, f"SELECT count(*) AS n FROM {schema}.outbox WHERE published_at IS NULL")[0]["n"]
        for schema in ("identity", "contributions", "ledger")
    )
    last = query(database_url, "SELECT extract(epoch FROM max(recorded_at))::float8 AS t FROM ledger.patronage")
    return Snapshot(approved, credited, journal, unpublished, last[0]["t"])


def broker_backlog(amqp_url: str) -> int:
    """Messages waiting in the vhost's work and retry queues (dead-letter queues are counted apart)."""
    vhost = unquote(amqp_url.rstrip("/").rpartition("/")[2]) or "/"
    listed = subprocess.run(
        [shutil.which("rabbitmqctl") or "rabbitmqctl", "list_queues", "-p", vhost, "name", "messages", "-q",
         "--no-table-headers"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    if listed.returncode != 0:
        return -1  # the broker itself may be the fault: not quiet
    depths = (line.split() for line in listed.stdout.splitlines() if line.strip())
    return sum(int(n) for name, n in depths if not is_dead_letter_queue(name))


def dead_letters(amqp_url: str) -> dict[str, int]:
    """Depth of every dead-letter queue of the vhost that holds something."""
    vhost = unquote(amqp_url.rstrip("/").rpartition("/")[2]) or "/"
    listed = subprocess.run(
        [shutil.which("rabbitmqctl") or "rabbitmqctl", "list_queues", "-p", vhost, "name", "messages", "-q",
         "--no-table-headers"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    depths = (line.split() for line in listed.stdout.splitlines() if line.strip())
    return {name: int(n) for name, n in depths if is_dead_letter_queue(name) and int(n)}


def is_dead_letter_queue(name: str) -> bool:
    return name.endswith(".dlq")


def quiesce(database_url: str, amqp_url: str, *, timeout: float = QUIESCENCE_TIMEOUT) -> Snapshot:
    """Wait until nothing changes for SETTLED_FOR seconds, with every outbox empty and no message waiting in a
    work or retry queue; bounded by timeout, the last snapshot either way."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while True:
        try:
            current = snapshot(database_url)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            current = None  # the database itself may be the fault: keep waiting
        if current is not None:
            if last is None or current.key() != last.key():
                last, since = current, time.monotonic()
            elif current.unpublished == 0 and time.monotonic() - since >= SETTLED_FOR and broker_backlog(amqp_url) == 0:
                return current
        if time.monotonic() > deadline:
            if last is None:
                raise AssertionError(f"no snapshot of the databases within {timeout}s")
            return last
        time.sleep(0.5)


def result_of(recipe: str, workload: str, snap: Snapshot, fault_ended: float, subject: set[str] | None = None,
              notes: str = "") -> Result:
    lost, duplicated, unexpected = snap.count(subject)
    recovery = max(0.0, (snap.last_credit or fault_ended) - fault_ended)
    result = Result(recipe, workload, lost, duplicated, unexpected, recovery, notes)
    RESULTS.append(result)
    print(f"\n{table([result])}\n", flush=True)
    return result


@dataclass
class Workload:
    """Members who may submit, their pending contributions, and the admin who approves them."""

    habitat: object  # tests.e2e.conftest.Habitat
    members: int = MEMBERS
    approvals: int = APPROVALS
    tokens: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    amounts: dict[str, Decimal] = field(default_factory=dict)
    _admin: str = ""

    @property
    def label(self) -> str:
        return f"{self.approvals} approvals / {self.members} members"

    def prepare(self) -> Workload:
        """Import the members in one roster, activate them, and submit every contribution (pending)."""
        admin = self.habitat.admin_token()
        tag = secrets.token_hex(3)
        roster = "email,display_name,role,joined_at\n" + "".join(
            f"chaos-{tag}-{i}@chaos.coop,Chaos Member {i},member,2020-01-01\n" for i in range(self.members)
        )
        response = self.habitat.call(
            "POST", "/members/import", admin, params={"dry_run": "false"}, content=roster.encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert response.status_code == 200, response.text
        credentials = response.json()["credentials"]
        assert len(credentials) == self.members, response.text
        with ThreadPoolExecutor(THREADS) as pool:
            self.tokens = list(pool.map(self._activate, credentials))
            per = [self.approvals // self.members + (i < self.approvals % self.members) for i in range(self.members)]
            jobs = [(token, n) for token, count in zip(self.tokens, per, strict=True) for n in range(count)]
            self.pending = list(pool.map(lambda job: self._submit(*job), jobs))
        return self

    def _activate(self, credential: dict) -> str:
        email, temporary = credential["email"], credential["temporary_password"]
        first = self._answered("POST", "/auth/login", None, json={"email": email, "password": temporary})
        body = {"current_password": temporary, "new_password": f"chaos-{secrets.token_urlsafe(16)}"}
        return self._answered("POST", "/auth/password", first["access_token"], json=body)["access_token"]

    def _answered(self, method: str, path: str, token: str | None, **kwargs) -> dict:
        """The 200 answer, retried while the answer is 503 (under load a connection to the database can time
        out; the service says so and asks to retry)."""
        def attempt() -> dict | None:
            response = self.habitat.call(method, path, token, **kwargs)
            if response.status_code == 503:
                return None
            assert response.status_code == 200, response.text
            return response.json()

        return eventually(attempt, timeout=60.0, interval=0.2)

    def _submit(self, token: str, n: int) -> str:
        amount = Decimal(10 + n % 90).quantize(Decimal("0.01"))
        body = {
            "type": "capital", "contributed_on": "2026-02-01", "amount": str(amount),
            "description": f"Chaos suite capital contribution number {n}",
        }

        def attempt() -> dict | None:
            response = self.habitat.call("POST", "/contributions", token, json=body)
            # the member's activation travels to the contributions replica as an event; a 503 asks to retry
            if response.status_code == 503 or (
                response.status_code in (403, 409) and response.json()["error"]["code"] == "member_not_active"
            ):
                return None
            assert response.status_code == 201, response.text
            return response.json()

        created = eventually(attempt, timeout=60.0, interval=0.2)
        self.amounts[created["id"]] = amount
        return created["id"]

    def approve(self, *, between_chunks: Callable[[int], None] | None = None, retry_seconds: float = 120.0) -> set[str]:
        """Approve every pending contribution in chunks; a chunk refused or unanswered (the fault) is retried
        until it is answered; items already approved come back as errors and count as approved. Returns the ids
        the service says are approved."""
        approved: set[str] = set()
        chunks = [self.pending[i:i + APPROVE_CHUNK] for i in range(0, len(self.pending), APPROVE_CHUNK)]

        def send(chunk: list[str]) -> None:
            deadline = time.monotonic() + retry_seconds
            while True:
                try:
                    self._admin = self._admin or self.habitat.admin_token()
                    response = self.habitat.call(
                        "POST", "/contributions/batch-approve", self._admin, json={"ids": chunk}
                    )
                    if response.status_code == 200:
                        for item in response.json()["results"]:
                            # already_decided: a retried chunk whose first answer was lost to the fault
                            if item.get("status") == "approved" or (item.get("error") or {}).get("code") == "already_decided":
                                approved.add(item["id"])
                        return
                    if response.status_code == 401:
                        self._admin = ""
                except (httpx.HTTPError, AssertionError):
                    pass  # the fault: the gateway or a service did not answer, or sign-in failed
                if time.monotonic() > deadline:
                    return
                time.sleep(0.5)

        with ThreadPoolExecutor(4) as pool:
            for index, _ in enumerate(pool.map(send, chunks)):
                if between_chunks:
                    between_chunks(index)
        return approved
