"""Issue 13, sessions and tokens: the feed re-reads a window and must keep answering; the key set expires."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from habitat_common.auth import InvalidToken, JwksKeySource, TokenVerifier
from habitat_common.revocation import RevocationFeed, RevocationList, revocation_feed_for
from habitat_common.settings import AuthSettings
from habitat_common.testing import LocalKeys
from habitat_common.web.caching import install_no_store
from habitat_common.web.observability import install_observability

URL = "http://identity/auth/revocations"


def entry(entry_id: int, session: uuid.UUID) -> dict:
    return {"id": entry_id, "member_id": str(uuid.uuid4()), "session_id": str(session), "not_before": None}


class FeedServer:
    """identity's feed as a list of committed entries, answering `after=` like the real endpoint."""

    def __init__(self) -> None:
        self.committed: list[dict] = []
        self.afters: list[int] = []
        self.down = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            return httpx.Response(503)
        after = int(request.url.params["after"])
        self.afters.append(after)
        entries = sorted((e for e in self.committed if e["id"] > after), key=lambda e: e["id"])
        return httpx.Response(200, json={"cursor": entries[-1]["id"] if entries else after, "revocations": entries})

    def feed(self, **kwargs) -> RevocationFeed:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self.handler))
        return RevocationFeed(URL, RevocationList(), client=client, **kwargs)


class TestOverlappingWindow:
    async def test_an_entry_committed_after_a_later_id_is_still_applied(self) -> None:
        server, late, early = FeedServer(), uuid.uuid4(), uuid.uuid4()
        feed = server.feed(overlap_seconds=60)
        server.committed.append(entry(11, early))  # id 10 was taken first, its transaction is still open
        await feed.poll_once()
        server.committed.append(entry(10, late))
        await feed.poll_once()
        await feed.stop()
        assert feed.revocations.is_revoked(uuid.uuid4(), late, datetime.now(UTC))
        assert server.afters == [0, 0]  # re-read from the cursor of a minute ago, not from 11

    async def test_re_read_entries_are_applied_once_and_the_window_moves_on(self) -> None:
        server = FeedServer()
        feed = server.feed(overlap_seconds=0.2)
        server.committed.extend([entry(1, uuid.uuid4()), entry(2, uuid.uuid4())])
        await feed.poll_once()
        assert feed.revocations.apply(server.committed) == 0  # deduplicated by id
        await asyncio.sleep(0.25)
        await feed.poll_once()
        await feed.poll_once()
        await feed.stop()
        assert server.afters[-1] == 2  # older than the window: not re-read any more

    async def test_without_overlap_the_late_entry_is_missed(self) -> None:
        """The flaw the window fixes, shown with the window switched off."""
        server, late = FeedServer(), uuid.uuid4()
        feed = server.feed(overlap_seconds=0)
        server.committed.append(entry(11, uuid.uuid4()))
        await feed.poll_once()
        server.committed.append(entry(10, late))
        await feed.poll_once()
        await feed.stop()
        assert not feed.revocations.is_revoked(uuid.uuid4(), late, datetime.now(UTC))


class TestFeedReadiness:
    def settings(self, **kwargs) -> AuthSettings:
        return AuthSettings(revocations_url=URL, revocations_poll_seconds=0.05, **kwargs)

    async def test_stale_after_defaults_to_three_poll_intervals(self) -> None:
        assert self.settings().revocations_stale_after == pytest.approx(0.15)
        assert self.settings(revocations_stale_after_seconds=7).revocations_stale_after == 7

    async def test_readyz_fails_before_the_first_answer_and_when_the_feed_goes_stale(self) -> None:
        server = FeedServer()
        feed = server.feed(interval_seconds=0.05, stale_after_seconds=0.15)
        app = FastAPI()
        install_observability(app, "svc", {"revocations": feed.ready})
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://svc") as client:
            assert (await client.get("/readyz")).status_code == 503
            await feed.poll_once()
            ready = await client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["checks"]["revocations"] is True
            server.down = True
            with pytest.raises(httpx.HTTPStatusError):
                await feed.poll_once()
            await asyncio.sleep(0.2)
            stale = await client.get("/readyz")
        await feed.stop()
        assert stale.status_code == 503 and stale.json()["checks"]["revocations"] is False

    async def test_the_feed_is_built_from_the_settings(self) -> None:
        feed = revocation_feed_for(self.settings(revocations_stale_after_seconds=2, revocations_overlap_seconds=9))
        assert feed is not None and (feed._stale_after, feed._overlap) == (2, 9)
        await feed.stop()
        assert revocation_feed_for(AuthSettings(revocations_url=None)) is None


class JwksServer:
    def __init__(self, *keys: LocalKeys) -> None:
        self.keys = list(keys)
        self.fetches = 0
        self.down = False

    def handler(self, _: httpx.Request) -> httpx.Response:
        if self.down:
            return httpx.Response(503)
        self.fetches += 1
        jwks = []
        for key in self.keys:
            jwk = json.loads(__import__("jwt").algorithms.OKPAlgorithm.to_jwk(key.private_key.public_key()))
            jwks.append({**jwk, "kid": key.kid, "use": "sig", "alg": "EdDSA"})
        return httpx.Response(200, json={"keys": jwks})


class TestJwksExpiry:
    async def test_a_retired_kid_is_refused_within_the_cache_interval_even_for_a_remembered_token(self) -> None:
        old, new = LocalKeys(), LocalKeys()
        server = JwksServer(old, new)
        source = JwksKeySource("http://identity/jwks", cache_seconds=0.2, transport=httpx.MockTransport(server.handler))
        verifier = TokenVerifier(old.settings, source)
        member = uuid.uuid4()
        token = old.mint(member)
        assert (await verifier.verify(token)).member_id == member
        server.keys = [new]  # rotate-signing-key --retire-now
        assert (await verifier.verify(token)).member_id == member  # cached set, within the interval
        await asyncio.sleep(0.25)
        with pytest.raises(InvalidToken):
            await verifier.verify(token)
        assert (await verifier.verify(new.mint(member))).member_id == member

    async def test_the_set_is_replaced_whole_not_merged(self) -> None:
        old, new = LocalKeys(), LocalKeys()
        server = JwksServer(old)
        source = JwksKeySource("http://identity/jwks", cache_seconds=0.1, transport=httpx.MockTransport(server.handler))
        await source.key_for(old.kid)
        server.keys = [new]
        await asyncio.sleep(0.15)
        await source.key_for(new.kid)
        with pytest.raises(InvalidToken):
            await source.key_for(old.kid)

    async def test_identity_briefly_away_keeps_the_last_set_but_a_first_fetch_fails(self) -> None:
        key = LocalKeys()
        server = JwksServer(key)
        source = JwksKeySource("http://identity/jwks", cache_seconds=0.1, transport=httpx.MockTransport(server.handler))
        await source.key_for(key.kid)
        server.down = True
        await asyncio.sleep(0.15)
        assert await source.key_for(key.kid) is not None
        cold = JwksKeySource("http://identity/jwks", transport=httpx.MockTransport(server.handler))
        with pytest.raises(InvalidToken):
            await cold.key_for(key.kid)


class TestNoStore:
    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/data")
        async def data() -> dict:
            return {"secret": 1}

        @app.get("/own")
        async def own() -> PlainTextResponse:
            return PlainTextResponse("x", headers={"Cache-Control": "private, max-age=5"})

        @app.get("/static/app.css")
        async def css() -> PlainTextResponse:
            return PlainTextResponse("body{}")

        install_no_store(app, public_prefixes=("/static/",))
        return app

    async def test_responses_are_no_store_unless_public_or_set_by_the_route(self) -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(self.app()), base_url="http://svc") as client:
            assert (await client.get("/data")).headers["cache-control"] == "no-store"
            assert (await client.get("/missing")).headers["cache-control"] == "no-store"
            assert (await client.get("/own")).headers["cache-control"] == "private, max-age=5"
            assert "cache-control" not in (await client.get("/static/app.css")).headers


def test_expired_tokens_still_expire() -> None:
    """Sanity for the helper used above: LocalKeys mints what TokenVerifier expects."""
    assert LocalKeys().mint(uuid.uuid4(), expires_in=timedelta(minutes=1))
