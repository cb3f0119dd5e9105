"""Revocation lag: how soon an ended session's still-valid access token is refused by every process.

Starts its own stack (temporary database and vhost, real processes behind Caddy), signs N members
in, then ends their sessions one at a time — half by signing out, half by an admin deactivating
the member — and polls each token-verifying process (gateway, contributions, ledger) every 20 ms
until it answers 401. Prints p50/p95/max of the lag per process and everywhere. The reference is
the revocation feed's poll interval (AUTH__REVOCATIONS_POLL_SECONDS, 1 s by default): the lag is
expected to be about one interval, never the access token's 15 minutes. The e2e tests only wait
(generously) for the refusal; the figure lives here.

    .venv/bin/python bench/revocation.py [--members 20]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import signal
import sys
import time

import httpx
from habitat_devstack.stack import StackConfig
from load import auth, sign_in
from stack import percentile, running_stack

PROCESSES = (("gateway", "/api/v1/me/dashboard"), ("contributions", "/contributions"), ("ledger", "/periods"))
GIVE_UP_SECONDS = 60


async def signed_in(client: httpx.AsyncClient, admin: str) -> dict:
    email = f"revoked-{secrets.token_hex(4)}@bench.coop"
    created = await client.post("/api/v1/members", headers=auth(admin), json={
        "email": email, "display_name": "Bench Revoked", "role": "member", "joined_at": "2020-01-01"})
    created.raise_for_status()
    return {"id": created.json()["id"]} | await sign_in(client, email, created.json()["temporary_password"])


async def refused_after(config: StackConfig, process: str, path: str, token: str, since: float) -> float:
    """Seconds from `since` until the process first answers the token 401."""
    async with httpx.AsyncClient(base_url=config.service_url(process), timeout=10) as client:
        while time.perf_counter() - since < GIVE_UP_SECONDS:
            if (await client.get(path, headers=auth(token))).status_code == 401:
                return time.perf_counter() - since
            await asyncio.sleep(0.02)
    raise SystemExit(f"{process} still accepted an ended session's token after {GIVE_UP_SECONDS} s")


async def end_and_time(client: httpx.AsyncClient, config: StackConfig, admin: str, member: dict, how: str) -> list[float]:
    for process, path in PROCESSES:  # accepted everywhere before
        async with httpx.AsyncClient(base_url=config.service_url(process), timeout=10) as direct:
            answer = await direct.get(path, headers=auth(member["access"]))
        assert answer.status_code == 200, (process, answer.status_code)
    if how == "sign-out":
        ended = await client.post("/api/v1/auth/logout", json={"refresh_token": member["refresh"]})
    else:
        ended = await client.patch(f"/api/v1/members/{member['id']}", headers=auth(admin), json={"status": "inactive"})
    ended.raise_for_status()
    since = time.perf_counter()
    return list(await asyncio.gather(*(refused_after(config, p, path, member["access"], since)
                                       for p, path in PROCESSES)))


async def run(config: StackConfig, admin_credentials: tuple[str, str], n: int) -> None:
    async with httpx.AsyncClient(base_url=config.url, timeout=60) as client:
        login = await client.post("/api/v1/auth/login",
                                  json={"email": admin_credentials[0], "password": admin_credentials[1]})
        admin = login.json()["access_token"]
        members = [await signed_in(client, admin) for _ in range(n)]
        for how, group in (("sign-out", members[: n // 2]), ("deactivation", members[n // 2:])):
            lags = [await end_and_time(client, config, admin, m, how) for m in group]
            for index, (process, _) in enumerate(PROCESSES + (("everywhere", ""),)):
                ms = [1000 * (max(lag) if process == "everywhere" else lag[index]) for lag in lags]
                print(f"{how:<13} {process:<14} n={len(ms):>3}  p50={percentile(ms, .5):7.0f} ms  "
                      f"p95={percentile(ms, .95):7.0f} ms  max={max(ms):7.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped bench still stops its stack
    with running_stack("habitat_bench_revocation") as running:
        poll = running.config.env().get("GATEWAY_AUTH__REVOCATIONS_POLL_SECONDS", "1 (default)")
        print(f"reference: every verifying process polls identity's revocation feed every {poll} s; "
              f"an access token lives 900 s")
        asyncio.run(run(running.config, running.admin, args.members))


if __name__ == "__main__":
    main()
