"""The locust side of bench/load.py: a quarter's intake as locust users, run headless in its own process.

locust monkey-patches the standard library with gevent when imported, so it never shares a process with
anything asyncio: bench/load.py starts the stack, signs everyone in, writes a plan (JSON) and runs

    .venv/bin/python bench/locustfile_load.py PLAN.json

which measures a /healthz reference, then each step (ramp, reset, measure) and prints one line
`STEP {json}` per step (`REFERENCE {json}` first). It stops after the first step whose worst p95
reaches the bar or that had an error.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import time

import gevent
from locust import FastHttpUser, between, constant, task
from locust.env import Environment
from locust.log import setup_logging

PLAN: dict = {}
MEMBER_SLOTS = itertools.count()
STEWARD_SLOTS = itertools.count()
SPAWN_TICK_SECONDS = 1.0  # locust's dispatcher starts floor(spawn rate) users together once a second
REFRESH_AFTER_SECONDS = 600  # access tokens live 900 s; a browser refreshes before they end


class Signed(FastHttpUser):
    """A signed-in person: holds a token pair (shared with the plan) and refreshes it like a browser."""

    abstract = True

    def fresh_token(self, credential: dict) -> str:
        if time.time() - credential["at"] > REFRESH_AFTER_SECONDS:
            with self.client.post("/api/v1/auth/refresh", json={"refresh_token": credential["refresh"]},
                                  name="/auth/refresh", catch_response=True) as response:
                if response.status_code == 200:
                    pair = response.json()
                    credential.update(access=pair["access_token"], refresh=pair["refresh_token"], at=time.time())
                else:
                    response.failure(f"refresh answered {response.status_code}")
        return credential["access"]

    def headers(self, credential: dict) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.fresh_token(credential)}"}


class Member(Signed):
    """Dashboard open (polled every poll_seconds); submits a capital contribution every 1/rate seconds."""

    def on_start(self) -> None:
        self.credential = PLAN["members"][next(MEMBER_SLOTS) % len(PLAN["members"])]
        # the bench signs everyone in within a couple of minutes, so every first refresh would fall in the same
        # step ten minutes later; people who opened the page at different times refresh at different times
        self.credential["at"] = min(self.credential["at"], time.time() - random.uniform(0, REFRESH_AFTER_SECONDS))
        self.every = 1 / PLAN["member_submissions_per_second"]
        self.next_submission = time.time() + random.uniform(0, self.every)  # phases spread evenly
        # locust starts a second's worth of users at once, and its constant_pacing keeps each user on the beat
        # of its start, so every batch would poll together for good: 50 dashboards in the same few ms each
        # second at 750 members, bursts no set of browsers opened by different people produces. Each member
        # polls on its own schedule from a random phase instead.
        gevent.sleep(random.uniform(0, SPAWN_TICK_SECONDS))
        self.next_poll = time.monotonic()

    def wait_time(self) -> float:
        return max(0.0, self.next_poll - time.monotonic())

    @task
    def poll(self) -> None:
        self.next_poll += PLAN["poll_seconds"]  # the schedule holds whatever the answer's latency
        self.client.get("/api/v1/me/dashboard", headers=self.headers(self.credential), name="/me/dashboard")
        if time.time() >= self.next_submission:
            self.next_submission += self.every
            self.client.post("/api/v1/contributions", headers=self.headers(self.credential), name="/contributions",
                             json={"type": "capital", "contributed_on": PLAN["contributed_on"],
                                   "amount": f"{random.randint(1, 500)}.00",
                                   "description": "Load test capital contribution for the quarter"})


class Steward(Signed):
    """Works the review queue: the oldest items in this steward's share, approved in a batch (or one alone)."""

    wait_time = between(2, 5)
    fixed_count = 1

    def on_start(self) -> None:
        self.index = next(STEWARD_SLOTS) % len(PLAN["stewards"])
        self.credential = PLAN["stewards"][self.index]

    @task
    def work_the_queue(self) -> None:
        with self.client.get("/api/v1/review-queue?limit=100", headers=self.headers(self.credential),
                             name="/review-queue", catch_response=True) as response:
            items = response.json()["items"] if response.status_code == 200 else []
        # stewards split the queue by id so two never approve the same item (a 409 would be our doing)
        share = len(PLAN["stewards"])
        mine = [item["id"] for item in items if int(item["id"].replace("-", ""), 16) % share == self.index]
        if len(mine) == 1:
            self.client.post(f"/api/v1/contributions/{mine[0]}/approve", json={},
                             headers=self.headers(self.credential), name="/contributions/{id}/approve")
        elif mine:
            with self.client.post("/api/v1/contributions/batch-approve", json={"ids": mine[:50]},
                                  headers=self.headers(self.credential), name="/contributions/batch-approve",
                                  catch_response=True) as response:
                refused = [r for r in response.json()["results"] if r.get("error")] if response.ok else []
                if refused:
                    response.failure(f"{len(refused)} items refused, e.g. {refused[0]['error']['code']}")


class Admin(Signed):
    """Keeps the intake dashboard of the open period on screen, refreshing every few seconds."""

    wait_time = between(3, 6)
    fixed_count = 1

    @task
    def intake(self) -> None:
        self.client.get(f"/api/v1/periods/{PLAN['period_id']}/intake", headers=self.headers(PLAN["admin"]),
                        name="/periods/{id}/intake")


class Healthz(FastHttpUser):
    """The same-run reference: the cheapest request through Caddy to the gateway, back to back."""

    wait_time = constant(0)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz")


def summary(env: Environment, users: int, seconds: float) -> dict:
    """Per endpoint: requests, rate, p50/p95/p99 (ms), failures; plus the totals, from locust's stats."""
    def figures(entry) -> dict:
        return {"requests": entry.num_requests, "per_second": entry.num_requests / seconds,
                "p50": entry.get_response_time_percentile(0.5) or 0,
                "p95": entry.get_response_time_percentile(0.95) or 0,
                "p99": entry.get_response_time_percentile(0.99) or 0,
                "errors": entry.num_failures}

    endpoints = {f"{entry.method} {entry.name}": figures(entry) for entry in env.stats.entries.values()}
    errors = [{"endpoint": f"{e.method} {e.name}", "error": str(e.error), "count": e.occurrences}
              for e in env.stats.errors.values()]
    return {"users": users, "seconds": seconds, "endpoints": endpoints, "total": figures(env.stats.total),
            "error_samples": errors[:5]}


def measure(env: Environment, users: int, spawn_rate: float, ramp: float, seconds: float) -> dict:
    env.runner.start(users, spawn_rate=spawn_rate)
    gevent.sleep(ramp)
    env.stats.reset_all()
    print("MEASURING", flush=True)  # the parent starts its CPU meter here
    started = time.monotonic()
    gevent.sleep(seconds)
    return summary(env, users, time.monotonic() - started)


def reference(host: str, seconds: float, users: int = 20) -> dict:
    env = Environment(user_classes=[Healthz], host=host)
    env.create_local_runner()
    result = measure(env, users, spawn_rate=users, ramp=1.0, seconds=seconds)
    env.runner.quit()
    return result


def steps(plan: dict) -> None:
    Steward.fixed_count, Admin.fixed_count = len(plan["stewards"]), 1
    env = Environment(user_classes=[Member, Steward, Admin], host=plan["url"])
    env.create_local_runner()
    others, previous = len(plan["stewards"]) + 1, 0
    for members in plan["steps"]:
        spawn_rate = max(1.0, (members - previous) / plan["ramp_seconds"])
        result = measure(env, members + others, spawn_rate, plan["ramp_seconds"], plan["step_seconds"])
        result["members"] = members
        print("STEP " + json.dumps(result), flush=True)
        worst = max(e["p95"] for e in result["endpoints"].values())
        if worst >= plan["bar_ms"] or result["total"]["errors"]:
            break
        previous = members
    env.runner.quit()


def main() -> None:
    setup_logging("WARNING")
    with open(sys.argv[1]) as f:
        PLAN.update(json.load(f))
    print("REFERENCE " + json.dumps(reference(PLAN["url"], PLAN["reference_seconds"])), flush=True)
    steps(PLAN)


if __name__ == "__main__":
    main()
