"""The dashboard cache: kept between polls, dropped by the feeds and by the caller's writes, never kept stale."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
from habitat_common.auth import TokenVerifier
from habitat_common.settings import AuthSettings
from habitat_common.testing import LocalKeys
from habitat_gateway.app import create_app
from habitat_gateway.clients.transport import HttpxTransport
from habitat_gateway.clients.upstream import ServiceClient, Services
from habitat_gateway.config import GatewaySettings
from habitat_gateway.dashboard_cache import DashboardCache, MemberChanges

ANN, BOB = uuid.uuid4(), uuid.uuid4()


class Feed:
    """Stands for a member change feed's poller: only its freshness matters to the cache."""

    def __init__(self, fresh: bool = True) -> None:
        self.fresh = fresh

    def is_fresh(self) -> bool:
        return self.fresh


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.day = date(2026, 3, 31)

    def __call__(self) -> float:
        return self.now

    def today(self) -> date:
        return self.day


def cache_with(*feeds: Feed, clock: Clock | None = None, max_entries: int = 100) -> DashboardCache:
    clock = clock or Clock()
    cache = DashboardCache(max_entries=max_entries, max_age_seconds=300, today=clock.today, clock=clock)
    cache.watch(feeds or [Feed()])
    return cache


def kept(cache: DashboardCache, member: uuid.UUID, data: dict) -> bool:
    return cache.keep(member, cache.begin(), data)


class TestKeeping:
    def test_a_kept_dashboard_is_answered_to_its_member_only(self):
        cache = cache_with()
        assert kept(cache, ANN, {"balance": "1.00"})
        assert cache.get(ANN) == {"balance": "1.00"}
        assert cache.get(BOB) is None

    def test_nothing_is_kept_or_answered_until_every_feed_has_answered(self):
        ledger = Feed(fresh=False)
        cache = cache_with(Feed(), Feed(), ledger)
        assert not kept(cache, ANN, {"v": 1})
        ledger.fresh = True
        assert kept(cache, ANN, {"v": 1})
        assert cache.get(ANN) == {"v": 1}

    def test_a_feed_gone_quiet_drops_everything_and_bypasses_the_cache_until_it_answers(self):
        contributions = Feed()
        cache = cache_with(Feed(), contributions, Feed())
        kept(cache, ANN, {"v": 1})
        kept(cache, BOB, {"v": 1})
        contributions.fresh = False
        assert cache.get(ANN) is None
        assert len(cache) == 0
        assert not kept(cache, ANN, {"v": 2})
        contributions.fresh = True
        # what was kept before the silence is gone: changes named meanwhile may have been missed
        assert cache.get(BOB) is None
        assert kept(cache, ANN, {"v": 3})
        assert cache.get(ANN) == {"v": 3}

    def test_an_entry_is_kept_at_most_max_age_and_only_on_its_day(self):
        clock = Clock()
        cache = cache_with(clock=clock)
        kept(cache, ANN, {"v": 1})
        clock.now += 299
        assert cache.get(ANN) == {"v": 1}
        clock.now += 2
        assert cache.get(ANN) is None
        kept(cache, ANN, {"v": 2})
        clock.day += timedelta(days=1)  # the statement is as of today
        assert cache.get(ANN) is None

    def test_the_longest_kept_goes_first_when_full(self):
        cache = cache_with(max_entries=2)
        carl = uuid.uuid4()
        kept(cache, ANN, {"v": 1})
        kept(cache, BOB, {"v": 1})
        kept(cache, ANN, {"v": 2})  # kept again: now the newest
        kept(cache, carl, {"v": 1})
        assert cache.get(BOB) is None
        assert cache.get(ANN) == {"v": 2}
        assert cache.get(carl) == {"v": 1}


class TestDropping:
    def test_a_drop_during_a_composition_refuses_it(self):
        cache = cache_with()
        ticket = cache.begin()  # the composition reads...
        cache.drop(ANN)  # ...while a change of Ann's commits
        assert not cache.keep(ANN, ticket, {"v": "read before the change"})
        assert cache.get(ANN) is None
        assert cache.keep(BOB, ticket, {"v": 1})  # another member's composition is unaffected
        assert cache.keep(ANN, cache.begin(), {"v": "read after"})

    def test_a_drop_before_the_composition_began_does_not_refuse_it(self):
        cache = cache_with()
        cache.drop(ANN)
        assert kept(cache, ANN, {"v": 1})
        assert cache.get(ANN) == {"v": 1}

    def test_a_clear_during_a_composition_refuses_every_one(self):
        cache = cache_with()
        ticket = cache.begin()
        cache.clear()
        assert not cache.keep(ANN, ticket, {"v": 1})
        assert not cache.keep(BOB, ticket, {"v": 1})

    def test_the_callers_token_names_whose_entry_a_write_drops(self):
        keys = LocalKeys()
        cache = cache_with()
        kept(cache, ANN, {"v": 1})
        kept(cache, BOB, {"v": 1})
        cache.drop_caller(keys.mint(ANN))
        assert cache.get(ANN) is None
        assert cache.get(BOB) == {"v": 1}
        cache.drop_caller("not a token")  # whose write it was is unknown: nothing kept is trusted
        assert len(cache) == 0

    def test_a_feed_entry_drops_its_member_once_however_often_it_is_re_read(self):
        cache = cache_with()
        changes = MemberChanges(cache)
        kept(cache, ANN, {"v": 1})
        kept(cache, BOB, {"v": 1})
        assert changes.apply([{"id": 7, "member_id": str(ANN)}]) == 1
        assert cache.get(ANN) is None and cache.get(BOB) == {"v": 1}
        assert changes.cursor == 7
        kept(cache, ANN, {"v": 2})
        assert changes.apply([{"id": 7, "member_id": str(ANN)}]) == 0  # the overlap window read it again
        assert cache.get(ANN) == {"v": 2}

    def test_a_feed_that_starts_over_drops_everything(self):
        cache = cache_with()
        changes = MemberChanges(cache)
        changes.apply([{"id": 7, "member_id": str(BOB)}])
        kept(cache, ANN, {"v": 1})
        changes.reset()  # its database was restored: changes since the backup were named by ids it no longer has
        assert len(cache) == 0 and changes.cursor == 0
        assert changes.apply([{"id": 7, "member_id": str(ANN)}]) == 1  # id 7 again, a different change now


@pytest.fixture
def world():
    """The gateway over fake services whose ledger balance a test changes, with a dashboard cache on fresh feeds."""
    keys = LocalKeys()
    balance = {"book": "500.00"}
    calls: list[str] = []

    def handle(service: str):
        def answer(request: httpx.Request) -> httpx.Response:
            calls.append(f"{service} {request.method} {request.url.path}")
            member = str(ANN)
            if request.method != "GET":
                return httpx.Response(201, json={})
            if service == "identity":
                return httpx.Response(200, json={
                    "id": member, "email": "ann@x.coop", "display_name": "Ann", "role": "member", "status": "active",
                    "joined_at": "2026-01-01", "created_at": "2026-01-01T00:00:00Z"})
            if service == "ledger":
                return httpx.Response(200, json={"member_id": member, "lines": [], "book_balance": balance["book"],
                                                 "tax_balance": "0.00", "as_of": "2026-03-31"})
            if request.url.path.endswith("/patronage"):
                return httpx.Response(200, json={"member_id": member, "on": "2026-03-01", "period": None,
                                                 "approved": {}, "awaiting_review": {}})
            return httpx.Response(200, json={"items": [], "total": 0})

        return answer

    def service(name: str) -> ServiceClient:
        mock = httpx.AsyncClient(base_url=f"http://{name}", transport=httpx.MockTransport(handle(name)))
        return ServiceClient(name, f"http://{name}", timeout=5, max_connections=5, transport=HttpxTransport(mock))

    services = Services(service("identity"), service("contributions"), service("ledger"), service("notifications"))
    feed = Feed()
    cache = cache_with(feed)
    services.cache_dashboards(cache)
    app = create_app(GatewaySettings(cookie_secure=False), TokenVerifier(AuthSettings(), keys), services)
    return app, keys, balance, calls, cache, feed


async def book_balance(http: httpx.AsyncClient, token: str) -> str:
    response = await http.get("/api/v1/me/dashboard", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return response.json()["capital_account"]["book_balance"]


COMPOSED = 4  # upstream calls per composed dashboard: profile, contributions, patronage, statement


class TestThroughTheGateway:
    async def test_polls_are_answered_from_the_cache_until_a_feed_names_the_member(self, world):
        app, keys, balance, calls, cache, _ = world
        token = keys.mint(ANN)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as http:
            assert await book_balance(http, token) == "500.00"
            assert len(calls) == COMPOSED
            balance["book"] = "600.00"  # a booking by the ledger's worker
            assert await book_balance(http, token) == "500.00"  # not yet named by the ledger's feed
            assert len(calls) == COMPOSED
            MemberChanges(cache).apply([{"id": 1, "member_id": str(ANN)}])
            assert await book_balance(http, token) == "600.00"
            assert len(calls) == 2 * COMPOSED

    async def test_the_callers_own_write_drops_their_entry_at_once(self, world):
        app, keys, balance, _, _, _ = world
        token = keys.mint(ANN)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as http:
            await book_balance(http, token)
            balance["book"] = "700.00"
            body = {"type": "capital", "contributed_on": "2026-03-01", "description": "quarterly dues", "amount": "10.00"}
            written = await http.post("/api/v1/contributions", json=body, headers={"Authorization": f"Bearer {token}"})
            assert written.status_code < 300, written.text
            assert await book_balance(http, token) == "700.00"

    async def test_with_a_feed_quiet_every_poll_is_composed_afresh(self, world):
        app, keys, balance, calls, _, feed = world
        token = keys.mint(ANN)
        feed.fresh = False
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as http:
            await book_balance(http, token)
            balance["book"] = "800.00"
            assert await book_balance(http, token) == "800.00"
            assert len(calls) == 2 * COMPOSED
